"""A published period's dashboard reads its snapshot; changes follow the 2025 reform.

2024 (547 old communes) and 2025 (the 166 communes formed on 1 July 2025) are both
published. Each 2025 commune's 2024 figure is derived from the communes it was formed
from: the plain mean of their figures, scored with the 2024 framework and ranked among
the other 2024 communes, marked "suy ra" on the dashboard and the rankings page.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

import numpy as np
import pytest

from chiso import engine


@pytest.fixture
def published(campaign):
    from chiso.results import services

    return services.publish(campaign.before, "commune"), services.publish(
        campaign.closed, "commune"
    )


def stored(snapshot):
    """The snapshot's figures by unit code, straight from its rows."""
    from chiso.results.models import UnitRow

    return {row.code: row for row in UnitRow.objects.filter(snapshot=snapshot, assessed=True)}


def a_merger(campaign, snapshot_2024, of: int = 3):
    """A 2025 commune formed from `of` communes all ranked in 2024, and those communes."""
    from chiso.units.models import Lineage

    ranked = stored(snapshot_2024)
    olds = defaultdict(list)
    for new_code, old_code in Lineage.objects.filter(
        new__valid_from=campaign.closed.reference_date
    ).values_list("new__code", "old__code"):
        olds[new_code].append(old_code)
    code = next(c for c, found in sorted(olds.items()) if len(found) == of)
    assert all(old in ranked for old in olds[code])
    return code, sorted(olds[code])


def worked_by_hand(snapshot_2024, predecessors):
    """The successor's 2024 figure: the mean of its predecessors' published figures, code by
    code over those that reported it, scored; its rank among the other 2024 communes."""
    from chiso.assessments.models import Value

    parsed = snapshot_2024.framework.engine()
    reported = defaultdict(list)
    for code, value in Value.objects.filter(
        submission__period=snapshot_2024.period, submission__unit__code__in=predecessors
    ).values_list("code", "self_value"):
        if value is not None:
            reported[code].append(value)
    row = [np.mean(reported[c]) if reported.get(c) else math.nan for c in parsed.input_codes]
    value = float(
        engine.score(parsed, engine.Values(["X"], parsed.input_codes, np.array([row]))).value[0]
    )
    others = [r.value for code, r in stored(snapshot_2024).items() if code not in predecessors]
    return value, 1 + sum(1 for v in others if v > value + 1e-12)


def among_current(current, code):
    """Like for like, by hand: the rank of `code`'s previous figure among the previous
    figures of the units of the current ranking (`current`: a snapshot or a period)."""
    from chiso.results import analysis

    figures = analysis.previous_figures(current, "commune")["units"]
    mine = figures[code]["value"]
    return 1 + sum(
        1 for f in figures.values() if f["value"] is not None and f["value"] > mine + 1e-9
    )


def test_a_published_periods_dashboard_shows_the_snapshots_figures(campaign, published):
    from chiso.assessments.models import Value
    from chiso.leadership import dashboard

    _, snapshot = published
    rows = stored(snapshot)
    # Figures changed after publication, not published again, are not the published ones.
    Value.objects.filter(submission__period=campaign.closed).update(self_value=0)
    board = dashboard.dashboard(campaign.closed, "commune")
    assert board["recognition"]["recognized"] == sum(1 for r in rows.values() if r.recognized)
    assert board["recognition"]["scored"] == len(rows) == 166
    values = sorted(r.value for r in rows.values())
    assert [u["value"] for u in board["lagging"]] == values[:10]
    for unit in board["lagging"]:
        assert unit["rank"] == rows[unit["code"]].rank
        assert unit["points"] == rows[unit["code"]].points
    assert board["distribution"]["median"] == pytest.approx(np.median(values))
    assert sum(board["distribution"]["counts"]) == 166
    index = {code: i for i, code in enumerate(snapshot.node_codes)}
    for pillar in board["distribution"]["pillars"]:
        column = [r.data["nv"][index[pillar["code"]]] for r in rows.values()]
        assert pillar["median"] == pytest.approx(np.median(column))
    for unit in board["nearest"]:
        assert rows[unit["code"]].recognized is False
        assert unit["mandatory_missing"] == rows[unit["code"]].data["unmet"]
    # The map shows the same published figures.
    shown = dashboard.map_values(campaign.closed, "commune")["units"]
    assert {c: (u["value"], u["rank"]) for c, u in shown.items()} == {
        c: (r.value, r.rank) for c, r in rows.items()
    }


