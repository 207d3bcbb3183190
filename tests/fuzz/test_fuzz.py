"""Fuzzing the readers of outside input (issue #24 item 4): a framework file, a formula,
a values CSV, a values workbook. Whatever the bytes, each ends in its result or in its
own clear error naming the problem, within seconds (tests/fuzz/targets.py says what is
fed and what is accepted). The suite runs a few dozen inputs of each, the same ones
every time; scripts/fuzz.py runs thousands under a memory limit.
"""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import targets
from tests.fuzz.targets import FUZZ, FUZZ_WORKBOOKS, bounded


@FUZZ
@given(targets.framework_texts())
def test_any_framework_file_is_read_or_refused_with_its_problems(text):
    assert bounded("the framework parser", targets.read_framework, text) in ("read", "refused")


@FUZZ
@given(targets.formula_texts())
def test_any_formula_is_read_or_refused_with_a_reason(text):
    assert bounded("the formula parser", targets.read_formula, text) in ("read", "refused")


@FUZZ
@given(targets.csv_bytes())
def test_any_values_csv_is_read_or_refused_line_by_line(data):
    assert bounded("the values CSV reader", targets.read_values_csv, data) in ("read", "refused")


@FUZZ_WORKBOOKS
@given(targets.workbook_bytes())
def test_any_values_workbook_is_read_or_refused_naming_the_cell(data):
    assert bounded("the workbook reader", targets.read_values_workbook, data) in (
        "read",
        "refused",
    )
