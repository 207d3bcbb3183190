"""Entered values: Vietnamese numbers and yes/no words, bad lines, validation rules."""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.engine import (
    EngineError,
    Values,
    check_rules,
    coerce_input,
    coerce_value,
    fitting_inputs,
    parse_values,
)
from tests.engine.builders import HAC_THANH, HAM_RONG, leaf, make_framework

# -- one value ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("98,7", 98.7),
        ("98.7", 98.7),
        (" 1240 ", 1240.0),
        ("-3", -3.0),
        ("+0,5", 0.5),
        (",5", 0.5),
        ("5,", 5.0),
        ("1e3", 1000.0),
        ("1,5E-2", 0.015),
    ],
)
def test_a_number_takes_a_decimal_point_or_a_vietnamese_decimal_comma(raw, expected):
    assert coerce_value(raw, "number") == expected


@pytest.mark.parametrize(
    "raw", ["abc", "1.234,5", "1,2,3", "1 240", "nan", "inf", "1_000", "0x10", "١٢", "--1", "1e"]
)
def test_text_that_is_not_plainly_a_number_is_refused(raw):
    with pytest.raises(ValueError, match="is not a number"):
        coerce_value(raw, "number")


def test_an_empty_value_is_refused_by_coerce_value():
    with pytest.raises(ValueError, match="empty"):
        coerce_value("  ", "number")


def test_a_huge_number_is_not_finite():
    with pytest.raises(ValueError, match="not a finite number"):
        coerce_value("1e400", "number")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("có", 1.0),
        ("Có", 1.0),
        ("CÓ", 1.0),
        ("không", 0.0),
        ("Không", 0.0),
        ("đạt", 1.0),
        ("Đạt", 1.0),
        ("không đạt", 0.0),
        ("Không  Đạt", 0.0),
        ("yes", 1.0),
        ("NO", 0.0),
        ("True", 1.0),
        ("false", 0.0),
        ("1", 1.0),
        ("0", 0.0),
        ("1,0", 1.0),
    ],
)
def test_booleans_accept_the_vietnamese_and_english_words_in_any_case(raw, expected):
    assert coerce_value(raw, "boolean") == expected


@pytest.mark.parametrize("word", ["có", "không", "đạt", "không đạt", "Đạt"])
def test_booleans_accept_words_typed_with_combining_accents(word):
    # Some keyboards and macOS file names produce decomposed (NFD) text.
    decomposed = unicodedata.normalize("NFD", word)
    assert decomposed != word
    assert coerce_value(decomposed, "boolean") == coerce_value(word, "boolean")


@pytest.mark.parametrize("raw", ["co", "dat", "2", "maybe", "x"])
def test_anything_else_is_not_a_yes_no_value(raw):
    with pytest.raises(ValueError, match="is not a yes/no value"):
        coerce_value(raw, "boolean")


def test_types_are_checked():
    assert coerce_value("1240", "integer") == 1240.0
    assert coerce_value("1240,0", "integer") == 1240.0
    with pytest.raises(ValueError, match="not a whole number"):
        coerce_value("12,5", "integer")
    assert coerce_value("100", "percent") == 100.0
    assert coerce_value("98,7%", "percent") == 98.7
    with pytest.raises(ValueError, match="between 0 and 100"):
        coerce_value("100,1", "percent")
    with pytest.raises(ValueError, match="between 0 and 100"):
        coerce_value("-1", "percent")
    assert coerce_value("-12,5", "number") == -12.5


# -- a values file -----------------------------------------------------------


def test_parse_values_builds_the_matrix_in_the_order_units_first_appear(commune):
    rows = [
        (2, HAM_RONG, "hs_tt", "1240"),
        (3, HAM_RONG, "hs_tong", "1302"),
        (4, HAC_THANH, "CQS.2", "có"),
        (5, HAM_RONG, "XHS.1", "98,7"),
        (6, HAC_THANH, "KTS.2", ""),
    ]
    values = parse_values(rows, commune)
    assert values.units == (HAM_RONG, HAC_THANH)
    assert values.codes == commune.input_codes
    assert values.column("hs_tt").tolist()[0] == 1240.0
    assert values.column("XHS.1")[0] == 98.7 and values.column("CQS.2")[1] == 1.0
    # An empty cell is a missing value, not an error.
    assert np.isnan(values.column("KTS.2")).all()


