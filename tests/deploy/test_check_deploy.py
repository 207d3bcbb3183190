"""`chiso check --deploy` tells the province's IT office whether an installation is fit
for production; it exits 1 naming each problem, 0 with "Ready for production."."""

from __future__ import annotations

import subprocess

import pytest

from tests.children import run_without_settings
from tests.faults.pg_cluster import free_port

pytestmark = pytest.mark.deploy

SECRET = "Qm7vT2xK9pLr4NcW8sYd3HfJ6gBz1aEu5oVi0RtXnMkPqLwS-c4Ge8hUy2jAo7"


def check_deploy(**environment: str) -> subprocess.CompletedProcess[str]:
    return run_without_settings(["-m", "chiso.cli", "check", "--deploy"], **environment)


def production(database, redis_url, object_store, media) -> dict[str, str]:
    return {
        "CHISO_ENV": "production",
        "CHISO_SECRET_KEY": SECRET,
        "CHISO_ALLOWED_HOSTS": "chiso.thanhhoa.gov.vn",
        "CHISO_CSRF_TRUSTED_ORIGINS": "https://chiso.thanhhoa.gov.vn",
        "CHISO_SITE_URL": "https://chiso.thanhhoa.gov.vn",
        "DATABASE_URL": database.app_url,
        "CHISO_REDIS_URL": redis_url,
        "CHISO_MEDIA_ROOT": str(media),
        **object_store.environment(),
    }


def test_the_demo_settings_are_not_fit_for_production(tmp_path):
    done = check_deploy(CHISO_MEDIA_ROOT=str(tmp_path))
    assert done.returncode == 1
    for problem in ("chiso.E001", "chiso.E002", "chiso.E004", "chiso.E005", "chiso.W001"):
        assert problem in done.stderr
    assert "Ready for production" not in done.stdout


def test_a_production_installation_on_postgresql_redis_and_s3_is_ready(
    deploy_database, redis_url, object_store, tmp_path
):
    done = check_deploy(**production(deploy_database, redis_url, object_store, tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Ready for production." in done.stdout
    # The storage check wrote, read and removed its file.
    assert not [name for name in object_store.stored_names() if name.startswith("health/")]


def test_the_owner_of_the_tables_a_cache_down_and_a_missing_bucket_are_failures(
    deploy_database, redis_url, object_store, tmp_path
):
    environment = production(deploy_database, redis_url, object_store, tmp_path)
    environment["DATABASE_URL"] = deploy_database.owner_url  # the superuser who migrated
    environment["CHISO_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/2"  # nobody there
    environment["CHISO_S3_BUCKET"] = "no-such-bucket"
    done = check_deploy(**environment)
    assert done.returncode == 1
    assert "(chiso.E011) The database role 'postgres' is a superuser" in done.stderr
    assert "(chiso.E020) The cache does not answer a write and a read" in done.stderr
    assert "(chiso.E021) The storage does not answer a write and a read" in done.stderr
    assert "NoSuchBucket" in done.stderr
