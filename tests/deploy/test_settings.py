"""Production reads its shared parts from the environment: PostgreSQL from DATABASE_URL,
Redis from CHISO_REDIS_URL (or REDIS_URL), the evidence bucket from CHISO_S3_*; without
them chiso runs as the demo does, on SQLite, its own memory cache and the local disk."""

from __future__ import annotations

import json

from tests.children import run_without_settings

SHOW = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_at": settings.CACHES["default"].get("LOCATION"),
    "sessions": settings.SESSION_ENGINE,
    "storage": type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
}))
"""


def settings_with(**environment: str) -> dict:
    done = run_without_settings(
        ["-c", SHOW], DJANGO_SETTINGS_MODULE="chiso.settings", **environment
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_without_settings_chiso_runs_as_the_demo_does():
    found = settings_with()
    assert found["database"] == "django.db.backends.sqlite3"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["storage"] == "FileSystemStorage"
    assert found["sessions"] == "django.contrib.sessions.backends.db"


def test_production_takes_postgresql_redis_and_the_bucket_from_the_environment():
    found = settings_with(
        DATABASE_URL="postgres://chiso@db.thanhhoa.internal:5432/chiso",
        CHISO_REDIS_URL="redis://cache.thanhhoa.internal:6379/0",
        CHISO_S3_BUCKET="chiso-evidence",
        CHISO_S3_ENDPOINT_URL="https://s3.thanhhoa.internal",
    )
    assert found["database"] == "django.db.backends.postgresql"
    assert found["health_checks"] is True
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["cache_at"] == "redis://cache.thanhhoa.internal:6379/0"
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["storage"] == "S3Storage"
    assert found["bucket"] == "chiso-evidence"
    assert found["endpoint"] == "https://s3.thanhhoa.internal"


def test_redis_url_is_read_when_chiso_has_no_own_setting():
    found = settings_with(REDIS_URL="redis://127.0.0.1:6379/2")
    assert found["cache_at"] == "redis://127.0.0.1:6379/2"
