"""Two wards with figures ready to publish (the people are those of tests/conftest.py).

Chị Lan's Phường Hàm Rồng is approved by Chị Hoa; Anh Minh's Phường Hạc Thành is
still a draft, so publishing names it as not assessed.
"""

from __future__ import annotations

import pytest

from tests.people import fill, submit
from tests.signing import authority, chairman, roots_file  # noqa: F401 (signed annex fixtures)

HAM_RONG_FIGURES = {"hs_tt": 900, "hs_tong": 1000, "CQS.2": 1, "XHS.1": 45}
HAC_THANH_FIGURES = {"hs_tt": 300, "hs_tong": 1000, "CQS.2": 0, "XHS.1": 20}


# 2024: the figures of Xã Hoằng Quý and Xã Thử Cũ, both merged into Phường Hàm Rồng.
OLD_FIGURES = {
    "15916": {"hs_tt": 200, "hs_tong": 1000, "CQS.2": 1, "XHS.1": 50},
    "99911": {"hs_tt": 600, "hs_tong": 1000, "CQS.2": 0, "XHS.1": 10},
}


def approved_2024(framework, hoang_quy, year: int = 2024):
    """A 2024 period with Xã Hoằng Quý and Xã Thử Cũ approved (OLD_FIGURES), not yet
    published; returns (the period, Xã Thử Cũ)."""
    import datetime as dt

    from chiso.assessments.models import Period, PeriodFramework, Status, Submission, Value
    from chiso.units.models import Unit

    old_two = Unit.objects.create(
        code="99911",
        name="Xã Thử Cũ",
        level="commune",
        kind="xa",
        parent=hoang_quy.parent,
        province_code="38",
        valid_to=dt.date(2025, 6, 30),
    )
    earlier = Period.objects.create(
        year=year,
        name="Đánh giá chuyển đổi số cũ",
        opens_on=dt.date(2024, 1, 1),
        closes_on=dt.date(2024, 3, 1),
        reference_date=dt.date(2024, 1, 1),
    )
    PeriodFramework.objects.create(period=earlier, level="commune", framework=framework)
    for unit in (hoang_quy, old_two):
        sub = Submission.objects.create(period=earlier, unit=unit, framework=framework)
        for code, value in OLD_FIGURES[unit.code].items():
            Value.objects.create(submission=sub, code=code, self_value=value)
        Submission.objects.filter(pk=sub.pk).update(status=Status.APPROVED)
    return earlier, old_two


def approve(submission, officer, reviewer, **figures):
    """The officer enters and submits the figures, the reviewer approves them."""
    from chiso.assessments import workflow

    submission = fill(submission, officer, **figures)
    submission = submit(submission, officer)
    return workflow.transition(submission, "approve", reviewer)


@pytest.fixture
def ham_rong_approved(submission, lan, hoa):
    return approve(submission, lan, hoa, **HAM_RONG_FIGURES)


@pytest.fixture
def hac_thanh_submission(period, hac_thanh):
    return period.submissions.get(unit=hac_thanh)
