"""Who is calling: a system with a bearer token, or a person with their session.

A token authenticates as its system account (a user whose officer memberships are
the units it may write for), so chiso.accounts.access decides for systems exactly as
for people. Each request made with a token, even a revoked one, is recorded
(chiso.api.http.ApiMiddleware).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from chiso.api.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    openapi_description = "A system account's token: Authorization: Bearer chiso_..."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.select_related("user").filter(digest=hash_token(token)).first()
        if found is not None:
            # Recorded whatever the answer, so a revoked token's attempts show in its uses.
            request.chiso_token = found  # type: ignore[attr-defined]
        if found is None or not found.active or not found.user.is_active:
            # A caller that sent a bearer token is a system: answer 401 here rather than
            # falling through to the session check, whose CSRF refusal would mislead it.
            raise AuthenticationError
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class PersonAuth(SessionAuth):
    """A person logged in on the site, whose writes need the CSRF token as on the pages."""

    def __call__(self, request: HttpRequest) -> Any:
        # No one is logged in: there is no session for the CSRF check to protect, and the
        # caller is told to authenticate (401) rather than about a CSRF token (403).
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


SYSTEM_OR_PERSON = [TokenAuth(), PersonAuth()]


def reader(request: HttpRequest) -> Any:
    """Who reads an answer open to all whose content depends on who asks: the system of
    the bearer token sent (401 when it is not valid), else the person logged in, else
    the anonymous user. Anonymous clients stay under the API's rate limit."""
    if request.headers.get("Authorization", "").strip().lower().startswith("bearer"):
        user = TokenAuth()(request)
        if user is None:
            raise AuthenticationError
        return user
    return request.user
