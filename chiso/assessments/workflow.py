"""The review workflow of a (unit, period), as one table of transitions.

    draft -> submitted -> [district_approved ->] approved -> published
                  \\-> returned -> submitted (as many rounds as needed)

- The unit's officer submits while entry is open for them (`editable_by_officer`).
- The reviewer of the current step returns (with comments) or approves. In a period
  with two-step review (before 1 July 2025) a commune under a district is approved
  by the district's reviewer first (district_approve), then by the province.
- A province admin reopens any submission with a reason and a new deadline (the
  officer may then edit again, even after the period closed), and publishes.

Who may act at all is decided by chiso.accounts.access; this module adds what the
state of the submission allows. Every transition is written to the audit trail and
the people concerned are emailed once the transaction commits. "Now" is the gate's
clock (services.now): a transition replayed in the past by services.as_of is dated
then and emails nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import audit, services
from chiso.assessments.models import Action, Comment, Status, Submission
from chiso.assessments.services import (
    EDITABLE_STATUSES,
    ServiceError,
    StaleSubmission,
    check_text,
    editable_by_officer,
    record,
)
from chiso.lib import bulk
from chiso.units.models import Level

__all__ = ["EDITABLE_STATUSES", "editable_by_officer", "StaleSubmission", "TransitionError"]

UNDER_REVIEW = (Status.SUBMITTED, Status.DISTRICT_APPROVED)


class TransitionError(ServiceError):
    """A transition that is refused: `code` says which check, the message why, for the user."""

    def __init__(self, message: str, code: str = ServiceError.NOT_ALLOWED) -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: tuple[str, ...]
    target: str
    perm: str
    action: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            gettext_lazy("Submit"),
            (Status.DRAFT, Status.RETURNED),
            Status.SUBMITTED,
            Perm.SUBMIT,
            Action.SUBMITTED,
        ),
        Transition(
            "district_approve",
            gettext_lazy("Approve (district)"),
            (Status.SUBMITTED,),
            Status.DISTRICT_APPROVED,
            Perm.REVIEW,
            Action.DISTRICT_APPROVED,
        ),
        Transition(
            "return",
            gettext_lazy("Return for changes"),
            (Status.SUBMITTED, Status.DISTRICT_APPROVED),
            Status.RETURNED,
            Perm.REVIEW,
            Action.RETURNED,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve"),
            (Status.SUBMITTED, Status.DISTRICT_APPROVED),
            Status.APPROVED,
            Perm.REVIEW,
            Action.APPROVED,
        ),
        # From a draft or a returned submission, reopening only moves the deadline.
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            tuple(Status.values),
            Status.RETURNED,
            Perm.REOPEN,
            Action.REOPENED,
            needs_reason=True,
        ),
        Transition(
            "publish",
            gettext_lazy("Publish"),
            (Status.APPROVED,),
            Status.PUBLISHED,
            Perm.PUBLISH,
            Action.PUBLISHED,
        ),
    )
}


def needs_district_step(submission: Submission) -> bool:
    """Whether this submission is approved by its district before the province."""
    unit = submission.unit
    return bool(
        submission.period.two_step_review
        and unit.parent_id is not None
        and unit.parent.level == Level.DISTRICT
    )


def reviews_this_step(user: Any, submission: Submission) -> bool:
    """Whether the person is the reviewer of the step the submission is at."""
    if submission.status == Status.SUBMITTED and needs_district_step(submission):
        return access.can(user, Perm.REVIEW_DISTRICT_STEP, submission)
    return access.can(user, Perm.REVIEW_PROVINCE_STEP, submission)


def _state_allows(t: Transition, submission: Submission, user: Any) -> str | None:
    """Why the state of things forbids this transition (None when it is allowed)."""
    if submission.status not in t.sources:
        return _("This submission is “%(status)s”: “%(action)s” is not possible now.") % {
            "status": submission.get_status_display(),
            "action": t.label,
        }
    if t.name == "submit" and not editable_by_officer(submission):
        if services.today() < submission.period.opens_on:
            return _("Entry opens on %(date)s.") % {
                "date": date_format(submission.period.opens_on, "SHORT_DATE_FORMAT")
            }
        return _("The deadline (%(date)s) has passed: ask the DX office to reopen.") % {
            "date": date_format(submission.effective_deadline, "SHORT_DATE_FORMAT")
        }
    if t.name == "district_approve" and not needs_district_step(submission):
        return _("This submission has no district review step.")
    if (
        t.name == "approve"
        and submission.status == Status.SUBMITTED
        and needs_district_step(submission)
    ):
        return _("The district must approve first.")
    if t.name in ("district_approve", "return", "approve") and not reviews_this_step(
        user, submission
    ):
        if submission.status == Status.SUBMITTED and needs_district_step(submission):
            return _("At this step the reviewers of the commune's district decide.")
        return _("At this step the province's reviewers decide.")
    return None


def allowed(submission: Submission, user: Any) -> list[Transition]:
    """The transitions this person may make now (to show as buttons)."""
    return [
        t
        for t in TRANSITIONS.values()
        if access.can(user, t.perm, submission) and _state_allows(t, submission, user) is None
    ]


def _new_deadline(submission: Submission, chosen: dt.date | None, today: dt.date) -> dt.date:
    """The deadline after a return or a reopening: at least the period's closing day."""
    chosen = chosen or today + dt.timedelta(days=settings.CHISO_RESPONSE_DAYS)
    return max(chosen, submission.period.closes_on)