def test_the_published_figures_are_the_engines(campaign, published):
    from chiso.leadership import dashboard
    from tests.dashboard.test_dashboard import engine_results

    results = engine_results(campaign.closed)
    board = dashboard.dashboard(campaign.closed, "commune")
    assert board["recognition"]["recognized"] == int(results.recognized.sum())
    assert [u["value"] for u in board["lagging"]] == pytest.approx(
        sorted(results.value.tolist())[:10]
    )
    assert board["distribution"]["median"] == pytest.approx(np.median(results.value))


def test_the_change_across_the_reform_is_derived_from_the_predecessors(campaign, published):
    from chiso.leadership import dashboard

    before, now = published
    code, predecessors = a_merger(campaign, before)
    value, rank = worked_by_hand(before, predecessors)
    change = dashboard.dashboard(campaign.closed, "commune")["change"]
    assert change["previous"]["id"] == campaign.before.pk
    # Every 2025 commune was formed from 2024 communes: all compared, all derived.
    assert change["matched"] == change["derived"] == 166
    after = stored(now)
    moved = {u["code"]: u for u in change["most_improved"] + change["most_declined"]}
    figures = dashboard.analysis.previous_figures(now, "commune")["units"]
    assert figures[code] == {"value": pytest.approx(value), "rank": rank, "derived": True}
    deltas = {c: after[c].value - f["value"] for c, f in figures.items()}
    assert change["improved"] == sum(1 for d in deltas.values() if d > 1e-9)
    assert change["declined"] == sum(1 for d in deltas.values() if d < -1e-9)
    best = max(deltas, key=lambda c: (deltas[c], c))
    assert change["most_improved"][0]["code"] == best
    assert change["most_improved"][0]["derived"] is True
    assert change["most_improved"][0]["delta"] == pytest.approx(deltas[best])
    worst = min(deltas, key=deltas.__getitem__)
    assert change["most_declined"][0]["code"] == worst
    if code in moved:
        assert moved[code]["before"] == pytest.approx(value)
        assert moved[code]["rank_before"] == among_current(now, code)
    # The report card's trend, stored with the row, has the same derived 2024 point.
    trend = after[code].history
    assert (trend[0]["value"], trend[0]["rank"], trend[0]["derived"]) == (
        pytest.approx(value, abs=1e-6),
        rank,
        True,
    )


def test_the_dashboard_page_marks_derived_previous_figures(campaign, published, login, mai):
    page = login(mai).get("/dashboard/", {"period": campaign.closed.pk}).content.decode()
    section = page[page.index('id="change-title"') : page.index('id="targets-title"')]
    assert 'id="change-derived-note"' in section
    assert section.count('class="derived"') >= 1 and "suy ra" in section
    # The leader reads the units by name, each a link to its report card.
    from chiso.leadership import dashboard
    from chiso.units.models import Unit

    best = dashboard.dashboard(campaign.closed, "commune")["change"]["most_improved"][0]
    name = Unit.objects.filter(code=best["code"]).latest("valid_from").name
    card = f"/results/{campaign.closed.pk}/commune/{best['code']}/"
    assert f'<a href="{card}">{name}</a>' in section


