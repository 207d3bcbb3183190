"""Every figure the leadership's pages and the report card show is in the API, with the
pages' own access rules: the dashboard and the province's estimate for leaders,
admins and reviewers (Bà Mai, Chị Hoa), the map of a published level and the DTI
history for everyone, a report card's summary and "what to fix first" once published.
"""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_a_published_report_cards_summary_and_fixes_are_the_pages(client, published):
    period = published.period
    card = client.get(f"/api/v1/results/{period.pk}/commune/units/14797/card").json()
    page = client.get(f"/results/{period.pk}/commune/14797/").content.decode()
    fixes = page[page.index('id="fix-first"') : page.index("</ol>", page.index('id="fix-first"'))]
    assert [f["code"] for f in card["fix_first"]] == re.findall(
        r'<span class="code">([^<]+)<', fixes
    )
    row = published.rows.get(code="14797")
    assert (card["rank"], card["out_of"], card["value"]) == (row.rank, 2, row.value)
    assert card["version"] == published.version and card["history"] == row.history
    tree = [node.code for node in published.framework.engine().tree]
    assert [p["code"] for p in card["pillars"]] == tree
    assert all(p["median"] is not None for p in card["pillars"])


def test_a_report_card_is_not_in_the_api_before_publication(client, approved):
    response = client.get(f"/api/v1/results/{approved.pk}/commune/units/14758/card")
    assert response.status_code == 404


def test_the_dashboard_is_for_leaders_and_reviewers_tokens_included(
    client, login, approved, mai, portal_token
):
    url = f"/api/v1/dashboard/{approved.pk}/commune"
    assert client.get(url).status_code == 401
    assert client.get(url, **bearer(portal_token)).status_code == 403
    figures = login(mai).get(url).json()
    assert figures["progress"]["by_status"]["approved"] == 2
    assert figures["recognition"]["scored"] == 2


def test_the_map_of_a_published_level_is_everyones_and_before_only_staffs(
    client, login, approved, tuan, mai, portal_token
):
    from chiso.results.services import publish

    url = f"/api/v1/results/{approved.pk}/commune/map"
    assert client.get(url).status_code == 404
    assert client.get(url, **bearer(portal_token)).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    provisional = login(mai).get(url).json()
    assert provisional["version"] is None and provisional["counts"]["scored"] == 2
    snapshot = publish(approved, "commune", tuan)
    client.logout()
    shown = client.get(url).json()
    assert shown["version"] == snapshot.version
    assert {code: (u["value"], u["rank"]) for code, u in shown["units"].items()} == {
        r.code: (r.value, r.rank) for r in snapshot.rows.all()
    }


def test_the_provinces_dti_history_is_public_and_its_estimate_for_staff(
    client, login, db, mai, portal_token
):
    from chiso.leadership.models import DtiYear

    history = client.get("/api/v1/province/dti").json()["history"]
    shipped = DtiYear.objects.order_by("year").values_list("year", "rank", "of", "value")
    assert [(d["year"], d["rank"], d["of"], d["value"]) for d in history] == list(shipped)
    assert len(history) >= 5
    assert client.get("/api/v1/province/estimate").status_code == 401
    assert client.get("/api/v1/province/estimate", **bearer(portal_token)).status_code == 403
    # Bà Mai may read it: without a self-assessment there is none to read.
    assert login(mai).get("/api/v1/province/estimate").status_code == 404
