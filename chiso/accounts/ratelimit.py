"""How many password-reset requests one address, or one email address, may make.

Failed logins are counted by django-axes (see settings.py and lockout.py) through
`LockoutBackend`; this module counts the reset requests, in Django's cache (shared
across processes when CACHES points at Redis).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Counted:
    allowed: bool  # within the limit
    retry_after: int  # seconds until the window ends


def count(scope: str, who: str, limit: int, window: int = HOUR) -> Counted:
    """Count one request of `who` in `scope`: refused once more than `limit` came in the
    current window of `window` seconds (windows follow the clock: 10:00-11:00, ...).

    The one rate limiter of chiso (password resets, the API's anonymous clients), in
    Django's cache: one atomic add or incr per request, shared by every server process
    when CACHES points at Redis. Failed logins are django-axes' (lockout.py)."""
    now = time.time()
    index = int(now // window)
    digest = hashlib.sha256(f"{scope}|{who.strip().lower()}|{index}".encode()).hexdigest()
    key = f"chiso:ratelimit:{digest}"
    number = 1
    if not cache.add(key, number, timeout=window + 1):
        try:
            number = int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, number, timeout=window + 1)
    return Counted(number <= limit, max(1, int((index + 1) * window - now) + 1))


def allow(scope: str, who: str, limit: int, window: int = HOUR) -> bool:
    """Whether one more request of `who` in `scope` is within `limit` (see `count`)."""
    return count(scope, who, limit, window).allowed


def allow_reset(request: HttpRequest, email: str) -> bool:
    from django.conf import settings

    return allow("reset-address", client_address(request), settings.CHISO_RESET_PER_ADDRESS) and (
        allow("reset-email", email, settings.CHISO_RESET_PER_EMAIL)
    )