def test_the_rankings_page_shows_the_derived_rank_change(campaign, published, client):
    from django.urls import reverse

    before, now = published
    code, predecessors = a_merger(campaign, before)
    rank = among_current(now, code)
    page = client.get(reverse("results:ranking", args=[campaign.closed.pk, "commune"]))
    html = page.content.decode()
    row = next(r for r in html.split("<tr ") if f"/commune/{code}/" in r)
    places = rank - stored(now)[code].rank
    shown = "=" if places == 0 else (f"▲ {places}" if places > 0 else f"▼ {-places}")
    cell = re.search(r'<td class="num[^"]*" data-key="(-?\d+)">([^<]*) <small class="derived"', row)
    assert cell is not None, row
    assert (cell.group(1), cell.group(2)) == (str(places), shown)
    assert "suy ra" in row
    assert 'id="derived-change-note"' in html


def test_the_api_gives_the_rank_changes_the_rankings_page_shows(campaign, published, client):
    before, now = published
    code, predecessors = a_merger(campaign, before)
    value, rank = worked_by_hand(before, predecessors)
    answer = client.get(f"/api/v1/results/{campaign.closed.pk}/commune/changes")
    assert answer.status_code == 200
    data = answer.json()
    assert data["previous"]["period"] == campaign.before.pk
    assert len(data["units"]) == 166
    unit = next(u for u in data["units"] if u["unit"]["code"] == code)
    assert unit["derived"] is True
    # Its 2024 figure is derived by hand; its rank then is among the 166 of 2025.
    assert unit["previous_value"] == pytest.approx(value)
    assert unit["previous_rank"] == among_current(now, code) != rank
    assert unit["change"] == unit["previous_rank"] - stored(now)[code].rank


def test_a_unit_that_stayed_is_compared_with_its_own_figures(campaign, published):
    """2026 against 2025: the same communes, their own published figures, nothing derived."""
    from chiso.leadership import dashboard
    from chiso.results import analysis

    _, snapshot = published
    rows = stored(snapshot)
    change = dashboard.dashboard(campaign.open, "commune")["change"]
    assert change["previous"]["id"] == campaign.closed.pk
    assert change["derived"] == 0
    figures = analysis.previous_figures(campaign.open, "commune")["units"]
    assert figures and all(not f["derived"] for f in figures.values())
    assert {c: (f["value"], f["rank"]) for c, f in figures.items()} == {
        c: (rows[c].value, rows[c].rank) for c in figures
    }


def test_a_provisional_period_is_compared_with_the_same_derived_figures(campaign):
    """2025 approved, not published yet (the DX office's working figures): scored now, and
    compared with the published 2024 through the same derivation."""
    from chiso.leadership import dashboard
    from chiso.results import analysis, services

    before = services.publish(campaign.before, "commune")
    code, predecessors = a_merger(campaign, before)
    value, rank = worked_by_hand(before, predecessors)
    change = dashboard.dashboard(campaign.closed, "commune")["change"]
    assert change["matched"] == change["derived"] == 166
    figures = analysis.previous_figures(campaign.closed, "commune")
    assert figures["previous"]["snapshot"] == before.pk
    assert figures["units"][code] == {"value": pytest.approx(value), "rank": rank, "derived": True}


def test_the_api_gives_the_provisional_rank_changes_the_staff_page_shows(campaign, client, login):
    """2025 approved, not published: the provisional rankings page shows each commune's
    change against the published 2024, and the staff API gives the same."""
    from django.urls import reverse

    from chiso.results import services
    from tests.people import person

    before = services.publish(campaign.before, "commune")
    code, predecessors = a_merger(campaign, before)
    rank = among_current(campaign.closed, code)
    address = f"/api/v1/results/{campaign.closed.pk}/commune/provisional/changes"
    assert client.get(address).status_code == 401
    login(person("hoa", "Chị Hoa", "reviewer"))
    answer = client.get(address)
    assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-store"
    data = answer.json()
    assert data["version"] is None and data["previous"]["snapshot"] == before.pk
    page = client.get(
        reverse("results:ranking", args=[campaign.closed.pk, "commune"]) + "?provisional=1"
    ).content.decode()
    shown = {}
    for row in page.split("<tr ")[1:]:
        unit = re.search(r"/commune/(\d+)/", row)
        cell = re.search(r'<td class="num[^"]*" data-key="(-?\d*)">(?:▲ \d|▼ \d|=|mới)', row)
        if unit and cell:
            shown[unit.group(1)] = int(cell.group(1)) if cell.group(1) else None
    units = {u["unit"]["code"]: u for u in data["units"]}
    assert len(units) == 166 and set(shown) == set(units)
    assert {c: u["change"] for c, u in units.items()} == shown
    assert units[code]["previous_rank"] == rank and units[code]["derived"] is True


