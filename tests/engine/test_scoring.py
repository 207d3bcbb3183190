"""Scoring: every method and its edges, branches, totals, ranks and recognition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chiso.engine import EngineError, Values, incidence_matrix, rank_descending, score
from tests.engine.builders import DONG_SON, HAC_THANH, HAM_RONG, branch, leaf, make_framework


def s_of(method: dict[str, object], *values: object, type_: str | None = None) -> list[float]:
    """The score s of one indicator for units entering `values` (None = not entered)."""
    extra = {"type": type_} if type_ else {}
    framework = make_framework(leaf("X", 10, method, **extra))
    mapping = {f"u{index}": ({} if v is None else {"X": v}) for index, v in enumerate(values)}
    results = score(framework, Values.from_mapping(framework, mapping))
    return results.node_values[:, 0].tolist()


# -- methods -----------------------------------------------------------------


def test_linear_scales_between_zero_and_full_and_clamps_outside():
    linear = {"method": "linear", "zero": 20, "full": 90}
    assert s_of(linear, 20, 55, 90, 95, 10, "98,7") == [0.0, 0.5, 1.0, 1.0, 0.0, 1.0]


def test_linear_with_zero_above_full_means_lower_is_better():
    # Days to settle a dossier: 2 days or fewer is full, 10 or more is nothing.
    lower = {"method": "linear", "zero": 10, "full": 2}
    assert s_of(lower, 2, 6, 10, 1, 12) == [1.0, 0.5, 0.0, 1.0, 0.0]


def test_threshold_at_least_and_at_most():
    assert s_of({"method": "threshold", "at_least": 60}, 60, 59.9, 100) == [1.0, 0.0, 1.0]
    assert s_of({"method": "threshold", "at_most": 5}, 5, 5.1, 0) == [1.0, 0.0, 1.0]


def test_a_threshold_is_reached_despite_binary_float_noise():
    framework = make_framework(
        leaf("X", 1, {"method": "threshold", "at_least": 29}, formula="a * 100 / b"),
        elements=[{"code": "a", "title": {"vi": "a"}}, {"code": "b", "title": {"vi": "b"}}],
    )
    # 0.29 * 100 is 28.999999999999996 in floating point; an official reads 29.
    values = Values.from_mapping(framework, {HAM_RONG: {"a": 0.29, "b": 1}})
    assert score(framework, values).node_values[0, 0] == 1.0


def test_steps_take_the_s_of_the_largest_step_reached():
    # "DX steering committee meetings a year: 4 -> 20 points, 3 -> 15, 2 -> 10, 1 -> 5".
    steps = {"method": "steps", "steps": [[1, 0.25], [2, 0.5], [3, 0.75], [4, 1]]}
    assert s_of(steps, 0, 1, 2, 2.5, 3, 4, 7) == [0.0, 0.25, 0.5, 0.5, 0.75, 1.0, 1.0]


def test_steps_need_not_rise_and_may_start_below_zero():
    steps = {"method": "steps", "steps": [[-5, 1], [0, 0.5], [10, 0]]}
    assert s_of(steps, -10, -5, -1, 0, 9, 10, 50) == [0.0, 1.0, 1.0, 0.5, 0.5, 0.0, 0.0]


def test_boolean_accepts_the_yes_words_and_scores_a_formula_by_not_zero():
    assert s_of({"method": "boolean"}, "có", "không", "Đạt", "không đạt", "yes", "0", "1") == [
        1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0,
    ]  # fmt: skip
    framework = make_framework(
        leaf("X", 1, {"method": "boolean"}, formula="a - b"),
        elements=[{"code": "a", "title": {"vi": "a"}}, {"code": "b", "title": {"vi": "b"}}],
    )
    values = Values.from_mapping(framework, {"u1": {"a": 3, "b": 3}, "u2": {"a": 3, "b": -0.5}})
    assert score(framework, values).node_values[:, 0].tolist() == [0.0, 1.0]


def test_relative_ranks_each_value_between_the_lowest_and_highest_reported():
    relative = {"method": "relative"}
    assert s_of(relative, 10, 20, 30, None) == [0.0, 0.5, 1.0, 0.0]


def test_relative_gives_everyone_full_score_when_all_reported_values_are_equal():
    assert s_of({"method": "relative"}, 42, 42, None) == [1.0, 1.0, 0.0]
    assert s_of({"method": "relative"}, 7) == [1.0]


def test_relative_with_nobody_reporting_scores_zero_for_all():
    assert s_of({"method": "relative"}, None, None) == [0.0, 0.0]


@pytest.mark.parametrize(
    "method",
    [
        {"method": "linear", "zero": 0, "full": 1},
        {"method": "linear", "zero": 1, "full": 0},
        {"method": "threshold", "at_least": -1},
        {"method": "threshold", "at_most": 1},
        {"method": "steps", "steps": [[-100, 1]]},
        {"method": "boolean"},
        {"method": "relative"},
    ],
    ids=lambda method: "-".join(str(value) for value in method.values()),
)
def test_a_missing_value_scores_zero_with_every_method(method):
    assert s_of(method, None) == [0.0]


# -- branches, totals and ranks ----------------------------------------------


@pytest.fixture
def tree():
    """Two pillars; the smart-city index is reported but worth 0 points."""
    return make_framework(
        branch(
            "CQS",
            branch(
                "CQS.A",
                leaf("CQS.A.1", 30, {"method": "linear", "zero": 0, "full": 100}),
                leaf("CQS.A.2", 10, {"method": "boolean"}, mandatory=True),
            ),
            leaf(
                "CQS.B", 20, {"method": "threshold", "at_least": 50}, mandatory=True, **{"pass": 1}
            ),
        ),
        branch("DTTM", leaf("DTTM.1", 0, {"method": "boolean"})),
        branch("KTS", leaf("KTS.1", 40, {"method": "linear", "zero": 0, "full": 10})),
        recognition={"min_points": 60, "all_mandatory": True},
    )


def test_branches_sum_points_and_their_value_is_points_over_maximum(tree):
    values = Values.from_mapping(
        tree,
        {
            HAM_RONG: {"CQS.A.1": 50, "CQS.A.2": "có", "CQS.B": 60, "DTTM.1": "có", "KTS.1": 5},
            HAC_THANH: {"CQS.A.1": 100, "CQS.B": 40, "KTS.1": 10},
        },
    )
    results = score(tree, values)
    ham_rong = results.unit(HAM_RONG)
    assert ham_rong.points == 15 + 10 + 20 + 0 + 20
    assert ham_rong.max_points == 100 and results.max_points == 100
    assert ham_rong.value == pytest.approx(0.65)
    assert ham_rong.node_values["CQS.A"] == pytest.approx(25 / 40)
    assert ham_rong.node_values["CQS"] == pytest.approx(45 / 60)
    assert ham_rong.node_values["KTS"] == pytest.approx(0.5)
    assert ham_rong.node_points == pytest.approx(
        {"CQS": 45, "CQS.A": 25, "CQS.A.1": 15, "CQS.A.2": 10, "CQS.B": 20,
         "DTTM": 0, "DTTM.1": 0, "KTS": 20, "KTS.1": 20}
    )  # fmt: skip
    # The smart-city indicator is collected and shown (s = 1) but earns nothing,
    # and its branch, worth 0, has no value.
    assert ham_rong.node_values["DTTM.1"] == 1.0
    assert ham_rong.leaf_points["DTTM.1"] == 0.0
    assert math.isnan(ham_rong.node_values["DTTM"])
    assert ham_rong.gap == pytest.approx(
        {"CQS.A.1": 15, "CQS.A.2": 0, "CQS.B": 0, "DTTM.1": 0, "KTS.1": 20}
    )
    assert ham_rong.leaf_values["CQS.A.1"] == 50 and math.isnan(
        results.unit(HAC_THANH).leaf_values["CQS.A.2"]
    )
    assert results.unit(HAC_THANH).points == 30 + 0 + 0 + 40


def test_recognition_needs_the_points_and_every_mandatory_indicator(tree):
    values = Values.from_mapping(
        tree,
        {
            # 100 points but the mandatory portal (CQS.A.2) is missing.
            HAM_RONG: {"CQS.A.1": 100, "CQS.B": 50, "KTS.1": 10},
            # Every mandatory met and 70 points.
            HAC_THANH: {"CQS.A.1": 0, "CQS.A.2": "đạt", "CQS.B": 50, "KTS.1": 10},
            # Every mandatory met but only 30 points.
            DONG_SON: {"CQS.A.2": 1, "CQS.B": 50},
        },
    )
    results = score(tree, values)
    assert results.recognized is not None
    assert results.recognized.tolist() == [False, True, False]
    assert results.unmet_mandatory == (("CQS.A.2",), (), ())
    assert results.mandatory_codes == ("CQS.A.2", "CQS.B")
    assert results.unit(HAM_RONG).unmet_mandatory == ("CQS.A.2",)


def test_recognition_by_value_and_a_pass_mark_below_one():
    framework = make_framework(
        leaf(
            "A", 50, {"method": "linear", "zero": 0, "full": 100}, mandatory=True, **{"pass": 0.8}
        ),
        leaf("B", 50, {"method": "boolean"}),
        recognition={"min_value": 0.8},
    )
    values = Values.from_mapping(
        framework, {"u1": {"A": 80, "B": 1}, "u2": {"A": 79, "B": 1}, "u3": {"A": 58, "B": 1}}
    )
    results = score(framework, values)
    # all_mandatory is false here: only the value counts.
    assert results.recognized is not None and results.recognized.tolist() == [True, True, False]
    assert results.mandatory_met.tolist() == [[True], [False], [False]]


def test_without_a_recognition_rule_recognized_is_none():
    framework = make_framework(leaf("A", 1, {"method": "boolean"}))
    results = score(framework, Values.from_mapping(framework, {"u": {"A": 1}}))
    assert results.recognized is None and results.to_records()[0]["recognized"] is None


def test_a_framework_worth_nothing_has_no_value_and_everyone_ranks_first():
    framework = make_framework(leaf("A", 0, {"method": "boolean"}))
    results = score(framework, Values.from_mapping(framework, {"u1": {"A": 1}, "u2": {"A": 0}}))
    assert np.isnan(results.value).all() and results.rank.tolist() == [1, 1]


def test_ranks_share_ties_and_skip_the_next_rank():
    assert rank_descending(np.array([0.9, 0.8, 0.8, 0.7])).tolist() == [1, 2, 2, 4]
    assert rank_descending(np.array([0.5, 0.7, 0.7, 0.7, 0.1])).tolist() == [4, 1, 1, 1, 5]


def test_values_within_1e_9_are_a_tie_and_further_apart_are_not():
    values = np.array([0.8, 0.7, 0.7 + 4e-10, 0.7 - 3e-10, 0.7 - 2e-9, 0.6])
    assert rank_descending(values).tolist() == [1, 2, 2, 2, 5, 6]
    assert rank_descending(np.array([0.5, 0.5 + 2e-9])).tolist() == [2, 1]


def test_ranks_of_scored_units_follow_the_value_and_order_breaks_ties_by_code():
    framework = make_framework(leaf("A", 10, {"method": "linear", "zero": 0, "full": 10}))
    values = Values.from_mapping(
        framework,
        {"d": {"A": 7}, "c": {"A": 9}, "b": {"A": 7}, "a": {"A": 2}},
    )
    results = score(framework, values)
    assert results.rank.tolist() == [2, 1, 2, 4]
    assert [results.units[row] for row in results.order()] == ["c", "b", "d", "a"]
    records = results.to_records()
    assert [(r["unit"], r["rank"], r["value"]) for r in records] == [
        ("c", 1, 0.9), ("b", 2, 0.7), ("d", 2, 0.7), ("a", 4, 0.2),
    ]  # fmt: skip
    assert list(records[0]) == ["unit", "value", "points", "rank", "recognized", "A"]


def test_a_unit_without_any_value_scores_zero(commune):
    results = score(commune, Values.from_mapping(commune, {HAM_RONG: {}}))
    assert results.points.tolist() == [0.0] and results.value.tolist() == [0.0]
    assert results.unit(HAM_RONG).node_values["CQS"] == 0.0


def test_scoring_nobody_gives_empty_results(commune):
    results = score(commune, Values.from_mapping(commune, {}))
    assert len(results) == 0 and results.to_records() == [] and results.node_values.shape == (0, 9)


def test_the_commune_framework_end_to_end(commune):
    values = Values.from_mapping(
        commune,
        {
            HAM_RONG: {"hs_tt": 1240, "hs_tong": 1302, "CQS.2": "có", "KTS.1": "61,5",
                       "KTS.2": 3, "XHS.1": "98,7", "XHS.2": "có"},
            HAC_THANH: {"hs_tt": 600, "hs_tong": 1000, "CQS.2": "không", "KTS.1": 40,
                        "KTS.2": 4, "XHS.1": "90"},
        },
    )  # fmt: skip
    results = score(commune, values)
    cqs1 = 100 * 1240 / 1302 / 90  # above 90% -> clamped to 1
    assert results.unit(HAM_RONG).node_values["CQS.1"] == min(1.0, cqs1) == 1.0
    assert results.unit(HAC_THANH).node_values["CQS.1"] == pytest.approx(60 / 90)
    assert results.points.tolist() == pytest.approx([10 + 10 + 10 + 15 + 10, 60 / 9 + 0 + 0 + 20])
    assert results.rank.tolist() == [1, 2]
    assert results.recognized is not None and results.recognized.tolist() == [True, False]
    assert results.leaf_values.shape == (2, 6) and results.leaf_points.shape == (2, 6)


def test_results_arrays_have_one_row_per_unit_in_the_values_order(commune):
    values = Values.from_mapping(commune, {HAC_THANH: {"CQS.2": 1}, HAM_RONG: {}})
    results = score(commune, values)
    assert results.units == (HAC_THANH, HAM_RONG)
    assert results.node_codes == tuple(node.code for node in commune.nodes)
    assert results.leaf_codes == tuple(node.code for node in commune.leaves)
    assert results.node_values.shape == (2, 9) and results.points.tolist() == [10.0, 0.0]
    with pytest.raises(KeyError):
        results.unit("99999")


def test_the_incidence_matrix_maps_leaves_to_the_branches_above_them(commune):
    matrix, branches, leaves = incidence_matrix(commune)
    assert branches == ("CQS", "KTS", "XHS", "")
    assert leaves == ("CQS.1", "CQS.2", "KTS.1", "KTS.2", "XHS.1", "XHS.2")
    assert matrix.tolist() == [
        [1, 1, 0, 0, 0, 0],
        [0, 0, 1, 1, 0, 0],
        [0, 0, 0, 0, 1, 1],
        [1, 1, 1, 1, 1, 1],
    ]


def test_values_built_for_another_framework_are_refused(commune):
    other = make_framework(leaf("Z", 1, {"method": "boolean"}))
    with pytest.raises(EngineError, match="not an input of framework"):
        score(commune, Values.from_mapping(other, {"u": {"Z": 1}}))


def test_values_with_fewer_codes_are_lined_up_by_code(commune):
    values = Values(["u"], ["CQS.2", "hs_tong", "hs_tt"], [[1.0, 10.0, 9.0]])
    results = score(commune, values)
    assert results.unit("u").node_values["CQS.1"] == 1.0
    assert results.unit("u").points == 20.0


def test_a_values_matrix_with_infinity_is_refused():
    with pytest.raises(EngineError, match="finite"):
        Values(["u"], ["A"], [[math.inf]])


def test_many_units_with_many_distinct_parameters_score_as_the_kernels_do_one_by_one():
    # More distinct bounds than `MAX_PARTS` are scored in one go, with the
    # parameters laid out as blocks as wide as a chunk; the last chunk is narrower.
    from chiso.engine import kernels
    from chiso.engine.scoring import CHUNK, MAX_PARTS

    many = MAX_PARTS + 3
    linear = [
        leaf(f"L{i}", 1 + i, {"method": "linear", "zero": 5 * i, "full": 60 + 7 * i})
        for i in range(many)
    ]
    bounds = [("at_least", 10.0 + 9 * i) if i % 2 else ("at_most", 95.0 - i) for i in range(many)]
    threshold = [
        leaf(f"T{i}", 2, {"method": "threshold", bound: value})
        for i, (bound, value) in enumerate(bounds)
    ]
    relative = [leaf(f"R{i}", 3, {"method": "relative"}) for i in range(3)]
    # Formulas are worked out chunk by chunk, a relative one first over every unit.
    relative.append(leaf("RF", 3, {"method": "relative"}, formula="100 * a / b"))
    linear.append(leaf("LF", 3, {"method": "linear", "zero": 0, "full": 200}, formula="a + b"))
    framework = make_framework(
        branch("A", *linear),
        branch("B", *threshold, *relative),
        elements=[{"code": "a", "title": {"vi": "a"}}, {"code": "b", "title": {"vi": "b"}}],
    )
    count = 2 * CHUNK + 301
    rng = np.random.default_rng(11)
    matrix = rng.uniform(-20, 130, (count, len(framework.input_codes)))
    matrix[rng.random(matrix.shape) < 0.1] = np.nan
    results = score(
        framework, Values([f"u{i}" for i in range(count)], framework.input_codes, matrix)
    )

    def column(code):
        return matrix[:, framework.input_codes.index(code)]

    def scores(codes):
        return results.node_values[:, [results.node_codes.index(code) for code in codes]].T

    codes = [f"L{i}" for i in range(many)]
    expected = kernels.score_linear(
        np.array([column(code) for code in codes]),
        np.array([5.0 * i for i in range(many)]),
        np.array([60.0 + 7 * i for i in range(many)]),
    )
    np.testing.assert_array_equal(scores(codes), expected)
    codes = [f"T{i}" for i in range(many)]
    expected = kernels.score_threshold(
        np.array([column(code) for code in codes]),
        np.array([value if bound == "at_least" else -np.inf for bound, value in bounds]),
        np.array([value if bound == "at_most" else np.inf for bound, value in bounds]),
    )
    np.testing.assert_array_equal(scores(codes), expected)
    a, b = column("a"), column("b")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(b == 0, np.nan, 100 * a / b)
    codes = ["R0", "R1", "R2", "RF"]
    expected = kernels.score_relative(np.array([*(column(code) for code in codes[:3]), share]))
    np.testing.assert_allclose(scores(codes), expected, rtol=0, atol=1e-12)
    expected = kernels.score_linear(np.array([a + b]), np.array([0.0]), np.array([200.0]))
    np.testing.assert_array_equal(scores(["LF"]), expected)
    np.testing.assert_array_equal(results.leaf_values[:, results.leaf_codes.index("LF")], a + b)


def test_a_unit_scores_the_same_among_thousands_as_on_its_own():
    # Many units are scored in blocks; a branch with indicators and sub-branches
    # beside each other adds up every indicator under it.
    from chiso.engine.scoring import CHUNK

    count = 5 * CHUNK + 300
    framework = make_framework(
        branch(
            "CQS",
            leaf("up", 20, {"method": "linear", "zero": 10, "full": 90}),
            branch(
                "CQS.1",
                leaf("least", 10, {"method": "threshold", "at_least": 50}, mandatory=True),
                leaf("meetings", 5, {"method": "steps", "steps": [[1, 0.25], [2, 0.5], [4, 1]]}),
            ),
            leaf("share", 15, {"method": "linear", "zero": 0, "full": 90}, formula="100 * a / b"),
        ),
        branch("KTS", leaf("portal", 10, {"method": "boolean"})),
        elements=[{"code": "a", "title": {"vi": "a"}}, {"code": "b", "title": {"vi": "b"}}],
        recognition={"min_value": 0.5, "all_mandatory": True},
    )
    rng = np.random.default_rng(7)
    matrix = rng.uniform(-10, 120, (count, len(framework.input_codes)))
    matrix[:, framework.input_codes.index("portal")] = rng.integers(0, 2, count)
    matrix[rng.random(matrix.shape) < 0.1] = np.nan
    units = [f"u{index}" for index in range(count)]
    together = score(framework, Values(units, framework.input_codes, matrix))
    boundaries = [b for start in range(0, count, CHUNK) for b in (start - 1, start) if b >= 0]
    for row in [*boundaries, count - 1]:
        alone = score(framework, Values([units[row]], framework.input_codes, matrix[[row]]))
        assert together.unit(units[row]).node_points == alone.unit(units[row]).node_points
        assert together.unit(units[row]).node_values == alone.unit(units[row]).node_values
        np.testing.assert_array_equal(together.leaf_values[row], alone.leaf_values[0])
        assert bool(together.recognized[row]) == bool(alone.recognized[0])
    # CQS adds its own indicators and those of CQS.1.
    points = together.unit(units[3]).node_points
    parts = points["up"] + points["least"] + points["meetings"] + points["share"]
    assert points["CQS"] == pytest.approx(parts)
    assert points["CQS.1"] == pytest.approx(points["least"] + points["meetings"])


def test_each_row_of_a_matrix_is_ranked_as_it_would_be_alone():
    rows = np.array([[0.9, 0.8, 0.8, 0.7], [0.5, np.nan, 0.5 + 2e-9, 0.5 + 5e-10]])
    assert rank_descending(rows).tolist() == [
        rank_descending(rows[0]).tolist(),
        rank_descending(rows[1]).tolist(),
    ]
    assert rank_descending(rows).tolist() == [[1, 2, 2, 4], [2, 4, 1, 2]]
