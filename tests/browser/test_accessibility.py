"""axe-core (its npm package, vendored in tests/browser/vendor) checks chiso's pages for
each person at 360 px: no serious or critical violation of WCAG 2.1 A/AA (TT 32/2017),
nor of WCAG 2.2's target size (links and buttons at least 24 px, or spaced as much)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.test_results_phone import published  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RUN = """async () => {
  const found = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
  });
  return found.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


def violations(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    page.evaluate(AXE)  # by the DevTools protocol: the page's CSP allows only its own scripts
    return [f"{url} {problem}" for problem in page.evaluate(RUN)]


def pages_of(period, submission) -> dict[str, list[str]]:
    ranking = reverse("results:ranking", args=[period.pk, "commune"])
    return {
        "public": [
            reverse("home"),
            reverse("login"),
            reverse("results:index"),
            ranking,
            ranking + "sensitivity/",
            reverse("results:card", args=[period.pk, "commune", "14797"]),
            reverse("framework_list"),
            reverse("data:index"),
            reverse("data:dataset", args=[period.pk, "commune"]),
        ],
        "lan": [
            reverse("home"),
            reverse("entry", args=[submission.pk]),
            reverse("values_io:submission_import", args=[submission.pk]),
            reverse("audit-submission", args=[submission.pk]),
            reverse("password_change"),
        ],
        "hoa": [
            reverse("review-queue") + f"?period={period.pk}",
            reverse("review-detail", args=[submission.pk]),
            reverse("results:audit", args=[period.pk, "commune"]),
            reverse("audit-period", args=[period.pk]),
            reverse("framework_detail", args=[submission.framework.code, 1]),
        ],
        "tuan": [
            reverse("results:publish", args=[period.pk]),
            reverse("province"),
            reverse("framework_upload"),
            reverse("what_if", args=[period.pk, "commune"]),
            reverse("values_io:period_import", args=[period.pk]),
        ],
        "mai": [reverse("dashboard"), reverse("results-map", args=[period.pk, "commune"])],
    }


def test_no_page_has_a_serious_or_critical_violation(
    phone,
    log_in,
    published,  # noqa: F811
    submission,
    lan,
    hoa,
    tuan,
    mai,
):
    people = {"lan": lan, "hoa": hoa, "tuan": tuan, "mai": mai}
    found: list[str] = []
    for who, urls in pages_of(published, submission).items():
        if who in people:
            log_in(phone, people[who])
        found += [problem for url in urls for problem in violations(phone, url)]
        if who in people:
            phone.context.clear_cookies()
    assert found == []
