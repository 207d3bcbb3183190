"""Hostile requests, one class of attack per section, each test naming what it tries.

- Filling the cache: the same published results asked for with a junk query parameter
  each time, to make the server keep a new copy per request.
- Oversized or malformed bodies: a body over the upload limit, a multipart file name
  over the parser's limit; the server answers 4xx, never 500, and saves nothing.
- Floods of problems: a JSON body with 100,000 unknown codes, to make the server list
  (and the client download) every one of them.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import bearer, put_json

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- filling the cache ---------------------------------------------------------------


@pytest.fixture
def file_cache(settings, tmp_path):
    """The cache kept in files, so that its entries can be counted and weighed: the
    answers' entries only, so the anonymous API's counter (a new entry when the request
    crosses into the next minute) is off."""
    settings.CHISO_API_ANON_RATE = 0
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return tmp_path / "cache"


def entries(folder) -> tuple[int, int]:
    files = [f for f in folder.rglob("*") if f.is_file()]
    return len(files), sum(f.stat().st_size for f in files)


def test_junk_query_parameters_do_not_fill_the_cache(client, published, file_cache):
    url = f"/api/v1/results/{published.period.pk}/commune"
    plain = client.get(url)
    assert plain.status_code == 200
    before = entries(file_cache)
    for n in range(30):
        junk = client.get(f"{url}?junk={n}")
        assert junk.status_code == 200
        assert junk["ETag"] == plain["ETag"]
        assert junk.content == plain.content
    assert entries(file_cache) == before


def test_the_same_page_written_differently_is_one_cache_entry(client, published, file_cache):
    url = f"/api/v1/results/{published.period.pk}/commune"
    plain = client.get(f"{url}?page_size=1")
    before = entries(file_cache)
    for query in ("page_size=01", "page=1&page_size=1", "page_size=1&page_size=1", "page_size=1&"):
        again = client.get(f"{url}?{query}")
        assert again["ETag"] == plain["ETag"], query
        assert again.json()["next"] == plain.json()["next"], query
    assert entries(file_cache) == before


def test_junk_parameters_are_not_carried_into_the_next_link(client, published):
    url = f"/api/v1/results/{published.period.pk}/commune"
    body = client.get(f"{url}?page_size=1&junk=aaaaaaaaaa").json()
    assert "junk" not in body["next"] and "page=2" in body["next"]


# --- oversized or malformed bodies -----------------------------------------------------


def long_named_upload(name_length: int = 1100) -> tuple[bytes, str]:
    """A multipart body whose file's name is over the parser's 1 KB of part headers."""
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="'
        + b"a" * name_length
        + b'.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        + PDF
        + b'\r\n--B\r\nContent-Disposition: form-data; name="codes"\r\n\r\nCQS.1\r\n--B--\r\n'
    )
    return body, "multipart/form-data; boundary=B"


def test_a_six_megabyte_body_for_the_figures_is_refused_as_too_large(
    client, submission, portal_token
):
    figures = {"hs_tong": 3, "padding": "x" * (6 * 1024 * 1024)}
    response = put_json(
        client,
        f"/api/v1/submissions/{submission.pk}/values",
        {"values": figures},
        **bearer(portal_token),
    )
    assert response.status_code == 413, response.content[:200]
    assert response.json()["code"] == "too_large"
    assert not submission.values.exists()


def test_a_file_name_over_a_kilobyte_is_a_bad_request_on_the_api(client, submission, portal_token):
    body, content_type = long_named_upload()
    response = client.generic(
        "POST",
        f"/api/v1/submissions/{submission.pk}/evidence",
        body,
        content_type=content_type,
        **bearer(portal_token),
    )
    assert response.status_code == 400, response.content[:200]
    assert response.json()["code"] == "bad_request"
    assert not submission.evidence.exists()


@pytest.mark.parametrize("csrf", [False, True], ids=["test-client", "csrf-checked"])
def test_a_file_name_over_a_kilobyte_is_a_bad_request_on_the_entry_page(
    submission, lan, settings, tmp_path, csrf
):
    settings.MEDIA_ROOT = tmp_path
    browser = Client(enforce_csrf_checks=csrf)
    browser.force_login(lan)
    # As a browser would: the entry page sets the CSRF cookie, the form sends it back.
    browser.get(reverse("entry", args=[submission.pk]))
    token = browser.cookies["csrftoken"].value
    body, content_type = long_named_upload()
    response = browser.generic(
        "POST",
        reverse("evidence_upload", args=[submission.pk]),
        body,
        content_type=content_type,
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    assert not submission.evidence.exists()


# --- floods of problems ----------------------------------------------------------------


def test_a_hundred_thousand_unknown_codes_list_the_first_fifty_and_count_the_rest(
    client, submission, portal_token
):
    figures = {f"X{n:06d}": 1 for n in range(100_000)}
    response = put_json(
        client,
        f"/api/v1/submissions/{submission.pk}/values",
        {"values": figures},
        **bearer(portal_token),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [d["loc"] for d in body["details"]] == [
        ["body", "values", f"X{n:06d}"] for n in range(50)
    ]
    assert body["omitted"] == 100_000 - 50
    assert len(response.content) < 10_000
    assert not submission.values.exists()
