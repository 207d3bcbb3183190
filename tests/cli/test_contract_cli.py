"""An independent audit of `chiso score` and `chiso framework check` against
docs/framework-format.md ("The values file and the results file"), rule by rule,
with hand-computed expected numbers.
"""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

import pytest

from chiso.cli import main

# Two top-level nodes, a third depth, a branch whose maximum is 0, an element
# validation rule, a recognition rule. Node order depth-first in file order:
#   P, P.1, P.2, P.2.a, P.2.b, Q, Q.1, S, S.1
FRAMEWORK = """\
format: chiso-framework/1
code: audit-cli-2024
title: {vi: "Kiểm tra", en: "Audit"}
level: commune
year: 2024
recognition:
  min_points: 50
  all_mandatory: true
elements:
  - code: a
    title: {vi: "Số a"}
    type: integer
  - code: b
    title: {vi: "Số b"}
    type: integer
validation:
  - rule: a <= b
    message: {vi: "a không lớn hơn b", en: "a cannot exceed b"}
tree:
  - code: P
    title: {vi: "Trụ cột P"}
    children:
      - code: P.1
        title: {vi: "Tỷ lệ a/b"}
        points: 30
        mandatory: true
        pass: 0.5
        formula: 100 * a / b
        score: {method: linear, zero: 0, full: 90}
      - code: P.2
        title: {vi: "Nhóm P.2"}
        children:
          - code: P.2.a
            title: {vi: "Có cổng"}
            points: 10
            score: {method: boolean}
          - code: P.2.b
            title: {vi: "Tỷ lệ"}
            type: percent
            points: 20
            score: {method: relative}
  - code: Q
    title: {vi: "Trụ cột Q"}
    children:
      - code: Q.1
        title: {vi: "Số lỗi"}
        type: integer
        points: 40
        score: {method: linear, zero: 10, full: 0}
  - code: S
    title: {vi: "Đô thị thông minh"}
    children:
      - code: S.1
        title: {vi: "Trung tâm điều hành"}
        points: 0
        score: {method: boolean}
"""
HEADER = "unit,value,points,rank,recognized,P,P.1,P.2,P.2.a,P.2.b,Q,Q.1,S,S.1"

