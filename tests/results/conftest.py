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