@transaction.atomic
def transition(
    submission: Submission,
    name: str,
    user: Any,
    *,
    reason: str = "",
    expected_version: int | None = None,
    deadline: dt.date | None = None,
) -> Submission:
    """Move a submission along the workflow, recording it in the audit trail.

    `reason` is required to reopen; a return needs a reason or comments made on this
    round. `deadline` (return, reopen) is the day until which the officer may edit
    again; by default CHISO_RESPONSE_DAYS from today, never before the period closes.
    Raises TransitionError or StaleSubmission, both ServiceErrors with a stable code.
    "Today" and the stamps are the gate's clock (services.now; see services.as_of).
    """
    from chiso.assessments import notifications

    t = TRANSITIONS.get(name)
    if t is None:
        raise TransitionError(_("Unknown action."))
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period", "unit", "unit__parent")
        .get(pk=submission.pk)
    )
    if not access.can(user, t.perm, locked):
        raise TransitionError(_("You may not do this."), ServiceError.FORBIDDEN)
    services.check_version(locked, expected_version)
    why_not = _state_allows(t, locked, user)
    if why_not:
        raise TransitionError(why_not)
    reason = check_text(reason, "reason")
    if t.needs_reason and not reason:
        raise TransitionError(_("Give a reason."), ServiceError.REASON_REQUIRED)
    round_comments = locked.comments.filter(round=locked.round)
    if name == "return" and not reason and not round_comments.exists():
        raise TransitionError(
            _("Say what to change: add a comment or a reason."), ServiceError.REASON_REQUIRED
        )
    today = services.today()
    if deadline is not None and deadline < today:
        raise TransitionError(_("The new deadline cannot be in the past."), ServiceError.INVALID)

    old = locked.status
    now = services.now()
    locked.status = old if (name == "reopen" and old == Status.DRAFT) else t.target
    if name == "submit":
        locked.round += 1
        locked.submitted_at = now
    elif name == "approve":
        locked.approved_at = now
    elif name in ("return", "reopen"):
        locked.deadline = _new_deadline(locked, deadline, today)
        locked.approved_at = None
    locked.version += 1
    locked.save()
    if name == "return" and reason:
        # The general remark goes with the indicator comments the officer will read.
        Comment.objects.create(
            submission=locked, code="", author=user, text=reason, round=locked.round
        )
    new = locked.status
    if name in ("return", "reopen"):
        new = f"{new}; deadline={locked.deadline.isoformat()}"
    record(locked, user, t.action, old=old, new=new, reason=reason)
    notifications.after_transition(locked, name, user, reason=reason)
    return locked


def can_correct(submission: Submission, user: Any) -> bool:
    """Whether the person may comment on and correct figures now (to show the forms):
    the reviewer of the current step, while the submission is under review."""
    try:
        services.check_may_review(submission, user, "correct")
    except ServiceError:
        return False
    return True


@transaction.atomic
def publish_all(submissions: Any, user: Any, *, reason: str = "") -> int:
    """Mark every approved submission of `submissions` published: one update, one audit
    entry each (publishing a whole level is one act, so it is not 3,321 transitions).

    `user` None is the `chiso publish` command run on the server; a person must be an admin.
    Returns how many were marked.
    """
    from chiso.assessments.models import AuditEntry

    if user is not None and not access.can(user, Perm.PUBLISH):
        raise TransitionError(_("You may not do this."))
    rows = list(
        submissions.select_for_update(of=("self",))
        .filter(status=Status.APPROVED)
        .values_list("pk", "period_id", "unit_id")
    )
    actor = user.pk if user is not None and user.is_authenticated else None
    Submission.objects.filter(pk__in=[pk for pk, _period, _unit in rows]).update(
        status=Status.PUBLISHED, version=models.F("version") + 1
    )
    at = bulk.prepared(AuditEntry, "at", services.now())
    action = TRANSITIONS["publish"].action
    audit.write_rows(
        (at, actor, period_id, unit_id, pk, action, "", Status.APPROVED, Status.PUBLISHED, reason)
        for pk, period_id, unit_id in rows
    )
    return len(rows)
