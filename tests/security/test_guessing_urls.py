"""An officer who guesses the addresses of another unit's submission finds nothing there
(404, as for an id that does not exist) and changes nothing; no officer approves."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.assessments import services
from chiso.assessments.models import AuditEntry, Comment, Status
from tests.people import fill, put, submit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def ham_rong_sent(submission, lan, settings, tmp_path):
    """Hàm Rồng's submission, with a figure and an evidence file, waiting for review."""
    settings.MEDIA_ROOT = tmp_path
    filled = fill(submission, lan, **{"XHS.1": 35})
    upload = SimpleUploadedFile("danh-sach.pdf", PDF, content_type="application/pdf")
    (item,) = services.add_evidence(filled, [upload], ["XHS.1"], user=lan)
    return submit(filled, lan), item


def addresses(submission, item):
    pk = submission.pk
    return [
        ("get", reverse("review-detail", args=[pk]), {}),
        ("post", reverse("review-comment", args=[pk]), {"code": "", "text": "x"}),
        (
            "post",
            reverse("review-correct", args=[pk]),
            {"code": "XHS.1", "value": "0", "reason": "x", "version": submission.version},
        ),
        ("post", reverse("review-status", args=[pk]), {"transition": "approve"}),
        ("get", reverse("audit-submission", args=[pk]), {}),
        ("get", reverse("audit-submission-csv", args=[pk]), {}),
        ("get", reverse("entry", args=[pk]), {}),
        ("post", reverse("entry", args=[pk]), {"expected_version": submission.version}),
        ("post", reverse("entry_preview", args=[pk]), {}),
        ("post", reverse("evidence_upload", args=[pk]), {}),
        ("get", reverse("evidence_file", args=[item.pk]), {}),
        ("post", reverse("evidence_remove", args=[item.pk]), {}),
    ]


def test_another_units_officer_gets_404_everywhere_and_changes_nothing(
    client, login, ham_rong_sent, minh
):
    sent, item = ham_rong_sent
    trail = AuditEntry.objects.count()
    login(minh)
    for method, url, data in addresses(sent, item):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    sent.refresh_from_db()
    item.refresh_from_db()
    assert sent.status == Status.SUBMITTED
    assert sent.values.get(code="XHS.1").verified_value is None
    assert item.removed_at is None
    assert not Comment.objects.exists()
    assert AuditEntry.objects.count() == trail


def test_a_guessed_id_that_exists_looks_like_one_that_does_not(client, login, ham_rong_sent, minh):
    sent, _item = ham_rong_sent
    login(minh)
    real = client.get(reverse("review-detail", args=[sent.pk]))
    missing = client.get(reverse("review-detail", args=[sent.pk + 1000]))
    assert real.status_code == missing.status_code == 404


def test_an_officer_cannot_approve_even_her_own_unit(client, login, ham_rong_sent, lan):
    sent, _item = ham_rong_sent
    login(lan)
    for name in ("approve", "district_approve", "publish"):
        response = client.post(reverse("review-status", args=[sent.pk]), {"transition": name})
        assert response.status_code == 404
    response = client.post(reverse("review-bulk"), {"action": "approve", "submission": [sent.pk]})
    assert response.status_code == 404
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED


def test_a_district_reviewer_cannot_reach_communes_outside_her_district(
    client, login, ham_rong_sent, hoang_quy_2024, khoa
):
    sent, _item = ham_rong_sent
    put(hoang_quy_2024, Status.SUBMITTED)
    login(khoa)
    for submission in (sent, hoang_quy_2024):
        assert client.get(reverse("review-detail", args=[submission.pk])).status_code == 404
        assert client.get(reverse("audit-submission", args=[submission.pk])).status_code == 404
