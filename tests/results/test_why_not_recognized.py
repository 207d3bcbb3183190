"""A unit that is not recognized ("chưa hoàn thành") is told why on the rankings page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chiso import engine
from chiso.results import cards, services
from tests.results.conftest import HAC_THANH_FIGURES, HAM_RONG_FIGURES, approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(period, submission, hac_thanh, lan, minh, hoa, tuan):
    approve(submission, lan, hoa, **HAM_RONG_FIGURES)
    approve(period.submissions.get(unit=hac_thanh), minh, hoa, **HAC_THANH_FIGURES)
    services.publish(period, "commune", tuan)
    return period


def test_hac_thanh_is_told_it_misses_a_mandatory_criterion(client, published):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("results:ranking", args=[published.pk, "commune"])).content.decode()
    rows = {
        name: row
        for row in re.findall(r"<tr [^>]*>(.*?)</tr>", page, flags=re.S)
        for name in re.findall(r">(Phường [^<]+)</a>", row)
    }
    assert re.search(r'<span class="badge approved">Yes</span>', rows["Phường Hàm Rồng"])
    assert "why-not" not in rows["Phường Hàm Rồng"]
    why = re.search(r'<small class="why-not"[^>]*>([^<]*)</small>', rows["Phường Hạc Thành"])
    assert why is not None
    # 30 % of dossiers online (CQS.1) and 20 % of adults signing (XHS.1) are both short.
    assert why.group(1) == "mandatory criteria missing: CQS.1, XHS.1"


def test_a_unit_with_every_mandatory_met_is_told_its_points_are_below_the_threshold(settings):
    from django.utils import translation

    translation.activate("en")
    rule = engine.Recognition(min_points=60, all_mandatory=True)
    short = cards.Row(1, "14758", "Phường Hàm Rồng", "phuong", True, points=52.5, unmet=[])
    assert cards.why_not_recognized(short, rule) == "points below the threshold (52.50 of 60)"
    missing = cards.Row(2, "14797", "Phường Hạc Thành", "phuong", True, points=80, unmet=["X"])
    assert cards.why_not_recognized(missing, rule) == "mandatory criterion missing: X"
    low = cards.Row(3, "1", "Xã", "xa", True, value=0.41, unmet=[])
    assert (
        cards.why_not_recognized(low, engine.Recognition(min_value=0.5))
        == "value below the threshold (0.4100 of 0.5000)"
    )
