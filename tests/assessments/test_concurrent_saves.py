"""Chị Lan and Chị Thu save Phường Hàm Rồng's figures at the same moment, on the
file-based SQLite database the demo runs on (each in its own process, with its own
connection): one save wins, the other gets the 409 page, never "database is locked",
and nothing either typed is lost or half-saved."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.children import script


def run(database: Path, *arguments: str) -> subprocess.Popen[str]:
    return script("tests.assessments.sqlite_race", f"sqlite:///{database}", *arguments)


def finished(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "database is locked" not in err
    return out.strip()


def test_two_saves_at_once_one_wins_and_the_other_gets_the_409_page(tmp_path):
    database = tmp_path / "chiso.sqlite3"
    finished(run(database, "setup"))
    flag = tmp_path / "first-holds-the-lock"

    # Both loaded the entry page at version 0; Chị Lan's save is still in its
    # transaction when Chị Thu's arrives.
    first = run(database, "first", str(flag), "0")
    second = run(database, "second", str(flag), "0")

    assert finished(first) == "302"
    assert finished(second) == "409"
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT code, self_value FROM assessments_value").fetchall()
        version = connection.execute("SELECT version FROM assessments_submission").fetchone()
    assert stored == [("hs_tong", 1302.0)]
    assert version == (1,)
