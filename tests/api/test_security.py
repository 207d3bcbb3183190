"""Nothing unpublished is reachable without permission.

Every endpoint of the OpenAPI document and every open-data address is called as the
public, as another unit's officer (Anh Minh of Phường Hạc Thành) and with another unit's
token (the LGSP account of Phường Hạc Thành), about Phường Hàm Rồng's unpublished
submission, a draft framework and unpublished results. None of them sees a figure,
changes one, or learns whether an id exists.
"""

from __future__ import annotations

import io
import json

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

SECRET_FIGURE = 7919  # Hàm Rồng's dossiers received online: in no answer to these callers


@pytest.fixture
def world(period, submission, lan, minh, other_token, mini_framework_text):
    """Hàm Rồng's submission holds figures and is approved but not published; a draft
    framework exists that no period uses."""
    from chiso.assessments.services import save_values, store_framework

    save_values(
        submission, {"hs_tt": SECRET_FIGURE, "hs_tong": 8000}, user=lan, expected_version=None
    )
    submission.refresh_from_db()
    submission.status = "approved"
    submission.save()
    draft = store_framework(
        mini_framework_text.replace("test-commune-mini", "draft-2027"), source="upload"
    )
    return {"submission": submission, "draft": draft, "period": period}


def addresses(world) -> dict[tuple[str, str], str]:
    """Every API operation (method, path template) with the address it is called at."""
    s, draft, period = world["submission"], world["draft"], world["period"]
    return {
        ("GET", "/api/v1/units"): "/api/v1/units",
        ("GET", "/api/v1/units/{unit_id}"): f"/api/v1/units/{s.unit_id}",
        ("GET", "/api/v1/units/{unit_id}/results"): f"/api/v1/units/{s.unit_id}/results",
        ("GET", "/api/v1/frameworks"): "/api/v1/frameworks",
        ("GET", "/api/v1/frameworks/{code}/{version}"): f"/api/v1/frameworks/{draft.code}/1",
        (
            "GET",
            "/api/v1/frameworks/{code}/{version}/file",
        ): f"/api/v1/frameworks/{draft.code}/1/file",
        ("GET", "/api/v1/periods"): "/api/v1/periods",
        ("GET", "/api/v1/periods/{period_id}"): f"/api/v1/periods/{period.pk}",
        (
            "GET",
            "/api/v1/periods/{period_id}/submissions",
        ): f"/api/v1/periods/{period.pk}/submissions",
        ("GET", "/api/v1/results/{period_id}/{level}"): f"/api/v1/results/{period.pk}/commune",
        ("GET", "/api/v1/results/{period_id}/{level}/provisional"): (
            f"/api/v1/results/{period.pk}/commune/provisional"
        ),
        ("GET", "/api/v1/results/{period_id}/{level}/units/{unit_code}/plan"): (
            f"/api/v1/results/{period.pk}/commune/units/{s.unit.code}/plan"
        ),
        ("GET", "/api/v1/results/{period_id}/{level}/uncertainty"): (
            f"/api/v1/results/{period.pk}/commune/uncertainty"
        ),
        ("GET", "/api/v1/results/{period_id}/{level}/sensitivity"): (
            f"/api/v1/results/{period.pk}/commune/sensitivity"
        ),
        ("GET", "/api/v1/results/{period_id}/{level}/changes"): (
            f"/api/v1/results/{period.pk}/commune/changes"
        ),
        ("GET", "/api/v1/results/{period_id}/{level}/provisional/changes"): (
            f"/api/v1/results/{period.pk}/commune/provisional/changes"
        ),
        ("GET", "/api/v1/results/{period_id}/{level}/audit"): (
            f"/api/v1/results/{period.pk}/commune/audit"
        ),
        ("PUT", "/api/v1/submissions/{submission_id}/values"): f"/api/v1/submissions/{s.pk}/values",
        ("POST", "/api/v1/submissions/{submission_id}/evidence"): (
            f"/api/v1/submissions/{s.pk}/evidence"
        ),
    }


DATA = [
    "/data/",
    "/data/catalog.jsonld",
    "/data/{period}/commune/",
    "/data/{period}/commune/ranking.csv",
    "/data/{period}/commune/values.csv",
]


def callers(client, login, minh, other_token):
    from django.test import Client

    public = Client()
    officer = Client()
    login(minh, officer)
    system = Client()
    return {
        "the public": (public, {}),
        "another unit's officer": (officer, {}),
        "another unit's token": (system, bearer(other_token)),
    }


def call(client, method, url, headers):
    if method == "GET":
        return client.get(url, **headers)
    if method == "PUT":
        body = json.dumps({"values": {"hs_tt": 1}})
        return client.put(url, body, content_type="application/json", **headers)
    upload = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    upload.name = "x.pdf"
    return client.post(url, {"file": upload, "codes": ["CQS.1"]}, **headers)


def test_the_security_table_covers_every_endpoint_of_the_document(client, world):
    document = client.get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == set(addresses(world))


@pytest.mark.parametrize("who", ["the public", "another unit's officer", "another unit's token"])
def test_nothing_unpublished_is_reachable(client, login, minh, other_token, world, who):
    caller, headers = callers(client, login, minh, other_token)[who]
    before = world["submission"].values.get(code="hs_tt").self_value
    for (method, _template), url in addresses(world).items():
        response = call(caller, method, url, headers)
        assert response.status_code < 500, (who, url)
        assert str(SECRET_FIGURE) not in response.content.decode("utf-8", "replace"), (who, url)
        assert "draft-2027" not in response.content.decode("utf-8", "replace"), (who, url)
        staff_only = ("provisional", "submissions", "/audit")
        if method != "GET" or any(part in url for part in staff_only):
            assert response.status_code in (401, 403, 404), (who, url, response.status_code)
        if "/results/" in url or "/frameworks/draft" in url:
            assert response.status_code in (401, 403, 404), (who, url)
    for template in DATA:
        url = template.format(period=world["period"].pk)
        response = caller.get(url, **headers)
        assert str(SECRET_FIGURE) not in response.content.decode("utf-8", "replace"), (who, url)
        if url != "/data/" and url != "/data/catalog.jsonld":
            assert response.status_code == 404, (who, url)
    assert world["submission"].values.get(code="hs_tt").self_value == before
    assert world["submission"].evidence.count() == 0


def test_a_guessed_submission_id_looks_like_a_missing_one(client, world, other_token):
    s = world["submission"]
    body = json.dumps({"values": {"hs_tt": 1}})
    theirs = client.put(
        f"/api/v1/submissions/{s.pk}/values",
        body,
        content_type="application/json",
        **bearer(other_token),
    )
    missing = client.put(
        "/api/v1/submissions/987654/values",
        body,
        content_type="application/json",
        **bearer(other_token),
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
