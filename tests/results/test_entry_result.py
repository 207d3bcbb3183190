"""On her entry page Chị Lan sees her result once her figures are approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.results import services

pytestmark = pytest.mark.django_db


def test_a_draft_shows_the_score_preview(login, lan, submission):
    page = login(lan).get(reverse("entry", args=[submission.pk])).content.decode()
    assert 'id="pv-value"' in page and 'id="entry-result"' not in page


def test_an_approved_submission_shows_its_provisional_result_and_its_report_card(
    login, lan, ham_rong_approved
):
    page = login(lan).get(reverse("entry", args=[ham_rong_approved.pk])).content.decode()
    assert 'id="entry-result"' in page and 'id="pv-value"' not in page
    assert "Kết quả tạm tính" in page
    card = reverse("results:card", args=[ham_rong_approved.period_id, "commune", "14758"])
    assert f'href="{card}?provisional=1"' in page


def test_a_published_submission_shows_its_official_result(login, lan, tuan, ham_rong_approved):
    services.publish(ham_rong_approved.period, "commune", tuan)
    page = login(lan).get(reverse("entry", args=[ham_rong_approved.pk])).content.decode()
    assert "Kết quả chính thức" in page
    assert 'id="result-rank">1<' in page
    card = reverse("results:card", args=[ham_rong_approved.period_id, "commune", "14758"])
    assert f'href="{card}"' in page
