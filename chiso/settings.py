"""The one settings module of chiso, read from the environment.

CHISO_ENV=production turns on the production checks: no DEBUG, a real secret key,
secure cookies. Everything else has a default that runs the demo on SQLite.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "chiso-development-key-not-for-production"  # noqa: S105


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


ENVIRONMENT = os.environ.get("CHISO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
# Off unless asked for: the demo runs the way production does (set CHISO_DEBUG=1 to develop).
DEBUG = envbool("CHISO_DEBUG", False)
SECRET_KEY = os.environ.get("CHISO_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = envlist("CHISO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CHISO_CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    # Refuse to start rather than run an insecure production server.
    if DEBUG:
        raise ImproperlyConfigured("CHISO_DEBUG must be off when CHISO_ENV=production.")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "Set CHISO_SECRET_KEY to a random value of at least 32 characters in production."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_prometheus",
    "chiso.core",
    "chiso.units",
    "chiso.frameworks",
    "chiso.accounts",
    "chiso.assessments",
    "chiso.results",
    "chiso.leadership",
    "chiso.api",
    # Only for the API documentation page: Swagger UI from its static files, not a CDN.
    "ninja",
]

MIDDLEWARE = [
    # First and last: Prometheus' request counts and latencies (served at /metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # One JSON line per request on the `chiso.requests` logger (chiso/core/requestlog.py).
    "chiso.core.requestlog.RequestLogMiddleware",
    # Pages gzipped, except those carrying a secret besides the masked CSRF token
    # (chiso/core/middleware.py: BREACH).
    "chiso.core.middleware.PageGZipMiddleware",
    # Gzip, ETag/304 and JSON errors for /api/ and /data/ only (chiso/api/http.py).
    "chiso.api.http.ApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chiso.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chiso.core.middleware.ContentSecurityPolicyMiddleware",
    "chiso.core.middleware.PrivatePagesMiddleware",
    "chiso.core.middleware.ForbiddenMiddleware",
    # Last: turns a locked-out login (on the site's and the admin's form) into chiso's page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Failed logins are counted by django-axes in the database (a restart or a second
# process does not forget them), by chiso's handler (chiso/accounts/lockout.py): a
# browser the person logged in from before counts only its own failures, so nobody at
# the same office address can lock the owner out of it; any other browser is locked
# for a user name after CHISO_LOGIN_MAX_FAILURES failures from its address, or after
# CHISO_LOGIN_ACCOUNT_MAX_FAILURES from all addresses together (one account guessed
# from many addresses). Every lock ends CHISO_LOGIN_WINDOW_SECONDS after the failure
# that set it. The backend first refuses a locked login on every form.
AUTHENTICATION_BACKENDS = [
    "chiso.accounts.ratelimit.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
CHISO_LOGIN_MAX_FAILURES = envint("CHISO_LOGIN_MAX_FAILURES", 5)
CHISO_LOGIN_ACCOUNT_MAX_FAILURES = envint("CHISO_LOGIN_ACCOUNT_MAX_FAILURES", 10)
CHISO_LOGIN_WINDOW_SECONDS = envint("CHISO_LOGIN_WINDOW_SECONDS", 15 * 60)
# Password checks a worker process queues at most; a login beyond them is asked to come
# back in a few seconds, and its page does so by itself (chiso/accounts/hashers.py).
CHISO_LOGIN_QUEUE = envint("CHISO_LOGIN_QUEUE", 2)
AXES_HANDLER = "chiso.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = CHISO_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(seconds=CHISO_LOGIN_WINDOW_SECONDS)
# Axes' own default; chiso's handler decides what counts and what a success clears.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The window starts at the failures, not at the last try while locked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# User names differing only in case count as one.
AXES_USERNAME_CALLABLE = "chiso.accounts.views.login_name"
AXES_LOCKOUT_CALLABLE = "chiso.accounts.views.locked_out"
# REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
# Password-reset requests allowed per hour from one address and for one email address.
CHISO_RESET_PER_ADDRESS = envint("CHISO_RESET_PER_ADDRESS", 5)
CHISO_RESET_PER_EMAIL = envint("CHISO_RESET_PER_EMAIL", 3)

ROOT_URLCONF = "chiso.urls"
WSGI_APPLICATION = "chiso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chiso" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chiso.core.context_processors.navigation",
            ],
        },
    },
    # The entry page's long lists (chiso/lib/jinja.py); templates in <app>/jinja2/.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "chiso.lib.jinja.environment"},
    },
]


def database(url: str) -> dict[str, Any]:
    """The database settings for a URL. On SQLite a second writer waits for the first
    (busy timeout, seconds) and every transaction takes the write lock when it begins
    (IMMEDIATE), so two saves at once give the 409 page, never "database is locked"."""
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=envint("CHISO_DB_CONN_MAX_AGE", 60),
            # A connection kept from an earlier request is tested first: after PostgreSQL
            # restarts, the next request reconnects instead of failing.
            conn_health_checks=True,
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "timeout": envint("CHISO_SQLITE_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {
    "default": database(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'chiso.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's recommended PBKDF2-SHA256, one check at a time a process (chiso/accounts/hashers.py:
# it reads and writes Django's pbkdf2_sha256 hashes, so Django's class is not listed);
# then Django's other hashers, to read hashes made by them.
PASSWORD_HASHERS = [
    "chiso.accounts.hashers.QueuedPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "chiso" / "locale"]
# Django's Vietnamese short date is 23-11-2026; pages write 23/11/2026.
FORMAT_MODULE_PATH = ["chiso.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("CHISO_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "chiso" / "static"]
# WhiteNoise serves from the finders too; an empty folder keeps it from warning before
# collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("CHISO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, gzip copies and a year's caching once collected (chiso/core/staticfiles.py).
    "staticfiles": {"BACKEND": "chiso.core.staticfiles.StaticStorage"},
}
# Evidence on S3-compatible object storage (MinIO, Ceph, a cloud's) when a bucket is
# named, so that every app server reads the files any of them stored.
CHISO_S3_BUCKET = os.environ.get("CHISO_S3_BUCKET", "")
if CHISO_S3_BUCKET:
    from botocore.config import Config as S3Config

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CHISO_S3_BUCKET,
            "endpoint_url": os.environ.get("CHISO_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("CHISO_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("CHISO_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("CHISO_S3_REGION") or None,
            # Self-hosted servers (MinIO, Ceph) name the bucket in the path.
            "addressing_style": os.environ.get("CHISO_S3_ADDRESSING_STYLE", "path"),
            "location": os.environ.get("CHISO_S3_PREFIX", ""),
            "default_acl": None,
            # Files go out through chiso's own view, which checks access first.
            "querystring_auth": False,
            # A stopped server is an error within seconds, not after a minute of retries.
            "client_config": S3Config(
                connect_timeout=envint("CHISO_S3_TIMEOUT", 5),
                read_timeout=envint("CHISO_S3_TIMEOUT", 5),
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        },
    }

# The cache shared by every app server when Redis is named (Django's own RedisCache):
# the password-reset and API rate limits and the published answers. Without it each
# process has its own memory cache (the demo's single process). Sessions are in the
# database either way.
CHISO_REDIS_URL = os.environ.get("CHISO_REDIS_URL") or os.environ.get("REDIS_URL", "")
if CHISO_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CHISO_REDIS_URL,
            "KEY_PREFIX": "chiso",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
WHITENOISE_USE_FINDERS = True

# Requests a minute an anonymous client (one address) may make to the API; 0: no limit.
CHISO_API_ANON_RATE = envint("CHISO_API_ANON_RATE", 120)

# The PEM file of the certificate authorities whose signatures on the decision's annex
# are trusted (Ban Cơ yếu Chính phủ's in production). Unset: no signed copy is accepted.
CHISO_SIGNING_ROOTS = os.environ.get("CHISO_SIGNING_ROOTS", "")

# Evidence uploads: the largest file accepted, in megabytes.
CHISO_MAX_UPLOAD_MB = envint("CHISO_MAX_UPLOAD_MB", 20)
# Framework uploads: the largest YAML file accepted, in kilobytes. The largest shipped
# file is 75 KB; the engine itself refuses anything over 2,000 KB.
CHISO_MAX_FRAMEWORK_KB = envint("CHISO_MAX_FRAMEWORK_KB", 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "CHISO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CHISO_FROM_EMAIL", "chiso@localhost")
# The address of the site, for links in emails (no request to take it from).
CHISO_SITE_URL = os.environ.get("CHISO_SITE_URL", "http://localhost:8000").rstrip("/")

# Days an officer gets to answer when a submission is returned or reopened (at least
# until the period closes), and how many days before a deadline the reminder goes out.
CHISO_RESPONSE_DAYS = envint("CHISO_RESPONSE_DAYS", 7)
CHISO_REMINDER_DAYS = envint("CHISO_REMINDER_DAYS", 3)

SESSION_COOKIE_AGE = envint("CHISO_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("CHISO_SESSION_BROWSER_CLOSE", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The content security policy: only chiso's own files, no inline scripts or styles.
CHISO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
if PRODUCTION:
    # Plain HTTP is sent to HTTPS (the proxy says which it was: X-Forwarded-Proto); the
    # probes and the metrics, asked for on the machine itself, stay plain.
    SECURE_SSL_REDIRECT = envbool("CHISO_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = envint("CHISO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Browsers' preload list binds every subdomain of the site's domain to HTTPS for
    # good: the province's decision (CHISO_HSTS_PRELOAD=1), so `check --deploy` does not
    # ask for it (Django's security.W021).
    SECURE_HSTS_PRELOAD = envbool("CHISO_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Prometheus metrics at /metrics: for a scraper on the machine itself, or anywhere with
# this token (Authorization: Bearer ...). With several gunicorn workers, set
# PROMETHEUS_MULTIPROC_DIR to an empty folder so the figures of every worker add up.
CHISO_METRICS_TOKEN = os.environ.get("CHISO_METRICS_TOKEN", "")
PROMETHEUS_EXPORT_MIGRATIONS = False

# Logs go to standard error (journald keeps them under systemd). In production every
# request is one JSON line on `chiso.requests` (request id, user id, status, duration);
# CHISO_REQUEST_LOG=0 turns it off, =1 turns it on elsewhere.
CHISO_REQUEST_LOG = envbool("CHISO_REQUEST_LOG", PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "chiso.core.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {
        "handlers": ["json" if PRODUCTION else "console"],
        "level": os.environ.get("CHISO_LOG_LEVEL", "WARNING"),
    },
    "loggers": {
        "chiso.requests": {
            "handlers": ["json"],
            "level": "INFO" if CHISO_REQUEST_LOG else "WARNING",
            "propagate": False,
        },
    },
}
