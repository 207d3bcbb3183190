"""The one place that decides who may see or change what.

Views never filter by hand: they ask `submissions_for(user)` for what a person may
see, `reviewable_for(user)` for their review queue, `submission_for(user, pk,
permission)` to load one submission (404 when the person may not do that with it, so
ids cannot be probed), `can_see_results(...)` before showing scores, and the gate
(chiso/assessments/services.py) asks `can(user, permission, submission)` before any
change. Permissions are the `Perm` enum: an unknown one raises ValueError. Which state
a submission must be in for a change is the gate's and the workflow's business.

The roles:

- a province admin (or a Django superuser) may do everything;
- a leader reads everything and changes nothing;
- a reviewer reviews the units of their area: a membership without a unit, or with
  the province, covers the whole province; one with a district covers the
  communes whose parent is that district; a level limits it to units of that level;
- a unit officer sees, enters and submits the figures of their own units only;
- the public sees published results only, never a submission, and the frameworks
  periods use (a draft, used by none yet, is for admins and reviewers).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from chiso.accounts.models import Membership, Role
from chiso.units.models import Level


class Perm(StrEnum):
    VIEW = "view"  # read the submission, its figures, evidence and audit trail
    EDIT = "edit"  # type figures, upload evidence (the unit's officer, while entry is open)
    IMPORT = "import"  # load figures from a file or a system: the unit's officer or an admin
    SUBMIT = "submit"
    SEE_REVIEW = "see_review"  # read the review page: reviewers of the unit, admins, leaders
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


def is_leader(user: Any) -> bool:
    return has_role(user, Role.LEADER)


def is_reviewer(user: Any) -> bool:
    """Whether the person reviews anything at all (an admin counts)."""
    return is_admin(user) or has_role(user, Role.REVIEWER)


def _is_province_wide(membership: Membership) -> bool:
    return membership.unit_id is None or membership.unit.level == Level.PROVINCE


def _covers(membership: Membership, unit: Any) -> bool:
    """Whether a reviewer's area includes a unit."""
    if membership.level and membership.level != unit.level:
        return False
    if membership.unit_id is None:
        return True
    if membership.unit.level == Level.PROVINCE:
        return unit.province_code == membership.unit.province_code
    # A district reviews the communes under it, not its own submission.
    return unit.parent_id is not None and unit.parent_id == membership.unit_id


def _covers_q(membership: Membership, prefix: str = "unit") -> Q:
    """`_covers` as a query on submissions (or anything with a `unit`)."""
    q = Q()
    if membership.level:
        q &= Q(**{f"{prefix}__level": membership.level})
    if membership.unit_id is None:
        return q
    if membership.unit.level == Level.PROVINCE:
        return q & Q(**{f"{prefix}__province_code": membership.unit.province_code})
    return q & Q(**{f"{prefix}__parent_id": membership.unit_id})


def is_officer_of(user: Any, unit: Any) -> bool:
    return any(m.role == Role.OFFICER and m.unit_id == unit.pk for m in memberships(user))


def is_reviewer_of(user: Any, unit: Any) -> bool:
    if is_admin(user):
        return True
    return any(m.role == Role.REVIEWER and _covers(m, unit) for m in memberships(user))


def is_province_reviewer_of(user: Any, unit: Any) -> bool:
    """A reviewer for the province (not a district's) whose area includes the unit."""
    if is_admin(user):
        return True
    return any(
        m.role == Role.REVIEWER and _is_province_wide(m) and _covers(m, unit)
        for m in memberships(user)
    )


def is_district_reviewer_of(user: Any, unit: Any) -> bool:
    """A reviewer of the district the unit (a commune) belongs to; admins act for any district."""
    if is_admin(user):
        return True
    return any(
        m.role == Role.REVIEWER and not _is_province_wide(m) and _covers(m, unit)
        for m in memberships(user)
    )


def can_view_unit(user: Any, unit: Any) -> bool:
    if is_admin(user) or is_leader(user):
        return True
    return is_officer_of(user, unit) or is_reviewer_of(user, unit)


def can(user: Any, perm: Perm | str, submission: Any) -> bool:
    """Whether `user` may do `perm` on `submission` (state rules live in services/workflow).

    An unknown permission is a programming error (ValueError), never a silent no.
    """
    perm = Perm(perm)
    if not user or not user.is_authenticated:
        return False
    unit = submission.unit
    match perm:
        case Perm.VIEW:
            return can_view_unit(user, unit)
        case Perm.EDIT | Perm.SUBMIT:
            return is_officer_of(user, unit)
        case Perm.IMPORT:
            return is_officer_of(user, unit) or is_admin(user)
        case Perm.SEE_REVIEW:
            return is_leader(user) or is_reviewer_of(user, unit)
        case Perm.REVIEW:
            return is_reviewer_of(user, unit)
        case Perm.REOPEN | Perm.PUBLISH:
            return is_admin(user)


