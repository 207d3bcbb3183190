"""The review workflow of a (unit, period), as one table of transitions.

draft -> submitted -> [district_approved ->] approved -> published
                  \-> returned -> submitted (as many rounds as needed)
An admin may reopen an approved or published submission, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments.models import Action, Status, Submission
from chiso.assessments.services import StaleSubmission, record


class TransitionError(Exception):
    """A transition that is not allowed: the message says why, for the user."""


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
            needs_reason=True,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve"),
            (Status.SUBMITTED, Status.DISTRICT_APPROVED),
            Status.APPROVED,
            Perm.REVIEW,
            Action.APPROVED,
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            (Status.SUBMITTED, Status.DISTRICT_APPROVED, Status.APPROVED, Status.PUBLISHED),
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


def _state_allows(t: Transition, submission: Submission, user: Any) -> str | None:
    """Why the state of things forbids this transition (None when it is allowed)."""
    if submission.status not in t.sources:
        return _("This submission is “%(status)s”: “%(action)s” is not possible now.") % {
            "status": submission.get_status_display(),
            "action": t.label,
        }
    two_step = submission.period.two_step_review
    if t.name == "submit" and timezone.localdate() > submission.effective_deadline:
        return _("The deadline (%(date)s) has passed: ask the DX office to reopen.") % {
            "date": submission.effective_deadline.strftime("%d/%m/%Y")
        }
    if t.name == "district_approve" and not two_step:
        return _("This period has no district review step.")
    if t.name == "approve":
        if not (access.is_admin(user) or access.is_province_reviewer(user)):
            return _("Only the province's reviewers approve.")
        if two_step and submission.status == Status.SUBMITTED and not access.is_admin(user):
            return _("The district must approve first.")
    if t.name == "district_approve" and not access.is_district_reviewer_of(user, submission.unit):
        return _("Only the reviewers of the commune's district approve at this step.")
    return None


def allowed(submission: Submission, user: Any) -> list[Transition]:
    """The transitions this person may make now (to show as buttons)."""
    return [
        t
        for t in TRANSITIONS.values()
        if access.can(user, t.perm, submission) and _state_allows(t, submission, user) is None
    ]


@transaction.atomic
def transition(
    submission: Submission,
    name: str,
    user: Any,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> Submission:
    """Move a submission along the workflow, recording it in the audit trail."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise TransitionError(_("Unknown action."))
    locked = Submission.objects.select_for_update().select_related("period", "unit").get(
        pk=submission.pk
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleSubmission(locked)
    if not access.can(user, t.perm, locked):
        raise TransitionError(_("You may not do this."))
    why_not = _state_allows(t, locked, user)
    if why_not:
        raise TransitionError(why_not)
    if t.needs_reason and not reason.strip():
        raise TransitionError(_("Give a reason."))
    old = locked.status
    locked.status = t.target
    now = timezone.now()
    if t.name == "submit":
        locked.round += 1
        locked.submitted_at = now
    if t.name == "approve":
        locked.approved_at = now
    if t.name == "reopen":
        locked.approved_at = None
    locked.version += 1
    locked.save()
    record(locked, user, t.action, old=old, new=t.target, reason=reason)
    return locked
