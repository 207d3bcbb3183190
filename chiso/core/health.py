"""Whether the parts chiso depends on answer: the database, the cache and the storage.

`/readyz` asks each part something cheap that only a working part answers; `chiso check
--deploy` also writes to the cache and the storage and reads back. A part that fails
is named with the error it gave, never with a password (URLs are not repeated).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

PROBE_FOLDER = "health"


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_reads() -> None:
    # A read of a key nobody sets: a cache that is down raises, an empty one answers None.
    cache.get("chiso:readyz")


def storage_reads() -> None:
    """A listing of the storage's top folder (on S3: the bucket must exist and answer)."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage: one request, no listing
        bucket.meta.client.head_bucket(Bucket=default_storage.bucket_name)  # type: ignore[attr-defined]
        return
    location = getattr(default_storage, "location", None)
    if location is not None:
        from pathlib import Path

        folder = Path(location)
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise OSError(f"{folder} is not a folder")
        return
    default_storage.listdir("")


def cache_round_trip() -> None:
    key = f"chiso:check:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=60)
    found = cache.get(key)
    cache.delete(key)
    if found != "ok":
        raise RuntimeError("a value written to the cache was not read back")


def storage_round_trip() -> None:
    name = default_storage.save(
        f"{PROBE_FOLDER}/check-{uuid.uuid4().hex}", ContentFile(b"chiso check")
    )
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"chiso check":
                raise RuntimeError("a file written to the storage was not read back")
    finally:
        default_storage.delete(name)


READY: dict[str, Callable[[], Any]] = {
    "database": database,
    "cache": cache_reads,
    "storage": storage_reads,
}


def problems(checks: dict[str, Callable[[], Any]] = READY) -> dict[str, str]:
    """The parts that failed their check, each with what went wrong (in one line)."""
    found = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure of the part means it is not usable
            found[name] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]
    return found
