"""A test's helper script run as a process of its own, on the database the test chooses:
each process has its own connection, as two server workers (or a server that dies
under one) would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def script(module: str, database_url: str, *arguments: str) -> subprocess.Popen[str]:
    """`python -m module arguments` from the repository's root with DATABASE_URL set,
    its output and errors piped as text."""
    environment = {**os.environ, "DATABASE_URL": database_url}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.Popen(  # noqa: S603 - our own script, our own arguments
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def without_settings(**environment: str) -> dict[str, str]:
    """This process's environment without chiso's settings (CHISO_*, DATABASE_URL,
    REDIS_URL) and without what the browser tests set for themselves (Playwright's
    DJANGO_ALLOW_ASYNC_UNSAFE, which Django's deploy checks refuse), with `environment`
    added."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("CHISO_", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS", "DJANGO_ALLOW_ASYNC")
        )
    }
    return {**clean, **environment}


def run_without_settings(arguments: list[str], **environment: str) -> subprocess.CompletedProcess:
    """`python arguments` from the repository's root, `without_settings(environment)`;
    waits for it."""
    return subprocess.run(  # noqa: S603 - our own interpreter, our own arguments
        [sys.executable, *arguments],
        cwd=ROOT,
        env=without_settings(**environment),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 now, for a server of the test's own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