# u1: P.1 = 100*45/50 = 90 -> s 1 -> 30; P.2.a có -> 10; P.2.b 80 (max) -> 1 -> 20;
#     Q.1 = 2 -> (2-10)/(0-10) = 0.8 -> 32.        points 92, value 92/100 = 0.92
# u2: P.1 = 100*30/100 = 30 -> s 1/3 -> 10 (mandatory pass 0.5 not met);
#     P.2.a không -> 0; P.2.b 20 (min) -> 0; Q.1 = 0 -> 1 -> 40.  points 50, value 0.5
# u3: P.1 = 100*27/60 = 45 -> s 0.5 -> 15 (met, pass 0.5); P.2.a có -> 10;
#     P.2.b 50 -> (50-20)/60 = 0.5 -> 10; Q.1 = 5 -> 0.5 -> 20.  points 55, value 0.55
VALUES = """\
unit,code,value
u1,a,45
u1,b,50
u1,P.2.a,có
u1,P.2.b,80
u1,Q.1,2
u1,S.1,có
u2,a,30
u2,b,100
u2,P.2.a,không
u2,P.2.b,"20,0"
u2,Q.1,0
u3,a,27
u3,b,60
u3,P.2.a,đạt
u3,P.2.b,50
u3,Q.1,5
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "fw.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (tmp_path / "values.csv").write_text(VALUES, encoding="utf-8")
    return tmp_path


def score_ok(folder: Path, *extra: str, values: str = "values.csv") -> list[dict[str, str]]:
    output = folder / "results.csv"
    args = ["score", str(folder / "fw.yaml"), str(folder / values), "-o", str(output), *extra]
    assert main(args) == 0
    text = output.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(text)))


def score_fails(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    output = folder / "results.csv"
    args = ["score", str(folder / "fw.yaml"), str(folder / "values.csv"), "-o", str(output)]
    assert main([*args, *extra]) == 2
    assert not output.exists()  # nothing is scored from a file with errors
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def close(cell: str, expected: float) -> bool:
    # At least 6 significant digits: the cell is within 5e-6 relative of the value.
    return abs(float(cell) - expected) <= 5e-6 * max(abs(expected), 1e-300)


def test_results_header_is_unit_value_points_rank_recognized_then_nodes_depth_first(folder):
    score_ok(folder)


def test_results_rows_are_best_first_with_ranks(folder):
    rows = score_ok(folder)
    assert [(row["unit"], row["rank"]) for row in rows] == [("u1", "1"), ("u3", "2"), ("u2", "3")]


def test_results_values_points_and_node_cells_hand_computed(folder):
    rows = {row["unit"]: row for row in score_ok(folder)}
    u1, u2, u3 = rows["u1"], rows["u2"], rows["u3"]
    assert close(u1["value"], 0.92) and close(u1["points"], 92)
    assert close(u2["value"], 0.5) and close(u2["points"], 50)
    assert close(u3["value"], 0.55) and close(u3["points"], 55)
    # Branch value = points / maximum at every depth.
    assert close(u1["P"], 60 / 60) and close(u1["P.2"], 30 / 30) and close(u1["Q"], 0.8)
    assert close(u2["P"], 10 / 60) and close(u2["P.2"], 0.0) and close(u2["Q"], 1.0)
    assert close(u3["P"], 35 / 60) and close(u3["P.2"], 20 / 30) and close(u3["Q"], 0.5)
    # An indicator's cell is its s.
    assert close(u2["P.1"], 1 / 3) and close(u3["P.1"], 0.5) and close(u3["P.2.b"], 0.5)
    assert close(u1["Q.1"], 0.8)
    assert float(u2["P.2.a"]) == 0.0


def test_results_numbers_carry_at_least_6_significant_digits(folder):
    rows = {row["unit"]: row for row in score_ok(folder)}
    assert close(rows["u2"]["P.1"], 1 / 3)  # 0.333333...
    assert close(rows["u2"]["P"], 1 / 6)  # 0.1666666...
    assert close(rows["u3"]["P"], 7 / 12)  # 0.5833333...


def test_results_tiny_values_still_carry_6_significant_digits(tmp_path):
    (tmp_path / "fw.yaml").write_text(
        textwrap.dedent(
            """\
            format: chiso-framework/1
            code: tiny-2024
            title: {vi: "Nhỏ"}
            level: province
            year: 2024
            tree:
              - code: A
                title: {vi: "A"}
                points: 1
                score: {method: linear, zero: 0, full: 3}
              - code: B
                title: {vi: "B"}
                points: 29999
                score: {method: boolean}
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "v.csv").write_text("unit,code,value\nx,A,1\nx,B,0\n", encoding="utf-8")
    output = tmp_path / "r.csv"
    assert (
        main(["score", str(tmp_path / "fw.yaml"), str(tmp_path / "v.csv"), "-o", str(output)]) == 0
    )
    row = next(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    # points 1/3, value (1/3) / 30000 = 1.111111e-05
    assert close(row["points"], 1 / 3)
    assert close(row["value"], 1 / 90000)
    assert close(row["A"], 1 / 3)


def test_recognized_is_true_or_false_with_a_rule(folder):
    rows = {row["unit"]: row["recognized"] for row in score_ok(folder)}
    # u1: 92 >= 50, P.1 met. u2: 50 >= 50 but P.1 s 1/3 < pass 0.5. u3: 55, P.1 s 0.5 met.
    assert rows == {"u1": "true", "u2": "false", "u3": "true"}


def test_recognized_is_empty_where_the_framework_has_no_rule(folder):
    text = FRAMEWORK.replace("recognition:\n  min_points: 50\n  all_mandatory: true\n", "")
    (folder / "fw.yaml").write_text(text, encoding="utf-8")
    assert {row["recognized"] for row in score_ok(folder)} == {""}


def test_a_branch_whose_maximum_is_0_has_an_empty_cell(folder):
    rows = {row["unit"]: row for row in score_ok(folder)}
    assert rows["u1"]["S"] == "" and rows["u2"]["S"] == ""
    # The points-0 indicator is collected and shown (its s), not scored.
    assert float(rows["u1"]["S.1"]) == 1.0
    assert close(rows["u1"]["points"], 92)


def test_the_units_scored_are_those_that_appear_in_the_values_file(folder):
    (folder / "units.txt").write_text("u1\nu2\nu3\nu4\nu5\n", encoding="utf-8")
    rows = score_ok(folder, "--units", str(folder / "units.txt"))
    assert sorted(row["unit"] for row in rows) == ["u1", "u2", "u3"]


def test_a_unit_with_a_single_value_is_scored(folder):
    (folder / "values.csv").write_text(VALUES + "u9,Q.1,10\n", encoding="utf-8")
    rows = {row["unit"]: row for row in score_ok(folder)}
    # Q.1 = 10 is the zero of a lower-is-better scale: 0 points; P.1 missing -> 0.
    assert float(rows["u9"]["points"]) == 0.0 and rows["u9"]["rank"] == "4"


def test_an_unknown_unit_with_a_list_of_units_is_an_error_naming_the_line(folder, capsys):
    (folder / "units.txt").write_text("u1\nu2\n", encoding="utf-8")
    err = score_fails(folder, capsys, "--units", str(folder / "units.txt"))
    # u3's rows are lines 13..17 of the values file.
    for line in range(13, 18):
        assert f"values.csv:{line}:" in err


def test_a_broken_validation_rule_is_an_error_naming_the_unit_and_the_rule(folder, capsys):
    (folder / "values.csv").write_text(VALUES.replace("u2,a,30", "u2,a,300"), encoding="utf-8")
    err = score_fails(folder, capsys)
    lines = err.splitlines()
    assert len(lines) == 1
    assert "u2" in lines[0] and "a <= b" in lines[0]


def test_a_rule_with_a_missing_side_is_not_checked(folder):
    # u2 without b: the rule a <= b is not checked; P.1 is missing and scores 0.
    (folder / "values.csv").write_text(VALUES.replace("u2,b,100\n", ""), encoding="utf-8")
    rows = {row["unit"]: row for row in score_ok(folder)}
    assert float(rows["u2"]["P.1"]) == 0.0


def test_a_division_by_zero_in_a_formula_scores_0(folder):
    (folder / "values.csv").write_text(
        VALUES.replace("u2,a,30", "u2,a,0").replace("u2,b,100", "u2,b,0"), encoding="utf-8"
    )
    rows = {row["unit"]: row for row in score_ok(folder)}
    # 0 <= 0 holds; 100 * 0 / 0 is missing: P.1 s 0, points 40 (Q.1 only).
    assert float(rows["u2"]["P.1"]) == 0.0
    assert close(rows["u2"]["points"], 40)


@pytest.mark.parametrize(
    ("line", "replacement", "number"),
    [
        ("u1,P.2.b,80", "u1,P.2.b,100.5", 5),  # percent outside 0..100
        ("u1,P.2.b,80", "u1,P.2.b,-1", 5),
        ("u1,Q.1,2", "u1,Q.1,2.5", 6),  # integer 2.5
        ("u1,Q.1,2", 'u1,Q.1,"2,5"', 6),
        ("u1,P.2.a,có", "u1,P.2.a,chưa", 4),  # not a boolean word
        ("u1,Q.1,2", "u1,Q.1,abc", 6),  # unreadable number
        ("u1,Q.1,2", "u1,P.1,2", 6),  # an indicator with a formula is not entered
        ("u1,Q.1,2", "u1,P,2", 6),  # nor is a branch
        ("u1,Q.1,2", "u1,nope,2", 6),  # unknown code
        ("u1,Q.1,2", "u1,a,2", 6),  # the same (unit, code) twice
    ],
)
def test_a_bad_values_line_is_an_error_naming_the_line(folder, capsys, line, replacement, number):
    assert line in VALUES
    (folder / "values.csv").write_text(VALUES.replace(line, replacement), encoding="utf-8")
    err = score_fails(folder, capsys)
    # One problem, on its line of the file (the header is line 1).
    assert len(err.splitlines()) == 1
    assert f"values.csv:{number}:" in err, err


@pytest.mark.parametrize(
    "word", ["có", "không", "đạt", "không đạt", "yes", "no", "true", "false", "1", "0"]
)
def test_booleans_in_the_values_file(folder, word):
    (folder / "values.csv").write_text(
        VALUES.replace("u1,P.2.a,có", f"u1,P.2.a,{word}"), encoding="utf-8"
    )
    rows = {row["unit"]: row for row in score_ok(folder)}
    expected = 1.0 if word in ("có", "đạt", "yes", "true", "1") else 0.0
    assert float(rows["u1"]["P.2.a"]) == expected


def test_ties_share_the_best_rank_and_the_next_skips(tmp_path):
    (tmp_path / "fw.yaml").write_text(
        textwrap.dedent(
            """\
            format: chiso-framework/1
            code: ties-2024
            title: {vi: "Hòa"}
            level: district
            year: 2024
            tree:
              - code: A
                title: {vi: "A"}
                points: 10
                score: {method: linear, zero: 0, full: 1}
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "v.csv").write_text(
        "unit,code,value\nd,A,0.7\nb,A,0.8\na,A,0.9\nc,A,0.8000000001\n", encoding="utf-8"
    )
    output = tmp_path / "r.csv"
    assert (
        main(["score", str(tmp_path / "fw.yaml"), str(tmp_path / "v.csv"), "-o", str(output)]) == 0
    )
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [row["rank"] for row in rows] == ["1", "2", "2", "4"]
    assert rows[0]["unit"] == "a" and rows[-1]["unit"] == "d"


# -- chiso framework check ----------------------------------------------------------


def test_framework_check_accepts_a_good_framework(folder, capsys):
    assert main(["framework", "check", str(folder / "fw.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "OK"
    assert "100 points" in out  # 30 + 10 + 20 + 40 + 0


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        ("zero: 0, full: 90}", "zero: 9, full: 9}", (29,)),  # linear needs zero != full
        ("  - code: P.2.a", "  - code: P 2 a", (33,)),  # not a node code
        ("  - code: b\n", "  - code: b-2\n", (13,)),  # not an element code
        ("  - code: S.1", "  - code: Q.1", (53,)),  # duplicate code
        ("  - code: S.1", "  - code: a", (53,)),  # a node with an element's code
        ("formula: 100 * a / b", "formula: 100 * a / Q.1", (28,)),  # elements only
        ("formula: 100 * a / b", "formula: 100 * a ** 2", (28,)),  # nothing else
        ('title: {vi: "Số b"}', 'title: {en: "b"}', (14,)),  # every title has vi
        ("  min_points: 50\n", "  min_points: 50\n  min_value: 0.5\n", (6, 7, 8)),
        ("score: {method: relative}", "score: {method: threshold}", (41,)),
        ("score: {method: relative}", "score: {method: threshold, at_least: 1, at_most: 2}", (41,)),
    ],
)
def test_framework_check_names_the_line_of_a_broken_rule(folder, capsys, old, new, lines):
    assert old in FRAMEWORK
    (folder / "fw.yaml").write_text(FRAMEWORK.replace(old, new, 1), encoding="utf-8")
    assert main(["framework", "check", str(folder / "fw.yaml")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert any(f"fw.yaml:{line}:" in captured.err for line in lines), captured.err


def test_framework_check_of_a_deeply_nested_tree_is_an_error_not_a_crash(tmp_path, capsys):
    node = "{code: L, title: {vi: l}, points: 1, score: {method: boolean}}"
    for depth in range(400):
        node = f"{{code: B{depth}, title: {{vi: b}}, children: [{node}]}}"
    text = "format: chiso-framework/1\ncode: deep\ntitle: {vi: x}\nlevel: commune\nyear: 2024\n"
    (tmp_path / "deep.yaml").write_text(f"{text}tree: [{node}]\n", encoding="utf-8")
    assert main(["framework", "check", str(tmp_path / "deep.yaml")]) == 2
    assert "deep.yaml" in capsys.readouterr().err
