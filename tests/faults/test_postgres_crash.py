"""PostgreSQL dies (kill -9 of the postmaster) while Chị Lan imports her Excel file, while
Anh Tuấn imports one for two wards, and while he publishes the 2025 commune results:
after the restart the database holds none of the interrupted work, never a part of it,
and the same work done again is stored whole.

The tests run on a cluster of their own (tests/faults/pg_cluster.py, one for the module,
a fresh database for each test), never the machine's server; chiso runs in a child
process (tests/faults/pg_child.py) that stops inside its transaction at a chosen
statement, so the kill lands there every time, not by luck.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.children import script
from tests.faults.pg_child import EARLIER, IMPORTED, PUBLISHED_UNITS, PUBLISHED_YEAR, WARDS, state
from tests.faults.pg_cluster import Cluster

TEMPLATE = "chiso_base"
DATABASES = itertools.count(1)
# How long one child may take: Django's start, the page, the import or the publication.
CHILD_LIMIT = 120


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A started cluster with TEMPLATE: the schema and the data of `pg_child setup`."""
    cluster = Cluster.create()
    try:
        with cluster.connect(autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{TEMPLATE}"')
        finished(child(cluster, TEMPLATE, "setup"))
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def database(cluster: Cluster) -> Iterator[str]:
    """A fresh copy of TEMPLATE for the test, dropped after it."""
    name = f"crash_{next(DATABASES)}"
    with cluster.connect(autocommit=True) as connection:
        # Copied as files: the default strategy writes the whole copy into the WAL too.
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}" STRATEGY = FILE_COPY')
    yield name
    with cluster.connect(autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def child(cluster: Cluster, database: str, *arguments: str) -> subprocess.Popen[str]:
    return script("tests.faults.pg_child", cluster.url(database), *arguments)


def finished(process: subprocess.Popen[str]) -> str:
    """What a child that ran to its end printed."""
    out, err = process.communicate(timeout=CHILD_LIMIT)
    assert process.returncode == 0, err
    return out.strip()


def stored(cluster: Cluster, database: str) -> dict[str, list[str]]:
    with cluster.connect(database) as connection, connection.cursor() as cursor:
        return state(cursor)


def query(cluster: Cluster, database: str, sql: str, *params: object) -> list[tuple]:
    with cluster.connect(database) as connection:
        return connection.execute(sql, params).fetchall()


def killed_during(
    cluster: Cluster, database: str, role: str, pattern: str, folder: Path, occurrence: int = 1
) -> dict:
    """Run `role` until the `occurrence`-th statement matching `pattern` has run, kill -9
    the postmaster there, let the child go on (it must fail: its server is gone), start
    the cluster again. Returns what the child's transaction held when the server died."""
    process = child(cluster, database, role, str(folder), pattern, str(occurrence))
    try:
        deadline = time.monotonic() + CHILD_LIMIT
        while not (folder / "paused").exists():
            if process.poll() is not None:
                pytest.fail(f"the child ended before its pause:\n{process.communicate()[1]}")
            assert time.monotonic() < deadline, "the child never reached its pause"
            time.sleep(0.02)
        held = json.loads((folder / "paused").read_text())
        logged = cluster.log.stat().st_size
        cluster.crash()
        (folder / "go").touch()
        _out, err = process.communicate(timeout=CHILD_LIMIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    cluster.start()
    # The work was cut short: its next statement (or its commit) found no server.
    assert process.returncode != 0, "the child ran to its end: the kill came too late"
    assert "OperationalError" in err, err
    with cluster.log.open(errors="replace") as log:
        log.seek(logged)
        assert "not properly shut down; automatic recovery in progress" in log.read()
    return held


def added(held: dict, before: dict, table: str) -> int:
    """How many rows of `table` the interrupted transaction had written."""
    return len(set(held["state"][table]) - set(before[table]))


def ham_rong_figures(cluster: Cluster, database: str) -> dict[str, float]:
    return dict(
        query(
            cluster,
            database,
            """SELECT v.code, v.self_value FROM assessments_value v
               JOIN assessments_submission s ON s.id = v.submission_id
               JOIN units_unit u ON u.id = s.unit_id
               JOIN assessments_period p ON p.id = s.period_id
               WHERE u.code = %s AND p.year <> %s""",
            WARDS[0],
            PUBLISHED_YEAR,
        )
    )


def test_a_crash_during_lans_excel_import_keeps_none_of_it_and_the_import_again_keeps_all(
    cluster, database, tmp_path
):
    before = stored(cluster, database)

    # The server dies right after her new figure (XHS.1) is inserted, before the two
    # changed ones, the audit entries and the submission's version are written.
    held = killed_during(
        cluster, database, "submission-import", r'^INSERT INTO "assessments_value"', tmp_path
    )
    assert held["xid"] is not None
    assert added(held, before, "assessments_value") == 1
    assert added(held, before, "assessments_auditentry") == 0

    assert stored(cluster, database) == before
    assert ham_rong_figures(cluster, database) == EARLIER

    # With the server back, the same file is imported whole: figures, trail and version.
    assert finished(child(cluster, database, "submission-import")) == "200"
    assert ham_rong_figures(cluster, database) == IMPORTED[WARDS[0]]
    trail = query(
        cluster,
        database,
        "SELECT code, old, new FROM assessments_auditentry WHERE reason LIKE %s",
        "%so-lieu.xlsx%",
    )
    assert sorted(trail) == [
        ("XHS.1", "", "45.5"),
        ("hs_tong", "1200", "1250"),
        ("hs_tt", "900", "1100"),
    ]
    assert query(
        cluster,
        database,
        "SELECT s.version FROM assessments_submission s JOIN units_unit u ON u.id = s.unit_id "
        "WHERE u.code = %s AND s.status = 'draft'",
        WARDS[0],
    ) == [(2,)]


def test_a_crash_between_two_wards_of_a_period_import_keeps_neither(cluster, database, tmp_path):
    before = stored(cluster, database)

    # Hàm Rồng's figures, audit entries and version are written; the server dies right
    # after Hạc Thành's four figures are inserted, before their audit entries.
    held = killed_during(
        cluster,
        database,
        "period-import",
        r'^INSERT INTO "assessments_value"',
        tmp_path,
        occurrence=2,
    )
    assert held["xid"] is not None
    changed = {table: added(held, before, table) for table in before}
    assert {table: rows for table, rows in changed.items() if rows} == {
        "assessments_value": 3 + 4,
        "assessments_auditentry": 3,
        "assessments_submission": 1,
    }

    assert stored(cluster, database) == before


def published(cluster: Cluster, database: str) -> dict[str, object]:
    """The 2025 publication as stored: snapshots, their rows, the units marked, the stamp."""
    questions = {
        "snapshots": "SELECT count(*) FROM results_snapshot WHERE period_id = %(period)s",
        "rows": """SELECT count(*) FROM results_unitrow r
                   JOIN results_snapshot s ON s.id = r.snapshot_id
                   WHERE s.period_id = %(period)s""",
        "units published": """SELECT count(*) FROM assessments_submission
                              WHERE status = 'published' AND period_id = %(period)s""",
        "trail": """SELECT count(*) FROM assessments_auditentry
                    WHERE action = 'published' AND period_id = %(period)s""",
        "stamped as the snapshot": """SELECT p.published_at = s.published_at
                                      FROM assessments_period p
                                      LEFT JOIN results_snapshot s ON s.period_id = p.id
                                      WHERE p.id = %(period)s""",
    }
    with cluster.connect(database) as connection:
        [(period,)] = connection.execute(
            "SELECT id FROM assessments_period WHERE year = %s", [PUBLISHED_YEAR]
        ).fetchall()
        return {
            name: connection.execute(sql, {"period": period}).fetchone()[0]
            for name, sql in questions.items()
        }


NOTHING_PUBLISHED = {
    "snapshots": 0,
    "rows": 0,
    "units published": 0,
    "trail": 0,
    "stamped as the snapshot": None,
}


# Where the publication is stopped, and the rows it has written by then.
PUBLICATION_CUT = {
    # The snapshot and all its rows are in, the units not yet marked published.
    r'^INSERT INTO "results_unitrow"': {
        "results_snapshot": 1,
        "results_unitrow": PUBLISHED_UNITS,
    },
    # Everything is written, the period's stamp last: only the commit is missing.
    r'^UPDATE "assessments_period"': {
        "results_snapshot": 1,
        "results_unitrow": PUBLISHED_UNITS,
        "assessments_submission": PUBLISHED_UNITS,
        "assessments_auditentry": PUBLISHED_UNITS,
        "assessments_period": 1,
    },
}


def test_a_crash_during_a_publication_leaves_nothing_published_and_publishing_again_works(
    cluster, database, tmp_path
):
    before = stored(cluster, database)
    assert published(cluster, database) == NOTHING_PUBLISHED

    for number, (pattern, written) in enumerate(PUBLICATION_CUT.items()):
        folder = tmp_path / str(number)
        folder.mkdir()
        held = killed_during(cluster, database, "publish", pattern, folder)
        assert held["xid"] is not None
        changed = {table: added(held, before, table) for table in before}
        assert {table: rows for table, rows in changed.items() if rows} == written

        assert stored(cluster, database) == before
        assert published(cluster, database) == NOTHING_PUBLISHED

    # Anh Tuấn publishes again once the server is back: all of it, version 1.
    assert finished(child(cluster, database, "publish")) == "302"
    assert published(cluster, database) == {
        "snapshots": 1,
        "rows": PUBLISHED_UNITS,
        "units published": PUBLISHED_UNITS,
        "trail": PUBLISHED_UNITS,
        "stamped as the snapshot": True,
    }
