"""The formula language: its own parser, vectorised evaluation, nothing else runs."""

from __future__ import annotations

import numpy as np
import pytest

from chiso.engine import FormulaError, parse_formula, parse_rule
from chiso.engine.formula import evaluate, names, rule_broken, to_text

NAN = np.nan


def run(text: str, **columns: list[float]) -> list[float]:
    size = len(next(iter(columns.values()))) if columns else 1
    arrays = {code: np.array(values, dtype=float) for code, values in columns.items()}
    return evaluate(parse_formula(text), arrays, size).tolist()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("10 - 4 - 3", "((10 - 4) - 3)"),
        ("-a * -b", "(-a * -b)"),
        ("--a", "--a"),
        ("min(a, max(b, 1), 2.5e1)", "min(a, max(b, 1), 25)"),
        ("100*hs_tt/hs_tong", "((100 * hs_tt) / hs_tong)"),
    ],
)
def test_precedence_and_associativity_follow_ordinary_arithmetic(text, written):
    assert to_text(parse_formula(text)) == written


def test_a_formula_is_evaluated_for_every_unit_at_once():
    assert run("100 * a / b", a=[9, 1, 0], b=[10, 4, 5]) == [90.0, 25.0, 0.0]
    assert run("min(a, b) - max(a, b, 0)", a=[3, -1], b=[5, -2]) == [-2.0, -2.0]
    assert run("-a + 2", a=[1, -1]) == [1.0, 3.0]
    assert run("7", a=[1, 2]) == [7.0, 7.0]


def test_a_division_by_zero_or_a_missing_element_makes_the_value_missing():
    result = run("100 * a / b", a=[9, 1, NAN, 0], b=[0, NAN, 10, 0])
    assert np.isnan(result).all()
    assert np.isnan(run("min(a, b)", a=[1], b=[NAN])).all()
    assert np.isnan(run("max(a, b)", a=[NAN], b=[1])).all()


def test_an_overflow_is_missing_rather_than_infinite():
    assert np.isnan(run("a * a * a", a=[1e200])).all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "the function __import__() is not allowed; only min() and max()"),
        ("2**3", "the power operator ** is not allowed"),
        ("abs(x)", "the function abs() is not allowed; only min() and max()"),
        ("eval('1')", "the function eval() is not allowed; only min() and max()"),
        ("'os'", "text in quotes ('os') is not allowed"),
        ('"x"', 'text in quotes ("x") is not allowed'),
        ("a[0]", "the character '[' is not allowed"),
        ("a % 2", "the character '%' is not allowed"),
        ("a // 2", "unexpected '/'"),
        ("lambda: 1", "the character ':' is not allowed"),
        ("a; b", "the character ';' is not allowed"),
        ("a b", "unexpected 'b'"),
        ("+a", "unexpected '+'"),
        ("min()", "unexpected ')'"),
        ("a <= b", "a comparison (<=) is only allowed in a rule"),
        ("", "the expression ends too early"),
        ("tỷ_lệ", "the character 'ỷ' is not allowed"),
        ("١٢", "the character '١' is not allowed"),
    ],
)
def test_anything_outside_the_language_is_refused_before_it_could_run(text, message):
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert str(caught.value).startswith(message + " (column ")


def test_attribute_access_parses_as_one_dotted_name_that_the_framework_then_refuses():
    # "a.b" is not an element code; the framework check says so (see test_framework).
    assert [name.code for name in names(parse_formula("a.__class__ + b"))] == ["a.__class__", "b"]


def test_deep_nesting_is_refused_instead_of_exhausting_the_stack():
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse_formula("(" * 100 + "1" + ")" * 100)
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse_formula("-" * 100 + "1")
    assert to_text(parse_formula("(" * 20 + "1" + ")" * 20)) == "1"


def test_a_very_long_formula_is_refused_instead_of_exhausting_the_stack():
    with pytest.raises(FormulaError, match="too long"):
        parse_formula("+".join(["a"] * 5000))
    assert run("+".join(["a"] * 150), a=[1.0]) == [150.0]


def test_the_position_of_a_problem_is_its_column():
    with pytest.raises(FormulaError) as caught:
        parse_formula("hs_tt + 2**3")
    assert caught.value.column == 10


# -- rules -------------------------------------------------------------------


def broken(text: str, **columns: list[float]) -> list[bool]:
    size = len(next(iter(columns.values())))
    arrays = {code: np.array(values, dtype=float) for code, values in columns.items()}
    return rule_broken(parse_rule(text), arrays, size).tolist()


def test_a_rule_is_checked_unit_by_unit():
    assert broken("hs_tt <= hs_tong", hs_tt=[1240, 1400], hs_tong=[1302, 1302]) == [False, True]
    assert broken("a < b", a=[1, 2], b=[2, 2]) == [False, True]
    assert broken("a >= b", a=[1, 2], b=[2, 2]) == [True, False]
    assert broken("a > b", a=[3, 2], b=[2, 2]) == [False, True]
    assert broken("a == b", a=[2, 3], b=[2, 2]) == [False, True]
    assert broken("a != b", a=[2, 3], b=[2, 2]) == [True, False]


def test_a_rule_with_a_missing_side_is_not_checked():
    assert broken("a <= b", a=[5, NAN, 5], b=[NAN, 1, 1]) == [False, False, True]
    assert broken("a / b <= 1", a=[5], b=[0]) == [False]


def test_equality_in_a_rule_forgives_the_float_noise_of_decimal_shares():
    # 33.3 + 66.7 is 100.00000000000001 in binary floating point.
    assert broken("a + b == 100", a=[33.3], b=[66.7]) == [False]
    assert broken("a + b <= 100", a=[33.3], b=[66.7]) == [False]


def test_a_rule_parses_both_sides_as_formulas():
    rule = parse_rule("min(a, b) * 2 >= -c")
    assert rule.op == ">="
    assert (to_text(rule.left), to_text(rule.right)) == ("(min(a, b) * 2)", "-c")
    assert [name.code for name in names(rule)] == ["a", "b", "c"]
