"""Issue 7 in the engine: stable problem codes, hostile framework files, bounds."""

from __future__ import annotations

import textwrap
import time

import pytest

from chiso.engine import (
    PROBLEM_CODES,
    EngineError,
    Problem,
    ValueProblem,
    Values,
    check_rules,
    coerce_input,
    coerce_value,
    dump_framework,
    parse_framework,
    parse_values,
)
from tests.engine.builders import HAM_RONG, framework_text, leaf

HEAD = """\
format: chiso-framework/1
code: test-2024
title: {vi: "Thử nghiệm"}
level: commune
year: 2024
"""
TREE = """\
tree:
  - code: A
    title: {vi: "A"}
    points: 1
    score: {method: boolean}
"""


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(EngineError) as caught:
        parse_framework(text, source="bad.yaml")
    return caught.value.problems


# -- every problem carries a code from one closed set -------------------------

BROKEN_FRAMEWORKS = [
    "tree: [\n",
    "",
    "- a\n- b\n",
    HEAD.replace("chiso-framework/1", "chiso-framework/9") + TREE,
    HEAD.replace("year: 2024", "year: soon") + TREE,
    HEAD.replace("level: commune", "level: galaxy") + TREE,
    HEAD + "missing: mean\n" + TREE,
    HEAD + "recognition: {min_points: 1, min_value: 0.5}\n" + TREE,
    HEAD + "elements: [{code: 1x, title: {vi: x}, type: text}]\n" + TREE,
    HEAD + "elements: [{code: e, title: {en: only}}]\n" + TREE,
    HEAD + "elements: [{code: e, title: {vi: e}, min: 5, max: 1}]\n" + TREE,
    HEAD + "validation: [{rule: 'e <'}, {rule: 'x > 1'}, {nothing: 1}]\n" + TREE,
    HEAD + TREE + "    formula: 100 * A\n",
    HEAD + TREE.replace("score: {method: boolean}", "score: {method: linear, zero: 1, full: 1}"),
    HEAD + TREE.replace("score: {method: boolean}", "score: {method: steps, steps: [[2, 1], [1, 2]]}"),  # noqa: E501
    HEAD + TREE.replace("score: {method: boolean}", "score: {method: threshold, at_least: 1, at_most: 2}"),  # noqa: E501
    HEAD + TREE.replace("score: {method: boolean}", "score: {method: boolean, zero: 1}"),
    HEAD + TREE.replace("points: 1", "points: -1\n    points: 2"),
    HEAD + TREE + "  - code: A\n    title: {vi: again}\n    children: []\n",
    HEAD + "tree:\n  - code: B\n    title: {vi: B}\n    points: 1\n    children: [{code: C}]\n",
    HEAD + "tree:\n  - code: X\n    title: {vi: X}\n    points: 1\n    score: {method: linear, zero: 0, full: 9}\n    formula: 1 +\n",  # noqa: E501
    HEAD + "tree:\n  - code: X\n    title: {vi: X}\n    points: 1\n    score: {method: boolean}\n    formula: e\n    min: 0\n",  # noqa: E501
    HEAD + "tree:\n  - &a {code: X, title: {vi: X}, points: 1, score: {method: boolean}}\n",
    HEAD + "year: 2024\x00\n" + TREE,
]  # fmt: skip


@pytest.mark.parametrize("text", BROKEN_FRAMEWORKS)
def test_every_framework_problem_has_a_code_of_the_closed_set(text):
    problems = problems_of(text)
    assert problems
    for problem in problems:
        assert problem.code in PROBLEM_CODES, problem
        assert all(isinstance(value, str) for value in problem.params.values())


def test_a_problem_code_outside_the_set_is_a_programming_error():
    from chiso.engine.errors import problem

    with pytest.raises(ValueError, match="unknown problem code"):
        problem("looks_bad", "something")


def test_a_formula_naming_an_unknown_element_says_so_by_code_and_key(commune_text):
    text = commune_text.replace("formula: 100 * hs_tt / hs_tong", "formula: 100 * hs_x / hs_tong")
    [problem] = problems_of(text)
    assert problem.code == "unknown_element"
    assert problem.params == {"key": "formula", "name": "hs_x"}
    assert problem.where == "CQS.1"


