"""On a rural phone connection (Chromium's emulation of 400 kbps and a 400 ms round trip,
an empty cache) the public reads a ward's report card and Chị Lan opens her entry page
of Thanh Hóa's commune framework. The server is chiso's own stack: WhiteNoise serving
the collected static files (hashed names, gzip copies) and the pages gzipped.

- The report card is readable and usable in <= 5 s; its chart arrives after, without
  holding up the text (ECharts is 360 KB even gzipped: 7 s on this line by itself).
- The entry page, with its script and styles, is loaded in <= 3 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from chiso.results import services
from tests import people
from tests.browser.conftest import PHONE
from tests.results.conftest import HAC_THANH_FIGURES, HAM_RONG_FIGURES, approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KBPS = 400
ROUND_TRIP_MS = 400
CARD_INTERACTIVE_MS = 5000
ENTRY_LOADED_MS = 3000


@pytest.fixture
def chiso_stack(settings, tmp_path) -> Iterator[str]:
    """A live server without Django's test static handler: WhiteNoise serves what
    `collectstatic` wrote, as `chiso serve` does."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda handler: handler
    server.start()
    yield server.url
    server.stop()


def slow_phone(browser: Any, base_url: str) -> tuple[Any, Any]:
    context = browser.new_context(
        viewport=PHONE, base_url=base_url, locale="vi-VN", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    return context, page


def throttle(context: Any, page: Any) -> None:
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": ROUND_TRIP_MS,
            "downloadThroughput": KBPS * 1000 / 8,
            "uploadThroughput": KBPS * 1000 / 8,
        },
    )


def timing(page: Any) -> dict[str, float]:
    return page.evaluate(
        """() => { const t = performance.getEntriesByType("navigation")[0];
                   return {interactive: t.domContentLoadedEventEnd, loaded: t.loadEventEnd,
                           bytes: performance.getEntriesByType("resource")
                                    .reduce((n, r) => n + r.transferSize, t.transferSize)}; }"""
    )


def test_the_report_card_is_usable_on_a_slow_phone_before_its_chart_arrives(
    browser, chiso_stack, period, hac_thanh, lan, minh, hoa, tuan
):
    for unit, officer, figures in (
        ("14758", lan, HAM_RONG_FIGURES),
        ("14797", minh, HAC_THANH_FIGURES),
    ):
        approve(period.submissions.get(unit__code=unit), officer, hoa, **figures)
    services.publish(period, "commune", tuan)
    context, page = slow_phone(browser, chiso_stack)
    throttle(context, page)

    page.goto(reverse("results:card", args=[period.pk, "commune", "14797"]), wait_until="commit")
    page.wait_for_load_state("domcontentloaded")
    shown = timing(page)

    assert page.locator("#card-rank").inner_text() == "2"
    assert shown["interactive"] <= CARD_INTERACTIVE_MS, shown
    # The chart comes later, by itself.
    expect(page.locator("#pillar-chart svg")).to_have_count(1, timeout=60_000)
    print(f"\nreport card on a slow phone: {timing(page)}")
    context.close()


def test_chi_lans_entry_page_loads_on_a_slow_phone_in_3_seconds(
    browser, chiso_stack, ham_rong, lan
):
    from chiso.assessments.services import load_shipped

    commune = next(f for f in load_shipped() if f.level == "commune")
    period = people.open_period("Đánh giá chuyển đổi số", {"commune": commune}, [ham_rong])
    submission = period.submissions.get()
    context, page = slow_phone(browser, chiso_stack)
    context.add_cookies(session_of(lan, chiso_stack))
    throttle(context, page)

    page.goto(reverse("entry", args=[submission.pk]), wait_until="load")
    loaded = timing(page)

    assert page.locator("#entry-form").count() == 1
    assert loaded["loaded"] <= ENTRY_LOADED_MS, loaded
    print(f"\nentry page ({len(commune.engine().leaves)} indicators) on a slow phone: {loaded}")
    context.close()


def session_of(person: Any, url: str) -> list[dict[str, Any]]:
    """Chị Lan's session cookie, as after logging in (the login is not what is timed)."""
    from django.test import Client

    client = Client()
    client.force_login(person)
    cookie = client.cookies["sessionid"]
    return [{"name": "sessionid", "value": cookie.value, "url": url}]
