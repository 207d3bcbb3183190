"""Rank changes compare like with like (the DTI's rule for the 2025 merger).

After a partial publication (47 of the 166 communes approved), each change compares
ranks over the same 47 units: last year's figures (their own, or derived from the
communes each was formed from) ranked among exactly these 47, so no change exceeds
46 places, on the rankings page, in the API and on the dashboard.
"""

from __future__ import annotations

import re

import pytest

from tests.dashboard.conftest import campaign  # noqa: F401 - the fixture
from tests.people import person

pytestmark = pytest.mark.django_db

APPROVED = 47


@pytest.fixture
def partial(campaign):  # noqa: F811
    """2024 published whole (547 old communes); 2025 published with 47 communes approved."""
    from chiso.results import services

    admin = person("tuan", "Anh Tuấn", "admin")
    services.publish(campaign.before, "commune", admin)
    late = campaign.closed.submissions.order_by("unit__code")[APPROVED:]
    campaign.closed.submissions.filter(pk__in=[s.pk for s in late]).update(status="submitted")
    snapshot = services.publish(campaign.closed, "commune", admin)
    return campaign, snapshot, admin


def test_the_api_compares_each_rank_among_the_units_of_the_partial_ranking(client, partial):
    cp, snapshot, _ = partial
    data = client.get(f"/api/v1/results/{cp.closed.pk}/commune/changes").json()
    units = data["units"]
    assert len(units) == APPROVED
    compared = [u for u in units if u["change"] is not None]
    # Every commune formed at the reform has predecessors: all 47 are compared.
    assert len(compared) == APPROVED
    assert {u["compared_among"] for u in compared} == {APPROVED}
    assert all(u["out_of"] == APPROVED for u in units)
    assert all(1 <= u["previous_rank"] <= APPROVED for u in compared)
    assert max(abs(u["change"]) for u in compared) <= APPROVED - 1
    # The previous ranks are those of last year's figures among these 47 units only.
    values = {u["unit"]["code"]: u["previous_value"] for u in compared}
    for unit in compared:
        above = sum(1 for v in values.values() if v > unit["previous_value"] + 1e-9)
        assert unit["previous_rank"] == above + 1
        assert unit["change"] == unit["previous_rank"] - unit["compared_rank"]


def test_a_merged_communes_derived_rank_is_among_the_current_units(client, partial):
    cp, _, _ = partial
    data = client.get(f"/api/v1/results/{cp.closed.pk}/commune/changes").json()
    derived = [u for u in data["units"] if u["derived"]]
    assert derived, "communes formed at the reform take derived previous figures"
    assert all(1 <= u["previous_rank"] <= APPROVED for u in derived)


def test_the_rankings_page_shows_no_change_larger_than_the_ranking(client, partial):
    cp, _, _ = partial
    page = client.get(f"/results/{cp.closed.pk}/commune/").content.decode()
    moves = [int(n) for n in re.findall(r"[▲▼] (\d+)", page)]
    assert len(moves) > APPROVED // 2
    assert max(moves) <= APPROVED - 1
    assert f"{APPROVED} đơn vị" in page and 'id="change-note"' in page


def test_the_dashboard_ranks_the_units_that_moved_among_those_compared(login, partial):
    cp, _, admin = partial
    from chiso.leadership import dashboard

    change = dashboard.dashboard(cp.closed, "commune")["change"]
    moved = change["most_improved"] + change["most_declined"]
    assert moved
    for unit in moved:
        assert unit["among"] == change["matched"] == APPROVED
        assert 1 <= unit["rank_before"] <= APPROVED and 1 <= unit["rank_after"] <= APPROVED


def test_a_partial_ranking_says_how_many_of_the_units_were_assessed(client, partial):
    from tests.results.test_pdf import text_of

    cp, snapshot, _ = partial
    total = snapshot.rows.count()
    assert total == 166
    page = client.get(f"/results/{cp.closed.pk}/commune/").content.decode()
    assert re.search(rf'id="partial">[^<]*\b{APPROVED}\b[^<]*\b{total}\b', page)
    best = snapshot.rows.filter(assessed=True).order_by("rank", "code").first()
    card = client.get(f"/results/{cp.closed.pk}/commune/{best.code}/").content.decode()
    assert re.search(rf'id="partial">[^<]*\b{APPROVED}\b[^<]*\b{total}\b', card)
    data = client.get(f"/api/v1/results/{cp.closed.pk}/commune?page_size=1").json()
    assert (data["ranked"], data["units"]) == (APPROVED, total)
    summary = client.get(f"/api/v1/results/{cp.closed.pk}/commune/units/{best.code}/card").json()
    assert (summary["out_of"], summary["units"]) == (APPROVED, total)
    annex = client.get(f"/results/{cp.closed.pk}/commune/annex.pdf").content
    assert f"{APPROVED}/{total} đơn vị được đánh giá" in text_of(annex)[0]


def test_the_dashboard_compares_the_recognized_as_shares_when_the_units_differ(login, partial):
    from chiso.leadership import dashboard

    cp, snapshot, admin = partial
    change = dashboard.dashboard(cp.closed, "commune")["change"]
    before = cp.before.snapshots.get()
    assert (change["assessed_before"], change["assessed_after"]) == (547, APPROVED)
    assert change["recognized_compared"] == "shares"
    recognized_before = before.rows.filter(recognized=True).count()
    recognized_after = snapshot.rows.filter(recognized=True).count()
    assert change["recognized_share_before"] == recognized_before / 547
    assert change["recognized_share_after"] == recognized_after / APPROVED
    page = login(admin).get("/dashboard/", {"period": cp.closed.pk}).content.decode()
    section = page[page.index('id="change-title"') : page.index('id="targets-title"')]
    assert 'id="recognized-shares"' in section and "547" in section
    assert f"{recognized_before} → <strong>{recognized_after}</strong>" not in section