def test_a_broken_rule_carries_its_index_and_the_rule(commune):
    values = Values.from_mapping(commune, {HAM_RONG: {"hs_tt": 9, "hs_tong": 1}})
    [problem] = check_rules(commune, values)
    assert (problem.code, problem.rule, problem.where) == ("rule_broken", 0, HAM_RONG)
    assert problem.params["rule"] == "hs_tt <= hs_tong"


# -- hostile framework files ------------------------------------------------

BILLION_LAUGHS = (
    HEAD
    + textwrap.dedent(
        """\
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    """
    )
    + TREE
)


def test_yaml_anchors_and_aliases_are_refused_naming_the_line():
    [problem] = problems_of(BILLION_LAUGHS)
    assert problem.code == "yaml_alias" and problem.line == 6 and problem.source == "bad.yaml"
    assert "aliases" in problem.message


def test_an_alias_in_a_help_text_is_refused_too():
    text = HEAD + "help: &h {vi: 'Hướng dẫn'}\n" + TREE + "    description: *h\n"
    assert [problem.code for problem in problems_of(text)] == ["yaml_alias"]


def test_a_nul_byte_is_a_clear_problem_with_its_line():
    [problem] = problems_of(HEAD + TREE.replace('title: {vi: "A"}', 'title: {vi: "A\x00"}'))
    assert problem.code == "yaml_character" and problem.line == 8
    assert problem.params == {"character": "U+0000"}
    assert "not allowed" in problem.message


def test_a_year_of_a_hundred_thousand_digits_is_a_clear_problem():
    text = HEAD.replace("year: 2024", "year: " + "9" * 100_000) + TREE
    [problem] = problems_of(text)
    assert problem.code == "line_too_long" and problem.line == 5


def test_a_year_of_five_thousand_digits_is_a_clear_problem_too():
    # Under the line limit, over Python's 4,300-digit limit for int().
    text = HEAD.replace("year: 2024", "year: " + "9" * 5_000) + TREE
    [problem] = problems_of(text)
    assert problem.code == "yaml_syntax" and problem.line == 5
    assert "longer than 40 characters" in problem.message


def test_a_ten_megabyte_one_line_file_is_refused_in_under_a_second():
    text = "a: [" + "1, " * 3_500_000 + "]\n"
    assert len(text) > 10_000_000
    started = time.perf_counter()
    [problem] = problems_of(text)
    assert time.perf_counter() - started < 1.0
    assert problem.code == "file_too_large" and problem.params == {"limit": "2000"}


def test_a_long_line_under_the_size_limit_is_refused_before_parsing():
    text = HEAD + "note: '" + "x" * 20_000 + "'\n" + TREE
    started = time.perf_counter()
    [problem] = problems_of(text)
    assert time.perf_counter() - started < 1.0
    assert (problem.code, problem.line) == ("line_too_long", 6)


# -- min and max ------------------------------------------------------------

BOUNDED = framework_text(
    leaf("A", 10, {"method": "linear", "zero": 0, "full": 90}, formula="100 * tt / tong"),
    leaf("B", 5, {"method": "linear", "zero": 0, "full": 10}, min=1, max=10),
    elements=[
        {"code": "tt", "title": {"vi": "Trực tuyến"}, "type": "integer", "min": 0},
        {"code": "tong", "title": {"vi": "Tổng"}, "type": "integer", "min": 0},
    ],
)


@pytest.fixture
def bounded():
    return parse_framework(BOUNDED, source="bounded.yaml")


def test_min_and_max_are_read_for_elements_and_directly_entered_indicators(bounded):
    assert bounded.bounds("tt") == (0.0, None)
    assert bounded.bounds("B") == (1.0, 10.0)
    assert bounded.elements[0].minimum == 0 and bounded.node("B").maximum == 10


