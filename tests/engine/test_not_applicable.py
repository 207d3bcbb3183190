"""Indicators that do not apply to every unit (`may_not_apply`, `không áp dụng`).

Hà Nội's 2025 department set scores its digital-economy indicator for the 8
departments in charge of it only; for the others it is left out and their
maxima shrink.
"""

from __future__ import annotations

import math

import pytest

from chiso.engine import EngineError, Values, parse_values, score
from tests.engine.builders import HAC_THANH, HAM_RONG, branch, leaf, make_framework

# Two departments: Sở Công Thương (in charge of the digital economy) and Sở Tư pháp.
CONG_THUONG = "SCT"
TU_PHAP = "STP"


def department_framework():
    return make_framework(
        branch(
            "CQS",
            leaf("CQS.1", 20, {"method": "linear", "zero": 0, "full": 100}),
            leaf("CQS.2", 20, {"method": "boolean"}, mandatory=True),
        ),
        branch(
            "KTS",
            leaf("KTS.1", 40, {"method": "boolean"}, may_not_apply=True, mandatory=True),
            leaf(
                "KTS.2",
                20,
                {"method": "linear", "zero": 0, "full": 100},
                may_not_apply=True,
                formula="100 * dn_so / dn",
            ),
        ),
        elements=[
            {"code": "dn_so", "title": {"vi": "Doanh nghiệp số"}, "type": "integer"},
            {"code": "dn", "title": {"vi": "Doanh nghiệp"}, "type": "integer"},
        ],
        level="department",
        recognition={"min_points": 70, "all_mandatory": True},
    )


def rows(*lines: tuple[str, str, str]):
    return [(number, *line) for number, line in enumerate(lines, start=2)]


def test_a_department_is_scored_on_the_indicators_that_apply_to_it_by_hand():
    framework = department_framework()
    values = parse_values(
        rows(
            (CONG_THUONG, "CQS.1", "50"),
            (CONG_THUONG, "CQS.2", "có"),
            (CONG_THUONG, "KTS.1", "có"),
            (CONG_THUONG, "dn_so", "30"),
            (CONG_THUONG, "dn", "60"),
            (TU_PHAP, "CQS.1", "50"),
            (TU_PHAP, "CQS.2", "có"),
            (TU_PHAP, "KTS.1", "Không áp dụng"),
            (TU_PHAP, "KTS.2", "n/a"),
        ),
        framework,
    )
    results = score(framework, values)
    cong_thuong, tu_phap = results.unit(CONG_THUONG), results.unit(TU_PHAP)

    # Sở Công Thương, every indicator: 10 + 20 + 40 + 10 = 80 of 100.
    assert cong_thuong.value == pytest.approx(0.8)
    assert cong_thuong.points == pytest.approx(80)
    assert cong_thuong.unit_max_points == 100
    assert cong_thuong.not_applicable == ()
    # Sở Tư pháp, by hand: KTS does not apply, so its maximum is CQS's 40 points.
    # CQS.1 50% of 20 = 10, CQS.2 = 20: 30 of 40 = 0.75, reported as 75 "of 100".
    assert tu_phap.value == pytest.approx(0.75)
    assert tu_phap.points == pytest.approx(75)
    assert tu_phap.unit_max_points == 40
    assert tu_phap.not_applicable == ("KTS.1", "KTS.2")
    assert tu_phap.node_values["CQS"] == pytest.approx(0.75)
    assert math.isnan(tu_phap.node_values["KTS"])  # nothing under it applies
    assert math.isnan(tu_phap.node_values["KTS.1"]) and math.isnan(tu_phap.node_values["KTS.2"])
    assert tu_phap.gap["KTS.1"] == 0 and tu_phap.leaf_points["KTS.1"] == 0
    # A mandatory indicator that does not apply is not required: Tư pháp is recognized
    # with 75 >= 70; Công Thương too.
    assert tu_phap.unmet_mandatory == ()
    assert tu_phap.recognized is True and cong_thuong.recognized is True
    # The results file: an empty score cell where the indicator does not apply.
    record = next(r for r in results.to_records() if r["unit"] == TU_PHAP)
    assert record["KTS.1"] is None and record["KTS"] is None
    assert record["points"] == pytest.approx(75)


def test_not_applying_is_refused_for_an_indicator_that_applies_to_every_unit_naming_the_line():
    framework = department_framework()
    with pytest.raises(EngineError) as caught:
        parse_values(rows((TU_PHAP, "CQS.1", "50"), (TU_PHAP, "CQS.2", "không áp dụng")), framework)
    assert [(p.code, p.where, p.line) for p in caught.value.problems] == [
        ("not_applicable_refused", "CQS.2", 3)
    ]


def test_a_formula_indicator_takes_no_other_value_than_not_applying():
    framework = department_framework()
    with pytest.raises(EngineError) as caught:
        parse_values(rows((TU_PHAP, "KTS.2", "40")), framework)
    assert [(p.code, p.line) for p in caught.value.problems] == [("computed_code", 2)]


def test_an_indicator_marked_twice_or_with_a_value_too_is_a_duplicate():
    framework = department_framework()
    with pytest.raises(EngineError) as caught:
        parse_values(
            rows(
                (TU_PHAP, "KTS.2", "n/a"),
                (TU_PHAP, "KTS.2", "không áp dụng"),
                (TU_PHAP, "KTS.1", "có"),
                (TU_PHAP, "KTS.1", "n/a"),
            ),
            framework,
        )
    assert [(p.code, p.line) for p in caught.value.problems] == [
        ("duplicate_value", 3),
        ("duplicate_value", 5),
    ]


def test_a_relative_indicator_is_scored_among_the_units_it_applies_to():
    framework = make_framework(
        leaf("A", 10, {"method": "boolean"}),
        leaf("X", 10, {"method": "relative"}, may_not_apply=True),
    )
    values = Values.from_mapping(
        framework,
        {
            HAM_RONG: {"A": 1, "X": 10},
            HAC_THANH: {"A": 1, "X": 20},
            CONG_THUONG: {"A": 1, "X": "không áp dụng"},
        },
    )
    results = score(framework, values)
    assert [results.unit(u).value for u in (HAM_RONG, HAC_THANH, CONG_THUONG)] == [0.5, 1.0, 1.0]