def test_every_bad_line_is_reported_with_its_line_and_code(commune):
    rows = [
        (2, HAM_RONG, "hs_tt", "1240"),
        (3, HAM_RONG, "hs_khac", "5"),
        (4, HAM_RONG, "CQS.1", "90"),
        (5, "99999", "hs_tong", "1302"),
        (6, HAM_RONG, "hs_tong", "mười"),
        (7, HAM_RONG, "CQS.2", "chưa"),
        (8, HAM_RONG, "KTS.1", "120"),
        (9, HAM_RONG, "hs_tt", "1250"),
        (10, HAM_RONG, "KTS.2", "2,5"),
        (11, "", "XHS.1", "1"),
    ]
    with pytest.raises(EngineError) as caught:
        parse_values(rows, commune, units=[HAM_RONG, HAC_THANH], source="values.csv")
    assert [(problem.code, *problem[:4]) for problem in caught.value.problems] == [
        (
            "unknown_code",
            "unknown code for framework test-commune-2024",
            "hs_khac",
            3,
            "values.csv",
        ),
        (
            "computed_code",
            "is computed by the framework (a branch or an indicator with a formula); "
            "enter its elements instead",
            "CQS.1",
            4,
            "values.csv",
        ),
        ("unknown_unit", "unknown unit (not in the list of units)", "99999", 5, "values.csv"),
        (
            "unreadable_value",
            f"unit {HAM_RONG}: 'mười' is not a number",
            "hs_tong",
            6,
            "values.csv",
        ),
        (
            "unreadable_value",
            f"unit {HAM_RONG}: 'chưa' is not a yes/no value (1/0, có/không, đạt/không đạt)",
            "CQS.2",
            7,
            "values.csv",
        ),
        (
            "not_percent",
            f"unit {HAM_RONG}: '120' is not a percentage between 0 and 100",
            "KTS.1",
            8,
            "values.csv",
        ),
        (
            "duplicate_value",
            f"unit {HAM_RONG}: the value is given twice (also on line 2)",
            "hs_tt",
            9,
            "values.csv",
        ),
        ("not_whole", f"unit {HAM_RONG}: '2,5' is not a whole number", "KTS.2", 10, "values.csv"),
        ("empty_field", "the unit is empty", None, 11, "values.csv"),
    ]
    # The params carry the parts a page needs to say it in another language.
    assert caught.value.problems[3].params == {
        "text": "mười", "expected": "number", "unit": HAM_RONG,
    }  # fmt: skip


def test_without_a_unit_list_any_unit_is_accepted(commune):
    values = parse_values([(2, "any-unit", "hs_tt", "1")], commune)
    assert values.units == ("any-unit",)


def test_from_arrays_reads_numpy_columns_and_names_lines(commune):
    values = Values.from_arrays(
        commune,
        np.array([HAM_RONG, HAM_RONG, HAC_THANH]),
        np.array(["hs_tt", "XHS.1", "XHS.1"]),
        np.array(["12", "45,5", "50"]),
        np.array([2, 3, 4]),
    )
    assert values.units == (HAM_RONG, HAC_THANH)
    assert values.column("XHS.1").tolist() == [45.5, 50.0]
    assert values.column("hs_tt")[0] == 12.0 and np.isnan(values.column("hs_tt")[1])
    with pytest.raises(EngineError) as caught:
        Values.from_arrays(commune, [HAM_RONG], ["hs_tt"], ["x"], [7], source="f.csv")
    assert [(p.line, p.where) for p in caught.value.problems] == [(7, "hs_tt")]


def test_from_mapping_keeps_every_unit_and_reads_numbers_and_words(commune):
    values = Values.from_mapping(
        commune,
        {HAM_RONG: {"hs_tt": 1240, "CQS.2": True, "XHS.1": "98,7", "KTS.1": None}, HAC_THANH: {}},
    )
    assert values.units == (HAM_RONG, HAC_THANH)
    assert values.column("hs_tt")[0] == 1240 and values.column("CQS.2")[0] == 1.0
    assert values.column("XHS.1")[0] == 98.7 and np.isnan(values.column("KTS.1")).all()
    assert np.isnan(values.matrix[1]).all()
    with pytest.raises(EngineError) as caught:
        Values.from_mapping(commune, {HAM_RONG: {"hs_tt": 12.5, "nope": 1}})
    assert [(p.where, p.line) for p in caught.value.problems] == [("hs_tt", None), ("nope", None)]


@pytest.mark.parametrize("missing", [None, math.nan, ""])
def test_from_mapping_refuses_an_unknown_code_even_without_a_value(commune, missing):
    # As a file's line "unit,nope," is refused: the code is wrong whatever the value.
    with pytest.raises(EngineError) as caught:
        Values.from_mapping(commune, {HAM_RONG: {"hs_tt": 5.0, "nope": missing}})
    assert [(p.code, p.where) for p in caught.value.problems] == [("unknown_code", "nope")]


def test_values_keep_their_matrix_read_only(commune):
    values = Values.from_mapping(commune, {HAM_RONG: {"hs_tt": 1}})
    with pytest.raises(ValueError, match="read-only"):
        values.matrix[0, 0] = 5


