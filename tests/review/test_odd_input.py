"""Odd input never gives a server error: non-ASCII digits in ids and filters, NUL bytes
in free text and filters (PostgreSQL refuses to store a NUL), and SQLite under two
writers at once.

Run on SQLite (the default) and on PostgreSQL:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/gate .venv/bin/pytest tests/review/test_odd_input.py
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessments.models import Comment, Status
from tests.people import fill, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("odd", ["²", "٣", "１", "1²"])
@pytest.mark.parametrize("key", ["period", "area"])
def test_chi_hoa_s_queue_with_a_non_ascii_digit_in_a_filter_is_a_bad_request(
    client, login, hoa, period, key, odd
):
    login(hoa)
    response = client.get(reverse("review-queue"), {key: odd})
    assert response.status_code == 400


def test_a_bulk_approval_naming_a_non_ascii_id_is_a_bad_request(
    client, login, hoa, submission, lan
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    login(hoa)
    response = client.post(
        reverse("review-bulk"), {"action": "approve", "submission": f"{sent.pk}²:{sent.version}"}
    )
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED


def test_a_correction_with_a_non_ascii_version_is_a_bad_request(
    client, login, hoa, submission, lan
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    login(hoa)
    response = client.post(
        reverse("review-correct", args=[sent.pk]),
        {"code": "XHS.1", "value": "30", "reason": "Đối chiếu", "version": "²"},
    )
    assert response.status_code == 400
    assert sent.values.get(code="XHS.1").verified_value is None


def test_a_nul_byte_in_a_comment_is_a_form_error_beside_the_comment(
    client, login, hoa, submission, lan
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    login(hoa)
    response = client.post(
        reverse("review-comment", args=[sent.pk]), {"code": "XHS.1", "text": "Bổ sung\x00 báo cáo"}
    )
    assert response.status_code == 400
    assert 'id="comment-error-XHS.1"' in response.content.decode()
    assert not Comment.objects.exists()


def test_a_nul_byte_in_a_return_reason_is_a_message_not_a_server_error(
    client, login, hoa, submission, lan
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    login(hoa)
    response = client.post(
        reverse("review-status", args=[sent.pk]),
        {"transition": "return", "reason": "Thiếu\x00", "version": sent.version},
        follow=True,
    )
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED


def test_a_nul_byte_in_the_audit_trail_s_unit_filter_is_a_bad_request(client, login, tuan, period):
    login(tuan)
    response = client.get(reverse("audit-period", args=[period.pk]), {"unit": "14758\x00"})
    assert response.status_code == 400


def test_sqlite_waits_for_the_other_writer_and_takes_its_lock_up_front():
    # "database is locked" comes from a writer that started reading in a deferred
    # transaction, or gave up at once: chiso waits (busy timeout) and begins every
    # transaction IMMEDIATE, so the second of two saves waits, then meets the version
    # check and gets the 409 page.
    from chiso.settings import database

    options = database("sqlite:////tmp/chiso-test.sqlite3")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "transaction_mode" not in database("postgres://u@h/db").get("OPTIONS", {})
