"""axe-core (its npm package, vendored in tests/browser/vendor) checks every page of
chiso for each person at 360 px: no serious or critical violation of WCAG 2.1 A/AA
(TT 32/2017), nor of WCAG 2.2's target size (links and buttons at least 24 px, or
spaced as much).

The pages are those of the access matrix (tests/security/test_access_matrix.py): every
GET route of the urlconf, filled in with its world (Phường Hàm Rồng's approved
submission and evidence, the published commune results, the framework), read by each
person to whom it answers 200, and kept when it answers a page (text/html) rather than
a file or the API. A new page is thus checked as soon as the matrix says who may read it.

The matrix's submission is approved; the pages that change with the workflow are also
checked while there is work on them: Chị Lan's form when her submission is reopened, Chị
Hoa's review with its decisions when it is submitted again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import approved, published  # noqa: F401 - fixtures
from tests.browser.conftest import phone_context
from tests.people import submit
from tests.security.test_access_matrix import (  # noqa: F401 - world is a fixture
    EXPECTED_GET,
    PEOPLE,
    address,
    routes,
    world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RUN = """async () => {
  // Swagger UI (django-ninja's vendored API explorer on /api/v1/docs) is not chiso's
  // markup: the page around it is checked, the widget is left to its authors.
  const found = await axe.run({exclude: [["#swagger-ui"]]}, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
  });
  return found.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


def is_page(page, url: str) -> bool:
    """Whether `url` answers an HTML page (asked with the person's cookies)."""
    answer = page.request.get(url, max_redirects=0)
    return answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html")


def violations(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    page.evaluate(AXE)  # by the DevTools protocol: the page's CSP allows only its own scripts
    return [f"{url} {problem}" for problem in page.evaluate(RUN)]


def pages_for(who: str, fill: dict) -> list[str]:
    """The addresses of every route that answers `who` 200, by the access matrix."""
    column = PEOPLE.index(who)
    return [address(r, fill) for r in routes() if EXPECTED_GET[r][column] == 200]


def checked(browser, base_url: str, log_in, person, urls: list[str]) -> list[str]:
    """The violations on those of `urls` that are pages, read by `person` (None: the
    public) in one browser context."""
    context = phone_context(browser, base_url)
    page = context.new_page()
    try:
        if person is not None:
            log_in(page, person)
        shown = [url for url in urls if is_page(page, url)]
        if not shown:
            return [f"no page among {urls}"]
        return [problem for url in shown for problem in violations(page, url)]
    finally:
        context.close()


@pytest.mark.parametrize("who", PEOPLE)
def test_no_page_has_a_serious_or_critical_violation(
    browser,
    live_server,
    log_in,
    world,  # noqa: F811
    request,
    who,
):
    person = None if who == "public" else request.getfixturevalue(who)
    urls = pages_for(who, world)
    assert len(urls) >= 10
    assert checked(browser, live_server.url, log_in, person, urls) == []


def test_the_entry_form_and_the_review_have_no_violation_while_there_is_work(
    browser,
    live_server,
    log_in,
    world,  # noqa: F811
    lan,
    hoa,
    tuan,
):
    from chiso.assessments import workflow
    from chiso.assessments.models import Submission

    submission = Submission.objects.get(pk=world["pk"])
    entry, review = address("submissions/<int:pk>/", world), address("review/<int:pk>/", world)
    submission = workflow.transition(submission, "reopen", tuan, reason="Bổ sung minh chứng")
    assert checked(browser, live_server.url, log_in, lan, [entry]) == []
    submit(submission, lan)
    assert checked(browser, live_server.url, log_in, hoa, [review]) == []
