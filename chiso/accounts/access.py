"""The one place that decides who may see or change what.

Access is data: `RULES` says, for each permission (`Perm`), who has it, and every
decision anywhere in chiso is `can(user, Perm.X, obj)` (obj: a submission or a unit for
the permissions on one, nothing for the others), or a queryset restricted to what the
person may see: `submissions_for(user)`, `reviewable_for(user)` (the review queue),
`submission_for(user, pk, permission)` (one submission; 404 when the person may not do
that with it, so ids cannot be probed), `audit_entries_for`, `frameworks_for`. No view,
API operation, context processor or service asks about a role itself. An unknown
permission raises ValueError. Which state a submission must be in for a change is the
gate's and the workflow's business.

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

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from chiso.accounts.models import Membership, Role
from chiso.units.models import Level


class Perm(StrEnum):
    # On a submission, or a unit (the decision is about the unit's figures):
    VIEW = "view"  # read its figures, evidence and audit trail
    EDIT = "edit"  # type figures, upload evidence: the unit's officer (while entry is open)
    IMPORT = "import"  # load figures from a file or a system: the unit's officer or an admin
    SUBMIT = "submit"
    SEE_REVIEW = "see_review"  # read the review page: reviewers of the unit, admins, leaders
    REVIEW = "review"  # comment, correct, return, approve
    REVIEW_DISTRICT_STEP = "review_district_step"  # the district's step of a two-step review
    REVIEW_PROVINCE_STEP = "review_province_step"  # the province's step
    SEE_PROVISIONAL_CARD = "see_provisional_card"  # its report card before publication
    REOPEN = "reopen"  # admin only
    # Not about one submission or unit:
    PUBLISH = "publish"  # publish and correct results, upload the signed annex
    ADMINISTER = "administer"  # the back office, frameworks, targets, the province's DTI
    READ_ALL = "read_all"  # every submission of every unit: admins and leaders
    SEE_PROVISIONAL = "see_provisional"  # rankings before publication: the province's staff
    SEE_DASHBOARD = "see_dashboard"  # the dashboard, the map, the province's own estimate
    SEE_AUDIT = "see_audit"  # the statistical audit's flags: reviewers and admins
    SEE_DRAFT_FRAMEWORKS = "see_draft_frameworks"  # framework versions no period uses yet
    SEE_QUEUE = "see_queue"  # the review queue: reviewers act on it, leaders read it
    ACT_ON_QUEUE = "act_on_queue"  # act on the queue (bulk approval): reviewers, admins
    # Which units an indicator that `may_not_apply` does not apply to: the DX office
    # (its admins) decides, never the unit's officer nor a reviewer.
    MARK_NOT_APPLICABLE = "mark_not_applicable"


def memberships(user: Any) -> list[Membership]:
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_chiso_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        user._chiso_memberships = cached
    return cached


def _has_role(user: Any, role: str) -> bool:
    if user and user.is_authenticated and user.is_superuser and role == Role.ADMIN:
        return True
    return any(m.role == role for m in memberships(user))


def _is_admin(user: Any) -> bool:
    return _has_role(user, Role.ADMIN)


def _is_leader(user: Any) -> bool:
    return _has_role(user, Role.LEADER)


def _is_reviewer(user: Any) -> bool:
    """Whether the person reviews anything at all (an admin counts)."""
    return _is_admin(user) or _has_role(user, Role.REVIEWER)


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


def _is_officer_of(user: Any, unit: Any) -> bool:
    return any(m.role == Role.OFFICER and m.unit_id == unit.pk for m in memberships(user))


def _is_reviewer_of(user: Any, unit: Any) -> bool:
    if _is_admin(user):
        return True
    return any(m.role == Role.REVIEWER and _covers(m, unit) for m in memberships(user))


def _is_province_reviewer_of(user: Any, unit: Any) -> bool:
    """A reviewer for the province (not a district's) whose area includes the unit."""
    if _is_admin(user):
        return True
    return any(
        m.role == Role.REVIEWER and _is_province_wide(m) and _covers(m, unit)
        for m in memberships(user)
    )


def _is_district_reviewer_of(user: Any, unit: Any) -> bool:
    """A reviewer of the district the unit (a commune) belongs to; admins act for any district."""
    if _is_admin(user):
        return True
    return any(
        m.role == Role.REVIEWER and not _is_province_wide(m) and _covers(m, unit)
        for m in memberships(user)
    )


def _can_view_unit(user: Any, unit: Any) -> bool:
    if _is_admin(user) or _is_leader(user):
        return True
    return _is_officer_of(user, unit) or _is_reviewer_of(user, unit)


def _unit(obj: Any) -> Any:
    """The unit a decision is about: a submission's, or the unit itself."""
    return getattr(obj, "unit", obj)


def _staff(user: Any, obj: Any = None) -> bool:
    return _is_admin(user) or _is_leader(user) or _has_role(user, Role.REVIEWER)


Rule = Callable[[Any, Any], bool]

# Who has each permission: (user, obj) -> bool. Anonymous people have none.
RULES: dict[Perm, Rule] = {
    Perm.VIEW: lambda user, obj: _can_view_unit(user, _unit(obj)),
    Perm.EDIT: lambda user, obj: _is_officer_of(user, _unit(obj)),
    Perm.IMPORT: lambda user, obj: _is_officer_of(user, _unit(obj)) or _is_admin(user),
    Perm.SUBMIT: lambda user, obj: _is_officer_of(user, _unit(obj)),
    Perm.SEE_REVIEW: lambda user, obj: _is_leader(user) or _is_reviewer_of(user, _unit(obj)),
    Perm.REVIEW: lambda user, obj: _is_reviewer_of(user, _unit(obj)),
    Perm.REVIEW_DISTRICT_STEP: lambda user, obj: _is_district_reviewer_of(user, _unit(obj)),
    Perm.REVIEW_PROVINCE_STEP: lambda user, obj: _is_province_reviewer_of(user, _unit(obj)),
    Perm.SEE_PROVISIONAL_CARD: lambda user, obj: _staff(user) or _is_officer_of(user, _unit(obj)),
    Perm.REOPEN: lambda user, obj: _is_admin(user),
    Perm.PUBLISH: lambda user, obj: _is_admin(user),
    Perm.ADMINISTER: lambda user, obj: _is_admin(user),
    Perm.READ_ALL: lambda user, obj: _is_admin(user) or _is_leader(user),
    Perm.SEE_PROVISIONAL: _staff,
    # The province's published DTI history is public (the ministry's data); its own
    # estimate and the live figures are for the province's staff.
    Perm.SEE_DASHBOARD: _staff,
    Perm.SEE_AUDIT: lambda user, obj: _is_reviewer(user),
    Perm.SEE_DRAFT_FRAMEWORKS: lambda user, obj: _is_reviewer(user),
    Perm.SEE_QUEUE: lambda user, obj: _is_reviewer(user) or _is_leader(user),
    Perm.ACT_ON_QUEUE: lambda user, obj: _is_reviewer(user),
    Perm.MARK_NOT_APPLICABLE: lambda user, obj: _is_admin(user),
}

# The permissions decided on one submission or unit: asking without one is a mistake.
ON_A_UNIT = frozenset(
    {
        Perm.VIEW,
        Perm.EDIT,
        Perm.IMPORT,
        Perm.SUBMIT,
        Perm.SEE_REVIEW,
        Perm.REVIEW,
        Perm.REVIEW_DISTRICT_STEP,
        Perm.REVIEW_PROVINCE_STEP,
        Perm.SEE_PROVISIONAL_CARD,
    }
)


def can(user: Any, perm: Perm | str, obj: Any = None) -> bool:
    """Whether `user` may do `perm` (on `obj`, a submission or a unit, for the
    permissions in ON_A_UNIT). State rules live in the gate (services, workflow).

    An unknown permission, or one about a unit asked without it, is a programming
    error (ValueError), never a silent no.
    """
    perm = Perm(perm)
    if perm in ON_A_UNIT and obj is None:
        raise ValueError(f"{perm} is decided on a submission or a unit")
    if not user or not user.is_authenticated:
        return False
    return RULES[perm](user, obj)


def home_of(user: Any) -> str:
    """Which page is a person's home: "review" (the queue), "progress" (a leader's
    read-only view), "entry" (an officer's units) or "public"."""
    if not user or not user.is_authenticated:
        return "public"
    if can(user, Perm.ACT_ON_QUEUE):
        return "review"
    if can(user, Perm.SEE_QUEUE):
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
    if _is_admin(user) or _is_leader(user):
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
    if can(user, Perm.READ_ALL):
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


# Frameworks (chiso/frameworks): a framework some period uses is public (the criteria a
# campaign announced); a draft, used by no period yet, is for admins and reviewers.


def frameworks_for(user: Any) -> QuerySet[Any]:
    """The framework versions the person may list, open and download."""
    from chiso.frameworks.models import Framework

    frameworks = Framework.objects.all()
    if can(user, Perm.SEE_DRAFT_FRAMEWORKS):
        return frameworks
    return frameworks.filter(period_levels__isnull=False).distinct()


def framework_for(user: Any, **lookup: Any) -> Any:
    """One framework version, or 404 when it does not exist or is a draft the person may
    not read (the same answer, so drafts cannot be probed)."""
    return get_object_or_404(frameworks_for(user), **lookup)
