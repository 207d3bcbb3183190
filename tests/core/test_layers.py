"""The layers of pyproject.toml hold, and an import the wrong way breaks them.

`make lint` runs the same contracts (lint-imports); here they run on a copy of chiso
with one wrong-way import added, to show the check is not a formality."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(LINT), "--no-cache", "--config", str(where / "pyproject.toml")],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "chiso", tmp_path / "chiso", ignore=shutil.ignore_patterns("static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("chiso/assessments/peek.py", "from chiso.results import scoring", "Layers"),
        ("chiso/results/peek.py", "from chiso.leadership import models", "Layers"),
        ("chiso/results/peek.py", "from chiso import cli", "Layers"),
        ("chiso/engine/peek.py", "import django", "engine is pure"),
        ("chiso/lib/peek.py", "from chiso.units import models", "Shared helpers"),
    ],
)
def test_a_wrong_way_import_breaks_a_contract(copy: Path, module: str, line: str, broken: str):
    assert lint(copy).returncode == 0
    (copy / module).write_text(line + "\n")
    result = lint(copy)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
