"""The real parts of a production deployment, for the tests of tests/deploy/:

- the machine's PostgreSQL (127.0.0.1:5432): a database of the test run's own,
  chiso_deploy_<pid>, migrated and filled by `tests.deploy.world setup` (evidence in the
  S3 server), with a role that does not own the tables (the README's grants), both
  dropped at the end;
- the machine's Redis (127.0.0.1:6379), database 2 (with pytest-xdist, 4 + the worker's
  number), emptied before and after;
- a real S3-protocol server, moto's standalone server, started on a free port with an
  `evidence` bucket.

Where PostgreSQL or Redis do not answer, the tests are skipped, saying so; but in CI
(CI set) or when DATABASE_URL is set, where both must be there, they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tests.children import ROOT
from tests.faults.pg_cluster import free_port
from tests.grants import documented_grants

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ... with pytest-xdist
REDIS_DB = 4 + int(_WORKER[2:]) if _WORKER.startswith("gw") else 2
BUCKET = "evidence"
# How long a server may take to start answering (seconds).
START_LIMIT = 60


def listening(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def require(part: str, address: tuple[str, int]) -> None:
    if listening(*address):
        return
    message = (
        f"{part} does not answer on {address[0]}:{address[1]}: the deployment tests need "
        "the machine's PostgreSQL and Redis"
    )
    if os.environ.get("CI") or os.environ.get("DATABASE_URL"):
        pytest.fail(message + " (CI or DATABASE_URL is set, so they must be there).")
    pytest.skip(message + ".")


def wait_for(address: tuple[str, int], process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_LIMIT
    while not listening(*address):
        if process.poll() is not None or time.monotonic() > deadline:
            out, err = process.communicate(timeout=5) if process.poll() is not None else ("", "")
            raise RuntimeError(f"{what} did not start:\n{out}\n{err}")
        time.sleep(0.1)


def stop(process: subprocess.Popen, quick: bool = False) -> None:
    """Stop a server we started: SIGTERM, or SIGQUIT (gunicorn's quick shutdown)."""
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT if quick else signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    require("Redis", REDIS)
    url = f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}"
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@dataclass
class ObjectStore:
    endpoint: str
    process: subprocess.Popen
    port: int

    def environment(self) -> dict[str, str]:
        return {
            "CHISO_S3_BUCKET": BUCKET,
            "CHISO_S3_ENDPOINT_URL": self.endpoint,
            "CHISO_S3_ACCESS_KEY": "chiso-test",
            "CHISO_S3_SECRET_KEY": "chiso-test-secret",
            "CHISO_S3_REGION": "us-east-1",
            "CHISO_S3_TIMEOUT": "3",
        }

    def client(self):  # noqa: ANN201 - boto3's generated client type
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="chiso-test",
            aws_secret_access_key="chiso-test-secret",
            region_name="us-east-1",
        )

    def stored_names(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listed.get("Contents", []))


def start_object_store() -> ObjectStore:
    """moto's standalone S3 server (in memory) on a free port, with the bucket made."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - moto's own server module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = ObjectStore(f"http://127.0.0.1:{port}", process, port)
    try:
        wait_for(("127.0.0.1", port), process, "moto's S3 server")
        store.client().create_bucket(Bucket=BUCKET)
    except BaseException:
        stop(process)
        raise
    return store


@pytest.fixture(scope="session")
def object_store() -> Iterator[ObjectStore]:
    store = start_object_store()
    yield store
    stop(store.process)


@dataclass
class Database:
    name: str
    owner_url: str  # the owner's (the machine's superuser): migrations, setup, checks
    app_url: str  # the role chiso's servers run as: rows only, no tables

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.owner_url, autocommit=True)


def _admin() -> psycopg.Connection:
    return psycopg.connect(
        host=POSTGRES[0], port=POSTGRES[1], user="postgres", dbname="postgres", autocommit=True
    )


@pytest.fixture(scope="session")
def deploy_database(object_store: ObjectStore) -> Iterator[Database]:
    require("PostgreSQL", POSTGRES)
    require("Redis", REDIS)
    name = f"chiso_deploy_{os.getpid()}"
    role = f"{name}_app"
    base = f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}/{name}"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            admin.execute(f'DROP ROLE "{role}"')
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    database = Database(name, base, f"postgres://{role}@{POSTGRES[0]}:{POSTGRES[1]}/{name}")
    try:
        setup = world(base, object_store, "setup")
        assert setup.returncode == 0, setup.stderr
        with database.connect() as connection:
            for statement in documented_grants(f'"{role}"', '"postgres"'):
                connection.execute(statement)
        yield database
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def world(database_url: str, store: ObjectStore | None, role: str, **more: str):
    """`python -m tests.deploy.world role` on that database and storage (finished)."""
    from tests.children import run_without_settings

    environment = {"DATABASE_URL": database_url, **(store.environment() if store else {}), **more}
    return run_without_settings(["-m", "tests.deploy.world", role], **environment)
