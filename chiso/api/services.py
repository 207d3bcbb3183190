"""System accounts: a user without a password whose officer memberships are its units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from chiso.accounts.models import Membership, Role
from chiso.api.models import ApiToken
from chiso.assessments import audit
from chiso.assessments.models import Action
from chiso.units.models import Unit


class UnknownUnit(ValueError):
    pass


def unit_by_code(code: str) -> Unit:
    """The unit in force with this code (or the only one ever); UnknownUnit otherwise."""
    found = list(Unit.objects.current().filter(code=code)) or list(Unit.objects.filter(code=code))
    if len(found) != 1:
        raise UnknownUnit(
            f"No unit with code {code}." if not found else f"Several units have code {code}."
        )
    return found[0]


@transaction.atomic
def create_token(
    username: str, unit_codes: Sequence[str], name: str, *, created_by: Any = None
) -> tuple[ApiToken, str]:
    """A token for the system account `username` (created if new), scoped to the units."""
    units = [unit_by_code(code) for code in unit_codes]
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()  # a system never logs in on the pages
        user.save()
    for unit in units:
        Membership.objects.get_or_create(user=user, role=Role.OFFICER, unit=unit, level="")
    token, secret = ApiToken.issue(user, name, created_by=created_by)
    issued(token, created_by)
    return token, secret


def issued(token: ApiToken, actor: Any) -> None:
    """The audit entry of a token just issued (by `create_token` or the back office)."""
    units = ", ".join(
        Membership.objects.filter(user=token.user, role=Role.OFFICER)
        .order_by("unit__code")
        .values_list("unit__code", flat=True)
    )
    audit.write(
        Action.TOKEN_ISSUED,
        actor,
        code=token.name[:100],
        new=f"{token.user.username} {token.hint}…",
        reason=units,
    )


@transaction.atomic
def revoke_token(token: ApiToken, actor: Any) -> None:
    """Stop a token from working, with an audit entry; revoking twice changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoke()
    audit.write(
        Action.TOKEN_REVOKED,
        actor,
        code=token.name[:100],
        old=f"{token.user.username} {token.hint}…",
    )
