"""Anh Tuấn's nightly `chiso backup` is enough to bring chiso back: restored into an
empty database and storage, every published version, figure, evidence file (byte for
byte) and audit entry is there as it was. A damaged archive is refused, naming the part
that fails its checksum, and nothing is restored."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tarfile
from itertools import count
from pathlib import Path

import psycopg
import pytest

from tests.children import run_without_settings
from tests.deploy.conftest import BUCKET, POSTGRES, _admin
from tests.deploy.world import digest
from tests.deploy.world import rows as world_rows

pytestmark = pytest.mark.deploy

COPIES = count(1)


def chiso(*arguments: str, **environment: str):
    return run_without_settings(["-m", "chiso.cli", *arguments], **environment)


def sqlite_state(environment: dict[str, str]) -> dict:
    """The rows of a SQLite installation and its evidence files' SHA-256, read directly."""
    path = environment["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        found = world_rows(connection.cursor())
    media = Path(environment["CHISO_MEDIA_ROOT"])
    found["evidence bytes"] = [
        digest((media / name).read_bytes()) for name in found["evidence files"]
    ]
    return found


def postgres_state(url: str, store, bucket: str) -> dict:
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        found = world_rows(cursor)
    s3 = store.client()
    found["evidence bytes"] = [
        digest(s3.get_object(Bucket=bucket, Key=name)["Body"].read())
        for name in found["evidence files"]
    ]
    return found


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory) -> dict[str, str]:
    """An installation as the demo runs: SQLite and the local disk."""
    folder = tmp_path_factory.mktemp("sqlite-world")
    environment = {
        "DATABASE_URL": f"sqlite:///{folder / 'chiso.sqlite3'}",
        "CHISO_MEDIA_ROOT": str(folder / "media"),
    }
    done = run_without_settings(["-m", "tests.deploy.world", "setup"], **environment)
    assert done.returncode == 0, done.stderr
    return environment


@pytest.fixture(scope="module")
def sqlite_archive(sqlite_world, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("backup") / "chiso.tar"
    made = chiso("backup", str(archive), **sqlite_world)
    assert made.returncode == 0, made.stderr
    assert "the sqlite database and 1 evidence files" in made.stdout
    return archive


def empty_sqlite(folder: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'restored.sqlite3'}",
        "CHISO_MEDIA_ROOT": str(folder / "restored-media"),
    }


def test_a_restore_on_sqlite_gives_back_everything(sqlite_world, sqlite_archive, tmp_path):
    target = empty_sqlite(tmp_path)
    restored = chiso("restore", str(sqlite_archive), **target)
    assert restored.returncode == 0, restored.stderr

    before = sqlite_state(sqlite_world)
    after = sqlite_state(target)
    assert after == before
    assert len(before["results_snapshot"]) == 2  # the publication and its revision
    assert len(before["evidence bytes"]) == 1 and before["assessments_auditentry"]


def test_a_damaged_archive_is_refused_naming_the_file_and_nothing_is_restored(
    sqlite_archive, tmp_path
):
    archive = tmp_path / "chiso.tar"
    shutil.copyfile(sqlite_archive, archive)
    with tarfile.open(archive) as opened:
        member = next(m for m in opened.getmembers() if m.name.startswith("evidence/"))
    data = bytearray(archive.read_bytes())
    data[member.offset_data + 10] ^= 0xFF  # one bit rot inside the PDF's bytes
    archive.write_bytes(bytes(data))

    target = empty_sqlite(tmp_path)
    refused = chiso("restore", str(archive), **target)
    assert refused.returncode != 0
    assert f"{member.name} does not match its checksum in the manifest" in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert not Path(target["CHISO_MEDIA_ROOT"], member.name).exists()
    assert not Path(target["DATABASE_URL"].removeprefix("sqlite:///")).exists()


def test_a_restore_refuses_a_database_that_is_not_empty(sqlite_world, sqlite_archive):
    refused = chiso("restore", str(sqlite_archive), **sqlite_world)
    assert refused.returncode != 0
    assert "restore goes into an empty database" in refused.stderr


def test_a_restore_on_postgresql_and_s3_gives_back_everything(
    deploy_database, object_store, tmp_path
):
    source = {"DATABASE_URL": deploy_database.owner_url, **object_store.environment()}
    archive = tmp_path / "chiso.tar"
    # The world's file, and any the other deploy tests of this run uploaded (the database
    # is the run's, and a worker of pytest-xdist may have run them first).
    files = len(postgres_state(deploy_database.owner_url, object_store, BUCKET)["evidence files"])
    made = chiso("backup", str(archive), **source)
    assert made.returncode == 0, made.stderr
    assert f"the postgresql database and {files} evidence files" in made.stdout

    name = f"{deploy_database.name}_restored_{next(COPIES)}"
    bucket = name.replace("_", "-")
    object_store.client().create_bucket(Bucket=bucket)
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}/{name}"
    try:
        target = {**source, "DATABASE_URL": url, "CHISO_S3_BUCKET": bucket}
        restored = chiso("restore", str(archive), **target)
        assert restored.returncode == 0, restored.stderr
        before = postgres_state(deploy_database.owner_url, object_store, BUCKET)
        after = postgres_state(url, object_store, bucket)
        assert after == before
        assert len(before["evidence bytes"]) == files >= 1 and len(before["results_snapshot"]) >= 2
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
