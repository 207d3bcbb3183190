"""Emails about submissions, in Vietnamese, sent after the change is committed.

- submitted: to the reviewers of the unit, and a confirmation to the officer who sent it;
- returned: to the unit's officers, listing the comments of the round and the deadline;
- reopened: to the unit's officers, with the new deadline;
- approved: to the unit's officers;
- deadline in CHISO_REMINDER_DAYS days: to the officers of units still in draft or
  returned (`send_deadline_reminders`, run daily by `chiso notify_deadlines`).

Emails are sent once the transaction commits, so a change that is rolled back never
announces itself; a mail server that fails is logged and never undoes the change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.accounts.models import SentNotice
from chiso.assessments import services
from chiso.assessments.audit import code_titles
from chiso.assessments.models import Status, Submission

logger = logging.getLogger(__name__)
TEMPLATES = "assessments/review/email"


def _emails(people: Iterable[Any]) -> list[str]:
    seen: list[str] = []
    for person in people:
        if person is not None and person.email and person.email not in seen:
            seen.append(person.email)
    return seen


def _links(submission: Submission) -> dict[str, str]:
    site = settings.CHISO_SITE_URL
    return {
        "review_url": site + reverse("review-detail", args=[submission.pk]),
        # The unit's entry page (chiso/assessments, data entry).
        "entry_url": f"{site}/submissions/{submission.pk}/",
    }


def send(kind: str, recipients: list[str], context: dict[str, Any]) -> int:
    """Render one email (assessments/review/email/<kind>*.txt) and send it to each
    recipient separately, so no one sees the others' addresses."""
    if not recipients:
        return 0
    with translation.override("vi"):
        subject = render_to_string(f"{TEMPLATES}/{kind}_subject.txt", context)
        body = render_to_string(f"{TEMPLATES}/{kind}.txt", context)
    subject = " ".join(subject.split())
    messages = [EmailMessage(subject, body, to=[address]) for address in recipients]
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # a mail server problem must not undo or hide the change made
        logger.exception("Could not send the %s email to %s", kind, ", ".join(recipients))
        return 0


def _context(submission: Submission, **extra: Any) -> dict[str, Any]:
    return {
        "submission": submission,
        "unit": submission.unit,
        "period": submission.period,
        **_links(submission),
        **extra,
    }


def _send_submitted(submission_id: int, actor_id: int | None) -> None:
    submission = _load(submission_id)
    context = _context(submission)
    send("submitted", _emails(access.reviewers_of(submission.unit)), context)
    actor = _user(actor_id)
    if actor is not None and access.can(actor, Perm.EDIT, submission.unit):
        send("received", _emails([actor]), context)


def _send_returned(submission_id: int, reason: str) -> None:
    submission = _load(submission_id)
    titles = code_titles(submission.framework, "vi")
    comments = [
        {"code": c.code, "title": titles.get(c.code, ""), "text": c.text}
        for c in submission.comments.filter(round=submission.round).exclude(code="")
    ]
    context = _context(submission, reason=reason, comments=comments)
    send("returned", _emails(access.officers_of(submission.unit)), context)


def _send_to_officers(kind: str, submission_id: int, reason: str) -> None:
    submission = _load(submission_id)
    send(kind, _emails(access.officers_of(submission.unit)), _context(submission, reason=reason))


def _load(submission_id: int) -> Submission:
    return Submission.objects.select_related("unit", "period", "framework").get(pk=submission_id)


def _user(user_id: int | None) -> Any:
    from django.contrib.auth import get_user_model

    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def after_transition(submission: Submission, name: str, actor: Any, *, reason: str = "") -> None:
    """Arrange the emails a transition calls for, to go out when the transaction commits.

    A transition replayed in the past (services.as_of, the demo loader's history) sends
    nothing: it would announce today what happened then."""
    if services.backdated():
        return
    pk = submission.pk
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    if name == "submit":
        transaction.on_commit(lambda: _send_submitted(pk, actor_id))
    elif name == "return":
        transaction.on_commit(lambda: _send_returned(pk, reason))
    elif name == "reopen":
        transaction.on_commit(lambda: _send_to_officers("reopened", pk, reason))
    elif name == "approve":
        transaction.on_commit(lambda: _send_to_officers("approved", pk, reason))


def send_deadline_reminders(today: dt.date | None = None) -> int:
    """Remind officers whose submission is still open and due in CHISO_REMINDER_DAYS days.

    Each (submission, deadline, officer) is reminded once: running the job again the
    same day sends nothing more. Returns the number of emails sent.
    """
    today = today or timezone.localdate()
    due = today + dt.timedelta(days=settings.CHISO_REMINDER_DAYS)
    candidates = Submission.objects.filter(
        status__in=(Status.DRAFT, Status.RETURNED), period__opens_on__lte=today
    ).select_related("unit", "period", "framework")
    sent = 0
    for submission in candidates:
        if submission.effective_deadline != due:
            continue
        for officer in access.officers_of(submission.unit):
            if not officer.email:
                continue
            key = f"deadline:{submission.pk}:{due.isoformat()}:{officer.pk}"
            try:
                with transaction.atomic():
                    SentNotice.objects.create(key=key)
            except IntegrityError:
                continue
            context = _context(submission, deadline=due, days=settings.CHISO_REMINDER_DAYS)
            if send("deadline", [officer.email], context):
                sent += 1
            else:
                # Not sent: forget it, so that the next run tries again.
                SentNotice.objects.filter(key=key).delete()
    return sent
