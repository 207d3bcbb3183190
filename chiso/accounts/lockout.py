"""Who a failed login locks out: django-axes' database handler, counting per browser.

A commune office shares one address, so a lock per (user name, address) alone lets
anyone in the office keep an officer out, and lets a guesser with many addresses try
one account for ever. Hence three counts, all within CHISO_LOGIN_WINDOW_SECONDS:

- a browser the person has logged in from before carries a signed cookie that knows
  them (a "known browser", the device cookie of OWASP's advice on lockouts); it counts only
  its own failures, so nobody else's guesses ever lock the owner out of it;
- any other browser is locked for a user name after CHISO_LOGIN_MAX_FAILURES failures
  from its address,
- or after CHISO_LOGIN_ACCOUNT_MAX_FAILURES failures for that user name from all such
  browsers together, whatever their addresses.

A known browser's failures are stored by axes like any other, with the browser's tag in
place of its user agent (what the admin's list of access attempts shows).
"""

from __future__ import annotations

import secrets
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import salted_hmac

COOKIE = "chiso_browser"
SALT = "chiso.accounts.lockout.browser"
TAG = "chiso-browser:"
# A browser stays known this long after its last login; it remembers a few people
# (colleagues sharing an office computer).
KNOWN_DAYS = 180
KNOWN_PEOPLE = 5


def _key(username: str) -> str:
    # Not the name itself: the cookie would tell the next person at a shared computer
    # who logged in there.
    return salted_hmac(SALT, username).hexdigest()[:16]


def _known(request: HttpRequest) -> dict[str, str]:
    """The people (by _key) this browser logged in as, each with the browser's own tag."""
    try:
        known = signing.loads(
            request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=KNOWN_DAYS * 86400
        )
    except signing.BadSignature:
        return {}
    return known if isinstance(known, dict) else {}


def browser_tag(request: HttpRequest, username: str | None) -> str | None:
    """The tag of this browser if `username` logged in from it before, else None."""
    tag = _known(request).get(_key(username or ""))
    return f"{TAG}{tag}" if isinstance(tag, str) and tag else None


def remember_browser(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful login: this browser is known for `username` from now on."""
    known = _known(request)
    key = _key(username)
    tag = known.pop(key, None) or secrets.token_hex(8)
    known[key] = tag
    latest = dict(list(known.items())[-KNOWN_PEOPLE:])
    response.set_cookie(
        COOKIE,
        signing.dumps(latest, salt=SALT, compress=True),
        max_age=KNOWN_DAYS * 86400,
        path=reverse("login"),  # sent to the login page only
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _sum(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with chiso's counts (see the module's docstring)."""

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        if request is not None:
            tag = browser_tag(request, get_client_username(request, credentials))
            if tag is not None:
                request.axes_user_agent = tag
            elif request.axes_user_agent.startswith(TAG):
                # A user agent posing as a known browser's tag would escape every count.
                request.axes_user_agent = f"?{request.axes_user_agent}"[:255]
        super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )
        tag = browser_tag(request, username)
        if tag is not None:
            return _sum(recent.filter(user_agent=tag))
        unknown = recent.exclude(user_agent__startswith=TAG)
        here = _sum(unknown.filter(ip_address=request.axes_ip_address))
        if _sum(unknown) >= settings.CHISO_LOGIN_ACCOUNT_MAX_FAILURES:
            return max(here, get_failure_limit(request, credentials))
        return here

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """After a successful login: forget the failures of that browser, a known one's
        own, or those made from its address for the name (not a known browser's)."""
        username = get_client_username(request, credentials)
        tag = browser_tag(request, username)
        mine = AccessAttempt.objects.filter(username=username)
        if tag is not None:
            mine = mine.filter(user_agent=tag)
        else:
            mine = mine.filter(ip_address=request.axes_ip_address).exclude(
                user_agent__startswith=TAG
            )
        count, _ = mine.delete()
        return count
