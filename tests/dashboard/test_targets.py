"""Targets: the projection worked by hand, and each target's figures on the dashboard."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from chiso.leadership import projection


def test_the_rank_target_is_projected_along_the_least_squares_line_worked_by_hand():
    # Thanh Hóa's ranks 2020-2024: 15, 12, 15, 11, 5.
    # mean year 2022, mean rank 11.6; Σ(x-x̄)² = 4+1+0+1+4 = 10;
    # Σ(x-x̄)(y-ȳ) = (-2)(3.4) + (-1)(0.4) + 0 + (1)(-0.6) + (2)(-6.6) = -21;
    # slope -2.1 a year; at 2025: 11.6 + 3 × (-2.1) = 5.3.
    ranks = [(2020, 15), (2021, 12), (2022, 15), (2023, 11), (2024, 5)]
    result = projection.project(ranks, 10, 2025, this_year=2025, lower_is_better=True)
    assert result.slope == pytest.approx(-2.1)
    assert result.projected == pytest.approx(5.3)
    assert result.current == 5
    assert result.status == projection.ACHIEVED


def test_a_quota_short_now_but_reached_by_the_trend_is_on_track():
    # 60 then 100 recognized: +40 a year, so 140 in 2026 ≥ a quota of 130.
    result = projection.project([(2024, 60), (2025, 100)], 130, 2026, this_year=2025)
    assert result.projected == pytest.approx(140)
    assert result.status == projection.ON_TRACK


def test_a_trend_that_misses_the_quota_is_off_track():
    result = projection.project([(2024, 60), (2025, 70)], 130, 2026, this_year=2025)
    assert result.projected == pytest.approx(80)
    assert result.status == projection.OFF_TRACK


def test_a_deadline_passed_without_the_figure_is_not_met_whatever_the_trend():
    result = projection.project([(2023, 10), (2024, 100)], 120, 2024, this_year=2026)
    assert result.status == projection.MISSED


def test_one_period_projects_its_own_figure_and_none_is_unknown():
    assert projection.project([(2025, 18)], 118, 2025, this_year=2025).projected == 18
    assert projection.project([], 118, 2025, this_year=2025).status == projection.UNKNOWN


def test_the_dashboard_gives_each_demo_target_its_figure_projection_and_status(campaign):
    from chiso.leadership import dashboard
    from tests.dashboard.test_dashboard import engine_results

    targets = {t["name"]: t for t in dashboard.targets(today=dt.date(2026, 12, 1))}
    # QĐ 969's seven, then (issue 25) the 2026 quota and the two 2030 goals.
    assert len(targets) == 10
    quota = targets["QĐ 969: 118 xã hoàn thành CĐS năm 2025"]
    recognized_2024 = int(engine_results(campaign.before).recognized.sum())
    recognized_2025 = int(engine_results(campaign.closed).recognized.sum())
    assert quota["current"] == recognized_2025
    # The trend is drawn through every period up to the target's year.
    assert quota["series"] == [
        {"year": 2024, "figure": recognized_2024},
        {"year": 2025, "figure": recognized_2025},
    ]
    assert quota["projected"] == pytest.approx(recognized_2025)
    # Its deadline has passed: met or not met, never a forecast.
    assert quota["status"] == ("met" if recognized_2025 >= 118 else "missed")
    # The running target counts 2024's recognized communes (before the reform) to 2024.
    running = targets["240 xã hoàn thành CĐS đến 31/12/2024"]
    assert running["current"] == recognized_2024
    # 2024's rank of 5/34 does not decide the DTI 2025, which is not published yet.
    rank = targets["Thanh Hóa trong top 10 DTI năm 2025 (NQ 06-NQ/TU)"]
    assert (rank["current"], rank["current_of"], rank["projected"], rank["status"]) == (
        5,
        34,
        pytest.approx(5),
        "awaiting",
    )
    pillar = targets["Trung vị Chính quyền số của xã ≥ 0,8 năm 2026"]
    assert [p["year"] for p in pillar["series"]] == [2024, 2025, 2026]
    assert pillar["method"] == projection.METHOD


# -- after 2025 (issue 25) -------------------------------------------------------


def test_what_a_quota_needs_and_where_the_pace_leads_worked_by_hand():
    # 30 communes recognized 14 days into a campaign of 60 days (1/11 to 31/12), quota
    # 120: 90 more are needed; at 30 per 14 days the 60 days give 30 × 60 / 14 ≈ 128.6.
    found = projection.pace(30, 120, 14, 60)
    assert found.needed == 90
    assert found.at_pace == pytest.approx(30 * 60 / 14)
    assert projection.pace(130, 120, 14, 60).needed == 0
    assert projection.pace(0, 120, 0, 60).at_pace is None


def test_the_dashboard_says_how_many_more_the_year_s_quota_needs_by_31_12(
    campaign, login, mai, monkeypatch
):
    from chiso.core import demo
    from chiso.leadership import dashboard

    today = dt.date(2026, 11, 15)
    board = dashboard.dashboard(campaign.open, "commune", today)
    r = board["recognition"]
    assert r["quota_name"] == demo.QUOTA_2026 and r["quota"] == 120
    assert r["quota_needed"] == 120 - r["recognized"]
    assert r["quota_by"] == "2026-12-31"
    assert r["quota_at_pace"] == round(r["recognized"] * 60 / 14)

    # The page on 15/11/2026 (the dashboard's today, pinned).
    monkeypatch.setattr(dashboard, "dt", pinned_today(today))
    page = login(mai).get("/dashboard/", {"period": campaign.open.pk}).content.decode()
    pace = page[page.index('id="quota-pace"') :]
    pace = pace[: pace.index("</p>")]
    assert f"Cần thêm {r['quota_needed']} đơn vị trước 31/12" in pace
    assert f"khoảng {r['quota_at_pace']} vào 31/12" in pace


def pinned_today(day):
    """The datetime module as the dashboard sees it, with `date.today()` pinned."""

    class Pinned(dt.date):
        @classmethod
        def today(cls):
            return day

    return types.SimpleNamespace(
        date=Pinned, datetime=dt.datetime, timedelta=dt.timedelta, time=dt.time
    )


def test_the_2030_goals_are_targets_and_digital_government_uses_its_own_rank(campaign):
    from chiso.leadership import dashboard
    from chiso.leadership.models import DtiYear, Target

    # The shipped history (a migration loads it).
    goals = {t.name: t for t in Target.objects.filter(by_date__year=2030)}
    assert {(t.number, t.pillar) for t in goals.values()} == {(10, ""), (5, "CQS")}
    government = next(t for t in goals.values() if t.pillar == "CQS")
    status = dashboard.target_status(government, dt.date(2026, 6, 1))
    # The digital-government ranks of the history (2021: 12, 2023: 9), among 63.
    assert [point["figure"] for point in status["series"]] == [
        float(d.rank_cqs) for d in DtiYear.objects.exclude(rank_cqs=None).filter(of=63)
    ]
    assert DtiYear.objects.get(year=2024).rank == 5 and DtiYear.objects.get(year=2024).of == 34
