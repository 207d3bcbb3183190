"""Anh Tuấn, the province admin, publishes the commune results of the period."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from chiso.assessments import workflow
from chiso.assessments.models import Action, AuditEntry, Status
from chiso.results import services
from chiso.results.models import Snapshot
from tests.people import fill, submit
from tests.results.conftest import HAC_THANH_FIGURES, approve

pytestmark = pytest.mark.django_db


def ranking_rows(client, period, query=""):
    response = client.get(reverse("results:csv", args=[period.pk, "commune"]) + query)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_publish_page_lists_the_units_not_approved_and_waits_for_a_confirmation(
    login, tuan, period, ham_rong_approved
):
    client = login(tuan)
    page = client.get(reverse("results:publish", args=[period.pk]))
    assert "Phường Hạc Thành" in page.content.decode()
    refused = client.post(reverse("results:publish", args=[period.pk]), {"level": "commune"})
    assert refused.status_code == 400
    assert not Snapshot.objects.exists()
    done = client.post(
        reverse("results:publish", args=[period.pk]),
        {"level": "commune", "without": "1", "confirmed": "1"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("results:ranking", args=[period.pk, "commune"])


def test_publishing_stores_who_when_which_framework_and_the_hash_of_the_values_scored(
    client, tuan, period, framework, ham_rong_approved, hac_thanh_submission
):
    snapshot = services.publish(period, "commune", tuan)
    assert (snapshot.version, snapshot.published_by, snapshot.reason) == (1, tuan, "")
    assert (snapshot.framework_code, snapshot.framework_version) == (
        framework.code,
        framework.version,
    )
    assert snapshot.framework_sha256 == framework.sha256
    assert snapshot.chiso_version
    values = client.get(reverse("results:values", args=[period.pk, "commune"])).content
    assert hashlib.sha256(values).hexdigest() == snapshot.values_sha256
    assert values.decode().splitlines() == [
        "unit,code,value",
        "14758,hs_tt,900",
        "14758,hs_tong,1000",
        "14758,CQS.2,1",
        "14758,XHS.1,45",
    ]
    period.refresh_from_db()
    assert period.published_at == snapshot.published_at
    ham_rong_approved.refresh_from_db()
    hac_thanh_submission.refresh_from_db()
    assert ham_rong_approved.status == Status.PUBLISHED
    assert hac_thanh_submission.status == Status.DRAFT
    assert AuditEntry.objects.filter(
        submission=ham_rong_approved, action=Action.PUBLISHED, actor=tuan
    ).exists()


def test_a_unit_not_approved_is_named_as_not_assessed_on_the_public_page(
    client, tuan, period, ham_rong_approved
):
    services.publish(period, "commune", tuan)
    page = client.get(reverse("results:ranking", args=[period.pk, "commune"])).content.decode()
    assert 'id="not-assessed"' in page
    assert "Phường Hạc Thành (14797)" in page
    assert [row["unit"] for row in ranking_rows(client, period)] == ["14758"]


def test_a_correction_is_a_new_version_and_the_earlier_one_stays_downloadable(
    client, tuan, lan, minh, hoa, period, ham_rong_approved, hac_thanh_submission
):
    approve(hac_thanh_submission, minh, hoa, **HAC_THANH_FIGURES)
    first = services.publish(period, "commune", tuan)
    before = ranking_rows(client, period)
    # A wrong figure is found: the admin reopens Hàm Rồng, Chị Lan corrects it.
    ham_rong_approved.refresh_from_db()
    reason = "Số hồ sơ trực tuyến nhập nhầm, đã đối chiếu lại"
    reopened = workflow.transition(ham_rong_approved, "reopen", tuan, reason=reason)
    approve(reopened, lan, hoa, hs_tt=100, **{"CQS.2": 0, "XHS.1": 10})
    second = services.publish(period, "commune", tuan)

    assert (first.version, second.version) == (1, 2)
    assert second.reason == reason
    after = ranking_rows(client, period)
    assert [r["unit"] for r in after] == ["14797", "14758"]
    assert ranking_rows(client, period, "?version=1") == before
    assert [r["unit"] for r in before] == ["14758", "14797"]
    page = client.get(reverse("results:ranking", args=[period.pk, "commune"])).content.decode()
    assert 'id="correction-note"' in page and reason in page
    assert "?version=1" in page


def test_publishing_again_without_any_reason_is_refused(tuan, period, ham_rong_approved):
    services.publish(period, "commune", tuan)
    with pytest.raises(services.PublishError, match="ghi lý do"):
        services.publish(period, "commune", tuan)
    assert Snapshot.objects.count() == 1


def test_only_an_admin_publishes(login, hoa, mai, period, ham_rong_approved):
    for person in (hoa, mai):
        with pytest.raises(services.PublishError):
            services.publish(period, "commune", person)
        response = login(person).post(
            reverse("results:publish", args=[period.pk]), {"level": "commune", "without": "1"}
        )
        assert response.status_code == 404
    assert not Snapshot.objects.exists()


def test_published_results_cannot_be_changed_or_deleted(tuan, period, ham_rong_approved):
    snapshot = services.publish(period, "commune", tuan)
    snapshot.reason = "changed"
    with pytest.raises(PermissionError):
        snapshot.save()
    with pytest.raises(PermissionError):
        snapshot.delete()


def test_the_publish_command_lists_who_is_not_approved_then_publishes(
    capsys, period, ham_rong_approved
):
    call_command("publish", str(period.pk), "--level", "commune")
    out = capsys.readouterr().out
    assert "not assessed: 14797 Phường Hạc Thành (draft)" in out
    assert "Published commune results version 1" in out
    assert Snapshot.objects.get().published_by is None


def test_the_publish_command_with_check_only_lists(capsys, period, ham_rong_approved):
    call_command("publish", str(period.pk), "--check")
    assert "1 approved, 1 not approved" in capsys.readouterr().out
    assert not Snapshot.objects.exists()


def test_a_unit_reopened_after_publication_is_returned_and_submitted_again(
    tuan, lan, period, ham_rong_approved
):
    services.publish(period, "commune", tuan)
    ham_rong_approved.refresh_from_db()
    reopened = workflow.transition(ham_rong_approved, "reopen", tuan, reason="Sai số liệu")
    assert reopened.status == Status.RETURNED
    fill(reopened, lan, hs_tt=950)
    reopened.refresh_from_db()
    assert submit(reopened, lan).status == Status.SUBMITTED
