"""The dashboard opens where there is something to read, and says so when there is not."""

from __future__ import annotations

import datetime as dt


def _empty_next_year(period, framework):
    """Next year's period, just created by Anh Tuấn: no submission yet."""
    from chiso.assessments.models import Period, PeriodFramework

    later = Period.objects.create(
        year=period.year + 1,
        name=f"Đánh giá chuyển đổi số {period.year + 1}",
        opens_on=dt.date(period.year + 1, 11, 1),
        closes_on=dt.date(period.year + 1, 11, 30),
        reference_date=dt.date(period.year + 1, 11, 1),
    )
    PeriodFramework.objects.create(period=later, level="commune", framework=framework)
    return later


def test_ba_mai_opens_the_dashboard_on_the_latest_period_with_data(
    login, mai, period, framework, ham_rong_approved
):
    later = _empty_next_year(period, framework)
    response = login(mai).get("/dashboard/")
    assert response.context["period"] == period
    # The new period is still there to choose.
    assert f'value="{later.pk}"' in response.content.decode()
    assert login(mai).get(f"/dashboard/?period={later.pk}").context["period"] == later


def test_with_no_approved_unit_the_boxes_say_so(login, mai, period):
    page = login(mai).get(f"/dashboard/?period={period.pk}").content.decode()
    near = page[page.index('id="near-title"') :][:800]
    assert "Every approved unit is recognized" not in near
    assert "Mọi đơn vị đã phê duyệt đều được công nhận" not in near
    assert 'id="no-approved"' in near
