"""Approving many submissions at once from the queue: each on its own, errors per unit."""

from __future__ import annotations

from django.urls import reverse

from chiso.assessments.models import Status
from tests.people import messages_of, put, submit


def test_the_reviewer_approves_several_and_hears_about_the_one_that_could_not_be(
    client, login, period, submission, lan, minh, hoa
):
    hac_thanh = period.submissions.exclude(pk=submission.pk).get()
    submit(submission, lan)  # Hàm Rồng has submitted, Hạc Thành has not
    login(hoa)
    page = client.post(
        reverse("review-bulk"),
        {"action": "approve", "submission": [submission.pk, hac_thanh.pk], "confirmed": "1"},
        follow=True,
    )
    submission.refresh_from_db()
    hac_thanh.refresh_from_db()
    assert submission.status == Status.APPROVED
    assert hac_thanh.status == Status.DRAFT
    said = " ".join(messages_of(page))
    assert "Phường Hạc Thành:" in said
    assert "Phường Hàm Rồng" in said


def test_a_submission_outside_the_reviewers_area_is_not_found_and_not_approved(
    client, login, period, hoang_quy_2024, binh, khoa
):
    put(hoang_quy_2024, Status.SUBMITTED)
    login(khoa)
    page = client.post(
        reverse("review-bulk"),
        {"action": "district_approve", "submission": [hoang_quy_2024.pk], "confirmed": "1"},
        follow=True,
    )
    hoang_quy_2024.refresh_from_db()
    assert hoang_quy_2024.status == Status.SUBMITTED
    assert "Xã Hoằng Quý" not in " ".join(messages_of(page))


def test_an_officer_cannot_bulk_approve(client, login, period, submission, lan):
    put(submission, Status.SUBMITTED)
    login(lan)
    response = client.post(
        reverse("review-bulk"), {"action": "approve", "submission": [submission.pk]}
    )
    assert response.status_code == 404
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_bulk_only_offers_approving_and_publishing(client, login, period, submission, tuan):
    put(submission, Status.SUBMITTED)
    login(tuan)
    client.post(reverse("review-bulk"), {"action": "reopen", "submission": [submission.pk]})
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_the_admin_publishes_the_approved_ones_at_once(client, login, period, submission, tuan):
    for s in period.submissions.all():
        put(s, Status.APPROVED)
    login(tuan)
    client.post(
        reverse("review-bulk"),
        {
            "action": "publish",
            "submission": [s.pk for s in period.submissions.all()],
            "confirmed": "1",
        },
    )
    assert list(period.submissions.values_list("status", flat=True)) == [Status.PUBLISHED] * 2


def test_the_reviewer_is_sent_back_to_the_filtered_queue(client, login, period, submission, hoa):
    put(submission, Status.SUBMITTED)
    login(hoa)
    back = reverse("review-queue") + f"?period={period.pk}&status=submitted"
    response = client.post(
        reverse("review-bulk"),
        {"action": "approve", "submission": [submission.pk], "next": back, "confirmed": "1"},
    )
    assert response["Location"] == back
    evil = client.post(
        reverse("review-bulk"),
        {
            "action": "approve",
            "submission": [submission.pk],
            "next": "https://evil.example/",
            "confirmed": "1",
        },
    )
    assert evil["Location"] == reverse("review-queue")


def test_a_submission_that_changed_since_the_queue_was_loaded_is_not_approved_unseen(
    client, login, period, submission, lan, hoa
):
    from chiso.assessments import services, workflow

    sent = submit(submission, lan)
    seen = f"{sent.pk}:{sent.version}"
    services.add_comment(sent, "XHS.1", "Bổ sung", user=hoa)
    submit(workflow.transition(sent, "return", hoa), lan)  # sent again meanwhile
    login(hoa)
    page = client.post(
        reverse("review-bulk"),
        {"action": "approve", "submission": [seen], "confirmed": "1"},
        follow=True,
    )
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED
    assert any(m.startswith("Phường Hàm Rồng:") for m in messages_of(page))


def test_the_boxes_of_the_queue_approve_what_it_showed(client, login, period, submission, lan, hoa):
    sent = submit(submission, lan)
    login(hoa)
    client.post(
        reverse("review-bulk"),
        {"action": "approve", "submission": [f"{sent.pk}:{sent.version}"], "confirmed": "1"},
    )
    sent.refresh_from_db()
    assert sent.status == Status.APPROVED
