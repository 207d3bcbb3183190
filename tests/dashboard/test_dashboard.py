"""The dashboard's figures are the engine's results and what the database says, nothing else."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import numpy as np
import pytest

from chiso import engine


def engine_results(period):
    """The engine run by hand on the approved figures, without the dashboard or the bridge."""
    from chiso.assessments.models import Value

    parsed = period.framework_for("commune").engine()
    figures = defaultdict(dict)
    for unit, code, reported, verified in Value.objects.filter(
        submission__period=period, submission__status__in=["approved", "published"]
    ).values_list("submission__unit__code", "code", "self_value", "verified_value"):
        figures[unit][code] = verified if verified is not None else reported
    return engine.score(parsed, engine.Values.from_mapping(parsed, figures))


@pytest.fixture
def board(campaign):
    from chiso.leadership import dashboard

    return dashboard.dashboard(campaign.closed, "commune")


def test_progress_counts_each_state_as_the_database_does(campaign):
    from chiso.assessments.models import Submission
    from chiso.leadership import dashboard

    figures = dashboard.dashboard(campaign.open, "commune")["progress"]
    in_db = Counter(
        Submission.objects.filter(period=campaign.open).values_list("status", flat=True)
    )
    assert figures["total"] == 166
    assert {s: n for s, n in figures["by_status"].items() if n} == dict(in_db)
    assert figures["final"] == in_db["approved"]
    assert sum(area["total"] for area in figures["by_area"]) == 166


def test_before_the_reform_progress_is_grouped_by_district(campaign):
    from chiso.assessments.models import Submission
    from chiso.leadership import dashboard

    figures = dashboard.progress(campaign.before, "commune")
    assert figures["area_kind"] == "district"
    by_district = Counter(
        Submission.objects.filter(period=campaign.before).values_list(
            "unit__parent__name", flat=True
        )
    )
    assert {a["name"]: a["total"] for a in figures["by_area"]} == dict(by_district)
    assert "Huyện Hoằng Hóa" in by_district


def test_after_the_reform_communes_are_grouped_under_their_former_district(campaign):
    from chiso.leadership import dashboard

    figures = dashboard.progress(campaign.closed, "commune")
    assert figures["area_kind"] == "former_district"
    names = {a["name"] for a in figures["by_area"]}
    assert "Thành phố Thanh Hóa" in names and "Huyện Mường Lát" in names
    # Phường Hàm Rồng was formed from communes of the old city.
    rows = dashboard._units(campaign.closed, "commune")
    ham_rong = next(r for r in rows if r["code"] == "14758")
    assert ham_rong["area_name"] == "Thành phố Thanh Hóa"


def test_recognized_units_are_the_engines_against_the_years_quota(campaign, board):
    results = engine_results(campaign.closed)
    assert board["recognition"]["recognized"] == int(results.recognized.sum())
    assert board["recognition"]["scored"] == 166
    assert board["recognition"]["quota"] == 118  # QĐ 969 for 2025


def test_the_histogram_and_pillar_medians_are_the_engines_values(campaign, board):
    results = engine_results(campaign.closed)
    counts = board["distribution"]["counts"]
    assert sum(counts) == 166
    for i, count in enumerate(counts):
        low, high = i / 10, (i + 1) / 10
        inside = [v for v in results.value if low <= v < high or (i == 9 and v == 1.0)]
        assert count == len(inside)
    medians = {p["code"]: p["median"] for p in board["distribution"]["pillars"]}
    assert set(medians) == {"CQS", "KTS", "XHS", "HTS"}
    for code, median in medians.items():
        column = results.node_values[:, results.node_codes.index(code)]
        assert median == pytest.approx(statistics.median(column.tolist()))
    assert board["distribution"]["median"] == pytest.approx(np.median(results.value))


def test_the_lagging_list_holds_the_lowest_values_lowest_first(campaign, board):
    results = engine_results(campaign.closed)
    lowest = sorted(results.value.tolist())[:10]
    assert [u["value"] for u in board["lagging"]] == pytest.approx(lowest)
    assert board["lagging"][0]["rank"] == int(results.rank.max())


def test_nearest_recognition_lists_unrecognized_units_fewest_missing_first(campaign, board):
    results = engine_results(campaign.closed)
    near = board["nearest"]
    assert near
    recognized = dict(zip(results.units, results.recognized.tolist(), strict=True))
    unmet = dict(zip(results.units, results.unmet_mandatory, strict=True))
    points = dict(zip(results.units, results.points.tolist(), strict=True))
    for unit in near:
        assert recognized[unit["code"]] is False
        assert unit["mandatory_missing"] == list(unmet[unit["code"]])
        assert unit["points_missing"] == pytest.approx(max(0.0, 80 - points[unit["code"]]))
    keys = [(len(u["mandatory_missing"]), u["points_missing"]) for u in near]
    assert keys == sorted(keys)
    # Nobody left out was nearer than the last one listed.
    listed = {u["code"] for u in near}
    for code in results.units:
        if not recognized[code] and code not in listed:
            assert (len(unmet[code]), max(0.0, 80 - points[code])) >= keys[-1]


def test_the_change_compares_with_the_previous_period_with_results(campaign):
    from chiso.leadership import dashboard

    figures = dashboard.change(campaign.open, "commune", dashboard.scored(campaign.open, "commune"))
    now, before = engine_results(campaign.open), engine_results(campaign.closed)
    assert figures["previous"]["id"] == campaign.closed.pk
    assert figures["mean_before"] == pytest.approx(before.value.mean())
    assert figures["mean_after"] == pytest.approx(now.value.mean())
    assert figures["recognized_after"] == int(now.recognized.sum())
    old = dict(zip(before.units, before.value.tolist(), strict=True))
    deltas = [v - old[c] for c, v in zip(now.units, now.value.tolist(), strict=True)]
    assert figures["matched"] == len(now.units)
    assert figures["improved"] == sum(1 for d in deltas if d > 1e-9)
    assert figures["most_improved"][0]["delta"] == pytest.approx(max(deltas))


def test_a_reviewers_correction_of_a_reopened_figure_shows_once_approved_again(campaign, tuan):
    from chiso.assessments.models import Status, Submission
    from chiso.assessments.services import verify_value
    from chiso.leadership import dashboard
    from tests.people import put

    tenth_lowest = dashboard.dashboard(campaign.closed, "commune")["lagging"][-1]
    sub = Submission.objects.get(period=campaign.closed, unit__code=tenth_lowest["code"])
    # Figures are corrected only under review: the submission goes back to the reviewer.
    put(sub, Status.SUBMITTED)
    for value in sub.values.filter(self_value__gt=0):
        sub = verify_value(
            sub, value.code, 0.0, user=tuan, reason="Số liệu sai", expected_version=None
        )
    put(sub, Status.APPROVED)
    again = dashboard.dashboard(campaign.closed, "commune")
    results = engine_results(campaign.closed)
    assert again["lagging"][0]["code"] == tenth_lowest["code"]
    assert again["lagging"][0]["value"] == pytest.approx(results.value.min())
    assert again["distribution"]["median"] == pytest.approx(np.median(results.value))
