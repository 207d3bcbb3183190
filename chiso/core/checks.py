"""chiso's own deployment checks, run by `chiso check --deploy` beside Django's.

Each failure is an Error with a stable id (chiso.E0xx) saying what to set: the secret
key, DEBUG, the allowed hosts, HTTPS, a database role that does not own the tables
(so that the running site cannot drop or alter them: migrations run as the owner), a
shared cache, and a cache and a storage that answer a write and a read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connection

from chiso.core import health

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "testserver"}


@register(Tags.security, deploy=True)
def settings_for_production(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from chiso.settings import DEV_SECRET_KEY

    found: list[Any] = []
    if not settings.PRODUCTION:
        found.append(Error("CHISO_ENV is not 'production'.", id="chiso.E001"))
    if settings.SECRET_KEY == DEV_SECRET_KEY or len(set(settings.SECRET_KEY)) < 20:
        found.append(
            Error(
                "The secret key is the development one or not random enough.",
                hint="Set CHISO_SECRET_KEY to a random value (deploy/chiso.env says how).",
                id="chiso.E002",
            )
        )
    if settings.DEBUG:
        found.append(Error("DEBUG is on.", hint="Unset CHISO_DEBUG.", id="chiso.E003"))
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts or not hosts - LOCAL_HOSTS:
        found.append(
            Error(
                f"The allowed hosts are {sorted(hosts)}: not the site's name.",
                hint="Set CHISO_ALLOWED_HOSTS to the site's host name(s).",
                id="chiso.E004",
            )
        )
    plain = [origin for origin in settings.CSRF_TRUSTED_ORIGINS if not origin.startswith("https:")]
    if not settings.SESSION_COOKIE_SECURE or not settings.CSRF_COOKIE_SECURE or plain:
        found.append(
            Error(
                "Cookies or trusted origins are not HTTPS-only"
                + (f" ({', '.join(plain)})" if plain else "")
                + ".",
                hint="Run with CHISO_ENV=production behind HTTPS; origins start with https://.",
                id="chiso.E005",
            )
        )
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        found.append(
            Error(
                "SECURE_PROXY_SSL_HEADER is not set: behind the proxy no request looks secure.",
                hint="CHISO_ENV=production sets it; the proxy sends X-Forwarded-Proto.",
                id="chiso.E006",
            )
        )
    return found


@register(Tags.database, deploy=True)
def database_role(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    """On PostgreSQL the site's role must not own chiso's tables (nor be a superuser)."""
    if connection.vendor != "postgresql":
        return [
            Warning(
                f"The database is {connection.vendor}: one server only, no shared database.",
                hint="Set DATABASE_URL to PostgreSQL for several app servers.",
                id="chiso.W001",
            )
        ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
                " count(*) FILTER (WHERE tableowner = current_user)"
                " FROM pg_tables WHERE schemaname = current_schema()"
            )
            role, superuser, owned = cursor.fetchone()
    except Exception as exc:  # the database does not answer: say so, once
        return [Error(f"The database does not answer: {exc}", id="chiso.E010")]
    if superuser or owned:
        what = "is a superuser" if superuser else f"owns {owned} of chiso's tables"
        return [
            Error(
                f"The database role {role!r} {what}: the site could drop or alter them.",
                hint="Run migrations as the owner; give the site's role only SELECT, INSERT, "
                "UPDATE, DELETE (README, Production).",
                id="chiso.E011",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def shared_parts(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    found: list[Any] = []
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("RedisCache"):
        found.append(
            Warning(
                "The cache is this process's own memory: servers do not share rate limits.",
                hint="Set CHISO_REDIS_URL.",
                id="chiso.W002",
            )
        )
    checks = {"cache": health.cache_round_trip, "storage": health.storage_round_trip}
    for part, problem in health.problems(checks).items():
        found.append(
            Error(
                f"The {part} does not answer a write and a read: {problem}",
                id="chiso.E020" if part == "cache" else "chiso.E021",
            )
        )
    return found
