"""Staff follow where every submission of a period stands."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer, put_json

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


def test_the_reviewer_pages_through_with_links_that_keep_her_filters_only(
    client, login, hoa, period
):
    login(hoa)
    first = client.get(url(period) + "?page_size=1&junk=1&status=draft&level=commune").json()
    assert first["count"] == 2 and first["previous"] is None
    assert first["next"] == (
        f"http://testserver{url(period)}?level=commune&status=draft&page_size=1&page=2"
    )
    second = client.get(first["next"]).json()
    assert second["next"] is None and second["previous"].endswith("&page=1")
    assert [i["unit"]["code"] for i in first["items"] + second["items"]] == ["14758", "14797"]


def test_a_district_reviewer_sees_only_the_communes_of_the_district(
    client, login, dung, period, hoang_quy_2024, period_2024
):
    login(dung)
    codes = [i["unit"]["code"] for i in client.get(url(period_2024)).json()["items"]]
    assert codes == [hoang_quy_2024.unit.code]
    assert client.get(url(period)).json()["count"] == 0


def test_officers_and_systems_see_only_their_own_units(client, login, lan, period, portal_token):
    """The portal's token and Chị Lan read Phường Hàm Rồng's submission, not Hạc Thành's."""
    codes = [
        i["unit"]["code"] for i in client.get(url(period), **bearer(portal_token)).json()["items"]
    ]
    assert codes == ["14758"]
    login(lan)
    assert [i["unit"]["code"] for i in client.get(url(period)).json()["items"]] == ["14758"]


def test_a_system_reads_its_own_units_submission_with_its_figures(
    client, period, portal_token, other_token
):
    mine = period.submissions.get(unit__code="14758")
    put = put_json(
        client,
        f"/api/v1/submissions/{mine.pk}/values",
        {"values": {"hs_tt": 120, "hs_tong": 200}},
        **bearer(portal_token),
    ).json()
    body = client.get(f"/api/v1/submissions/{mine.pk}", **bearer(portal_token)).json()
    assert (body["status"], body["version"]) == ("draft", put["version"])
    assert body["values"] == {"hs_tong": 200, "hs_tt": 120}
    # Another unit's token is told there is no such submission.
    theirs = client.get(f"/api/v1/submissions/{mine.pk}", **bearer(other_token))
    assert theirs.status_code == 404


def test_an_unknown_period_is_404(client, login, hoa):
    login(hoa)
    assert client.get("/api/v1/periods/99999/submissions").status_code == 404
