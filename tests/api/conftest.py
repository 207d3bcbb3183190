"""People, systems and data of the API tests.

Beside the shared people (tests/conftest.py):

- "cong-dvc", the province's public-service portal, a system account that writes the
  figures of Phường Hàm Rồng with its token `portal_token`;
- "lgsp-hac-thanh", the integration platform's account for Phường Hạc Thành
  (another unit's token, `other_token`).
"""

from __future__ import annotations

import pytest

from tests.people import fill, submit
from tests.signing import authority, chairman, roots_file  # noqa: F401 (signed annex fixtures)

HAM_RONG_FIGURES = {"hs_tt": 900, "hs_tong": 1000, "CQS.2": 1, "XHS.1": 45}
HAC_THANH_FIGURES = {"hs_tt": 300, "hs_tong": 1000, "CQS.2": 0, "XHS.1": 20}


def approve(submission, officer, reviewer, **figures):
    from chiso.assessments import workflow

    submission = submit(fill(submission, officer, **figures), officer)
    return workflow.transition(submission, "approve", reviewer)


@pytest.fixture
def approved(period, lan, minh, hoa):
    """Both wards approved: Hàm Rồng well ahead of Hạc Thành."""
    approve(period.submissions.get(unit__code="14758"), lan, hoa, **HAM_RONG_FIGURES)
    approve(period.submissions.get(unit__code="14797"), minh, hoa, **HAC_THANH_FIGURES)
    return period


@pytest.fixture
def published(approved, tuan):
    """The commune results of the period, published by Anh Tuấn."""
    from chiso.results.services import publish

    return publish(approved, "commune", tuan)


@pytest.fixture(autouse=True)
def no_rate_limit_unless_asked(settings):
    # The tests make many anonymous requests; test_conventions turns the limit back on.
    settings.CHISO_API_ANON_RATE = 0


@pytest.fixture
def portal_token(ham_rong):
    from chiso.api.services import create_token

    _token, secret = create_token("cong-dvc", [ham_rong.code], "Cổng dịch vụ công")
    return secret


@pytest.fixture
def other_token(hac_thanh):
    from chiso.api.services import create_token

    _token, secret = create_token("lgsp-hac-thanh", [hac_thanh.code], "LGSP")
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def put_json(client, url: str, data, **extra):
    import json

    return client.put(url, json.dumps(data), content_type="application/json", **extra)
