"""Anonymous clients are limited to CHISO_API_ANON_RATE requests a minute per address.

Counted in Django's cache with one atomic add/incr per request in fixed windows (with
several server processes, configure a shared cache such as Redis so they count
together). People logged in and systems with a token are not limited here.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from chiso.accounts.ratelimit import client_address

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
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"chiso:api-anon:{client_address(request)}:{window}"
        if cache.add(key, 1, timeout=WINDOW_SECONDS + 1):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=WINDOW_SECONDS + 1)
                count = 1
        self.retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
        return count <= limit

    def wait(self) -> float:
        return float(self.retry_after)
