"""Too many failed logins for one user name from one address: refuse for a while.

Failures are counted in Django's cache per (user name, client address) for
CHISO_LOGIN_WINDOW_SECONDS; at CHISO_LOGIN_MAX_FAILURES the backend refuses even the
right password until the window has passed, on every login form (the site's and the
admin's), and the login page says why. A successful login clears the count.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it, so trusting it would let anyone pick a fresh address per attempt.
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-") or "-"


def _key(username: str, address: str) -> str:
    raw = f"{(username or '').strip().lower()}|{address}"
    return "chiso:login-failures:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def failures(username: str, request: HttpRequest | None) -> int:
    return int(cache.get(_key(username, client_address(request)), 0))


def is_locked(username: str, request: HttpRequest | None) -> bool:
    return failures(username, request) >= settings.CHISO_LOGIN_MAX_FAILURES


def note_failure(username: str, request: HttpRequest | None) -> int:
    """Count one failure; the window starts at the first failure and is not extended."""
    key = _key(username, client_address(request))
    window = settings.CHISO_LOGIN_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def clear(username: str, request: HttpRequest | None) -> None:
    cache.delete(_key(username, client_address(request)))


class RateLimitedModelBackend(ModelBackend):
    """Django's user-name-and-password backend, refusing while a login is locked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if is_locked(username or "", request):
            # PermissionDenied stops every backend: the right password does not help now.
            raise PermissionDenied("Too many failed logins.")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return str(get_user_model().USERNAME_FIELD)


@receiver(user_login_failed)
def _count_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    note_failure(str(credentials.get("username", "")), request)


@receiver(user_logged_in)
def _clear_failures(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    clear(user.get_username(), request)
