"""The public reads the published rankings and a ward's report card on a 360-pixel phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chiso.results import services
from tests.browser.conftest import horizontal_overflow
from tests.results.conftest import HAC_THANH_FIGURES, approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(period, hac_thanh, lan, minh, hoa, tuan):
    from tests.results.conftest import HAM_RONG_FIGURES

    for unit, officer, figures in (
        ("14758", lan, HAM_RONG_FIGURES),
        ("14797", minh, HAC_THANH_FIGURES),
    ):
        approve(period.submissions.get(unit__code=unit), officer, hoa, **figures)
    services.publish(period, "commune", tuan)
    return period


def names(page) -> list[str]:
    return page.locator("#ranking tbody tr td:nth-child(2) a").all_inner_texts()


def test_the_public_sorts_and_filters_the_rankings_on_a_phone(phone, published):
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.goto(reverse("results:ranking", args=[published.pk, "commune"]))
    assert horizontal_overflow(phone) == 0
    assert names(phone) == ["Phường Hàm Rồng", "Phường Hạc Thành"]
    assert phone.locator("#ranking tbody tr").first.locator("td").nth(2).inner_text() == "1,0000"

    # Already ascending: now down ("^": not the rank interval's column).
    phone.locator("#ranking th button", has_text=re.compile("^Hạng")).click()
    assert names(phone) == ["Phường Hạc Thành", "Phường Hàm Rồng"]
    phone.locator("#filters select[name=recognized]").select_option("yes")
    expect(phone.locator("#ranking tbody tr:visible")).to_have_count(1)
    assert phone.locator("#shown").inner_text() == "1 / 2"
    assert errors == []


def test_the_public_reads_a_report_card_with_its_pillar_chart_on_a_phone(phone, published):
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.goto(reverse("results:card", args=[published.pk, "commune", "14797"]))
    assert horizontal_overflow(phone) == 0
    assert phone.locator("#card-rank").inner_text() == "2"
    expect(phone.locator("#pillar-chart svg")).to_have_count(1)
    # Hạc Thành misses the mandatory digital signatures first, then the online dossiers.
    first = phone.locator("#fix-first li").first.inner_text()
    assert "XHS.1" in first and "bắt buộc, chưa đạt" in first
    assert errors == []


def _axis_label(page, chart: str, value: float, axis: str = "yAxis") -> str:
    """What the chart writes on its value axis for `value`."""
    return page.evaluate(
        "([id, axis, v]) => echarts.getInstanceByDom(document.getElementById(id))"
        ".getOption()[axis][0].axisLabel.formatter(v)",
        [chart, axis, value],
    )


def test_the_report_cards_chart_writes_numbers_the_way_of_the_pages_language(
    phone, live_server, published
):
    card = reverse("results:card", args=[published.pk, "commune", "14797"])
    phone.goto(card)
    expect(phone.locator("#pillar-chart svg")).to_have_count(1)
    assert _axis_label(phone, "pillar-chart", 0.5) == "0,5000"
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto(card)
    expect(phone.locator("#pillar-chart svg")).to_have_count(1)
    assert _axis_label(phone, "pillar-chart", 0.5) == "0.5000"


def test_on_a_phone_the_ranking_fits_with_rank_unit_value_and_recognized(
    phone, published, tmp_path
):
    phone.goto(reverse("results:ranking", args=[published.pk, "commune"]))
    table = phone.locator("#ranking")
    shots = Path(os.environ.get("CHISO_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    table.screenshot(path=str(shots / "ranking-phone.png"))
    # Nothing scrolls sideways, not even the table inside its frame.
    assert horizontal_overflow(phone) == 0
    wrap = phone.locator(".table-wrap:has(#ranking)")
    assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") == 0
    headings = [h.strip() for h in table.locator("thead th:visible").all_inner_texts()]
    # The rank says out of how many: the two wards ranked.
    assert headings == ["Hạng / 2", "Đơn vị", "Giá trị", "Được công nhận"]
    second = table.locator("tbody tr").nth(1)
    for cell in second.locator("td:visible").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    # Hạc Thành is not recognized, and the row says why.
    assert "CQS.1, XHS.1" in second.locator(".why-not").inner_text()

    # Every column is one tap away, then the table scrolls sideways in its frame.
    phone.locator("#all-columns").check()
    assert table.locator("thead th:visible").count() > 4
    assert horizontal_overflow(phone) == 0
