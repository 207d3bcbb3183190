"""A test's helper script run as a process of its own, on the database the test chooses:
each process has its own connection, as two server workers (or a server that dies
under one) would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def script(module: str, database_url: str, *arguments: str) -> subprocess.Popen[str]:
    """`python -m module arguments` from the repository's root with DATABASE_URL set,
    its output and errors piped as text."""
    environment = {**os.environ, "DATABASE_URL": database_url}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(  # noqa: S603 - our own script, our own arguments
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
