"""Returning with comments, resubmitting as many rounds as needed, deadlines, reopening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chiso.assessments import services, workflow
from chiso.assessments.models import Comment, Status
from tests.people import fill, put, submit

TODAY = timezone.localdate


def test_a_return_carries_the_comments_on_single_indicators_and_entry_opens_again(
    client, login, submission, lan, hoa
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    assert not workflow.editable_by_officer(sent)
    login(hoa)
    client.post(
        reverse("review-comment", args=[sent.pk]),
        {"code": "XHS.1", "text": "Thiếu danh sách chữ ký số."},
    )
    client.post(reverse("review-status", args=[sent.pk]), {"transition": "return"})
    sent.refresh_from_db()
    assert sent.status == Status.RETURNED
    assert workflow.editable_by_officer(sent)
    assert [(c.code, c.round) for c in Comment.objects.all()] == [("XHS.1", 1)]


def test_a_return_without_a_comment_or_a_reason_is_refused(submission, lan, hoa):
    sent = submit(submission, lan)
    with pytest.raises(workflow.TransitionError):
        workflow.transition(sent, "return", hoa)
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED


def test_the_general_reason_of_a_return_becomes_a_comment_of_the_round(submission, lan, hoa):
    sent = submit(submission, lan)
    workflow.transition(sent, "return", hoa, reason="Bổ sung minh chứng cho cả ba chỉ tiêu.")
    assert [(c.code, c.text, c.round) for c in Comment.objects.all()] == [
        ("", "Bổ sung minh chứng cho cả ba chỉ tiêu.", 1)
    ]


def test_rounds_go_on_until_the_reviewer_is_satisfied(submission, lan, hoa):
    s = submission
    for round_ in (1, 2, 3):
        s = submit(s, lan)
        assert s.round == round_
        services.add_comment(s, "CQS.2", f"Vòng {round_}: chưa đạt", user=hoa)
        s = workflow.transition(s, "return", hoa)
    s = submit(s, lan)
    s = workflow.transition(s, "approve", hoa)
    assert (s.status, s.round) == (Status.APPROVED, 4)
    assert list(Comment.objects.values_list("round", flat=True)) == [1, 2, 3]


def test_entry_is_open_from_the_opening_to_the_closing_day_inclusive(submission):
    period = submission.period
    assert workflow.editable_by_officer(submission, today=period.opens_on)
    assert workflow.editable_by_officer(submission, today=period.closes_on)
    assert not workflow.editable_by_officer(submission, today=period.opens_on - dt.timedelta(1))
    assert not workflow.editable_by_officer(submission, today=period.closes_on + dt.timedelta(1))


def test_after_the_close_an_officer_cannot_submit(submission, lan):
    period = submission.period
    period.closes_on = TODAY() - dt.timedelta(days=1)
    period.save()
    submission.refresh_from_db()
    with pytest.raises(workflow.TransitionError):
        submit(submission, lan)


def test_a_return_after_the_close_gives_the_unit_a_week(submission, lan, hoa, settings):
    settings.CHISO_RESPONSE_DAYS = 7
    sent = submit(submission, lan)
    period = sent.period
    period.closes_on = TODAY() - dt.timedelta(days=2)
    period.save()
    sent.refresh_from_db()
    returned = workflow.transition(sent, "return", hoa, reason="Thiếu minh chứng")
    assert returned.deadline == TODAY() + dt.timedelta(days=7)
    assert returned.effective_deadline == returned.deadline
    assert workflow.editable_by_officer(returned)
    assert not workflow.editable_by_officer(returned, today=TODAY() + dt.timedelta(days=8))


def test_a_return_never_shortens_the_period(submission, lan, hoa, settings):
    settings.CHISO_RESPONSE_DAYS = 3
    sent = submit(submission, lan)
    returned = workflow.transition(sent, "return", hoa, reason="Thiếu minh chứng")
    assert returned.effective_deadline == sent.period.closes_on


def test_the_admin_reopens_an_approved_submission_after_the_close_with_a_new_deadline(
    client, login, submission, lan, hoa, tuan
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    workflow.transition(sent, "approve", hoa)
    period = sent.period
    period.closes_on = TODAY() - dt.timedelta(days=5)
    period.save()
    new_deadline = TODAY() + dt.timedelta(days=4)
    login(tuan)
    client.post(
        reverse("review-status", args=[sent.pk]),
        {
            "transition": "reopen",
            "reason": "Đơn vị phát hiện sai số liệu XHS.1",
            "deadline": new_deadline.isoformat(),
        },
    )
    sent.refresh_from_db()
    assert (sent.status, sent.deadline) == (Status.RETURNED, new_deadline)
    assert workflow.editable_by_officer(sent)
    # Chị Lan corrects her figure on the entry page and submits again, the others empty.
    login(lan)
    client.post(
        reverse("entry", args=[sent.pk]),
        {"expected_version": sent.version, "v-XHS.1": "33", "action": "submit_empty"},
    )
    sent.refresh_from_db()
    assert sent.values.get(code="XHS.1").self_value == 33
    assert sent.status == Status.SUBMITTED


def test_reopening_a_late_draft_only_moves_its_deadline(submission, tuan):
    period = submission.period
    period.closes_on = TODAY() - dt.timedelta(days=1)
    period.save()
    submission.refresh_from_db()
    assert not workflow.editable_by_officer(submission)
    reopened = workflow.transition(submission, "reopen", tuan, reason="Đơn vị mới thành lập")
    assert reopened.status == Status.DRAFT
    assert workflow.editable_by_officer(reopened)


def test_reopening_needs_a_reason_and_a_deadline_not_in_the_past(submission, lan, hoa, tuan):
    approved = workflow.transition(submit(submission, lan), "approve", hoa)
    with pytest.raises(workflow.TransitionError):
        workflow.transition(approved, "reopen", tuan, reason=" ")
    with pytest.raises(workflow.TransitionError):
        workflow.transition(
            approved, "reopen", tuan, reason="Sai", deadline=TODAY() - dt.timedelta(days=1)
        )
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_a_deadline_that_is_not_a_date_is_refused_on_the_page(client, login, submission, tuan):
    put(submission, Status.APPROVED)
    login(tuan)
    client.post(
        reverse("review-status", args=[submission.pk]),
        {"transition": "reopen", "reason": "Sai", "deadline": "31/02/2026"},
    )
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED


def test_the_review_page_shows_the_effective_deadline(client, login, submission, lan, hoa):
    sent = submit(submission, lan)
    returned = workflow.transition(
        sent, "return", hoa, reason="Bổ sung", deadline=sent.period.closes_on + dt.timedelta(9)
    )
    login(hoa)
    html = client.get(reverse("review-detail", args=[returned.pk])).content.decode()
    assert returned.deadline.strftime("%d/%m/%Y") in html
