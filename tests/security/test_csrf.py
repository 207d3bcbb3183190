"""Every form needs its CSRF token: a POST without it is refused (entry, review, login)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from chiso.assessments.models import Status
from tests.conftest import PASSWORD
from tests.people import put


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


def test_the_entry_form_without_a_token_is_refused(strict, submission, lan):
    strict.force_login(lan)
    response = strict.post(
        reverse("entry", args=[submission.pk]),
        {"expected_version": submission.version, "v-XHS.1": "35"},
    )
    assert response.status_code == 403
    assert not submission.values.exists()


def test_the_review_forms_without_a_token_are_refused(strict, submission, hoa):
    put(submission, Status.SUBMITTED)
    strict.force_login(hoa)
    for url, data in (
        (reverse("review-status", args=[submission.pk]), {"transition": "approve"}),
        (
            reverse("review-correct", args=[submission.pk]),
            {"code": "XHS.1", "value": "1", "reason": "x", "version": submission.version},
        ),
        (reverse("review-comment", args=[submission.pk]), {"code": "", "text": "x"}),
        (reverse("review-bulk"), {"action": "approve", "submission": [submission.pk]}),
    ):
        assert strict.post(url, data).status_code == 403, url
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert not submission.values.exists()
    assert not submission.comments.exists()


def test_the_login_form_without_a_token_is_refused(strict, lan):
    response = strict.post(reverse("login"), {"username": "lan", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_the_same_forms_with_the_token_work(strict, submission, hoa):
    put(submission, Status.SUBMITTED)
    strict.force_login(hoa)
    page = strict.get(reverse("review-detail", args=[submission.pk]))
    token = page.context["csrf_token"]
    strict.post(
        reverse("review-status", args=[submission.pk]),
        {"transition": "approve", "csrfmiddlewaretoken": str(token)},
    )
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
