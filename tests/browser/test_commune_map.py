"""Bà Mai opens the commune map in a real browser: 166 cells, each a link, nothing from outside."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import horizontal_overflow
from tests.dashboard.conftest import campaign  # noqa: F401 - the province's campaigns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMUNES = Path(__file__).resolve().parents[2] / "chiso/units/data/thanhhoa-communes.csv"


def post_reform_codes() -> set[str]:
    with COMMUNES.open(encoding="utf-8") as handle:
        return {r["code"] for r in csv.DictReader(handle) if r["valid_from"] == "2025-07-01"}


def test_ba_mai_sees_every_commune_on_the_map_and_opens_a_report_card(
    phone,
    log_in,
    mai,
    campaign,  # noqa: F811
    live_server,
):
    from chiso.leadership import dashboard

    here = urlparse(live_server.url).netloc
    elsewhere: list[str] = []

    def only_here(route):
        if urlparse(route.request.url).netloc != here:
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    phone.context.route("**/*", only_here)
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    log_in(phone, mai)
    period = campaign.closed.pk
    phone.goto(f"/results/{period}/commune/map/")
    phone.wait_for_selector("#map[data-ready=true]")

    shapes = phone.locator("#map path[data-code]")
    assert shapes.count() == 166
    links = phone.eval_on_selector_all(
        "#map path[data-code]", "els => els.map(e => [e.dataset.code, e.dataset.href])"
    )
    assert {code for code, _ in links} == post_reform_codes()
    assert all(href == f"/results/{period}/commune/{code}/" for code, href in links)
    assert "ranh giới gần đúng" in phone.locator("main").inner_text().lower()
    assert horizontal_overflow(phone) == 0

    # The tooltip names the ward, its value the Vietnamese way, its rank.
    ham_rong = dashboard.map_values(campaign.closed, "commune", public=False)["units"]["14758"]
    phone.locator('#map path[data-code="14758"]').hover(force=True)
    tip = phone.locator(".leaflet-tooltip").inner_text()
    assert "Phường Hàm Rồng" in tip
    assert f"{ham_rong['value']:.4f}".replace(".", ",") in tip
    assert f"Hạng: {ham_rong['rank']}" in tip

    # Coloured by recognized, a recognized commune turns green and one not recognized orange.
    before = phone.locator('#map path[data-code="14758"]').get_attribute("fill")
    phone.get_by_role("button", name="Được công nhận").click()
    after = phone.locator('#map path[data-code="14758"]').get_attribute("fill")
    assert after == ("#31a354" if ham_rong["recognized"] else "#fc8d59")
    assert before is not None

    phone.locator('#map path[data-code="14758"]').dispatch_event("click")
    phone.wait_for_url(f"**/results/{period}/commune/14758/")
    assert elsewhere == []
    assert errors == []
