"""Reading framework files: the model, and every problem with its code and line."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from chiso.engine import (
    EngineError,
    Problem,
    Values,
    framework_from_dict,
    parse_framework,
    score,
)
from tests.engine.builders import branch, framework_text, leaf


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(EngineError) as caught:
        parse_framework(text, source="bad.yaml")
    return caught.value.problems


def only(problems: list[Problem], fragment: str) -> Problem:
    """The one problem whose message contains `fragment`."""
    matching = [problem for problem in problems if fragment in problem.message]
    assert len(matching) == 1, problems
    return matching[0]


HEAD = """\
format: chiso-framework/1
code: test-2024
title: {vi: "Thử nghiệm"}
level: commune
year: 2024
"""


# -- the model ---------------------------------------------------------------


def test_the_commune_framework_reads_into_an_immutable_tree(commune):
    assert commune.code == "test-commune-2024"
    assert commune.title["vi"] == "Bộ tiêu chí chuyển đổi số cấp xã 2024"
    assert commune.level == "commune" and commune.year == 2024 and commune.missing == "zero"
    assert [node.code for node in commune.nodes] == [
        "CQS", "CQS.1", "CQS.2", "KTS", "KTS.1", "KTS.2", "XHS", "XHS.1", "XHS.2",
    ]  # fmt: skip
    assert [node.code for node in commune.leaves] == [
        "CQS.1", "CQS.2", "KTS.1", "KTS.2", "XHS.1", "XHS.2",
    ]  # fmt: skip
    assert commune.input_codes == ("hs_tt", "hs_tong", "CQS.2", "KTS.1", "KTS.2", "XHS.1", "XHS.2")
    assert commune.max_points == 60
    cqs = commune.node("CQS")
    assert not cqs.is_leaf and cqs.points is None and cqs.max_points == 20 and cqs.depth == 0
    cqs1 = commune.node("CQS.1")
    assert cqs1.is_leaf and cqs1.points == 10 and cqs1.parent == "CQS" and cqs1.depth == 1
    assert cqs1.mandatory and cqs1.unit == "%" and cqs1.formula == "100 * hs_tt / hs_tong"
    assert cqs1.score is not None and (cqs1.score.zero, cqs1.score.full) == (0, 90)
    assert commune.recognition is not None and commune.recognition.min_points == 30
    assert commune.validation[0].rule == "hs_tt <= hs_tong"
    with pytest.raises(dataclasses.FrozenInstanceError):
        cqs1.points = 99  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        commune.tree = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cqs1.score.full = 50  # type: ignore[misc]


def test_two_reads_of_one_file_are_equal_whatever_was_computed_from_one(commune_text):
    first, second = parse_framework(commune_text), parse_framework(commune_text)
    # Scoring keeps its plan with the first framework; equality looks at the file's content.
    score(first, Values.from_mapping(first, {"14758": {"hs_tt": 9, "hs_tong": 10}}))
    assert first == second
    assert first.node("CQS.1") == second.node("CQS.1")
    changed = parse_framework(commune_text.replace("full: 90", "full: 80"))
    assert changed != first and changed.node("CQS.1") != first.node("CQS.1")
    # A scoring rule or recognition rule is a value: equal rules are one dict key.
    rules = {first.node("CQS.1").score: "a", second.node("CQS.1").score: "b"}
    assert list(rules.values()) == ["b"]
    assert len({first.recognition, second.recognition}) == 1


def test_an_indicator_without_formula_takes_its_type_from_the_method_or_its_type_key(commune):
    assert commune.input_type("hs_tt") == "integer"
    assert commune.input_type("CQS.2") == "boolean"  # boolean method
    assert commune.input_type("KTS.1") == "percent"  # type: percent
    assert commune.input_type("XHS.1") == "percent"
    text = framework_text(leaf("A", 1, {"method": "linear", "zero": 0, "full": 1}))
    assert parse_framework(text).input_type("A") == "number"
    with pytest.raises(KeyError):
        commune.input_type("CQS.1")  # computed by its formula, never entered


def test_keys_the_product_adds_are_kept_not_refused():
    text = framework_text(
        branch("A", leaf("A.1", 5, {"method": "boolean"}, evidence="Quyết định ban hành")),
        source_decision="QĐ 1829/QĐ-UBND",
    )
    framework = parse_framework(text)
    assert framework.node("A.1").extra == {"evidence": "Quyết định ban hành"}
    assert framework.extra == {"source_decision": "QĐ 1829/QĐ-UBND"}


def test_framework_from_dict_checks_the_same_rules_without_line_numbers():
    document = {
        "format": "chiso-framework/1",
        "code": "test-2024",
        "title": {"vi": "Thử nghiệm"},
        "level": "commune",
        "year": 2024,
        "tree": [{"code": "A", "title": {"vi": "A"}, "points": -1, "score": {"method": "boolean"}}],
    }
    with pytest.raises(EngineError) as caught:
        framework_from_dict(document, source="db")
    [problem] = caught.value.problems
    assert problem[:4] == ("points must be 0 or more, not -1", "A", None, "db")
    assert problem.code == "out_of_range"
    assert problem.params == {"key": "points", "minimum": "0", "maximum": "", "found": "-1"}
    document["tree"][0]["points"] = 1  # type: ignore[index]
    assert framework_from_dict(document).max_points == 1


def test_an_engine_error_prints_one_line_per_problem_as_file_line_code_message():
    error = EngineError(
        [Problem("unknown scoring method 'fancy'", "CQS.1", 12, "x.yaml"), Problem("empty")]
    )
    assert str(error) == "x.yaml:12: CQS.1: unknown scoring method 'fancy'\nempty"


# -- broken files ------------------------------------------------------------


def test_broken_yaml_names_the_line():
    problems = problems_of(HEAD + "tree: [\n  {code: A\n")
    assert len(problems) == 1
    assert problems[0].message.startswith("broken YAML")
    assert problems[0].line is not None and problems[0].source == "bad.yaml"


def test_yaml_tags_that_build_python_objects_are_refused():
    problems = problems_of(HEAD + "tree: !!python/object/apply:os.system ['true']\n")
    assert problems[0].message.startswith("broken YAML") and problems[0].line == 6


def test_a_missing_or_wrong_format_is_reported():
    assert only(problems_of('code: x\ntitle: {vi: "x"}\n'), "format").message == (
        "missing required key format"
    )
    wrong = problems_of(HEAD.replace("chiso-framework/1", "chiso-framework/2") + "tree: []\n")
    assert [(problem.code, *problem[:4]) for problem in wrong] == [
        (
            "wrong_format",
            "format must be chiso-framework/1, not 'chiso-framework/2'",
            "format",
            1,
            "bad.yaml",
        )
    ]


def test_every_missing_required_key_is_reported_at_once():
    problems = problems_of("format: chiso-framework/1\nlevel: commune\n")
    missing = sorted(p.message for p in problems if p.message.startswith("missing required key"))
    assert missing == [f"missing required key {key}" for key in ("code", "title", "tree", "year")]


def test_all_problems_of_a_file_are_reported_with_their_codes_and_lines():
    problems = problems_of(
        HEAD
        + textwrap.dedent(
            """\
    recognition: {min_points: 50, min_value: 0.5}
    elements:
      - code: 9lives
        title: {vi: "Sai mã"}
      - code: hs_tong
        title: {en: "No Vietnamese"}
    tree:
      - code: CQS
        title: {vi: "Chính quyền số"}
        points: 5
        score: {method: boolean}
        formula: hs_tong
        children:
          - code: CQS.1
            title: {vi: "Một"}
            points: -3
            score: {method: fancy}
          - code: CQS.1
            title: {vi: "Trùng mã"}
            points: 1
            score: {method: boolean}
          - code: "CQS 3"
            title: {vi: "Mã có dấu cách"}
            points: 1
            score: {method: boolean}
          - code: CQS.4
            title: {vi: "Thiếu điểm"}
            score: {method: boolean}
          - code: CQS.5
            title: {vi: "Thiếu cách chấm"}
            points: 1
    """
        )
    )
    found = {(p.where, p.line, p.message) for p in problems}
    assert found == {
        ("recognition", 6, "recognition needs exactly one of min_points and min_value"),
        ("9lives", 8, "code '9lives' is not a valid element (letters, digits, _) code"),
        ("hs_tong", 11, "title needs a Vietnamese text (vi)"),
        ("CQS", 15, "points on a branch: only an indicator (a node without children) has points"),
        ("CQS", 16, "score on a branch: only an indicator (a node without children) has score"),
        ("CQS", 17, "formula on a branch: only an indicator (a node without children) has formula"),
        ("CQS.1", 21, "points must be 0 or more, not -3"),
        (
            "CQS.1",
            22,
            "unknown scoring method 'fancy' "
            "(use one of linear, threshold, steps, boolean, relative)",
        ),
        ("CQS.1", 23, "duplicate code CQS.1 (first on line 19)"),
        ("CQS 3", 27, "code 'CQS 3' is not a valid node (letters, digits, . _ -) code"),
        ("CQS.4", 31, "an indicator needs points"),
        ("CQS.5", 34, "an indicator needs a score"),
    }
    # In file order, every one with the file name.
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    assert {p.source for p in problems} == {"bad.yaml"}


def test_nodes_and_elements_share_one_namespace_of_codes():
    problems = problems_of(
        HEAD
        + textwrap.dedent(
            """\
    elements:
      - code: CQS
        title: {vi: "Trùng với nhánh"}
    tree:
      - code: CQS
        title: {vi: "Chính quyền số"}
        points: 1
        score: {method: boolean}
    """
        )
    )
    assert [problem[:4] for problem in problems] == [
        ("duplicate code CQS (first on line 7)", "CQS", 10, "bad.yaml")
    ]
    assert problems[0].code == "duplicate_code"
    assert problems[0].params == {"code": "CQS", "first_line": "7"}


def test_a_key_written_twice_in_one_mapping_is_an_error_not_silently_the_last():
    problems = problems_of(
        HEAD
        + textwrap.dedent(
            """\
    tree:
      - code: A
        title: {vi: "A"}
        points: 10
        points: 1
        score: {method: boolean}
    """
        )
    )
    assert [(problem.code, *problem[:4]) for problem in problems] == [
        ("duplicate_key", "key points appears twice", "points", 10, "bad.yaml")
    ]


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("{method: linear, zero: 5, full: 5}", "linear needs zero != full (both are 5)"),
        ("{method: linear, zero: 0}", "linear needs full"),
        ("{method: threshold}", "threshold needs exactly one of at_least and at_most"),
        (
            "{method: threshold, at_least: 1, at_most: 5}",
            "threshold needs exactly one of at_least and at_most",
        ),
        ("{method: steps, steps: [[2, 0.5], [1, 1]]}", "steps[1]: x must be ascending (1 after 2)"),
        (
            "{method: steps, steps: [[1, 0.5], [2, 1.5]]}",
            "steps[1]: s must be between 0 and 1, not 1.5",
        ),
        ("{method: steps, steps: [[1, 0.5], [2]]}", "steps[1] must be a pair of numbers [x, s]"),
        ("{method: steps, steps: []}", "steps needs a list like [[x1, s1], [x2, s2]]"),
        (
            "{method: boolean, at_least: 1}",
            "score.at_least does not apply to method boolean (it takes no other key)",
        ),
        ("{zero: 0, full: 1}", "score needs a method"),
        ("{method: linear, zero: '0', full: 1}", "zero must be a number, not '0'"),
    ],
)
def test_a_bad_scoring_rule_names_the_indicator_and_the_line(score, message):
    problems = problems_of(
        HEAD
        + textwrap.dedent(
            f"""\
    tree:
      - code: A.1
        title: {{vi: "A"}}
        points: 10
        score: {score}
    """
        )
    )
    assert [(p.where, p.line, p.message) for p in problems] == [("A.1", 10, message)]


@pytest.mark.parametrize(
    ("recognition", "message"),
    [
        ("{all_mandatory: true}", "recognition needs exactly one of min_points and min_value"),
        ("{min_value: 80}", "min_value must be between 0 and 1, not 80"),
        (
            "{min_points: 80, all_mandatory: 'yes'}",
            "all_mandatory must be true or false, not 'yes'",
        ),
    ],
)
def test_a_bad_recognition_rule_is_reported(recognition, message):
    text = HEAD + f"recognition: {recognition}\n" + "tree: [{code: A, title: {vi: A}, points: 1, "
    problems = problems_of(text + "score: {method: boolean}}]\n")
    assert [(p.where, p.line, p.message) for p in problems] == [("recognition", 6, message)]


def test_a_title_without_vietnamese_is_an_error():
    problems = problems_of(
        'format: chiso-framework/1\ncode: x\ntitle: {en: "Only English"}\nlevel: commune\n'
        "year: 2024\ntree: [{code: A, title: {en: A}, points: 1, score: {method: boolean}}]\n"
    )
    assert {(p.where, p.message) for p in problems} == {
        ("title", "title needs a Vietnamese text (vi)"),
        ("A", "title needs a Vietnamese text (vi)"),
    }


def test_top_level_values_are_checked():
    problems = problems_of(
        'format: chiso-framework/1\ncode: Thanh_Hoa\ntitle: {vi: "x"}\nlevel: village\n'
        "year: '2024'\nmissing: skip\n"
        "tree: [{code: A, title: {vi: A}, points: 1, score: {method: boolean}}]\n"
    )
    assert [(p.where, p.line) for p in problems] == [
        ("code", 2), ("level", 4), ("year", 5), ("missing", 6),
    ]  # fmt: skip


# -- formulas and rules in the file ------------------------------------------


FORMULA_FILE = (
    HEAD
    + """\
