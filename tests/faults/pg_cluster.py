"""A PostgreSQL cluster of a test's own, to crash and restart: never the machine's server.

    cluster = Cluster.create()      initdb in a temporary folder, started on a free port
    cluster.url("chiso")            the DATABASE_URL a child process connects with
    cluster.crash()                 kill -9 the postmaster; returns once every process is gone
    cluster.start()                 start again (PostgreSQL recovers from its WAL)
    cluster.destroy()               stop (immediate) and remove the folder, whatever state

The binaries are Debian's (/usr/lib/postgresql/<version>/bin, package postgresql-<version>),
the newest version found. As root, the server runs as the `postgres` OS user (PostgreSQL
refuses to run as root); the folder then belongs to it. The server listens on 127.0.0.1
and on a unix socket inside the folder, with `trust` for local connections only.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

BINARIES = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
# How long the server may take to start, stop, or go away after a kill (seconds).
WAIT = 30


def binaries() -> Path:
    """The bin folder of the newest PostgreSQL installed; an error saying what to install."""
    found = sorted(
        (path.parent for path in BINARIES.glob("*/bin/pg_ctl")),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path.parent.name)],
    )
    if not found:
        raise RuntimeError(
            f"No PostgreSQL server binaries under {BINARIES}/<version>/bin: these tests "
            "start a cluster of their own; install them (Debian: apt-get install postgresql-15)."
        )
    return found[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    # A killed child not yet reaped by its parent is a zombie: gone for our purpose.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the postmaster's backends and helpers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().split(") ", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


class Cluster:
    """One initdb'ed cluster in a temporary folder (data, socket and log inside it)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "server.log"
        self.port = port
        self.bin = binaries()
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(cls) -> Cluster:
        bin_folder = binaries()  # fail before making anything when they are missing
        folder = Path(tempfile.mkdtemp(prefix="chiso-pg-"))
        cluster = cls(folder, free_port())
        try:
            if os.geteuid() == 0:
                account = pwd.getpwnam(SERVER_USER)
                os.chown(folder, account.pw_uid, account.pw_gid)
            cluster._run(
                str(bin_folder / "initdb"),
                "--pgdata",
                str(cluster.data),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-locale",
                # Small WAL files: the tests write a few megabytes, not the default 16 a file.
                "--wal-segsize=1",
                # Not waiting for the disk only matters if the machine itself fails.
                "--no-sync",
            )
            cluster.start()
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """A PostgreSQL program, as the server's OS user when we are root."""
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, our arguments
            [*self._as_server(), *command],
            capture_output=True,
            text=True,
            timeout=WAIT * 2,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}\n{self.tail()}"
            )
        return done

    @staticmethod
    def _as_server() -> list[str]:
        """The prefix that runs a command as the server's OS user (when we are root)."""
        return ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []

    def start(self) -> None:
        """Start the server and wait until it takes connections (after recovery, if any).

        The postmaster is this process's child (through runuser as root), not pg_ctl's
        orphan: once killed it is reaped here at once. An orphan waits for the machine's
        init to reap it, and PostgreSQL will not start while the process named in its lock
        file (even a zombie) exists."""
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.folder),
            # A killed server loses nothing the kernel holds; fsync guards against the
            # machine's own crash, which these tests do not play.
            "fsync": "off",
            "max_connections": "20",
            "min_wal_size": "4MB",
            "shared_buffers": "16MB",
        }
        settings = [f"--{name}={value}" for name, value in options.items()]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - PostgreSQL's server, our settings
                [*self._as_server(), str(self.bin / "postgres"), "-D", str(self.data), *settings],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + WAIT
        while True:
            try:
                self.connect().close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start:\n{self.tail()}") from None
                time.sleep(0.05)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def crash(self) -> None:
        """kill -9 the postmaster, as the OOM killer or a failing machine would; returns when
        it is gone and its backends (which notice its death on their own) too, so it can
        start again."""
        assert self.process is not None, "the server is not running"
        postmaster = self.postmaster()
        backends = children(postmaster)
        os.kill(postmaster, signal.SIGKILL)
        self.process.wait(timeout=WAIT)
        deadline = time.monotonic() + WAIT
        while any(alive(pid) for pid in backends):
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL backends still alive {WAIT} s after the kill")
            time.sleep(0.02)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", **options: Any) -> psycopg.Connection:
        """A connection that reads times in UTC, as Django's connections do."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=database,
            options="-c TimeZone=UTC",
            **options,
        )

    def destroy(self) -> None:
        """Stop the server however it is (never waits for clients) and remove the folder."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run(str(self.bin / "pg_ctl"), "stop", "-m", "immediate", "-D", str(self.data))
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError, ValueError):
                    os.kill(self.postmaster(), signal.SIGKILL)
                self.process.kill()
                self.process.wait(timeout=WAIT)
        shutil.rmtree(self.folder, ignore_errors=True)