def test_a_value_outside_its_bounds_names_the_line_and_nothing_is_read(bounded):
    rows = [
        (2, HAM_RONG, "tt", "-10"),
        (3, HAM_RONG, "tong", "1e308"),
        (4, HAM_RONG, "B", "11"),
    ]
    with pytest.raises(EngineError) as caught:
        parse_values(rows, bounded, source="values.csv")
    codes = [(problem.code, problem.line, problem.where) for problem in caught.value.problems]
    assert codes == [
        ("out_of_bounds", 2, "tt"),
        ("out_of_bounds", 3, "tong"),
        ("out_of_bounds", 4, "B"),
    ]
    # A whole number is also at most 2**53: a float counts exactly only that far.
    first, _, last = caught.value.problems
    assert first.params == {
        "text": "-10", "unit": HAM_RONG, "minimum": "0", "maximum": "9007199254740992",
    }  # fmt: skip
    assert last.message == (
        f"unit {HAM_RONG}: '11' is outside the bounds of this input (it must be between 1 and 10)"
    )


@pytest.mark.parametrize("text", ["-1", "-2", "99999999999999999999", "1e308", "-1e3"])
def test_a_count_refuses_negative_and_absurd_numbers(bounded, text):
    with pytest.raises(ValueProblem) as caught:
        coerce_input(bounded, "tt", text)
    assert caught.value.code == "out_of_bounds"


def test_the_fast_and_the_slow_reader_agree_on_bounds(bounded):
    # Plain digits go through numpy, "12,5e0"-like text through coerce_value.
    rows = [(2, HAM_RONG, "tt", "-3"), (3, HAM_RONG, "tong", "-3e0"), (4, "u2", "tt", "3")]
    with pytest.raises(EngineError) as caught:
        parse_values(rows, bounded)
    assert [problem.code for problem in caught.value.problems] == ["out_of_bounds"] * 2


def test_min_above_max_and_bounds_on_a_formula_are_framework_problems():
    reversed_ = BOUNDED.replace("max: 10", "max: 0.5")
    assert [p.code for p in problems_of(reversed_)] == ["bounds_order"]
    on_formula = BOUNDED.replace("formula: 100 * tt / tong", "formula: 100 * tt / tong\n  min: 0")
    assert [p.code for p in problems_of(on_formula)] == ["formula_bounds"]
    not_a_number = BOUNDED.replace("max: 10", "max: many")
    [problem] = problems_of(not_a_number)
    assert problem.code == "wrong_type" and problem.params["key"] == "max"


# -- thousands separators ---------------------------------------------------


@pytest.mark.parametrize("text", ["1.000", "12,500", "1.000.000", "-1.000"])
def test_a_whole_number_with_thousands_separators_is_refused(text):
    with pytest.raises(ValueProblem) as caught:
        coerce_value(text, "integer")
    assert caught.value.code == "thousands_separator"
    assert caught.value.params == {"text": text}


def test_a_decimal_is_still_read_where_the_input_is_not_whole():
    assert coerce_value("1.000", "number") == 1.0
    assert coerce_value("1240,0", "integer") == 1240.0


def test_a_values_file_reads_thousands_the_same_way_as_coerce_value(commune):
    with pytest.raises(EngineError) as caught:
        parse_values([(2, HAM_RONG, "hs_tt", "1.000")], commune)
    assert [problem.code for problem in caught.value.problems] == ["thousands_separator"]
    values = parse_values([(2, HAM_RONG, "KTS.1", "1.000")], commune)
    assert values.matrix[0, values.codes.index("KTS.1")] == 1.0


def test_a_framework_written_by_chiso_has_no_aliases_and_reads_back():
    # One score and one title object used by two indicators: PyYAML would alias them.
    same_score = {"method": "boolean"}
    same_title = {"vi": "Chỉ tiêu", "en": "Indicator"}
    document = {
        "format": "chiso-framework/1", "code": "test-2024", "title": {"vi": "Thử"},
        "level": "commune", "year": 2024,
        "tree": [
            {"code": "A", "title": same_title, "points": 1, "score": same_score},
            {"code": "B", "title": same_title, "points": 1, "score": same_score},
        ],
    }  # fmt: skip
    text = dump_framework(document)
    assert "&id" not in text and "*id" not in text
    assert [node.code for node in parse_framework(text).leaves] == ["A", "B"]