# The fast numpy path and coerce_value must accept and reject exactly the same text.
NUMBER_TEXT = st.text(alphabet="0123456789+-.,eE %_a", max_size=8)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(NUMBER_TEXT, min_size=1, max_size=20), type_=st.sampled_from(
    ["number", "integer", "percent"]
))  # fmt: skip
def test_the_fast_reader_agrees_with_coerce_value_on_any_text(texts, type_):
    framework = make_framework(leaf("X", 1, {"method": "relative"}, type=type_))
    units = [f"u{index}" for index in range(len(texts))]
    expected: list[float | str] = []
    for text in texts:
        if not text.strip():
            expected.append(math.nan)
            continue
        try:
            expected.append(coerce_value(text, type_))
        except ValueError as exc:
            expected.append(str(exc))
    try:
        values = Values.from_arrays(framework, units, ["X"] * len(texts), texts)
    except EngineError as exc:
        reported = {p.message.split(": ", 1)[1] for p in exc.problems}
        assert reported == {e for e in expected if isinstance(e, str)}
        return
    assert all(not isinstance(e, str) for e in expected)
    got = values.column("X").tolist()
    assert [None if math.isnan(g) else g for g in got] == [
        None if isinstance(e, float) and math.isnan(e) else e for e in expected
    ]


# -- validation rules --------------------------------------------------------


def test_a_broken_rule_is_one_problem_per_unit_naming_the_unit_the_rule_and_the_message(commune):
    values = Values.from_mapping(
        commune,
        {
            HAM_RONG: {"hs_tt": 1400, "hs_tong": 1302},
            HAC_THANH: {"hs_tt": 1240, "hs_tong": 1302},
            "14800": {"hs_tt": 5},  # hs_tong missing: the rule is not checked
        },
    )
    problems = check_rules(commune, values, source="values.csv")
    assert [problem[:5] for problem in problems] == [
        (
            "breaks rule 'hs_tt <= hs_tong' (hs_tt = 1400, hs_tong = 1302): "
            "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ / "
            "Online dossiers cannot exceed all dossiers",
            HAM_RONG,
            None,
            "values.csv",
            0,
        )
    ]
    assert problems[0].code == "rule_broken"
    assert problems[0].params == {
        "unit": HAM_RONG, "rule": "hs_tt <= hs_tong", "figures": "hs_tt = 1400, hs_tong = 1302",
    }  # fmt: skip
    assert check_rules(commune, Values.from_mapping(commune, {HAC_THANH: {}})) == []


# The web app's figures are numbers already: from_mapping puts them in place without
# writing them as text, and must give what reading their text gives, errors included.
FIGURES = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 2.0, 0.5, 100.0, 100.5, -1.0, 2.0**53, 2.0**53 + 2]),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.booleans(),
)
TYPES = ["number", "integer", "percent", "boolean"]


def as_file_text(value: object) -> str:
    """The figure as a values file would carry it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value) if isinstance(value, int) else repr(value)


@settings(max_examples=300, deadline=None)
@given(figures=st.lists(FIGURES, min_size=4, max_size=4), bounded=st.booleans())
def test_numbers_from_the_web_read_as_their_text_would(figures, bounded):
    bounds = {"minimum": 0, "maximum": 50} if bounded else {}
    framework = make_framework(
        *(leaf(f"X{i}", 1, {"method": "relative"}, type=t, **bounds) for i, t in enumerate(TYPES))
    )
    codes = [f"X{i}" for i in range(len(TYPES))]
    try:
        expected = Values.from_arrays(
            framework, [HAM_RONG] * 4, codes, [as_file_text(value) for value in figures]
        )
    except EngineError as error:
        with pytest.raises(EngineError) as caught:
            Values.from_mapping(framework, {HAM_RONG: dict(zip(codes, figures, strict=True))})
        assert caught.value.problems == error.problems
        return
    got = Values.from_mapping(framework, {HAM_RONG: dict(zip(codes, figures, strict=True))})
    assert got.units == expected.units and got.codes == expected.codes
    np.testing.assert_array_equal(got.matrix, expected.matrix)
    assert got.na_codes == expected.na_codes
    np.testing.assert_array_equal(got.not_applicable, expected.not_applicable)


@settings(max_examples=300, deadline=None)
@given(value=FIGURES, type_=st.sampled_from(TYPES), bounded=st.booleans())
def test_a_figure_fits_its_input_exactly_when_its_text_is_read(value, type_, bounded):
    bounds = {"minimum": 0, "maximum": 50} if bounded else {}
    framework = make_framework(leaf("X", 1, {"method": "relative"}, type=type_, **bounds))
    text = as_file_text(value)
    try:
        read = bool(text) and not math.isnan(coerce_input(framework, "X", text))
    except ValueError:
        read = False
    fits = fitting_inputs(framework, {"X": value}) == {"X"}
    if isinstance(value, int) and abs(value) > 2**53:
        assert not fits  # read from its text, rounded to a float, as before
    else:
        assert fits == read
