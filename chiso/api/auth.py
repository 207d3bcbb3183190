"""Who is calling: a system with a bearer token, or a person with their session.

A token authenticates as its system account (a user whose officer memberships are
the units it may write for), so chiso.accounts.access decides for systems exactly as
for people. Each request made with a token is recorded (chiso.api.middleware).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from chiso.api.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    openapi_description = "A system account's token: Authorization: Bearer chiso_..."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            # A caller that sent a bearer token is a system: answer 401 here rather than
            # falling through to the session check, whose CSRF refusal would mislead it.
            raise AuthenticationError
        request.chiso_token = found  # type: ignore[attr-defined]
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


SYSTEM_OR_PERSON = [TokenAuth(), django_auth]
