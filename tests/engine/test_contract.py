"""An independent audit of the engine against docs/framework-format.md, rule by rule.

Every test is named after the sentence of the contract it checks and every expected
number is computed by hand in the comment next to it. Nothing here is derived from
the engine's code.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import yaml

from chiso.engine import (
    EngineError,
    Framework,
    Results,
    Values,
    check_rules,
    coerce_value,
    dump_framework,
    framework_from_dict,
    incidence_matrix,
    parse_framework,
    parse_values,
    score,
)

# -- small builders (self-contained, in the words of the contract) ------------------


def title(text: str) -> dict[str, str]:
    return {"vi": text, "en": text}


def ind(code: str, points: float, method: str = "linear", **rest: Any) -> dict[str, Any]:
    """An indicator; `rest` holds score keys (zero, full, ...) and node keys."""
    score_keys = {"zero", "full", "at_least", "at_most", "steps"}
    rule: dict[str, Any] = {"method": method}
    node: dict[str, Any] = {"code": code, "title": title(f"Chỉ tiêu {code}"), "points": points}
    for key, value in rest.items():
        (rule if key in score_keys else node)[key] = value
    node["score"] = rule
    return node


def br(code: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "title": title(f"Nhóm {code}"), "children": list(children)}


def el(code: str, type_: str = "number") -> dict[str, Any]:
    return {"code": code, "title": title(f"Phần tử {code}"), "type": type_}


def doc(*tree: dict[str, Any], **top: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "chiso-framework/1",
        "code": "audit-2024",
        "title": title("Bộ tiêu chí kiểm tra"),
        "level": "commune",
        "year": 2024,
    }
    document.update(top)
    document["tree"] = list(tree)
    return document


def fw(*tree: dict[str, Any], **top: Any) -> Framework:
    text = dump_framework(doc(*tree, **top))
    return parse_framework(text, source="audit.yaml")


def run(framework: Framework, data: dict[str, dict[str, Any]]) -> Results:
    return score(framework, Values.from_mapping(framework, data))


def node_value(results: Results, unit: str, code: str) -> float:
    return float(results.node_values[results.units.index(unit), results.node_codes.index(code)])


def unit_value(results: Results, unit: str) -> float:
    return float(results.value[results.units.index(unit)])


def unit_points(results: Results, unit: str) -> float:
    return float(results.points[results.units.index(unit)])


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(EngineError) as caught:
        framework_from_dict(data, source="audit.yaml")
    return [str(problem) for problem in caught.value.problems]


def rejects(data: dict[str, Any], *fragments: str) -> None:
    text = "\n".join(problems_of(data))
    for fragment in fragments:
        assert fragment in text, text


def accepts(data: dict[str, Any]) -> Framework:
    return framework_from_dict(data, source="audit.yaml")


def one_input(method: str = "linear", **rest: Any) -> Framework:
    """One indicator X without formula, 10 points."""
    return fw(ind("X", 10, method, **rest))


def s_of(framework: Framework, raw: Any, code: str = "X") -> float:
    return node_value(run(framework, {"u": {code: raw}}), "u", code)


# -- score: linear ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        (45, 0.5),  # (45 - 0) / (90 - 0)
        (0, 0.0),
        (90, 1.0),
        (100, 1.0),  # clamp above
        (-10, 0.0),  # clamp below
        (30, 1 / 3),
    ],
)
def test_linear_is_clamped_v_minus_zero_over_full_minus_zero(v, expected):
    assert s_of(one_input(zero=0, full=90), v) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        (4, 0.75),  # (4 - 10) / (2 - 10) = -6 / -8
        (10, 0.0),
        (2, 1.0),
        (1, 1.0),  # better than full: clamp to 1
        (12, 0.0),  # worse than zero: clamp to 0
    ],
)
def test_linear_zero_above_full_means_lower_is_better(v, expected):
    assert s_of(one_input(zero=10, full=2), v) == pytest.approx(expected, abs=1e-12)


def test_linear_zero_equal_to_full_is_an_error():
    rejects(doc(ind("X", 10, zero=5, full=5)), "X")


# -- score: threshold ---------------------------------------------------------------


@pytest.mark.parametrize(("v", "expected"), [(5, 1.0), (4.999, 0.0), (7, 1.0), (-1, 0.0)])
def test_threshold_at_least_is_1_when_v_at_least(v, expected):
    assert s_of(one_input("threshold", at_least=5), v) == expected


@pytest.mark.parametrize(("v", "expected"), [(3, 1.0), (3.5, 0.0), (-1, 1.0), (0, 1.0)])
def test_threshold_at_most_is_1_when_v_at_most(v, expected):
    assert s_of(one_input("threshold", at_most=3), v) == expected


def test_threshold_needs_exactly_one_of_at_least_and_at_most():
    rejects(doc(ind("X", 10, "threshold", at_least=1, at_most=3)), "X")
    rejects(doc(ind("X", 10, "threshold")), "X")


# -- score: steps -------------------------------------------------------------------

STEPS = [[1, 0.25], [3, 0.5], [5, 1]]


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        (0.5, 0.0),  # below the first x: 0
        (0, 0.0),
        (-4, 0.0),
        (1, 0.25),  # exactly the first x
        (2.9, 0.25),
        (3, 0.5),  # exactly x2
        (4.99, 0.5),
        (5, 1.0),
        (50, 1.0),
    ],
)
def test_steps_take_the_s_of_the_largest_x_at_most_v_else_0(v, expected):
    assert s_of(one_input("steps", steps=STEPS), v) == expected


def test_steps_need_x_ascending():
    rejects(doc(ind("X", 10, "steps", steps=[[3, 0.5], [1, 0.25]])), "X")


@pytest.mark.parametrize("bad", [[[1, 1.5]], [[1, -0.1]]])
def test_steps_need_every_s_in_0_1(bad):
    rejects(doc(ind("X", 10, "steps", steps=bad)), "X")


# -- score: boolean -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("có", 1.0),
        ("không", 0.0),
        ("đạt", 1.0),
        ("không đạt", 0.0),
        ("yes", 1.0),
        ("no", 0.0),
        ("true", 1.0),
        ("false", 0.0),
        ("1", 1.0),
        ("0", 0.0),
    ],
)
def test_boolean_words_of_the_values_file(word, expected):
    assert coerce_value(word, "boolean") == expected
    assert s_of(one_input("boolean"), word) == expected
    framework = one_input("boolean")
    values = parse_values([(2, "u", "X", word)], framework, source="values.csv")
    assert node_value(score(framework, values), "u", "X") == expected


@pytest.mark.parametrize("word", ["2", "có thể", "maybe", "0,5"])
def test_boolean_type_refuses_other_words(word):
    framework = one_input("boolean")
    with pytest.raises(EngineError) as caught:
        parse_values([(2, "u", "X", word)], framework, source="values.csv")
    assert caught.value.problems[0].line == 2


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (3, 3, 0.0),  # a - b = 0
        (5, 3, 1.0),  # 2: not 0
        (1, 3, 1.0),  # -2: not 0
        (3.5, 3, 1.0),  # 0.5: not 0
    ],
)
def test_a_boolean_method_on_a_formula_scores_1_when_the_value_is_not_0(a, b, expected):
    framework = fw(ind("X", 10, "boolean", formula="a - b"), elements=[el("a"), el("b")])
    assert node_value(run(framework, {"u": {"a": a, "b": b}}), "u", "X") == expected


def test_a_boolean_method_on_a_formula_with_a_missing_value_scores_0():
    framework = fw(ind("X", 10, "boolean", formula="a / b"), elements=[el("a"), el("b")])
    assert node_value(run(framework, {"u": {"a": 1, "b": 0}}), "u", "X") == 0.0


# -- score: relative ----------------------------------------------------------------


def test_relative_is_v_minus_min_over_max_minus_min_among_units_with_a_value():
    framework = fw(ind("X", 10, "relative"), ind("Y", 10, "threshold", at_least=0))
    results = run(
        framework,
        {
            "a": {"X": 10},
            "b": {"X": 20},
            "c": {"X": 30},
            "d": {"Y": 1},  # no X: scores 0, and is not part of min / max
            "e": {"X": 25},
        },
    )
    assert node_value(results, "a", "X") == 0.0
    assert node_value(results, "b", "X") == pytest.approx(0.5)  # (20-10)/(30-10)
    assert node_value(results, "c", "X") == 1.0
    assert node_value(results, "e", "X") == pytest.approx(0.75)  # (25-10)/20
    assert node_value(results, "d", "X") == 0.0


def test_relative_is_1_for_every_unit_with_a_value_when_max_equals_min():
    framework = fw(ind("X", 10, "relative"), ind("Y", 10, "threshold", at_least=0))
    results = run(framework, {"a": {"X": 7}, "b": {"X": 7}, "c": {"Y": 1}})
    assert node_value(results, "a", "X") == 1.0
    assert node_value(results, "b", "X") == 1.0
    assert node_value(results, "c", "X") == 0.0  # missing still scores 0


def test_relative_with_a_single_unit_is_1():
    assert s_of(one_input("relative"), 42) == 1.0


def test_relative_on_a_formula_with_division_by_zero_leaves_that_unit_out():
    framework = fw(ind("X", 10, "relative", formula="a / b"), elements=[el("a"), el("b")])
    results = run(
        framework,
        {"p": {"a": 1, "b": 4}, "q": {"a": 3, "b": 4}, "r": {"a": 100, "b": 0}},
    )
    # p: 0.25, q: 0.75, r: missing (not the max) -> p 0, q 1, r 0
    assert node_value(results, "p", "X") == 0.0
    assert node_value(results, "q", "X") == 1.0
    assert node_value(results, "r", "X") == 0.0


# -- missing values score 0 ---------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        {"zero": 10, "full": 2},  # lower is better: a missing value is not "low"
        {"zero": 0, "full": 2},
    ],
)
def test_a_missing_value_scores_0_linear(rule):
    framework = fw(ind("X", 10, **rule), ind("Y", 10, "threshold", at_least=0))
    assert node_value(run(framework, {"u": {"Y": 1}}), "u", "X") == 0.0


@pytest.mark.parametrize(
    ("method", "rule"),
    [
        ("threshold", {"at_most": 3}),
        ("threshold", {"at_least": -5}),
        ("steps", {"steps": [[-100, 1]]}),
        ("boolean", {}),
        ("relative", {}),
    ],
)
def test_a_missing_value_scores_0_every_method(method, rule):
    framework = fw(ind("X", 10, method, **rule), ind("Y", 10, "threshold", at_least=0))
    results = run(framework, {"u": {"Y": 1}})
    assert node_value(results, "u", "X") == 0.0
    assert unit_points(results, "u") == 10.0


def test_missing_defaults_to_zero():
    assert fw(ind("X", 10, zero=0, full=1)).missing == "zero"


def test_missing_zero_is_the_only_policy():
    accepts(doc(ind("X", 10, zero=0, full=1), missing="zero"))
    rejects(doc(ind("X", 10, zero=0, full=1), missing="skip"), "missing")


# -- formulas -----------------------------------------------------------------------


def formula_value(formula: str, data: dict[str, float]) -> float:
    framework = fw(
        ind("X", 1, "threshold", at_least=0, formula=formula),
        elements=[el("a"), el("b"), el("c")],
    )
    results = run(framework, {"u": data})
    return float(results.leaf_values[0, 0])


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("a + b * c", 2 + 3 * 4),
        ("(a + b) * c", (2 + 3) * 4),
        ("a - b - c", (2 - 3) - 4),
        ("c / a / a", (4 / 2) / 2),
        ("100 * a / c", 50.0),
        ("min(a, b, c)", 2),
        ("max(a, b, c)", 4),
        ("min(a, 1.5)", 1.5),
        ("max(a - c, 0)", 0),
        ("2.5 * (c - (a + 1))", 2.5),
    ],
)
def test_formula_numbers_elements_operators_parentheses_min_max(formula, expected):
    assert formula_value(formula, {"a": 2, "b": 3, "c": 4}) == pytest.approx(expected)


@pytest.mark.parametrize("formula", ["a / b", "a / (c - c)", "min(a, b / (c - 4))"])
def test_formula_division_by_zero_makes_the_value_missing_which_scores_0(formula):
    framework = fw(
        ind("X", 10, "threshold", at_most=1e9, formula=formula),
        ind("Y", 10, "threshold", at_least=0),
        elements=[el("a"), el("b"), el("c")],
    )
    results = run(framework, {"u": {"a": 2, "b": 0, "c": 4, "Y": 1}})
    assert math.isnan(float(results.leaf_values[0, 0]))
    assert node_value(results, "u", "X") == 0.0  # at_most would say 1 for any number
    assert unit_points(results, "u") == 10.0


def test_formula_with_a_missing_element_is_missing():
    framework = fw(
        ind("X", 10, "threshold", at_most=1e9, formula="a + b"),
        elements=[el("a"), el("b")],
    )
    results = run(framework, {"u": {"a": 2}})
    assert math.isnan(float(results.leaf_values[0, 0]))
    assert node_value(results, "u", "X") == 0.0


@pytest.mark.parametrize(
    "formula",
    [
        "a ** 2",
        "a % 2",
        "abs(a)",
        "__import__('os')",
        "a if b else c",
        "a < b",
        "a.real",
        "[a]",
        "sum(a, b)",
        "a; b",
    ],
)
def test_formula_evaluates_nothing_else(formula):
    rejects(
        doc(ind("X", 10, zero=0, full=1, formula=formula), elements=[el("a"), el("b"), el("c")])
    )


def test_a_formula_names_elements_only():
    # Y is an indicator without formula, not an element.
    rejects(
        doc(
            ind("Y", 10, zero=0, full=1),
            ind("X", 10, zero=0, full=1, formula="a + Y"),
            elements=[el("a")],
        ),
        "Y",
    )
    rejects(doc(ind("X", 10, zero=0, full=1, formula="nope + 1")), "nope")


# -- branches, totals, ranks --------------------------------------------------------


def deep_framework() -> Framework:
    # R -> A -> (A1 10, AA -> (AA1 20, AA2 10)), B -> B1 40
    return fw(
        br(
            "R",
            br(
                "A",
                ind("A1", 10, "threshold", at_least=1),
                br("AA", ind("AA1", 20, zero=0, full=10), ind("AA2", 10, "boolean")),
            ),
            br("B", ind("B1", 40, "steps", steps=[[1, 0.25], [2, 1]])),
        )
    )


def test_branch_value_is_points_over_maximum_at_every_depth():
    framework = deep_framework()
    results = run(framework, {"u": {"A1": 1, "AA1": 5, "AA2": "không", "B1": 1.5}})
    # leaves: A1 s=1 -> 10, AA1 s=0.5 -> 10, AA2 s=0 -> 0, B1 s=0.25 -> 10
    assert node_value(results, "u", "AA") == pytest.approx(10 / 30)
    assert node_value(results, "u", "A") == pytest.approx(20 / 40)
    assert node_value(results, "u", "B") == pytest.approx(10 / 40)
    assert node_value(results, "u", "R") == pytest.approx(30 / 80)
    assert unit_points(results, "u") == pytest.approx(30)
    assert results.max_points == pytest.approx(80)
    assert unit_value(results, "u") == pytest.approx(0.375)  # the root's value
    assert framework.node("AA").max_points == 30
    assert framework.node("A").max_points == 40
    assert framework.max_points == 80


def test_with_several_top_level_nodes_the_framework_value_is_total_points_over_total_maximum():
    # CQS max 10 (s 1), KTS max 30 (s 0): value 10/40 = 0.25, not the mean 0.5.
    framework = fw(
        br("CQS", ind("C1", 10, "threshold", at_least=1)),
        br("KTS", ind("K1", 30, "threshold", at_least=1)),
    )
    results = run(framework, {"u": {"C1": 1, "K1": 0}})
    assert unit_value(results, "u") == pytest.approx(0.25)
    assert unit_points(results, "u") == pytest.approx(10)


def test_points_0_indicators_are_collected_but_not_scored():
    framework = fw(
        br("A", ind("A1", 10, zero=0, full=10), ind("Z", 0, "boolean")),
    )
    assert "Z" in framework.input_codes
    yes = run(framework, {"u": {"A1": 5, "Z": "có"}})
    no = run(framework, {"u": {"A1": 5, "Z": "không"}})
    for results in (yes, no):
        assert unit_points(results, "u") == pytest.approx(5)
        assert unit_value(results, "u") == pytest.approx(0.5)
        assert node_value(results, "u", "A") == pytest.approx(0.5)
    assert float(yes.leaf_values[0, 1]) == 1.0  # collected
    assert float(yes.leaf_points[0, 1]) == 0.0
    assert framework.max_points == 10


def test_a_branch_whose_maximum_is_0_has_no_value():
    framework = fw(
        br("A", ind("A1", 10, zero=0, full=10)),
        br("S", ind("S1", 0, "boolean"), ind("S2", 0, zero=0, full=1)),
    )
    results = run(framework, {"u": {"A1": 10, "S1": "có", "S2": 1}})
    assert math.isnan(node_value(results, "u", "S"))
    assert unit_value(results, "u") == 1.0
    assert framework.node("S").max_points == 0


def test_points_must_be_at_least_0():
    rejects(doc(ind("X", -1, zero=0, full=1)), "X")


def test_rank_equal_values_share_the_best_rank_and_the_next_skips():
    framework = one_input(zero=0, full=1)
    results = run(
        framework,
        {
            "a": {"X": 0.9},
            "b": {"X": 0.8},
            "c": {"X": 0.8 + 5e-10},  # equal within 1e-9
            "d": {"X": 0.7},
        },
    )
    ranks = {unit: int(results.rank[results.units.index(unit)]) for unit in "abcd"}
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_rank_values_apart_by_more_than_1e_9_do_not_tie():
    framework = one_input(zero=0, full=1)
    results = run(framework, {"a": {"X": 0.5}, "b": {"X": 0.5 + 1e-6}})
    ranks = {unit: int(results.rank[results.units.index(unit)]) for unit in "ab"}
    assert ranks == {"b": 1, "a": 2}


def test_rank_all_equal_all_first_and_missing_is_last():
    framework = one_input(zero=0, full=1)
    results = run(framework, {"a": {"X": 1}, "b": {"X": 1}, "c": {"X": 1}, "d": {"X": 0}})
    assert [int(r) for r in results.rank] == [1, 1, 1, 4]


def test_order_is_best_first():
    framework = one_input(zero=0, full=1)
    results = run(framework, {"a": {"X": 0.1}, "b": {"X": 0.9}, "c": {"X": 0.5}})
    assert [results.units[i] for i in results.order()] == ["b", "c", "a"]


# -- mandatory and recognition ------------------------------------------------------


def test_a_mandatory_indicator_is_met_when_s_is_1():
    framework = fw(ind("M", 10, zero=0, full=10, mandatory=True), ind("X", 10, zero=0, full=1))
    results = run(framework, {"full": {"M": 10}, "almost": {"M": 9.99}})
    assert results.unmet_mandatory[results.units.index("full")] == ()
    assert results.unmet_mandatory[results.units.index("almost")] == ("M",)


def test_a_mandatory_indicator_with_pass_is_met_when_s_reaches_pass():
    framework = fw(ind("M", 10, zero=0, full=10, mandatory=True, **{"pass": 0.5}))
    results = run(framework, {"at": {"M": 5}, "below": {"M": 4.9}, "none": {}})
    assert results.unmet_mandatory[results.units.index("at")] == ()
    assert results.unmet_mandatory[results.units.index("below")] == ("M",)
    assert results.unmet_mandatory[results.units.index("none")] == ("M",)


def recognition_framework(recognition: dict[str, Any]) -> Framework:
    # max 200: M (mandatory, 100 points, at_least 1), X (100 points, linear 0..100)
    return fw(
        ind("M", 100, "threshold", at_least=1, mandatory=True),
        ind("X", 100, zero=0, full=100),
        recognition=recognition,
    )


def recognized(results: Results, unit: str) -> bool:
    assert results.recognized is not None
    return bool(results.recognized[results.units.index(unit)])


def test_recognition_min_points_compares_total_points():
    results = run(
        recognition_framework({"min_points": 80}),
        {
            "p100": {"M": 0, "X": 100},  # 100 points, value 0.5
            "p80": {"M": 0, "X": 80},  # exactly 80
            "p79": {"M": 0, "X": 79},
        },
    )
    assert recognized(results, "p100") is True
    assert recognized(results, "p80") is True
    assert recognized(results, "p79") is False


def test_recognition_min_value_compares_the_value():
    results = run(
        recognition_framework({"min_value": 0.8}),
        {
            "p100": {"M": 0, "X": 100},  # value 0.5
            "p160": {"M": 1, "X": 60},  # value 0.8 exactly
            "p159": {"M": 1, "X": 59},  # value 0.795
        },
    )
    assert recognized(results, "p100") is False
    assert recognized(results, "p160") is True
    assert recognized(results, "p159") is False


def test_recognition_all_mandatory_true_needs_every_mandatory_indicator_met():
    data = {"unmet": {"M": 0, "X": 100}, "met": {"M": 1, "X": 0}}
    strict = run(recognition_framework({"min_points": 80, "all_mandatory": True}), data)
    lax = run(recognition_framework({"min_points": 80, "all_mandatory": False}), data)
    default = run(recognition_framework({"min_points": 80}), data)
    assert recognized(strict, "unmet") is False
    assert recognized(strict, "met") is True
    assert recognized(lax, "unmet") is True
    assert recognized(default, "unmet") is True


def test_recognition_none_when_the_framework_has_no_rule():
    results = run(one_input(zero=0, full=1), {"u": {"X": 1}})
    assert results.recognized is None


def test_recognition_has_exactly_one_of_min_points_and_min_value():
    rejects(doc(ind("X", 10, zero=0, full=1), recognition={"min_points": 5, "min_value": 0.5}))
    rejects(doc(ind("X", 10, zero=0, full=1), recognition={"all_mandatory": True}))


# -- types and the values file ------------------------------------------------------


def typed_framework() -> Framework:
    return fw(
        ind("P", 10, zero=0, full=100, formula="p + i + n"),
        ind("X", 10, zero=0, full=1),  # no formula: number
        ind("B", 10, "boolean"),  # no formula, boolean method: boolean
        elements=[el("p", "percent"), el("i", "integer"), el("n", "number"), el("b", "boolean")],
    )


def test_an_indicator_without_formula_takes_number_or_boolean_from_its_method():
    framework = typed_framework()
    assert framework.input_codes == ("p", "i", "n", "b", "X", "B")
    assert framework.input_type("X") == "number"
    assert framework.input_type("B") == "boolean"
    assert [framework.input_type(code) for code in "pinb"] == [
        "percent",
        "integer",
        "number",
        "boolean",
    ]


def test_an_indicator_without_formula_can_set_its_type():
    framework = fw(ind("X", 10, zero=0, full=100, type="percent"))
    assert framework.input_type("X") == "percent"


def bad_line(framework: Framework, code: str, raw: str) -> EngineError:
    rows = [(2, "v", "n", "1"), (3, "u", code, raw), (4, "w", "n", "2")]
    with pytest.raises(EngineError) as caught:
        parse_values(rows, framework, source="values.csv")
    return caught.value


@pytest.mark.parametrize("raw", ["100.5", "-1", "101", "-0,5"])
def test_percent_outside_0_100_is_an_error_naming_the_line(raw):
    error = bad_line(typed_framework(), "p", raw)
    assert [problem.line for problem in error.problems] == [3]
    assert "values.csv:3" in str(error)


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("100", 100), ("99,5", 99.5), ("0.0", 0)])
def test_percent_takes_0_to_100(raw, expected):
    values = parse_values([(2, "u", "p", raw)], typed_framework())
    assert values.matrix[0, values.codes.index("p")] == expected


@pytest.mark.parametrize("raw", ["2.5", "2,5", "0.1", "-3.25"])
def test_integer_refuses_a_fraction(raw):
    error = bad_line(typed_framework(), "i", raw)
    assert [problem.line for problem in error.problems] == [3]


@pytest.mark.parametrize(("raw", "expected"), [("1240", 1240), ("0", 0), ("-3", -3)])
def test_integer_takes_whole_numbers(raw, expected):
    values = parse_values([(2, "u", "i", raw)], typed_framework())
    assert values.matrix[0, values.codes.index("i")] == expected


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e999", "có", "abc"])
def test_number_takes_any_finite_number_only(raw):
    error = bad_line(typed_framework(), "n", raw)
    assert [problem.line for problem in error.problems] == [3]


@pytest.mark.parametrize(("raw", "expected"), [("98,7", 98.7), ("98.7", 98.7), ("-2,25", -2.25)])
def test_decimal_point_or_vietnamese_decimal_comma(raw, expected):
    framework = typed_framework()
    values = parse_values([(2, "u", "n", raw)], framework)
    assert values.matrix[0, values.codes.index("n")] == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["có", "yes", "không"])
def test_a_number_indicator_without_formula_refuses_words(raw):
    error = bad_line(typed_framework(), "X", raw)
    assert [problem.line for problem in error.problems] == [3]


def test_a_boolean_indicator_without_formula_takes_the_words():
    framework = typed_framework()
    values = parse_values([(2, "u", "B", "đạt"), (3, "v", "B", "không đạt")], framework)
    assert node_value(score(framework, values), "u", "B") == 1.0
    assert node_value(score(framework, values), "v", "B") == 0.0


def test_an_indicator_with_formula_is_not_a_values_file_code():
    error = bad_line(typed_framework(), "P", "5")
    assert [problem.line for problem in error.problems] == [3]


def test_values_file_errors_name_every_bad_line_and_nothing_is_scored():
    framework = typed_framework()
    rows = [
        (2, "u", "n", "1"),
        (3, "u", "nope", "1"),  # unknown code
        (4, "x", "n", "1"),  # unknown unit
        (5, "v", "n", "abc"),  # unreadable number
        (6, "u", "n", "2"),  # same (unit, code) twice
        (7, "v", "i", "4"),
    ]
    with pytest.raises(EngineError) as caught:
        parse_values(rows, framework, units=["u", "v"], source="values.csv")
    assert sorted(problem.line for problem in caught.value.problems) == [3, 4, 5, 6]


def test_the_units_scored_are_those_that_appear_in_the_values_file():
    framework = typed_framework()
    values = parse_values(
        [(2, "v", "n", "1"), (3, "u", "X", "0,5")], framework, units=["u", "v", "w"]
    )
    assert sorted(values.units) == ["u", "v"]
    assert sorted(score(framework, values).units) == ["u", "v"]


# -- validation rules ---------------------------------------------------------------


def ruled_framework(rule: str) -> Framework:
    return fw(
        ind("X", 10, zero=0, full=1, formula="a / b"),
        elements=[el("a", "integer"), el("b", "integer")],
        validation=[{"rule": rule, "message": title("sai")}],
    )


def test_a_broken_validation_rule_names_the_unit_and_the_rule():
    framework = ruled_framework("a <= b")
    values = Values.from_mapping(framework, {"ok": {"a": 1, "b": 2}, "bad": {"a": 3, "b": 2}})
    problems = check_rules(framework, values)
    assert len(problems) == 1
    text = str(problems[0])
    assert "bad" in text
    assert "a <= b" in text


@pytest.mark.parametrize(
    ("rule", "a", "b", "broken"),
    [
        ("a < b", 2, 2, True),
        ("a <= b", 2, 2, False),
        ("a > b", 2, 2, True),
        ("a >= b", 2, 2, False),
        ("a == b", 2, 3, True),
        ("a == b", 3, 3, False),
        ("a != b", 3, 3, True),
        ("a != b", 2, 3, False),
        ("a + 1 <= 2 * b", 5, 3, False),  # 6 <= 6
        ("max(a, b) < 3", 1, 3, True),
    ],
)
def test_a_validation_rule_is_expr_op_expr(rule, a, b, broken):
    framework = ruled_framework(rule)
    problems = check_rules(framework, Values.from_mapping(framework, {"u": {"a": a, "b": b}}))
    assert bool(problems) is broken


@pytest.mark.parametrize("data", [{"a": 5}, {"b": 2}, {}, {"a": 5, "b": 0}])
def test_a_rule_with_a_missing_side_is_not_checked(data):
    # a > b / b: a missing b, or b = 0, leaves the right side missing.
    framework = ruled_framework("a < b / b")
    assert check_rules(framework, Values.from_mapping(framework, {"u": data})) == []


@pytest.mark.parametrize("rule", ["a => b", "a = b", "a", "a <= b <= 3", "a <= zz", "a <> b"])
def test_a_bad_validation_rule_is_a_framework_error(rule):
    problems_of(
        doc(
            ind("X", 10, zero=0, full=1),
            elements=[el("a"), el("b")],
            validation=[{"rule": rule, "message": title("sai")}],
        )
    )


# -- framework rules ----------------------------------------------------------------


@pytest.mark.parametrize("key", ["format", "code", "title", "level", "year", "tree"])
def test_the_top_keys_are_required(key):
    data = doc(ind("X", 10, zero=0, full=1))
    del data[key]
    rejects(data, key)


def test_format_is_chiso_framework_1():
    rejects(doc(ind("X", 10, zero=0, full=1), format="chiso-framework/2"), "format")


@pytest.mark.parametrize("code", ["Test-2024", "test_2024", "test 2024", "test.2024", ""])
def test_the_framework_code_is_lowercase_letters_digits_dashes(code):
    rejects(doc(ind("X", 10, zero=0, full=1), code=code), "code")


@pytest.mark.parametrize("level", ["province", "department", "district", "commune"])
def test_level_is_one_of_four(level):
    assert accepts(doc(ind("X", 10, zero=0, full=1), level=level)).level == level


def test_an_unknown_level_is_an_error():
    rejects(doc(ind("X", 10, zero=0, full=1), level="ward"), "level")


@pytest.mark.parametrize("code", ["CQS", "CQS.1", "cqs_1-a", "1", "A.b-c_D.9"])
def test_node_codes_are_letters_digits_dot_underscore_dash(code):
    assert [node.code for node in accepts(doc(ind(code, 10, zero=0, full=1))).tree] == [code]


@pytest.mark.parametrize("code", ["CQS 1", "CQS/1", "CQS:1", "CQS,1", "", "Chỉ.1", "A+B"])
def test_other_node_codes_are_errors(code):
    rejects(doc(ind(code, 10, zero=0, full=1)), "code")


@pytest.mark.parametrize("code", ["hs_tt", "_x", "A1", "a_1_B"])
def test_element_codes_are_identifiers(code):
    framework = accepts(
        doc(ind("X", 10, zero=0, full=1, formula=f"{code} + 1"), elements=[el(code)])
    )
    assert [element.code for element in framework.elements] == [code]


@pytest.mark.parametrize("code", ["1abc", "hs-tt", "hs.tt", "hs tt", "", "số"])
def test_element_codes_that_are_not_identifiers_are_errors(code):
    rejects(doc(ind("X", 10, zero=0, full=1), elements=[el(code)]), "code")


def test_two_nodes_with_the_same_code_are_an_error():
    rejects(doc(br("A", ind("X", 10, zero=0, full=1)), br("B", ind("X", 5, zero=0, full=1))), "X")


def test_a_branch_and_a_leaf_with_the_same_code_are_an_error():
    rejects(doc(br("A", ind("A", 10, zero=0, full=1))), "A")


def test_two_elements_with_the_same_code_are_an_error():
    rejects(doc(ind("X", 10, zero=0, full=1), elements=[el("a"), el("a")]), "a")


def test_a_node_and_an_element_with_the_same_code_are_an_error():
    rejects(doc(ind("a", 10, zero=0, full=1), elements=[el("a")]), "a")


@pytest.mark.parametrize(
    "key",
    [
        {"points": 10},
        {"score": {"method": "boolean"}},
        {"formula": "a"},
    ],
)
def test_points_score_formula_on_a_branch_are_errors(key):
    branch = br("A", ind("X", 10, zero=0, full=1))
    branch.update(key)
    rejects(doc(branch, elements=[el("a")]), "A")


def test_an_indicator_has_points_and_score():
    no_points = ind("X", 10, zero=0, full=1)
    del no_points["points"]
    rejects(doc(no_points), "X")
    no_score = ind("Y", 10, zero=0, full=1)
    del no_score["score"]
    rejects(doc(no_score), "Y")


def test_an_unknown_score_method_is_an_error():
    rejects(doc(ind("X", 10, "average")), "X")


@pytest.mark.parametrize("type_", ["integer", "number", "percent", "boolean"])
def test_element_types(type_):
    framework = accepts(doc(ind("X", 10, zero=0, full=1), elements=[el("a", type_)]))
    assert framework.input_type("a") == type_


def test_an_unknown_element_type_is_an_error():
    rejects(doc(ind("X", 10, zero=0, full=1), elements=[el("a", "text")]), "a")


def without_vi(part: dict[str, Any]) -> dict[str, Any]:
    part["title"] = {"en": "English only"}
    return part


def test_every_title_has_vi():
    rejects(doc(ind("X", 10, zero=0, full=1), title={"en": "Only"}), "title")
    rejects(doc(without_vi(ind("X", 10, zero=0, full=1))), "X")
    rejects(doc(without_vi(br("A", ind("X", 10, zero=0, full=1)))), "A")
    rejects(doc(ind("X", 10, zero=0, full=1), elements=[without_vi(el("a"))]), "a")


def test_a_title_with_vi_only_is_enough():
    data = doc(ind("X", 10, zero=0, full=1), title={"vi": "Chỉ tiếng Việt"})
    assert accepts(data).title["vi"] == "Chỉ tiếng Việt"


def test_framework_errors_name_the_line():
    text = (
        "format: chiso-framework/1\n"
        "code: audit-2024\n"
        "title: {vi: Kiểm tra}\n"
        "level: commune\n"
        "year: 2024\n"
        "tree:\n"
        "  - code: X\n"
        "    title: {vi: X}\n"
        "    points: 10\n"
        "    score: {method: linear, zero: 3, full: 3}\n"
    )
    with pytest.raises(EngineError) as caught:
        parse_framework(text, source="audit.yaml")
    lines = {problem.line for problem in caught.value.problems}
    assert lines & {7, 10}, caught.value


def test_nodes_are_depth_first_in_file_order():
    framework = deep_framework()
    assert [node.code for node in framework.nodes] == [
        "R",
        "A",
        "A1",
        "AA",
        "AA1",
        "AA2",
        "B",
        "B1",
    ]
    assert [node.code for node in framework.leaves] == ["A1", "AA1", "AA2", "B1"]


def test_score_of_no_units_is_empty():
    framework = one_input(zero=0, full=1)
    results = score(framework, Values.from_mapping(framework, {}))
    assert results.units == ()
    assert np.asarray(results.rank).shape == (0,)


# -- found in this audit ------------------------------------------------------------

HEAD = "format: chiso-framework/1\ncode: audit\ntitle: {vi: x}\nlevel: commune\nyear: 2024\n"


@pytest.mark.parametrize("code", ["007", "010", "0x1A", "1_0", "12"])
def test_node_codes_are_the_text_as_written(code):
    # YAML 1.1 would read 007 as 7 and 010 as 8 (octal): the code is what the file says.
    text = f"{HEAD}tree:\n  - code: {code}\n    title: {{vi: a}}\n    points: 1\n"
    framework = parse_framework(text + "    score: {method: boolean}\n")
    assert [node.code for node in framework.nodes] == [code]
    assert framework.input_codes == (code,)


def test_a_code_yaml_reads_as_sexagesimal_is_not_a_node_code():
    text = f"{HEAD}tree:\n  - code: 1:20\n    title: {{vi: a}}\n    points: 1\n"
    with pytest.raises(EngineError, match="1:20"):
        parse_framework(text + "    score: {method: boolean}\n")


def nested(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = ind("L", 1, "boolean")
    for level in range(levels):
        node = br(f"B{level}", node)
    return node


@pytest.mark.parametrize("levels", [40, 400, 2000])
def test_a_deeply_nested_tree_is_an_engine_error_not_a_crash(levels):
    with pytest.raises(EngineError, match="nested"):
        framework_from_dict(doc(nested(levels)))
    with pytest.raises(EngineError, match="nested"):
        parse_framework(yaml.safe_dump(doc(nested(min(levels, 100))), default_flow_style=True))
    text = "{code: L, title: {vi: l}, points: 1, score: {method: boolean}}"
    for level in range(levels):
        # One level a line: a single line this long is refused before parsing.
        text = f"{{code: B{level}, title: {{vi: b}}, children: [\n{text}]}}"
    with pytest.raises(EngineError, match="nested"):
        parse_framework(f"{HEAD}tree: [{text}]\n")


def test_a_tree_of_ordinary_depth_scores():
    framework = framework_from_dict(doc(nested(20)))
    assert unit_value(run(framework, {"u": {"L": "có"}}), "u") == 1.0


def test_every_problem_with_values_is_an_engine_error():
    framework = one_input(zero=0, full=1)
    for huge in (10**400, -(10**5000)):
        with pytest.raises(EngineError, match="not a finite number"):
            Values.from_mapping(framework, {"u": {"X": huge}})
    assert Values.from_mapping(framework, {"u": {"X": 2**60 + 1}}).matrix[0, 0] == 2.0**60


def test_unit_codes_are_trimmed_alike_everywhere():
    framework = one_input(zero=0, full=1)
    values = Values.from_mapping(framework, {" u ": {"X": 1}})
    assert values.units == ("u",)
    assert node_value(score(framework, values), "u", "X") == 1.0


def test_branch_points_are_the_incidence_product_at_every_depth():
    framework = fw(
        br("R", br("A", ind("A1", 1, zero=0, full=4), br("AA", ind("AA1", 2, zero=0, full=4))),
           ind("R1", 4, zero=0, full=4)),
        ind("T", 8, zero=0, full=4),
        br("S", br("SS", br("SSS", ind("S1", 16, zero=0, full=4), ind("S2", 32, zero=0, full=4)))),
    )  # fmt: skip
    data = {"u": {"A1": 1, "AA1": 2, "R1": 3, "T": 4, "S1": 1, "S2": 2}, "v": {"T": 2}}
    results = run(framework, data)
    matrix, branches, leaves = incidence_matrix(framework)
    assert branches == ("R", "A", "AA", "S", "SS", "SSS", "")
    assert leaves == ("A1", "AA1", "R1", "T", "S1", "S2")
    expected = results.leaf_points @ matrix.T  # units x (branches + total)
    for column, code in enumerate(branches[:-1]):
        got = results.node_points[:, results.node_codes.index(code)]
        assert got == pytest.approx(expected[:, column])
    assert results.points == pytest.approx(expected[:, -1])
    # u: A1 0.25, AA1 1, R1 3, T 8, S1 4, S2 16 -> R 4.25 of 7, S 20 of 48, total 32.25 of 63
    assert node_value(results, "u", "R") == pytest.approx(4.25 / 7)
    assert node_value(results, "u", "SSS") == pytest.approx(20 / 48)
    assert unit_value(results, "u") == pytest.approx(32.25 / 63)
