"""`chiso backup` and `chiso restore`: the database and the evidence files in one archive.

The archive is a tar file:

    database.pgdump     pg_dump's custom format (PostgreSQL), or
    database.sqlite3    a copy made with SQLite's backup API (consistent while in use)
    evidence/...        every evidence file, under its storage name (its SHA-256)
    MANIFEST.json       last: the format, the database kind, and each member's size and
                        SHA-256

A backup is written to ARCHIVE.partial beside ARCHIVE and renamed when whole: a full
disk, a storage or a database that fails leaves no archive (and no .partial). A restore
reads the whole archive against its manifest before it writes anything, refuses a
damaged archive naming the member that failed, and goes only into an empty database:
the tables come from the archive, not from `migrate`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection

FORMAT = "chiso-backup"
VERSION = 1
MANIFEST = "MANIFEST.json"
PG_DUMP = "database.pgdump"
SQLITE = "database.sqlite3"
EVIDENCE = re.compile(r"^evidence/[0-9a-f]{2}/[0-9a-f]{64}$")
CHUNK = 1024 * 1024
# pg_dump and pg_restore of a province's database (seconds).
PG_LIMIT = 3600


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, for the operator."""


class _Hashing:
    """A file object that hashes (and counts) what is read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """The connection arguments and environment of pg_dump / pg_restore for Django's DB."""
    db = connection.settings_dict
    arguments = ["--dbname", db["NAME"], "--no-password"]
    if db.get("HOST"):
        arguments += ["--host", db["HOST"]]
    if db.get("PORT"):
        arguments += ["--port", str(db["PORT"])]
    if db.get("USER"):
        arguments += ["--username", db["USER"]]
    environment = {**os.environ}
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = db["PASSWORD"]
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, our arguments
            command, env=environment, capture_output=True, text=True, timeout=PG_LIMIT
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> tuple[str, Path]:
    """The database, dumped into `folder`: (member name, file)."""
    if connection.vendor == "postgresql":
        target = folder / PG_DUMP
        arguments, environment = _pg_environment()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", "--file", str(target)]
            + arguments,
            environment,
        )
        return PG_DUMP, target
    if connection.vendor == "sqlite":
        target = folder / SQLITE
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The backup API copies a consistent state even while others write.
            connection.connection.backup(copy)
        finally:
            copy.close()
        return SQLITE, target
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def _evidence_names() -> list[str]:
    from chiso.assessments.models import Evidence

    return sorted(set(Evidence.objects.values_list("file", flat=True)))


def _add(archive: tarfile.TarFile, name: str, stream: IO[bytes], size: int) -> str:
    """Add `size` bytes of `stream` as member `name`; returns their SHA-256."""
    hashing = _Hashing(stream)
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, hashing)  # type: ignore[arg-type]
    if hashing.size != size:
        raise BackupError(f"{name}: {hashing.size} bytes read where {size} were expected.")
    return hashing.digest.hexdigest()


