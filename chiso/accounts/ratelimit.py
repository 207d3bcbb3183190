"""How many password-reset requests one address, or one email address, may make.

Failed logins are counted by django-axes (see settings.py and lockout.py) through
`LockoutBackend`; this module counts the reset requests, in Django's cache (shared
across processes when CACHES points at Redis).
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.core.cache import cache
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Axes' refusal of locked logins, for logins that come with a request.

    authenticate() without a request (the test client, management commands) has no
    address to count per, and axes would refuse it outright; the password is still
    checked by the next backend.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]


HOUR = 3600


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it, so trusting it would let anyone pick a fresh address per request.
    return request.META.get("REMOTE_ADDR", "-") or "-"


def allow(scope: str, who: str, limit: int, window: int = HOUR) -> bool:
    """Count one request of `who` in `scope`; False once more than `limit` came in `window`.

    The window starts at the first request and is not extended by later ones.
    """
    digest = hashlib.sha256(f"{scope}|{who.strip().lower()}".encode()).hexdigest()
    key = f"chiso:ratelimit:{digest}"
    count = 1
    if not cache.add(key, count, timeout=window):
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, count, timeout=window)
    return count <= limit


def allow_reset(request: HttpRequest, email: str) -> bool:
    from django.conf import settings

    return allow("reset-address", client_address(request), settings.CHISO_RESET_PER_ADDRESS) and (
        allow("reset-email", email, settings.CHISO_RESET_PER_EMAIL)
    )
