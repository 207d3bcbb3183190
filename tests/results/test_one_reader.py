"""Published figures have one reader: `chiso/results/read.py`.

Every page, file, PDF, map, dashboard and API answer about a published level gets its
rows from there, so they cannot read them two ways. Publishing writes them
(`services.py`); nothing else in chiso queries a snapshot's rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import chiso

ROOT = Path(chiso.__file__).parent
ROWS = re.compile(r"UnitRow\.objects|\w*snapshot\w*\.rows\b|\.rows\.filter\(")
ALLOWED = {"results/read.py", "results/services.py"}


def test_only_the_reader_queries_a_snapshots_rows():
    readers = {
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts and ROWS.search(path.read_text(encoding="utf-8"))
    }
    assert readers - ALLOWED == set()
    assert "results/read.py" in readers
