"""People, systems and data of the API tests.

Beside the shared people (tests/conftest.py, tests/review/people.py):

- "cong-dvc", the province's public-service portal, a system account that writes the
  figures of Phường Hàm Rồng with its token `portal_token`;
- "lgsp-hac-thanh", the integration platform's account for Phường Hạc Thành
  (another unit's token, `other_token`).
"""

from __future__ import annotations

import pytest

from tests.review.people import *  # noqa: F403


@pytest.fixture(autouse=True)
def no_rate_limit_unless_asked(settings):
    # The tests make many anonymous requests; test_conventions turns the limit back on.
    settings.CHISO_API_ANON_RATE = 0


@pytest.fixture
def portal_token(ham_rong):
    from chiso.api.accounts import create_token

    _token, secret = create_token("cong-dvc", [ham_rong.code], "Cổng dịch vụ công")
    return secret


@pytest.fixture
def other_token(hac_thanh):
    from chiso.api.accounts import create_token

    _token, secret = create_token("lgsp-hac-thanh", [hac_thanh.code], "LGSP")
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def put_json(client, url: str, data, **extra):
    import json

    return client.put(url, json.dumps(data), content_type="application/json", **extra)
