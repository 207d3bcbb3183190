"""The back office of submissions and evidence: Anh Tuấn reads, nobody edits there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessments import services
from chiso.assessments.models import Evidence
from tests.people import stored_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def tuan_staff(tuan):
    tuan.is_staff = True
    tuan.is_superuser = True
    tuan.save()
    return tuan


@pytest.fixture
def evidence(settings, tmp_path, submission, lan):
    settings.MEDIA_ROOT = tmp_path
    return stored_evidence(submission, lan)


def test_submissions_are_listed_filtered_and_read_only(client, login, tuan_staff, lan, submission):
    services.save_values(submission, {"hs_tt": 12}, user=lan, expected_version=0)
    login(tuan_staff)

    listing = client.get(reverse("admin:assessments_submission_changelist") + "?status=draft")
    detail = client.get(reverse("admin:assessments_submission_change", args=[submission.pk]))
    add = client.get(reverse("admin:assessments_submission_add"))

    assert listing.status_code == 200
    assert "Phường Hàm Rồng" in listing.content.decode()
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "hs_tt" in html
    assert 'name="status"' not in html
    assert reverse("entry", args=[submission.pk]) in html
    assert add.status_code == 403


def test_a_submission_cannot_be_changed_through_the_admin(
    client, login, tuan_staff, lan, submission
):
    login(tuan_staff)

    client.post(
        reverse("admin:assessments_submission_change", args=[submission.pk]),
        {"status": "approved"},
    )

    submission.refresh_from_db()
    assert submission.status == "draft"


def test_evidence_is_searchable_and_read_only(client, login, tuan_staff, evidence):
    login(tuan_staff)

    found = client.get(reverse("admin:assessments_evidence_changelist") + "?q=bao-cao")
    detail = client.get(reverse("admin:assessments_evidence_change", args=[evidence.pk]))
    delete = client.post(reverse("admin:assessments_evidence_delete", args=[evidence.pk]))

    assert "bao-cao.pdf" in found.content.decode()
    assert reverse("evidence_file", args=[evidence.pk]) in detail.content.decode()
    assert delete.status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_the_admin_is_closed_to_officers(client, login, lan, submission):
    login(lan)

    response = client.get(reverse("admin:assessments_submission_changelist"))

    assert response.status_code == 302


def test_the_back_office_is_in_vietnamese_where_django_itself_is_not(
    client, login, tuan_staff, submission
):
    # Django's Vietnamese catalogue leaves these admin strings in English.
    login(tuan_staff)
    html = client.get(reverse("admin:assessments_submission_changelist")).content.decode()
    assert "Hiện số lượng" in html
    for english in ("Show counts", "Skip to main content"):
        assert english not in html
    html = client.get(reverse("admin:index")).content.decode()
    assert "Model name" not in html and "Change or view list link" not in html
