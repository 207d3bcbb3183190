"""Anonymous clients are limited to CHISO_API_ANON_RATE requests a minute per address.

Counted by chiso's one rate limiter (chiso/accounts/ratelimit.py: Django's cache, fixed
windows, shared by every server process when CACHES points at Redis). People logged in
and systems with a token are not limited here.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from chiso.accounts import ratelimit

WINDOW_SECONDS = 60


class AnonymousPerMinute(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after = WINDOW_SECONDS

    def allow_request(self, request: HttpRequest) -> bool:
        limit = int(settings.CHISO_API_ANON_RATE)
        if limit <= 0 or getattr(request, "auth", None) is not None:
            return True
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        counted = ratelimit.count(
            "api-anon", ratelimit.client_address(request), limit, WINDOW_SECONDS
        )
        self.retry_after = counted.retry_after
        return counted.allowed

    def wait(self) -> float:
        return float(self.retry_after)
