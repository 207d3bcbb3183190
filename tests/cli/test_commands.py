"""The `chiso` command as installed: help, exit codes, and the way to Django."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import django

from chiso.cli import main

FIXTURE = Path(__file__).parents[1] / "engine" / "fixtures" / "commune.yaml"
CHISO = Path(sys.executable).parent / "chiso"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def chiso(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (our own installed command)
        [str(CHISO), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(),
        check=False,
        timeout=120,
    )


def test_help_lists_score_and_framework_and_points_to_django(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "score" in out and "framework" in out
    assert "is a Django\nmanagement command" in out


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "usage: chiso" in capsys.readouterr().err


def test_the_installed_command_scores_a_file(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "commune.yaml")
    (tmp_path / "values.csv").write_text("unit,code,value\n14758,CQS.2,có\n", encoding="utf-8")
    done = chiso("score", "commune.yaml", "values.csv", "-o", "results.csv", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    lines = (tmp_path / "results.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("14758,0.1666666667,10,1,false,")


def test_the_installed_command_reports_bad_input_without_a_traceback(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "commune.yaml")
    (tmp_path / "values.csv").write_text(
        "unit,code,value\n14758,CQS.2,có\n14758,KTS.1,mười\n14758,XYZ,1\n", encoding="utf-8"
    )
    done = chiso("score", "commune.yaml", "values.csv", "-o", "results.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "values.csv:3: KTS.1: unit 14758: 'mười' is not a number",
        "values.csv:4: XYZ: unknown code for framework test-commune-2024",
    ]
    assert not (tmp_path / "results.csv").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["commune.yaml", "values.csv"]


def test_the_installed_command_reports_a_missing_framework_file(tmp_path):
    (tmp_path / "values.csv").write_text("unit,code,value\n", encoding="utf-8")
    done = chiso("score", "nope.yaml", "values.csv", "-o", "out.csv", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "nope.yaml: cannot read the file: No such file or directory\n"


def test_scoring_never_imports_django(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "commune.yaml")
    (tmp_path / "values.csv").write_text("unit,code,value\n14758,CQS.2,có\n", encoding="utf-8")
    script = (
        "import sys; from chiso.cli import main;"
        "code = main(['score', 'commune.yaml', 'values.csv', '-o', '-']);"
        "print(code, 'django' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(  # noqa: S603  (this Python, a fixed script)
        [sys.executable, "-c", script],
        capture_output=True, text=True, cwd=tmp_path, env=environment(), check=False, timeout=120,
    )  # fmt: skip
    assert done.stderr == "0 False\n"


def test_any_other_command_goes_to_django_with_the_chiso_settings(tmp_path):
    script = (
        "import os; from chiso.cli import main; main(['version']);"
        "print(os.environ['DJANGO_SETTINGS_MODULE'])"
    )
    done = subprocess.run(  # noqa: S603  (this Python, a fixed script)
        [sys.executable, "-c", script],
        capture_output=True, text=True, cwd=tmp_path, env=environment(), check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [django.get_version(), "chiso.settings"]


def test_the_installed_command_passes_django_commands_through(tmp_path):
    done = chiso("version", cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, django.get_version())