elements:
  - code: hs_tt
    title: {vi: "Hồ sơ trực tuyến"}
  - code: hs_tong
    title: {vi: "Tổng hồ sơ"}
validation:
  - rule: RULE
tree:
  - code: CQS.1
    title: {vi: "Tỷ lệ"}
    points: 10
    formula: FORMULA
    score: {method: linear, zero: 0, full: 100}
  - code: CQS.2
    title: {vi: "Cổng"}
    points: 10
    score: {method: boolean}
"""
)


def formula_problems(formula: str, rule: str = "hs_tt <= hs_tong") -> list[Problem]:
    return problems_of(FORMULA_FILE.replace("FORMULA", formula).replace("RULE", rule))


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("100 * hs_tt / hs_khac", "formula names unknown element hs_khac"),
        ("100 * CQS.2", "formula names indicator CQS.2; a formula names elements only"),
        (
            "\"__import__('os')\"",
            "formula \"__import__('os')\": the function __import__() is not allowed; "
            "only min() and max() (column 1)",
        ),
        ("2**3", "formula '2**3': the power operator ** is not allowed (column 2)"),
        (
            "hs_tt.real",
            "formula: hs_tt.real is attribute access or an unknown code; "
            "only element codes are allowed",
        ),
        (
            "abs(hs_tt)",
            "formula 'abs(hs_tt)': the function abs() is not allowed; only min() and max() "
            "(column 1)",
        ),
        (
            "\"hs_tt + 'x'\"",
            "formula \"hs_tt + 'x'\": text in quotes ('x') is not allowed (column 9)",
        ),
        (
            "hs_tt >= 1",
            "formula 'hs_tt >= 1': a comparison (>=) is only allowed in a rule (column 7)",
        ),
        ("(hs_tt", "formula '(hs_tt': the expression ends too early (column 7)"),
    ],
)
def test_a_formula_outside_the_small_language_is_refused_with_a_clear_message(formula, message):
    problems = formula_problems(formula)
    assert [(p.where, p.line, p.message) for p in problems] == [("CQS.1", 17, message)]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("hs_tt", "rule 'hs_tt': a rule needs a comparison: one of <= < >= > == != (column 6)"),
        ("hs_tt = hs_tong", "rule 'hs_tt = hs_tong': the character '=' is not allowed (column 7)"),
        (
            "hs_tt <= hs_tong <= 5",
            "rule 'hs_tt <= hs_tong <= 5': a rule has exactly one comparison (column 18)",
        ),
        ("hs_tt <=", "rule 'hs_tt <=': the expression ends too early (column 9)"),
        ("hs_tt <= hs_moi", "rule names unknown element hs_moi"),
    ],
)
def test_a_broken_validation_rule_is_refused_with_its_line(rule, message):
    problems = formula_problems("hs_tt", rule=f'"{rule}"')
    assert [(p.where, p.line, p.message) for p in problems] == [("validation[0]", 12, message)]


def test_a_formula_may_use_min_max_parentheses_and_unary_minus():
    formula = '"min(100, 100 * hs_tt / max(hs_tong, 1)) - -(hs_tt - hs_tt)"'
    text = FORMULA_FILE.replace("FORMULA", formula).replace("RULE", "hs_tt <= hs_tong")
    assert parse_framework(text).node("CQS.1").formula == formula.strip('"')
