"""chiso's app servers as deploy/chiso.service starts them (gunicorn), for the tests that
need real ones, and the requests a person's browser makes to them."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.children import ROOT
from tests.deploy.conftest import stop, wait_for
from tests.people import PASSWORD

UNIT = ROOT / "deploy" / "chiso.service"


def gunicorn_command(port: int, workers: int, app: str = "chiso.wsgi:application") -> list[str]:
    """deploy/chiso.service's ExecStart, with this test's port, worker count and app."""
    text = UNIT.read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    words = shlex.split(line.removeprefix("ExecStart="))
    assert words[0].endswith("/gunicorn")
    words = [str(word) for word in words[1:]]
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    words[words.index("--workers") + 1] = str(workers)
    words[words.index("chiso.wsgi:application")] = app
    return [sys.executable, "-m", "gunicorn", *words]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path
    media: Path

    def wait(self) -> None:
        wait_for(("127.0.0.1", int(self.url.rsplit(":", 1)[1])), self.process, "gunicorn")

    def stop(self) -> None:
        stop(self.process, quick=True)

    def lines(self) -> list[dict]:
        """The JSON lines of chiso's request log so far."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                found.append(json.loads(line))
        return found


def start_server(
    env: dict[str, str],
    port: int,
    folder: Path,
    media: Path,
    workers: int = 2,
    app: str = "chiso.wsgi:application",
) -> Server:
    """gunicorn on `port` with `env`, its output in folder/server.log (not waited for)."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - gunicorn as the unit starts it
            gunicorn_command(port, workers, app),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return Server(f"http://127.0.0.1:{port}", process, log, media)


def logged_in(server: Server, username: str, password: str = PASSWORD) -> requests.Session:
    browser = requests.Session()
    response = post_login(browser, server, username, password)
    assert response.status_code == 302, response.text[:500]
    return browser


def post_login(
    browser: requests.Session, server: Server, username: str, password: str
) -> requests.Response:
    browser.get(f"{server.url}/accounts/login/", timeout=30)
    return browser.post(
        f"{server.url}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
