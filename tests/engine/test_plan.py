"""The gap planner: the fewest changes that take a commune to its goal."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiso.engine import EngineError, Framework, Goal, Plan, Values, plan, score
from tests.engine.builders import HAC_THANH, HAM_RONG, branch, leaf, make_framework

# Phường Hàm Rồng reports well; Phường Hạc Thành has few online dossiers and meetings.
REPORTS = {
    HAM_RONG: {
        "hs_tt": 1240, "hs_tong": 1302, "CQS.2": "có", "KTS.1": 61.5, "KTS.2": 3, "XHS.1": 98.7
    },
    HAC_THANH: {
        "hs_tt": 600, "hs_tong": 1000, "CQS.2": "không", "KTS.1": 40, "KTS.2": 1, "XHS.1": 90
    },
}  # fmt: skip


def apply(framework: Framework, values: Values, unit: str, found: Plan) -> Values:
    """The values after the unit does what the plan says."""
    mapping: dict[str, dict[str, Any]] = {}
    for row, name in enumerate(values.units):
        mapping[name] = {
            code: value
            for code, value in zip(values.codes, values.matrix[row].tolist(), strict=True)
            if not math.isnan(value)
        }
    for step in found.steps:
        if framework.formula(step.code) is None:
            mapping[unit][step.code] = step.value_to
        for change in step.elements:
            mapping[unit][change.code] = change.value_to
    return Values.from_mapping(framework, mapping)


def reached(framework: Framework, values: Values, unit: str, goal: Goal) -> bool:
    results = score(framework, values)
    row = values.units.index(unit)
    if goal.kind == "recognition":
        assert results.recognized is not None
        return bool(results.recognized[row])
    if goal.kind == "value":
        assert goal.target is not None
        return bool(results.value[row] >= goal.target - 1e-9)
    assert goal.target is not None
    return bool(results.rank[row] <= goal.target)


def test_hac_thanh_meets_its_mandatory_indicator_and_earns_the_rest_in_one_more_step(commune):
    values = Values.from_mapping(commune, REPORTS)

    found = plan(commune, values, HAC_THANH, "recognition")

    assert found.feasible and found.proven_optimal
    assert [step.code for step in found.steps] == ["CQS.1", "KTS.2"]
    online, meetings = found.steps
    # 60 % of dossiers online scores 2/3 of the mandatory indicator; 90 % is full score,
    # which means 900 of its 1,000 dossiers.
    assert (online.value_from, online.value_to) == (60.0, 90.0)
    assert [(e.code, e.value_from, e.value_to) for e in online.elements] == [
        ("hs_tt", 600.0, 900.0)
    ]
    assert online.points == pytest.approx(10 / 3)
    # 11.67 + 3.33 = 15 points; four meetings instead of one bring the missing 15.
    assert (meetings.value_from, meetings.value_to, meetings.points) == (1.0, 4.0, 15.0)
    assert found.points_after == pytest.approx(30.0)
    assert reached(commune, apply(commune, values, HAC_THANH, found), HAC_THANH, found.goal)


def test_a_commune_already_recognized_has_nothing_to_do(commune):
    values = Values.from_mapping(commune, REPORTS)

    found = plan(commune, values, HAM_RONG, "recognition")

    assert found.feasible and found.steps == ()


def test_to_overtake_ham_rong_hac_thanh_changes_four_indicators(commune):
    values = Values.from_mapping(commune, REPORTS)

    found = plan(commune, values, HAC_THANH, "rank:1")

    assert len(found.steps) == 4
    assert reached(commune, apply(commune, values, HAC_THANH, found), HAC_THANH, found.goal)


@pytest.mark.parametrize(
    ("goal", "reason"),
    [("value:1.5", "bad-goal"), ("rank:0", "bad-goal"), ("rank:1.5", "bad-goal")],
)
def test_a_goal_out_of_range_says_so(commune, goal, reason):
    values = Values.from_mapping(commune, REPORTS)

    found = plan(commune, values, HAC_THANH, goal)

    assert not found.feasible and found.reason == reason and found.message


def test_an_unknown_commune_and_a_framework_without_recognition_say_why(commune):
    values = Values.from_mapping(commune, REPORTS)
    assert plan(commune, values, "99999", "recognition").reason == "unknown-unit"

    unranked = make_framework(branch("A", leaf("x", 10, {"method": "boolean"})))
    some = Values.from_mapping(unranked, {HAM_RONG: {"x": 0}})
    assert plan(unranked, some, HAM_RONG, "recognition").reason == "no-recognition-rule"


def test_points_that_no_longer_exist_make_the_goal_unreachable():
    # The smart-city indicator has no points: 15 of 10 points cannot be earned.
    framework = make_framework(
        branch("A", leaf("x", 10, {"method": "boolean"}), leaf("city", 0, {"method": "boolean"})),
        recognition={"min_points": 15},
    )
    values = Values.from_mapping(framework, {HAM_RONG: {"x": 0, "city": 0}})

    found = plan(framework, values, HAM_RONG, "recognition")

    assert found.reason == "unreachable"
    assert "15" in found.message


def test_goals_are_read_from_their_short_form():
    assert Goal.parse("recognition") == Goal("recognition")
    assert Goal.parse("value:0,8") == Goal("value", 0.8)
    assert Goal.parse("rank:10") == Goal("rank", 10.0)
    with pytest.raises(ValueError, match="value:0.8"):
        Goal.parse("first place")


def test_with_effort_set_two_easy_indicators_beat_one_hard_one():
    framework = make_framework(
        branch(
            "A",
            leaf("hard", 10, {"method": "boolean"}, effort=5),
            leaf("easy1", 5, {"method": "boolean"}, effort=1),
            leaf("easy2", 5, {"method": "boolean"}, effort=1.5),
        ),
        recognition={"min_points": 10},
    )
    values = Values.from_mapping(framework, {HAM_RONG: {"hard": 0, "easy1": 0, "easy2": 0}})

    found = plan(framework, values, HAM_RONG, "recognition")

    assert sorted(step.code for step in found.steps) == ["easy1", "easy2"]
    assert found.effort == 2.5


def test_without_effort_one_indicator_beats_two():
    framework = make_framework(
        branch(
            "A",
            leaf("big", 10, {"method": "boolean"}),
            leaf("small1", 5, {"method": "boolean"}),
            leaf("small2", 5, {"method": "boolean"}),
        ),
        recognition={"min_points": 10},
    )
    values = Values.from_mapping(framework, {HAM_RONG: {"big": 0, "small1": 0, "small2": 0}})

    assert [step.code for step in plan(framework, values, HAM_RONG, "recognition").steps] == ["big"]


def test_among_plans_of_one_indicator_the_one_closest_to_the_need_wins():
    # Both meetings (steps) and the portal reach 10 points; four meetings overshoot.
    framework = make_framework(
        branch(
            "A",
            leaf("meetings", 20, {"method": "steps", "steps": [[2, 0.5], [4, 1]]}),
            leaf("portal", 12, {"method": "boolean"}),
        ),
        recognition={"min_points": 10},
    )
    values = Values.from_mapping(framework, {HAM_RONG: {"meetings": 0, "portal": 0}})

    (step,) = plan(framework, values, HAM_RONG, "recognition").steps

    assert (step.code, step.value_to, step.points) == ("meetings", 2.0, 10.0)


def test_a_sum_formula_names_the_element_to_raise():
    framework = make_framework(
        branch(
            "A",
            leaf("staff", 10, {"method": "linear", "zero": 0, "full": 10}, formula="it + other"),
        ),
        elements=[
            {"code": "it", "title": {"vi": "Cán bộ CNTT"}, "type": "integer"},
            {"code": "other", "title": {"vi": "Cán bộ khác"}, "type": "integer"},
        ],
        recognition={"min_points": 7},
    )  # fmt: skip
    values = Values.from_mapping(framework, {HAM_RONG: {"it": 2, "other": 3}})

    (step,) = plan(framework, values, HAM_RONG, "recognition").steps

    assert (step.value_from, step.value_to) == (5.0, 7.0)
    assert [(e.code, e.value_from, e.value_to) for e in step.elements] == [("it", 2.0, 4.0)]


def test_a_negative_effort_is_a_problem_naming_the_indicator():
    with pytest.raises(EngineError) as caught:
        make_framework(branch("A", leaf("x", 10, {"method": "boolean"}, effort=-1)))
    (problem,) = caught.value.problems
    assert problem.where == "x" and "effort" in problem.message and problem.line


# ---------------------------------------------------------------------------
# Properties on generated frameworks and values

METHODS = [
    ("up", {"method": "linear", "zero": 10, "full": 90}, None),
    ("down", {"method": "linear", "zero": 50, "full": 5}, None),
    ("least", {"method": "threshold", "at_least": 50}, None),
    ("most", {"method": "threshold", "at_most": 20}, None),
    ("meetings", {"method": "steps", "steps": [[1, 0.25], [2, 0.5], [4, 1]]}, None),
    ("portal", {"method": "boolean"}, None),
    ("share", {"method": "linear", "zero": 0, "full": 90}, "100 * a / b"),
]
ELEMENTS = [
    {"code": "a", "title": {"vi": "a"}, "type": "integer"},
    {"code": "b", "title": {"vi": "b"}, "type": "integer"},
]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Framework, Values, Goal]:
    points = draw(st.lists(st.integers(0, 10), min_size=len(METHODS), max_size=len(METHODS)))
    mandatory = draw(st.lists(st.booleans(), min_size=len(METHODS), max_size=len(METHODS)))
    efforts = draw(
        st.one_of(st.none(), st.lists(st.sampled_from([0, 0.5, 1, 2, 3]), min_size=7, max_size=7))
    )
    leaves = []
    for index, (code, rule, formula) in enumerate(METHODS):
        extra: dict[str, Any] = {"mandatory": mandatory[index]}
        if formula:
            extra["formula"] = formula
        if efforts is not None:
            extra["effort"] = efforts[index]
        leaves.append(leaf(code, points[index], rule, **extra))
    total = sum(points)
    min_points = draw(st.integers(0, max(total, 0)))
    framework = make_framework(
        branch("A", *leaves[:4]),
        branch("B", *leaves[4:]),
        elements=ELEMENTS,
        recognition={"min_points": min_points, "all_mandatory": draw(st.booleans())},
    )
    number = st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2)))
    rows: dict[str, dict[str, Any]] = {}
    for unit in range(draw(st.integers(1, 4))):
        row: dict[str, Any] = {}
        for code, _, formula in METHODS:
            if formula is None:
                value = draw(st.sampled_from([None, 0, 1]) if code == "portal" else number)
                if value is not None:
                    row[code] = value
        below = draw(st.integers(1, 500))
        row["b"] = below
        above = draw(st.one_of(st.none(), st.integers(0, below)))
        if above is not None:
            row["a"] = above
        rows[f"u{unit}"] = row
    goal = draw(
        st.one_of(
            st.just(Goal("recognition")),
            st.floats(0, 1).map(lambda x: Goal("value", round(x, 3))),
            st.integers(1, 3).map(lambda k: Goal("rank", float(k))),
        )
    )
    return framework, Values.from_mapping(framework, rows), goal


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_plan_applied_reaches_its_goal(case):
    framework, values, goal = case
    found = plan(framework, values, "u0", goal)
    if found.feasible:
        assert reached(framework, apply(framework, values, "u0", found), "u0", goal)
    else:
        assert found.reason == "unreachable"
        assert cheapest_by_brute_force(framework, values, "u0", goal) is None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_no_plan_changes_fewer_indicators_or_costs_less_effort(case):
    framework, values, goal = case
    found = plan(framework, values, "u0", goal)
    best = cheapest_by_brute_force(framework, values, "u0", goal)
    assert (best is None) == (not found.feasible)
    if best is not None:
        weighted = any(leaf.effort != 1 for leaf in framework.leaves)
        cost = found.effort if weighted else len(found.steps)
        assert cost == pytest.approx(best)


def cheapest_by_brute_force(
    framework: Framework, values: Values, unit: str, goal: Goal
) -> float | None:
    """The least count (or effort) of indicators that, raised to full score, reach the goal."""
    weighted = any(leaf.effort != 1 for leaf in framework.leaves)
    row = values.units.index(unit)
    best: float | None = None
    leaves = framework.leaves
    for size in range(len(leaves) + 1):
        for subset in itertools.combinations(leaves, size):
            cost = sum(leaf.effort for leaf in subset) if weighted else float(size)
            if best is not None and cost >= best:
                continue
            changed = dict(zip(values.codes, values.matrix[row].tolist(), strict=True))
            for node in subset:
                changed.update(full_score(node.code, changed))
            matrix = values.matrix.copy()
            matrix[row] = [changed[code] for code in values.codes]
            if reached(framework, Values(values.units, values.codes, matrix), unit, goal):
                best = cost
    return best


def full_score(code: str, now: dict[str, float]) -> dict[str, float]:
    best = {"up": 90.0, "down": 5.0, "least": 50.0, "most": 20.0, "meetings": 4.0, "portal": 1.0}
    if code == "share":
        return {"a": float(math.ceil(0.9 * now["b"]))}
    return {code: best[code]}


def test_a_mandatory_share_that_would_need_more_than_100_percent_cannot_be_met():
    framework = make_framework(
        branch(
            "A",
            leaf("signed", 10, {"method": "linear", "zero": 0, "full": 120}, type="percent",
                 mandatory=True),
            leaf("portal", 10, {"method": "boolean"}),
        ),
        recognition={"min_points": 5, "all_mandatory": True},
    )  # fmt: skip
    values = Values.from_mapping(framework, {HAM_RONG: {"signed": 50, "portal": 0}})

    found = plan(framework, values, HAM_RONG, "recognition")

    assert found.reason == "unreachable" and "signed" in found.message
