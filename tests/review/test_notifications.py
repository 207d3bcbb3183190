"""Emails, in Vietnamese, once the change is committed: submitted, returned, approved,
and the reminder three days before a deadline."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from chiso.assessments import services, workflow
from chiso.assessments.models import Status
from tests.people import put


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_submitting_tells_the_reviewers_and_confirms_to_the_officer(
    django_capture_on_commit_callbacks, submission, lan, thu, hoa, dung
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(submission, "submit", lan)
    assert [m.subject for m in to("hoa@example.org")] == [
        "[chiso] Phường Hàm Rồng đã gửi kết quả tự đánh giá – " + submission.period.name
    ]
    assert f"/review/{submission.pk}/" in to("hoa@example.org")[0].body
    assert "Đã nhận kết quả tự đánh giá" in to("lan@example.org")[0].subject
    # Chị Thu did not submit; Chị Dung reviews another district.
    assert to("thu@example.org") == []
    assert to("dung@example.org") == []


def test_nothing_is_sent_before_the_transaction_commits(
    django_capture_on_commit_callbacks, submission, lan, hoa
):
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        workflow.transition(submission, "submit", lan)
    assert mail.outbox == []
    assert len(waiting) == 1


def test_nothing_is_sent_when_the_change_is_rolled_back(submission, lan, hoa):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        workflow.transition(submission, "submit", lan)
        raise Abandon
    submission.refresh_from_db()
    assert submission.status == Status.DRAFT
    assert mail.outbox == []


def test_a_return_lists_the_comments_to_every_officer_of_the_unit(
    django_capture_on_commit_callbacks, submission, lan, thu, hoa
):
    sent = workflow.transition(submission, "submit", lan)
    mail.outbox.clear()
    services.add_comment(sent, "XHS.1", "Thiếu danh sách người có chữ ký số.", user=hoa)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(sent, "return", hoa, reason="Đề nghị bổ sung minh chứng.")
    assert sorted(m.to[0] for m in mail.outbox) == ["lan@example.org", "thu@example.org"]
    body = to("thu@example.org")[0].body
    assert "Đề nghị bổ sung minh chứng." in body
    assert "- XHS.1 (Tỷ lệ người trưởng thành có chữ ký số): Thiếu danh sách" in body
    deadline = sent.period.closes_on.strftime("%d/%m/%Y")
    assert f"trước hết ngày {deadline}" in body


def test_an_approval_tells_the_officers(
    django_capture_on_commit_callbacks, submission, lan, thu, hoa
):
    put(submission, Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(submission, "approve", hoa)
    assert sorted(m.to[0] for m in mail.outbox) == ["lan@example.org", "thu@example.org"]
    assert "đã được phê duyệt" in mail.outbox[0].subject


def test_a_mail_server_failure_does_not_undo_the_transition(
    django_capture_on_commit_callbacks, submission, lan, hoa, settings
):
    settings.EMAIL_BACKEND = "tests.review.test_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(submission, "submit", lan)
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class TestDeadlineReminders:
    def run(self, day):
        call_command("notify_deadlines", today=day.isoformat(), stdout=io.StringIO())

    def test_officers_hear_three_days_before_the_deadline_once(self, period, lan, thu, minh):
        three_days_before = period.closes_on - dt.timedelta(days=3)
        self.run(three_days_before)
        assert sorted(m.to[0] for m in mail.outbox) == [
            "lan@example.org",
            "minh@example.org",
            "thu@example.org",
        ]
        assert "Còn 3 ngày" in mail.outbox[0].subject
        assert period.closes_on.strftime("%d/%m/%Y") in mail.outbox[0].body
        self.run(three_days_before)
        assert len(mail.outbox) == 3

    def test_not_on_other_days(self, period, lan):
        self.run(period.closes_on - dt.timedelta(days=4))
        self.run(period.closes_on - dt.timedelta(days=2))
        assert mail.outbox == []

    def test_not_for_a_unit_that_has_submitted(self, period, submission, lan, minh):
        put(submission, Status.SUBMITTED)
        self.run(period.closes_on - dt.timedelta(days=3))
        assert [m.to[0] for m in mail.outbox] == ["minh@example.org"]

    def test_a_returned_submission_is_reminded_of_its_own_deadline(self, period, submission, lan):
        own = timezone.localdate() + dt.timedelta(days=40)
        put(submission, Status.RETURNED, deadline=own)
        self.run(own - dt.timedelta(days=3))
        assert [m.to[0] for m in mail.outbox] == ["lan@example.org"]
