"""`chiso plan` and `chiso uncertainty`: an analyst's questions from the published files."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from chiso.cli import main
from tests.cli.test_score import FIXTURE, GOOD_VALUES


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(FIXTURE, tmp_path / "commune.yaml")
    (tmp_path / "values.csv").write_text(GOOD_VALUES, encoding="utf-8")
    return tmp_path


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_plan_for_hac_thanh_lists_each_indicator_then_the_element_to_change(folder):
    output = folder / "plan.csv"

    status = main(
        ["plan", str(folder / "commune.yaml"), str(folder / "values.csv"), "--unit", "14797"]
        + ["-o", str(output)]
    )

    assert status == 0
    assert rows_of(output) == [
        ["code", "from", "to", "points"],
        ["CQS.1", "60", "90", "3.333333333"],
        ["hs_tt", "600", "900", ""],
        ["KTS.2", "1", "4", "15"],
    ]


def test_a_rank_goal_prints_the_plan_when_no_file_is_named(folder, capsys):
    status = main(
        ["plan", str(folder / "commune.yaml"), str(folder / "values.csv")]
        + ["--unit", "14797", "--goal", "rank:1"]
    )

    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "code,from,to,points" and len(lines) == 5


def test_an_impossible_goal_says_why_and_writes_nothing(folder, capsys):
    output = folder / "plan.csv"

    status = main(
        ["plan", str(folder / "commune.yaml"), str(folder / "values.csv")]
        + ["--unit", "99999", "-o", str(output)]
    )

    assert status == 1
    assert "99999: no plan reaches recognition (unknown-unit)" in capsys.readouterr().err
    assert not output.exists()


def test_a_goal_that_cannot_be_read_is_bad_input(folder, capsys):
    status = main(
        ["plan", str(folder / "commune.yaml"), str(folder / "values.csv")]
        + ["--unit", "14797", "--goal", "top"]
    )

    assert status == 2
    assert "--goal: goal 'top'" in capsys.readouterr().err


def test_uncertainty_writes_one_row_per_unit_and_repeats_itself_with_the_same_seed(folder):
    first, again = folder / "first.csv", folder / "again.csv"
    common = [str(folder / "commune.yaml"), str(folder / "values.csv"), "--runs", "300"]

    assert (
        main(["uncertainty", *common, "--seed", "4", "--threshold-noise", "0.1", "-o", str(first)])
        == 0
    )
    assert (
        main(["uncertainty", *common, "--seed", "4", "--threshold-noise", "0.1", "-o", str(again)])
        == 0
    )

    rows = rows_of(first)
    assert rows[0] == ["unit", "rank", "median_rank", "p05", "p95", "p_recognized"]
    assert [row[0] for row in rows[1:]] == ["14758", "14797"]
    assert rows[2][1:] == ["2", "2", "2", "2", "0"]
    assert 0 < float(rows[1][5]) < 1
    assert first.read_text() == again.read_text()


def test_uncertainty_also_writes_the_sensitivity_of_the_ranks_to_each_pillar(folder):
    output, indices = folder / "out.csv", folder / "sensitivity.csv"

    status = main(
        ["uncertainty", str(folder / "commune.yaml"), str(folder / "values.csv")]
        + ["--runs", "10", "--seed", "1", "-o", str(output), "--sensitivity", str(indices)]
    )

    assert status == 0
    rows = rows_of(indices)
    assert rows[0] == ["pillar", "first_order", "total"]
    assert [row[0] for row in rows[1:]] == ["CQS", "KTS", "XHS"]


def test_bad_noise_is_bad_input(folder, capsys):
    status = main(
        ["uncertainty", str(folder / "commune.yaml"), str(folder / "values.csv")]
        + ["--points-noise", "2", "-o", str(folder / "out.csv")]
    )

    assert status == 2
    assert "points_noise must be in [0, 1)" in capsys.readouterr().err