def test_the_change_of_a_published_level_reads_what_publishing_stored(
    campaign, published, monkeypatch
):
    """The dashboard's change between two published years derives nothing on reading:
    with the engine's scoring made to raise, it gives the same figures."""
    from django.core.cache import cache

    from chiso import engine
    from chiso.leadership import dashboard

    expected = dashboard.dashboard(campaign.closed, "commune")["change"]
    cache.clear()

    def refuse(*args, **kwargs):
        raise AssertionError("the change was scored again on reading")

    for name in ("score", "derive_values"):
        monkeypatch.setattr(engine, name, refuse)
    memo: dict = {}
    figures = dashboard.scored(campaign.closed, "commune", memo)
    names = {u["code"]: u["name"] for u in dashboard._units(campaign.closed, "commune")}
    assert dashboard.change(campaign.closed, "commune", figures, memo, names) == expected


def test_a_published_levels_dashboard_reads_no_row_of_its_snapshot(campaign, published):
    """Publishing stored the dashboard's overview: reading it is one small JSON, not the
    snapshot's 166 rows, and the engine never runs."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chiso.leadership import dashboard

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        board = dashboard.dashboard(campaign.closed, "commune")
    assert board["recognition"]["scored"] == 166 and board["change"]["matched"] == 166
    assert not [q["sql"] for q in queries.captured_queries if "results_unitrow" in q["sql"]]


def test_a_snapshot_published_before_the_overview_was_stored_shows_the_same_dashboard(
    campaign, published
):
    """A version published before chiso stored the overview (no `dashboard`, no mean in
    its summary) is worked out from its rows on reading, to the same figures."""
    from django.core.cache import cache

    from chiso.leadership import dashboard
    from chiso.results.models import Snapshot

    stored = dashboard.dashboard(campaign.closed, "commune")
    later = dashboard.dashboard(campaign.open, "commune")
    assert stored["lagging"] and stored["nearest"] and stored["change"]["most_improved"]
    for snapshot in published:
        summary = {k: v for k, v in snapshot.summary.items() if k not in ("mean", "recognized")}
        Snapshot.objects.filter(pk=snapshot.pk).update(dashboard={}, summary=summary)
    cache.clear()
    assert dashboard.dashboard(campaign.closed, "commune") == stored
    assert dashboard.dashboard(campaign.open, "commune") == later


def test_a_correction_of_the_previous_year_is_what_the_change_compares_with(campaign, published):
    """2024 published again after 2025: the 2025 dashboard compares with the new 2024
    version, not the one it stored when it was published."""
    from chiso.leadership import dashboard
    from chiso.results import services
    from chiso.results.models import Snapshot

    before, now = published
    corrected = services.publish(campaign.before, "commune", reason="Sửa số liệu")
    stored = Snapshot.objects.values_list("dashboard", flat=True).get(pk=now.pk)
    assert stored["change_against"] == before.pk != corrected.pk
    memo: dict = {}
    figures = dashboard.scored(campaign.closed, "commune", memo)
    names = {u["code"]: u["name"] for u in dashboard._units(campaign.closed, "commune")}
    expected = dashboard.change(campaign.closed, "commune", figures, memo, names)
    assert (
        dashboard.analysis.previous_figures(now, "commune", corrected)["previous"]["snapshot"]
        == corrected.pk
    )
    assert dashboard.dashboard(campaign.closed, "commune")["change"] == expected