def backup(path: Path) -> dict[str, Any]:
    """Write the archive at `path` (see the module); returns its manifest."""
    path = path.resolve()
    if path.exists():
        raise BackupError(f"{path} exists already: a backup never overwrites one.")
    partial = path.with_name(path.name + ".partial")
    files: dict[str, dict[str, Any]] = {}
    try:
        # The dump is written beside the archive (the same disk, which must hold both).
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".chiso-backup-") as work:
            member, dumped = _dump_database(Path(work))
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                with dumped.open("rb") as stream:
                    size = dumped.stat().st_size
                    files[member] = {"size": size, "sha256": _add(archive, member, stream, size)}
                dumped.unlink()
                for name in _evidence_names():
                    with default_storage.open(name, "rb") as stream:
                        size = default_storage.size(name)
                        files[name] = {"size": size, "sha256": _add(archive, name, stream, size)}
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "database": connection.vendor,
                    "files": files,
                }
                text = json.dumps(manifest, indent=1, sort_keys=True).encode()
                _add(archive, MANIFEST, io.BytesIO(text), len(text))
            with partial.open("rb+") as written:
                os.fsync(written.fileno())
        os.replace(partial, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        if isinstance(error, OSError):
            raise BackupError(
                f"Writing {path} failed ({error.strerror or error}): no archive was written."
            ) from error
        if isinstance(error, BackupError | KeyboardInterrupt | SystemExit):
            raise
        raise BackupError(f"The backup failed ({error}): no archive was written.") from error
    return manifest


@contextlib.contextmanager
def _open(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(path, "r:") as archive:
            yield archive
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(f"{path} is not a chiso backup archive ({error}).") from error
    except OSError as error:
        raise BackupError(f"{path} cannot be read ({error.strerror or error}).") from error


def _manifest(path: Path, archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        stream = archive.extractfile(member)
        assert stream is not None
        manifest = json.loads(stream.read())
    except (KeyError, AssertionError):
        raise BackupError(f"{path}: the archive has no {MANIFEST}: damaged.") from None
    except ValueError as error:
        raise BackupError(f"{path}: {MANIFEST} cannot be read ({error}): damaged.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{path}: not a chiso backup of version {VERSION}.")
    return manifest  # type: ignore[no-any-return]


def verify(path: Path) -> dict[str, Any]:
    """The manifest, once every member was read whole and matches it; BackupError naming
    the first member that does not (or is missing, or is not listed)."""
    with _open(path) as archive:
        manifest = _manifest(path, archive)
        files: dict[str, dict[str, Any]] = manifest["files"]
        seen = set()
        for member in archive:
            if member.name == MANIFEST:
                continue
            expected = files.get(member.name)
            if expected is None or not member.isfile():
                raise BackupError(f"{path}: {member.name} is not in the manifest: damaged.")
            if member.name not in (PG_DUMP, SQLITE) and not EVIDENCE.match(member.name):
                raise BackupError(f"{path}: {member.name} is not a name a backup writes.")
            stream = archive.extractfile(member)
            assert stream is not None
            hashing = _Hashing(stream)
            while hashing.read(CHUNK):
                pass
            if hashing.size != expected["size"] or hashing.digest.hexdigest() != expected["sha256"]:
                raise BackupError(
                    f"{path}: {member.name} does not match its checksum in the manifest: "
                    "the archive is damaged; nothing was restored."
                )
            seen.add(member.name)
    missing = sorted(set(files) - seen)
    if missing:
        raise BackupError(f"{path}: {missing[0]} is missing from the archive: damaged.")
    return manifest


def _check_empty() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database already has {len(tables)} tables: restore goes into an empty "
            "database (create a new one, or drop this one's tables first)."
        )


def restore(path: Path) -> dict[str, Any]:
    """Restore the archive at `path` into this (empty) instance; returns its manifest."""
    path = path.resolve()
    manifest = verify(path)
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"{path} holds a {manifest['database']} database; this instance uses "
            f"{connection.vendor}."
        )
    _check_empty()
    present = [name for name in manifest["files"] if EVIDENCE.match(name)]
    clash = next((name for name in present if default_storage.exists(name)), None)
    if clash is not None:
        raise BackupError(f"The storage already holds {clash}: restore goes into an empty one.")
    with _open(path) as archive:
        for member in archive:
            stream = archive.extractfile(member)
            if stream is None or member.name == MANIFEST:
                continue
            if member.name == PG_DUMP:
                _restore_postgresql(stream)
            elif member.name == SQLITE:
                _restore_sqlite(stream)
            else:
                stored = default_storage.save(member.name, File(stream, name=member.name))
                if stored != member.name:
                    raise BackupError(f"{member.name} was stored as {stored}.")
    return manifest


def _restore_postgresql(stream: IO[bytes]) -> None:
    arguments, environment = _pg_environment()
    with tempfile.NamedTemporaryFile(prefix="chiso-restore-", suffix=".pgdump") as dump:
        shutil.copyfileobj(stream, dump, CHUNK)
        dump.flush()
        connection.close()
        _run(
            ["pg_restore", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"]
            + arguments
            + [dump.name],
            environment,
        )


def _restore_sqlite(stream: IO[bytes]) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    partial = target.with_name(target.name + ".restoring")
    try:
        with partial.open("wb") as copy:
            shutil.copyfileobj(stream, copy, CHUNK)
            copy.flush()
            os.fsync(copy.fileno())
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
