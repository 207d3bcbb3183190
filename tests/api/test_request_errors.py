"""The API answers every request it cannot read with a 4xx and its JSON error, never a
500: bodies over the limit, broken multipart bodies, too many fields. A write without a
token is told to send one (401), and every attempt with a token, even a revoked one, is
recorded."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import bearer, put_json

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def values_url(submission) -> str:
    return f"/api/v1/submissions/{submission.pk}/values"


def evidence_url(submission) -> str:
    return f"/api/v1/submissions/{submission.pk}/evidence"


def multipart(file_name: str, *, extra: bytes = b"") -> tuple[bytes, str]:
    """A multipart body with one PDF named `file_name` for CQS.1, written by hand."""
    body = (
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="file"; filename="'
        + file_name.encode()
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + PDF
        + b"\r\n--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="codes"\r\n\r\nCQS.1\r\n'
        + extra
        + b"--BOUNDARY--\r\n"
    )
    return body, "multipart/form-data; boundary=BOUNDARY"


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"]
    return body


def test_a_body_over_the_upload_limit_is_413_and_saves_nothing(client, submission, portal_token):
    figures = {"hs_tong": 3, "padding": "x" * (6 * 1024 * 1024)}
    response = put_json(client, values_url(submission), {"values": figures}, **bearer(portal_token))
    refused(response, 413, "too_large")
    assert not submission.values.exists()


def test_a_file_name_over_the_parsers_limit_is_400_and_saves_nothing(
    client, submission, portal_token
):
    body, content_type = multipart("a" * 1100 + ".pdf")
    response = client.generic(
        "POST", evidence_url(submission), body, content_type=content_type, **bearer(portal_token)
    )
    refused(response, 400, "bad_request")
    assert not submission.evidence.exists()


@pytest.mark.parametrize(
    "what, content_type, body, status, code",
    [
        ("multipart without a boundary", "multipart/form-data", b"--x\r\n", 400, "bad_request"),
        ("a boundary that is not one", "multipart/form-data; boundary=", b"x", 400, "bad_request"),
        (
            "more fields than Django reads",
            "application/x-www-form-urlencoded",
            b"&".join(b"f%d=1" % n for n in range(1500)),
            400,
            "bad_request",
        ),
        (
            "more files than Django reads",
            "multipart/form-data; boundary=BOUNDARY",
            b"".join(
                b'--BOUNDARY\r\nContent-Disposition: form-data; name="file"; '
                b'filename="%d.pdf"\r\n\r\n%%PDF\r\n' % n
                for n in range(120)
            )
            + b"--BOUNDARY--\r\n",
            400,
            "bad_request",
        ),
        (
            "a form not in UTF-8",
            "application/x-www-form-urlencoded; charset=latin-1",
            b"codes=CQS.1",
            400,
            "bad_request",
        ),
    ],
)
def test_a_body_django_cannot_read_is_a_4xx_with_a_stable_code(
    client, settings, submission, portal_token, what, content_type, body, status, code
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 100
    response = client.generic(
        "POST", evidence_url(submission), body, content_type=content_type, **bearer(portal_token)
    )
    refused(response, status, code)
    assert not submission.evidence.exists()


def test_a_write_without_any_token_is_told_to_send_one_not_about_csrf(submission):
    # A real client: the CSRF check runs, as it would for a browser.
    system = Client(enforce_csrf_checks=True)
    response = put_json(system, values_url(submission), {"values": {"hs_tong": 3}})
    refused(response, 401, "unauthorized")
    body, content_type = multipart("bao-cao.pdf")
    response = system.generic("POST", evidence_url(submission), body, content_type=content_type)
    refused(response, 401, "unauthorized")
    assert not submission.values.exists() and not submission.evidence.exists()


def test_a_logged_in_person_still_needs_the_csrf_token(submission, lan):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(lan)
    response = put_json(browser, values_url(submission), {"values": {"hs_tong": 3}})
    assert response.status_code == 403
    assert not submission.values.exists()


def test_attempts_with_a_revoked_token_are_recorded(client, submission, portal_token):
    from chiso.api.models import ApiToken, TokenUse

    token = ApiToken.objects.get(user__username="cong-dvc")
    token.revoke()
    used_before = token.last_used_at
    url = values_url(submission)
    for figures in ({"hs_tong": 3}, {"hs_tt": 1}):
        response = put_json(client, url, {"values": figures}, **bearer(portal_token))
        refused(response, 401, "unauthorized")
    uses = TokenUse.objects.filter(token=token).order_by("at", "pk")
    assert [(u.method, u.path, u.status) for u in uses] == [("PUT", url, 401)] * 2
    token.refresh_from_db()
    assert token.last_used_at == used_before
    assert not submission.values.exists()


def test_an_oversized_attempt_with_a_token_is_recorded_too(client, submission, portal_token):
    from chiso.api.models import TokenUse

    figures = {"padding": "x" * (6 * 1024 * 1024)}
    put_json(client, values_url(submission), {"values": figures}, **bearer(portal_token))
    assert list(TokenUse.objects.values_list("status", flat=True)) == [413]


def test_figures_that_do_not_fit_the_schema_list_the_first_fifty_and_count_the_rest(
    client, submission, portal_token
):
    figures = {f"X{n:04d}": [n] for n in range(1000)}  # a list is no figure
    response = put_json(client, values_url(submission), {"values": figures}, **bearer(portal_token))
    body = refused(response, 422, "validation_error")
    assert len(body["details"]) == 50
    assert body["details"][0]["loc"][:4] == ["body", "payload", "values", "X0000"]
    assert body["omitted"] >= 1000 - 50
    assert not submission.values.exists()


def test_an_error_with_few_problems_lists_them_all(client, submission, portal_token):
    figures = {"hs_tt": "x", "no_such_code": 1}
    response = put_json(client, values_url(submission), {"values": figures}, **bearer(portal_token))
    body = refused(response, 422, "validation_error")
    assert {d["loc"][-1] for d in body["details"]} == {"hs_tt", "no_such_code"}
    assert body["omitted"] == 0


def test_a_host_the_site_does_not_serve_is_a_400_in_json(client, ham_rong):
    response = client.get("/api/v1/units", HTTP_HOST="chiso.example.invalid")
    refused(response, 400, "bad_request")
