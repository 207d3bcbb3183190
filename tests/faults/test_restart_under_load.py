"""PostgreSQL is killed and started again while Chị Lan and an API client keep asking an
app server (gunicorn, deploy/chiso.service's command line) for pages: while it is down
every answer is a clean 503 (the Vietnamese page, or the API's JSON `unavailable`),
never a 500; once it is back the same server processes answer 200 again, without
restarting chiso.

On the crash tests' cluster (tests/faults/pg_cluster.py), never the machine's server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.children import without_settings
from tests.deploy.servers import Server, logged_in, start_server
from tests.faults.pg_child import WARDS
from tests.faults.pg_cluster import children, free_port

# The cluster of the crash tests, and a fresh copy of its migrated, filled database.
from tests.faults.test_postgres_crash import cluster, database  # noqa: F401

# How long PostgreSQL stays down, and how long chiso may take to answer 200 again (s).
DOWN_SECONDS = 2
RECOVERY_LIMIT = 30


@pytest.fixture
def server(cluster, database, tmp_path) -> Iterator[Server]:  # noqa: F811 - the fixtures
    env = without_settings(
        DATABASE_URL=cluster.url(database),
        CHISO_MEDIA_ROOT=str(tmp_path / "media"),
        CHISO_API_ANON_RATE="0",
    )
    started = start_server(env, free_port(), tmp_path, tmp_path / "media")
    try:
        started.wait()
        yield started
    finally:
        started.stop()


@dataclass
class Answer:
    at: float
    kind: str  # "page" or "api"
    status: int
    body: str


def load(server: Server, lan: requests.Session, entry: str, stop: threading.Event, out: list):
    """Chị Lan's entry page and the API's period list, one after the other, until stopped."""
    while not stop.is_set():
        for kind, session, path in (("page", lan, entry), ("api", requests, "/api/v1/periods")):
            try:
                response = session.get(server.url + path, timeout=20, allow_redirects=False)
                out.append(Answer(time.monotonic(), kind, response.status_code, response.text))
            except requests.RequestException as error:  # the server itself failed: recorded
                out.append(Answer(time.monotonic(), kind, 0, repr(error)))


def test_postgresql_restarted_under_load_gives_503s_then_chiso_recovers(
    cluster,  # noqa: F811 - the fixture imported above
    database,  # noqa: F811
    server,
):
    lan = logged_in(server, "lan")
    with cluster.connect(database) as connection:
        submission = connection.execute(
            "SELECT s.id FROM assessments_submission s JOIN units_unit u ON u.id = s.unit_id"
            " JOIN assessments_period p ON p.id = s.period_id"
            " WHERE u.code = %s AND p.year <> 2025",
            [WARDS[0]],
        ).fetchone()[0]
    entry = f"/submissions/{submission}/"
    assert lan.get(server.url + entry, timeout=20).status_code == 200
    workers = sorted(children(server.process.pid))

    answers: list[Answer] = []
    stop = threading.Event()
    loader = threading.Thread(target=load, args=(server, lan, entry, stop, answers))
    loader.start()
    try:
        time.sleep(1)
        cluster.crash()
        down_from = time.monotonic()
        time.sleep(DOWN_SECONDS)
        # Answers from here on may already be 200: the server takes connections before
        # start() has seen it do so.
        restarting_at = time.monotonic()
        cluster.start()
        deadline = time.monotonic() + RECOVERY_LIMIT
        while time.monotonic() < deadline:
            recent = [a for a in answers if a.at > time.monotonic() - 1]
            if len(recent) >= 4 and all(a.status == 200 for a in recent):
                break
            time.sleep(0.2)
    finally:
        stop.set()
        loader.join(timeout=60)

    assert {a.status for a in answers} <= {200, 503}, [
        (a.kind, a.status, a.body[:200]) for a in answers if a.status not in (200, 503)
    ]
    down = [a for a in answers if down_from + 0.5 < a.at < restarting_at]
    assert down
    assert all(a.status == 503 for a in down), [
        (round(a.at - down_from, 3), a.kind, a.status) for a in down if a.status != 503
    ]
    page = next(a for a in down if a.kind == "page")
    assert "Hệ thống tạm thời gián đoạn" in page.body
    api = next(a for a in down if a.kind == "api")
    assert '"code": "unavailable"' in api.body or '"code":"unavailable"' in api.body
    # Back: the same processes answer again, her session still holds.
    assert answers[-1].status == 200
    assert lan.get(server.url + entry, timeout=20).status_code == 200
    assert server.process.poll() is None
    assert sorted(children(server.process.pid)) == workers
