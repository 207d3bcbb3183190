"""`chiso framework check`: validate a framework file and show its tree."""

from __future__ import annotations

from pathlib import Path

from chiso.cli import main

FIXTURE = Path(__file__).parents[1] / "engine" / "fixtures" / "commune.yaml"


def test_a_good_framework_prints_its_tree_with_points_methods_and_totals(capsys):
    assert main(["framework", "check", str(FIXTURE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "test-commune-2024  Bộ tiêu chí chuyển đổi số cấp xã 2024"
    assert out[3:11] == [
        "CQS  Chính quyền số  [max 20]",
        "  CQS.1  Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến  10 points (mandatory), linear 0..90, "
        "formula 100 * hs_tt / hs_tong",
        "  CQS.2  Có cổng thông tin điện tử  10 points, boolean, entered (boolean)",
        "KTS  Kinh tế số  [max 30]",
        "  KTS.1  Hộ thanh toán điện không dùng tiền mặt  10 points, threshold >= 60, "
        "entered (percent)",
        "  KTS.2  Số cuộc họp Ban chỉ đạo  20 points, steps 1:0.25, 2:0.5, 3:0.75, 4:1, "
        "entered (integer)",
        "XHS  Xã hội số  [max 10]",
        "  XHS.1  Người dân có chữ ký số  10 points, relative, entered (percent)",
    ]
    assert "  XHS.2  Đô thị thông minh  0 points (not scored), boolean, entered (boolean)" in out
    assert (
        "Total: 60 points; 3 branches, 6 indicators (1 mandatory), 2 elements, 1 validation rule"
        in out
    )
    assert "Recognized with at least 30 points and every mandatory indicator met" in out
    assert out[-1] == "OK"


def test_english_titles_on_request(capsys):
    assert main(["framework", "check", "--lang", "en", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "CQS  Digital government  [max 20]" in out and "Chính quyền số" not in out


def test_a_bad_framework_exits_2_with_its_problems(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        FIXTURE.read_text(encoding="utf-8").replace("points: 20", "points: -20"), encoding="utf-8"
    )
    assert main(["framework", "check", str(broken)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{broken}:46: KTS.2: points must be 0 or more, not -20\n"


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["framework", "check", str(tmp_path / "nope.yaml")]) == 2
    assert capsys.readouterr().err.endswith(
        "nope.yaml: cannot read the file: No such file or directory\n"
    )


SHIPPED = Path(__file__).parents[2] / "chiso" / "frameworks" / "shipped"
ONE_INDICATOR = """\
format: chiso-framework/1
code: test-2026
title: {vi: "Thử nghiệm"}
level: department
year: 2026
tree:
  - code: A.1
    title: {vi: "Thời gian giải quyết hồ sơ"}
    points: 10
    score: %s
"""


def test_a_key_the_scoring_method_does_not_take_fails_the_check_with_its_line(tmp_path, capsys):
    # Today's misprints: "cap" is no key of linear, "direction" none of relative.
    for rule, key, takes in [
        ("{method: linear, zero: 0, full: 90, cap: 50}", "cap", "linear (it takes zero, full)"),
        ("{method: relative, direction: lower}", "direction", "relative (it takes better)"),
    ]:
        path = tmp_path / "typo.yaml"
        path.write_text(ONE_INDICATOR % rule, encoding="utf-8")
        assert main(["framework", "check", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"typo.yaml:10: A.1: score.{key} does not apply to method {takes}" in err


def test_relative_lower_is_better_and_an_indicator_that_may_not_apply_are_shown(tmp_path, capsys):
    path = tmp_path / "good.yaml"
    text = (ONE_INDICATOR % "{method: relative, better: lower}") + "    may_not_apply: true\n"
    path.write_text(text.replace("year: 2026\n", "year: 2026\nmissing: exclude\n"), "utf-8")
    assert main(["framework", "check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "level department, year 2026, missing values are left out of the unit's maxima"
    assert out[3] == (
        "A.1  Thời gian giải quyết hồ sơ  10 points, relative, lower is better, entered (number), "
        "may not apply"
    )


def test_every_shipped_framework_passes_the_check(capsys):
    shipped = sorted(SHIPPED.glob("*.yaml"))
    assert len(shipped) >= 4
    for path in shipped:
        assert main(["framework", "check", str(path)]) == 0, capsys.readouterr().err
        assert capsys.readouterr().out.splitlines()[-1] == "OK"
