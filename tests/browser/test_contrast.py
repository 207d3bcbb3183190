"""Every badge reads at 4.5:1 at least (WCAG 2.1 AA, TT 32/2017), measured in the browser
from the colours it really draws."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.test_results_phone import published  # noqa: F401 - a fixture
from tests.people import put

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """
els => els.map(el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const style = getComputedStyle(el);
  const a = lum(rgb(style.color)), b = lum(rgb(style.backgroundColor));
  return [el.className, el.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
})
"""


def low_contrast(page) -> list[tuple[str, str, float]]:
    found = page.locator(".badge").evaluate_all(CONTRAST)
    return [(name, text, round(ratio, 2)) for name, text, ratio in found if ratio < 4.5]


def test_the_recognized_badge_of_the_rankings_reads_at_4_5_to_1(phone, published):  # noqa: F811
    phone.goto(reverse("results:ranking", args=[published.pk, "commune"]))
    assert phone.locator(".badge.approved").count() >= 1
    assert low_contrast(phone) == []


def test_every_status_badge_of_the_queue_reads_at_4_5_to_1(phone, log_in, period, hoa):
    statuses = ["draft", "submitted"]
    for submission, status in zip(period.submissions.all(), ["approved", "returned"], strict=True):
        put(submission, status)
        statuses.append(status)
    log_in(phone, hoa)
    phone.goto(reverse("review-queue") + f"?period={period.pk}")
    shown = set(phone.locator(".counts .badge").evaluate_all("els => els.map(e => e.className)"))
    assert {f"badge {status}" for status in statuses} <= shown
    assert low_contrast(phone) == []
