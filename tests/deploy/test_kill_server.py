"""One of two app servers is killed (kill -9, master and workers) in the middle of Chị
Lan's save, inside its transaction: the other server goes on serving her, the database
holds none of that save (not some of its figures), and the same save through the other
server is stored whole."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from tests.children import without_settings
from tests.deploy.servers import Server, logged_in, start_server
from tests.deploy.test_two_servers import ham_rong_submission
from tests.faults.pg_cluster import children, free_port

pytestmark = pytest.mark.deploy

FIGURES = {"hs_tt": 1111.0, "hs_tong": 1300.0, "XHS.1": 52.5}
# Paused after the save's figures are written and its first audit entry too.
PAUSE_AT = r'^INSERT INTO "assessments_auditentry"'


@pytest.fixture
def two_servers(deploy_database, redis_url, object_store, tmp_path) -> Iterator[list[Server]]:
    environment = {
        "DATABASE_URL": deploy_database.app_url,
        "CHISO_REDIS_URL": redis_url,
        **object_store.environment(),
        "CHISO_SECRET_KEY": "kill-one-server-" + "k" * 40,
    }
    paused = without_settings(
        **environment,
        CHISO_TEST_PAUSE=str(tmp_path),
        CHISO_TEST_PAUSE_PATTERN=PAUSE_AT,
        CHISO_MEDIA_ROOT=str(tmp_path / "a"),
    )
    a = start_server(
        paused,
        free_port(),
        tmp_path / "a",
        tmp_path / "a",
        app="tests.deploy.paused_wsgi:application",
    )
    b = start_server(
        without_settings(**environment, CHISO_MEDIA_ROOT=str(tmp_path / "b")),
        free_port(),
        tmp_path / "b",
        tmp_path / "b",
    )
    try:
        a.wait()
        b.wait()
        yield [a, b]
    finally:
        a.stop()
        b.stop()


def figures(database, submission: int) -> dict[str, float | None]:
    with database.connect() as connection:
        rows = connection.execute(
            "SELECT code, self_value FROM assessments_value WHERE submission_id = %s", [submission]
        ).fetchall()
    return {code: value for code, value in rows if code in FIGURES}


def audit_count(database, submission: int) -> int:
    with database.connect() as connection:
        return connection.execute(
            "SELECT count(*) FROM assessments_auditentry WHERE submission_id = %s", [submission]
        ).fetchone()[0]


def save(lan: requests.Session, server: Server, submission: int) -> requests.Response:
    return lan.put(
        f"{server.url}/api/v1/submissions/{submission}/values",
        json={"values": FIGURES},
        headers={"X-CSRFToken": lan.cookies["csrftoken"]},
        timeout=60,
    )


def test_killing_a_server_mid_save_keeps_the_other_serving_and_the_save_all_or_nothing(
    two_servers, deploy_database, tmp_path
):
    a, b = two_servers
    submission = ham_rong_submission(deploy_database)
    lan = logged_in(b, "lan")  # her session is good on both
    before, trail = figures(deploy_database, submission), audit_count(deploy_database, submission)

    answered: list[object] = []
    saving = threading.Thread(target=lambda: answered.append(_try(save, lan, a, submission)))
    saving.start()
    deadline = time.monotonic() + 60
    while not (tmp_path / "paused").exists():
        assert time.monotonic() < deadline, "the save never reached its audit entry"
        time.sleep(0.05)
    _kill_all(a)
    saving.join(timeout=60)
    assert isinstance(answered[0], requests.RequestException)  # no answer: the server died

    # The other server goes on serving her, and nothing of the save is stored.
    entry = lan.get(f"{b.url}/submissions/{submission}/", timeout=30)
    assert entry.status_code == 200
    assert figures(deploy_database, submission) == before
    assert audit_count(deploy_database, submission) == trail

    # The same save through the other server is stored whole.
    again = save(lan, b, submission)
    assert again.status_code == 200, again.text
    assert figures(deploy_database, submission) == FIGURES
    assert audit_count(deploy_database, submission) > trail


def _try(call, *args):
    try:
        return call(*args)
    except requests.RequestException as error:
        return error


def _kill_all(server: Server) -> None:
    """kill -9 the gunicorn master and its workers, as a failing machine would."""
    for pid in [server.process.pid, *children(server.process.pid)]:
        os.kill(pid, signal.SIGKILL)
    server.process.wait(timeout=30)
