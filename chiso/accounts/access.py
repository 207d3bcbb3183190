"""The one place that decides who may see or change what.

Views never filter by hand: they ask `submissions_for(user)` for what a person may
see and `can(user, permission, submission)` before changing anything. Unit scope
follows the unit tree: a district reviewer covers the communes under the district.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chiso.accounts.models import Membership, Role


class Perm:
    VIEW = "view"
    EDIT = "edit"  # enter figures, upload evidence (the unit's officer, while entry is open)
    SUBMIT = "submit"
    REVIEW = "review"  # comment, correct, return, approve
    REOPEN = "reopen"  # admin only
    PUBLISH = "publish"  # admin only


def memberships(user: Any) -> list[Membership]:
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_chiso_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        user._chiso_memberships = cached
    return cached


def has_role(user: Any, role: str) -> bool:
    if user and user.is_authenticated and user.is_superuser and role == Role.ADMIN:
        return True
    return any(m.role == role for m in memberships(user))


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def _covers(membership: Membership, unit: Any) -> bool:
    """Whether a membership's area includes a unit (the unit itself or a unit under it)."""
    if membership.level and membership.level != unit.level:
        return False
    if membership.unit_id is None:
        return True
    if membership.unit_id == unit.pk:
        return True
    return unit.parent_id is not None and unit.parent_id == membership.unit_id


def _unit_q(membership: Membership, prefix: str = "unit") -> Q:
    q = Q()
    if membership.level:
        q &= Q(**{f"{prefix}__level": membership.level})
    if membership.unit_id is not None:
        q &= Q(**{f"{prefix}_id": membership.unit_id}) | Q(
            **{f"{prefix}__parent_id": membership.unit_id}
        )
    return q


def can_view_unit(user: Any, unit: Any) -> bool:
    if is_admin(user) or has_role(user, Role.LEADER):
        return True
    for m in memberships(user):
        if m.role == Role.OFFICER and m.unit_id == unit.pk:
            return True
        if m.role == Role.REVIEWER and _covers(m, unit):
            return True
    return False


def is_officer_of(user: Any, unit: Any) -> bool:
    return any(m.role == Role.OFFICER and m.unit_id == unit.pk for m in memberships(user))


def is_reviewer_of(user: Any, unit: Any) -> bool:
    if is_admin(user):
        return True
    return any(m.role == Role.REVIEWER and _covers(m, unit) for m in memberships(user))


def can(user: Any, perm: str, submission: Any) -> bool:
    """Whether `user` may do `perm` on `submission` (state rules live in workflow.py)."""
    unit = submission.unit
    if perm == Perm.VIEW:
        return can_view_unit(user, unit)
    if perm in (Perm.EDIT, Perm.SUBMIT):
        return is_officer_of(user, unit)
    if perm == Perm.REVIEW:
        return is_reviewer_of(user, unit)
    if perm in (Perm.REOPEN, Perm.PUBLISH):
        return is_admin(user)
    return False


def submissions_for(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The submissions a person may see."""
    from chiso.assessments.models import Submission

    qs = queryset if queryset is not None else Submission.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if is_admin(user) or has_role(user, Role.LEADER):
        return qs
    q = Q(pk__in=[])
    for m in memberships(user):
        if m.role == Role.OFFICER and m.unit_id is not None:
            q |= Q(unit_id=m.unit_id)
        elif m.role == Role.REVIEWER:
            q |= _unit_q(m)
    return qs.filter(q)


def is_province_reviewer(user: Any) -> bool:
    """A reviewer of the province (not limited to a district's area)."""
    return any(
        m.role == Role.REVIEWER and (m.unit_id is None or m.unit.level == "province")
        for m in memberships(user)
    )


def is_district_reviewer_of(user: Any, unit: Any) -> bool:
    return any(
        m.role == Role.REVIEWER and m.unit_id is not None and m.unit_id == unit.parent_id
        for m in memberships(user)
    )
