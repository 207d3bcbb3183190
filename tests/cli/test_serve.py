"""`chiso serve`, what `make demo` runs, on the demo's file-based SQLite database: in the
November rush 216 people (166 commune officers, 50 readers) open it at the same moment,
and a slow phone network keeps hundreds of connections open. Every one of them gets its
page, no error, and the server uses every core of the machine."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.children import free_port

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 216
OPEN_CONNECTIONS = 500


def get(port: int, path: str, timeout: float = 60) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent's id is the 2nd field after the command's closing parenthesis.
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'chiso.sqlite3'}",
        "CHISO_MEDIA_ROOT": str(folder / "media"),
        "CHISO_STATIC_ROOT": str(folder / "static"),
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "chiso.cli", "migrate", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=300,
    )
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "chiso.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # It collects the static files first (gzip copies of each): a while on a busy machine.
    deadline = time.monotonic() + 240
    while True:
        try:
            if get(port, "/accounts/login/", timeout=5) == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("chiso serve did not answer: " + process.communicate()[1][-2000:])
        time.sleep(0.3)
    yield port, process
    process.terminate()
    process.wait(timeout=30)


def test_chiso_serve_runs_a_worker_process_on_every_core(server):
    port, process = server
    # The workers start one after another, and on a loaded machine one may still be
    # booting (or be started again) when the first answers: the count settles.
    deadline = time.monotonic() + 60
    while len(children := children_of(process.pid)) != os.cpu_count():
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(children) == os.cpu_count()


def test_216_people_opening_chiso_at_once_all_get_their_page(server):
    port, _ = server
    paths = ["/accounts/login/", "/data/", "/api/v1/periods", "/"]
    start = threading.Barrier(CLIENTS)

    def person(number: int) -> int:
        start.wait()
        return get(port, paths[number % len(paths)])

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(person, range(CLIENTS)))

    assert answers.count(200) == CLIENTS, sorted(set(answers))


def test_500_open_connections_do_not_keep_the_next_person_waiting(server):
    port, _ = server

    def browser(_: int) -> http.client.HTTPConnection:
        # A browser keeps its connection open after a page, for the next one.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        return connection

    with ThreadPoolExecutor(50) as pool:
        browsers = list(pool.map(browser, range(OPEN_CONNECTIONS)))
    try:
        started = time.monotonic()
        assert get(port, "/accounts/login/", timeout=20) == 200
        assert time.monotonic() - started < 5
        # Each of the 500 is still open and answers its browser's next page.
        for connection in browsers:
            connection.request("GET", "/data/")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
    finally:
        for connection in browsers:
            connection.close()