def can_see_results(user: Any, period: Any, level: str, published: bool) -> bool:
    """Whether `user` may see the scores of `level` in `period`.

    Published results are public. Before publication only the province's people see
    them (admins, leaders, reviewers): an officer sees her own figures on the entry
    page, never another unit's score; the public sees nothing.
    """
    return published or sees_provisional_results(user)


def has_queue(user: Any) -> bool:
    """Whether the person has the review queue: reviewers act on it, leaders read it."""
    return is_reviewer(user) or is_leader(user)


def home_of(user: Any) -> str:
    """Which page is a person's home: "review" (the queue), "progress" (a leader's
    read-only view), "entry" (an officer's units) or "public"."""
    if not user or not user.is_authenticated:
        return "public"
    if is_reviewer(user):
        return "review"
    if is_leader(user):
        return "progress"
    return "entry"


def submissions_for(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The submissions a person may see."""
    return _scoped(user, queryset, officers=True)


def reviewable_for(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The submissions on a person's review queue (leaders see every one, read-only)."""
    return _scoped(user, queryset, officers=False)


def _scoped(user: Any, queryset: QuerySet[Any] | None, *, officers: bool) -> QuerySet[Any]:
    from chiso.assessments.models import Submission

    qs = queryset if queryset is not None else Submission.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if is_admin(user) or is_leader(user):
        return qs
    # Q() matches everything, but OR-ing an empty Q into another drops it: keep a list.
    parts: list[Q] = []
    for m in memberships(user):
        if officers and m.role == Role.OFFICER and m.unit_id is not None:
            parts.append(Q(unit_id=m.unit_id))
        elif m.role == Role.REVIEWER:
            area = _covers_q(m)
            if not area:
                return qs
            parts.append(area)
    if not parts:
        return qs.none()
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return qs.filter(q)


def submission_for(user: Any, pk: Any, perm: str = Perm.VIEW) -> Any:
    """The submission `pk` if the person may do `perm` with it; Http404 otherwise.

    Missing and forbidden look the same, so nobody learns which ids exist.
    """
    from chiso.assessments.models import Submission

    submission = (
        Submission.objects.select_related("period", "unit", "unit__parent", "framework")
        .filter(pk=pk)
        .first()
    )
    if submission is None or not can(user, perm, submission):
        raise Http404("No such submission.")
    return submission


def audit_entries_for(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The audit entries a person may read: those of the submissions they may see."""
    if not user or not user.is_authenticated:
        return queryset.none()
    if is_admin(user) or is_leader(user):
        return queryset
    return queryset.filter(submission__in=submissions_for(user))


def officers_of(unit: Any) -> QuerySet[Any]:
    """The people who report for a unit."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=Role.OFFICER, memberships__unit=unit)
        .distinct()
        .order_by("username")
    )


def reviewers_of(unit: Any) -> list[Any]:
    """The reviewers whose area includes a unit (admins are not counted)."""
    people: dict[int, Any] = {}
    for m in Membership.objects.filter(role=Role.REVIEWER, user__is_active=True).select_related(
        "user", "unit"
    ):
        if _covers(m, unit):
            people[m.user_id] = m.user
    return sorted(people.values(), key=lambda person: person.username)


# Results (chiso/results): published results are public; provisional ones are not.


def sees_provisional_results(user: Any) -> bool:
    """Staff (admins, reviewers, leaders) see rankings scored from approved values
    before they are published."""
    return is_admin(user) or is_leader(user) or has_role(user, Role.REVIEWER)


def sees_provisional_card(user: Any, unit: Any) -> bool:
    """Staff, and the unit's own officers, see its report card before publication."""
    return sees_provisional_results(user) or is_officer_of(user, unit)


def sees_audit(user: Any) -> bool:
    """A period's statistical audit (outliers, correlations) is for reviewers and admins."""
    return is_reviewer(user)


def can_publish(user: Any) -> bool:
    return is_admin(user)


def sees_evidence_of(user: Any, unit: Any) -> bool:
    """Evidence files stay with the people who may read the unit's submission."""
    return bool(user and user.is_authenticated and can_view_unit(user, unit))


def can_see_dashboard(user: Any) -> bool:
    """Leaders, admins and reviewers read the dashboard, the map and the province's own
    DTI estimate. The province's published DTI history is public (the ministry's data)."""
    return sees_provisional_results(user)


# Frameworks (chiso/frameworks): a framework some period uses is public (the criteria a
# campaign announced); a draft, used by no period yet, is for admins and reviewers.


def sees_draft_frameworks(user: Any) -> bool:
    return is_reviewer(user)


def frameworks_for(user: Any) -> QuerySet[Any]:
    """The framework versions the person may list, open and download."""
    from chiso.frameworks.models import Framework

    frameworks = Framework.objects.all()
    if sees_draft_frameworks(user):
        return frameworks
    return frameworks.filter(period_levels__isnull=False).distinct()


def framework_for(user: Any, **lookup: Any) -> Any:
    """One framework version, or 404 when it does not exist or is a draft the person may
    not read (the same answer, so drafts cannot be probed)."""
    return get_object_or_404(frameworks_for(user), **lookup)
