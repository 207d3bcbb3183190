"""Composite-index practice: `relative` with `better: lower`, `missing: exclude`,
and no silently ignored key in a scoring rule."""

from __future__ import annotations

import math
import textwrap

import pytest

from chiso.engine import EngineError, Values, parse_framework, score
from tests.engine.builders import DONG_SON, HAC_THANH, HAM_RONG, branch, leaf, make_framework
from tests.engine.test_framework import HEAD


def problems_of(text: str) -> list[tuple[str, str | None, int | None, str]]:
    with pytest.raises(EngineError) as caught:
        parse_framework(text, source="bad.yaml")
    return [(p.code, p.where, p.line, p.message) for p in caught.value.problems]


def one_indicator(score_rule: str) -> str:
    return HEAD + textwrap.dedent(
        f"""\
        tree:
          - code: A.1
            title: {{vi: "A"}}
            points: 10
            score: {score_rule}
        """
    )


# -- a key a method does not take --------------------------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{method: linear, zero: 0, full: 90, cap: 50}",
            "score.cap does not apply to method linear (it takes zero, full)",
        ),
        (
            "{method: relative, direction: lower}",
            "score.direction does not apply to method relative (it takes better)",
        ),
        (
            "{method: boolean, treshold: 1}",
            "score.treshold does not apply to method boolean (it takes no other key)",
        ),
        (
            "{method: steps, steps: [[1, 1]], zero: 0}",
            "score.zero does not apply to method steps (it takes steps)",
        ),
    ],
)
def test_a_key_the_method_does_not_take_is_an_error_naming_it_and_its_line(rule, message):
    assert problems_of(one_indicator(rule)) == [("method_key", "A.1", 10, message)]


def test_relative_takes_better_higher_or_lower_and_nothing_else():
    assert problems_of(one_indicator("{method: relative, better: down}")) == [
        ("bad_choice", "A.1", 10, "score.better must be one of higher, lower, not 'down'")
    ]
    rule = parse_framework(one_indicator("{method: relative, better: lower}")).node("A.1").score
    assert rule is not None and rule.better == "lower"
    rule = parse_framework(one_indicator("{method: relative}")).node("A.1").score
    assert rule is not None and rule.better == "higher"


def test_missing_is_zero_or_exclude():
    text = HEAD + "missing: exclude\ntree: [{code: A, title: {vi: A}, points: 1, "
    assert parse_framework(text + "score: {method: boolean}}]\n").missing == "exclude"
    bad = HEAD + "missing: skip\ntree: [{code: A, title: {vi: A}, points: 1, "
    assert problems_of(bad + "score: {method: boolean}}]\n") == [
        ("bad_choice", "missing", 6, "missing must be one of zero, exclude, not 'skip'")
    ]


# -- relative, lower is better ------------------------------------------------


def test_relative_with_better_lower_gives_the_lowest_figure_full_score():
    # Days to settle a dossier: Hàm Rồng 2, Hạc Thành 6, Đông Sơn 10.
    days = make_framework(leaf("X", 10, {"method": "relative", "better": "lower"}))
    values = Values.from_mapping(
        days, {HAM_RONG: {"X": 2}, HAC_THANH: {"X": 6}, DONG_SON: {"X": 10}}
    )
    results = score(days, values)
    assert results.node_values[:, 0].tolist() == [1.0, 0.5, 0.0]
    assert [results.unit(unit).leaf_values["X"] for unit in (HAM_RONG, DONG_SON)] == [2.0, 10.0]


def test_relative_lower_scores_everyone_1_when_all_figures_are_equal_and_a_missing_one_0():
    days = make_framework(leaf("X", 10, {"method": "relative", "better": "lower"}))
    values = Values.from_mapping(days, {HAM_RONG: {"X": 4}, HAC_THANH: {"X": 4}, DONG_SON: {}})
    assert score(days, values).node_values[:, 0].tolist() == [1.0, 1.0, 0.0]


# -- missing: exclude -----------------------------------------------------------


def exclude_framework():
    return make_framework(
        branch(
            "CQS",
            leaf("CQS.1", 30, {"method": "boolean"}, mandatory=True),
            leaf("CQS.2", 10, {"method": "boolean"}),
        ),
        branch("KTS", leaf("KTS.1", 60, {"method": "linear", "zero": 0, "full": 100})),
        missing="exclude",
    )


def test_with_missing_exclude_a_missing_value_leaves_the_maxima_above_it():
    framework = exclude_framework()
    values = Values.from_mapping(
        framework,
        {
            # Hàm Rồng: CQS.2 missing. CQS 30/30 = 1; total 30 + 30 of 90.
            HAM_RONG: {"CQS.1": "có", "KTS.1": 50},
            # Hạc Thành: every value given: (30 + 0 + 30) / 100.
            HAC_THANH: {"CQS.1": "có", "CQS.2": "không", "KTS.1": 50},
        },
    )
    results = score(framework, values)
    ham_rong, hac_thanh = results.unit(HAM_RONG), results.unit(HAC_THANH)
    assert ham_rong.node_values["CQS"] == 1.0
    assert ham_rong.value == pytest.approx(60 / 90)
    # Points are the value times the framework's maximum: "of 100" for everyone.
    assert ham_rong.points == pytest.approx(100 * 60 / 90)
    assert math.isnan(ham_rong.node_values["CQS.2"])
    assert ham_rong.unit_max_points == 90.0
    assert hac_thanh.value == pytest.approx(0.6)
    assert hac_thanh.points == pytest.approx(60.0)
    assert hac_thanh.unit_max_points == 100.0


def test_with_missing_exclude_a_mandatory_indicator_without_value_is_still_not_met():
    framework = exclude_framework()
    values = Values.from_mapping(framework, {HAM_RONG: {"CQS.2": "có", "KTS.1": 100}})
    unit = score(framework, values).unit(HAM_RONG)
    assert unit.value == 1.0
    assert unit.unmet_mandatory == ("CQS.1",)


def test_a_unit_left_with_nothing_to_score_is_an_error_naming_it():
    framework = exclude_framework()
    values = Values.from_mapping(framework, {HAM_RONG: {"KTS.1": 10}, HAC_THANH: {}})
    with pytest.raises(EngineError) as caught:
        score(framework, values)
    assert [(p.code, p.where) for p in caught.value.problems] == [("nothing_to_score", HAC_THANH)]
