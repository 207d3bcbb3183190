"""Versions and provenance are visible: a replaced version says so and links to the
current one, a version that is not one is 404, the dashboard names the version it
reads, a figure sent by a system says so, an annex without a recognition rule has no
list of recognized units."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessments import workflow
from chiso.results import services
from tests.results.conftest import approve


@pytest.fixture
def corrected(tuan, lan, hoa, period, ham_rong_approved):
    """Version 1 published; Hàm Rồng reopened and corrected; version 2 published."""
    services.publish(period, "commune", tuan)
    ham_rong_approved.refresh_from_db()
    reopened = workflow.transition(ham_rong_approved, "reopen", tuan, reason="Nhập nhầm số hồ sơ")
    approve(reopened, lan, hoa, hs_tt=100, **{"CQS.2": 0, "XHS.1": 10})
    services.publish(period, "commune", tuan)
    return period


def test_an_earlier_version_says_it_was_replaced_when_and_why(client, corrected):
    ranking = reverse("results:ranking", args=[corrected.pk, "commune"])
    old = client.get(ranking + "?version=1").content.decode()
    assert 'id="replaced-note"' in old
    assert "Nhập nhầm số hồ sơ" in old[old.index('id="replaced-note"') :][:600]
    assert f'href="{ranking}"' in old
    card = reverse("results:card", args=[corrected.pk, "commune", "14758"])
    old_card = client.get(card + "?version=1").content.decode()
    assert 'id="replaced-note"' in old_card and f'href="{card}"' in old_card
    assert 'id="replaced-note"' not in client.get(ranking).content.decode()


@pytest.mark.parametrize("asked", ["abc", "0", "7", "1.0"])
def test_a_version_that_is_not_one_is_not_found(client, login, tuan, corrected, asked):
    ranking = reverse("results:ranking", args=[corrected.pk, "commune"])
    assert client.get(f"{ranking}?version={asked}").status_code == 404
    assert login(tuan).get(f"{ranking}?version={asked}").status_code == 404
    assert client.get(f"{ranking}ranking.csv?version={asked}").status_code == 404


def test_the_dashboard_says_which_version_it_reads(login, mai, corrected):
    page = login(mai).get(f"/dashboard/?period={corrected.pk}&level=commune").content.decode()
    assert 'id="dashboard-source"' in page
    source = page[page.index('id="dashboard-source"') :][:400]
    assert "2" in source and ("phiên bản" in source or "version" in source)
    data = login(mai).get(f"/api/v1/dashboard/{corrected.pk}/commune").json()
    assert data["source"]["version"] == 2 and data["source"]["published"] is True


def test_a_figure_sent_by_a_system_says_so_on_the_entry_and_review_pages(
    login, lan, hoa, submission
):
    from chiso.assessments.models import Provenance, Value

    Value.objects.create(
        submission=submission, code="hs_tong", self_value=1000, provenance=Provenance.SYSTEM
    )
    entry = login(lan).get(reverse("entry", args=[submission.pk])).content.decode()
    box = entry[entry.index('id="in-hs_tong"') :][:2500]
    assert "từ hệ thống" in box
    review = login(hoa).get(reverse("review-detail", args=[submission.pk])).content.decode()
    row = review[review.index('id="v-hs_tong"') :][:1500]
    assert "từ hệ thống" in row


def test_an_annex_without_a_recognition_rule_has_no_recognized_list():
    from chiso.results.pdf import annex_pdf
    from tests.results.test_pdf import an_annex, text_of

    whole = " ".join(text_of(annex_pdf(an_annex(has_recognition=False))))
    assert "ĐƯỢC CÔNG NHẬN" not in whole and "0 đơn vị" not in whole
    assert "ĐƯỢC CÔNG NHẬN" in " ".join(text_of(annex_pdf(an_annex())))
