"""Staff follow where every submission of a period stands."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def url(period) -> str:
    return f"/api/v1/periods/{period.pk}/submissions"


def test_the_reviewer_sees_the_status_of_every_submission(client, login, hoa, period):
    submitted = period.submissions.get(unit__code="14797")
    submitted.status = "submitted"
    submitted.save()
    login(hoa)
    body = client.get(url(period)).json()
    assert body["count"] == 2
    assert [(i["unit"]["code"], i["status"]) for i in body["items"]] == [
        ("14758", "draft"),
        ("14797", "submitted"),
    ]
    assert body["items"][0]["deadline"] == period.closes_on.isoformat()
    only = client.get(url(period) + "?status=submitted").json()
    assert [i["unit"]["code"] for i in only["items"]] == ["14797"]


def test_a_leader_reads_it_too(client, login, mai, period):
    login(mai)
    assert client.get(url(period) + "?level=commune").json()["count"] == 2


def test_a_district_reviewer_sees_only_the_communes_of_the_district(
    client, login, dung, period, hoang_quy_2024, period_2024
):
    login(dung)
    codes = [i["unit"]["code"] for i in client.get(url(period_2024)).json()["items"]]
    assert codes == [hoang_quy_2024.unit.code]
    assert client.get(url(period)).json()["count"] == 0


def test_officers_and_systems_are_refused(client, login, lan, period, portal_token):
    assert client.get(url(period), **bearer(portal_token)).json()["code"] == "forbidden"
    login(lan)
    assert client.get(url(period)).status_code == 403


def test_an_unknown_period_is_404(client, login, hoa):
    login(hoa)
    assert client.get("/api/v1/periods/99999/submissions").status_code == 404
