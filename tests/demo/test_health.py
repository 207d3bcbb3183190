"""/healthz says the process is alive; /readyz says whether the database, the cache and
the storage answer, and names those that do not (503) -- a load balancer's questions."""

from django.db.utils import OperationalError
from django.test import override_settings

from tests.faults.pg_cluster import free_port


def test_health_says_alive_whatever_the_parts_do(client, db):
    with override_settings(CACHES={"default": redis_at(free_port())}):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_ready_when_the_database_cache_and_storage_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def not_ready(client) -> dict[str, str]:
    """The parts /readyz names as down (it must answer 503)."""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    return response.json()["down"]


def redis_at(port: int) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/2",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def test_not_ready_naming_the_cache_when_redis_does_not_answer(client, db):
    # Nothing listens there (the cache is put back before the suite's own cleanup).
    with override_settings(CACHES={"default": redis_at(free_port())}):
        down = not_ready(client)
    assert list(down) == ["cache"]
    assert "ConnectionError" in down["cache"]


def test_not_ready_naming_the_storage_when_the_object_store_is_stopped(client, db, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "evidence",
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "access_key": "chiso",
                "secret_key": "chiso-secret",
                "region_name": "us-east-1",
            },
        },
    }
    down = not_ready(client)
    assert list(down) == ["storage"]
    assert "127.0.0.1" in down["storage"]


def test_not_ready_naming_the_database_when_it_fails(client, db, monkeypatch):
    from chiso.core import health

    def refused() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.READY, "database", refused)
    assert not_ready(client) == {"database": "OperationalError: connection refused"}


def test_the_browser_finds_a_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
