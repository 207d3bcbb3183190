"""Targets: the projection worked by hand, and each target's figures on the dashboard."""

from __future__ import annotations

import datetime as dt

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
    assert len(targets) == 7
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
