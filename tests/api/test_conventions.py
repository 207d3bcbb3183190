"""The conventions every endpoint keeps: OpenAPI, docs, pages, validators, gzip, errors."""

from __future__ import annotations

import gzip
import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_document_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    assert {
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/frameworks",
        "/api/v1/frameworks/{code}/{version}",
        "/api/v1/frameworks/{code}/{version}/file",
        "/api/v1/periods",
        "/api/v1/periods/{period_id}",
        "/api/v1/periods/{period_id}/submissions",
        "/api/v1/submissions/{submission_id}/values",
        "/api/v1/submissions/{submission_id}/evidence",
    } <= paths


def test_the_docs_page_loads_swagger_from_chisos_own_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    styles = re.findall(r'<link[^>]*href="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts + styles)
    assert "cdn" not in html.lower() and "https://" not in html
    # No inline script runs: the one <script> without src holds JSON data only.
    inline = re.findall(r"<script(?![^>]*src=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for src in scripts + styles:
        assert client.get(src).status_code == 200


def test_a_list_is_paginated_with_a_next_link_that_keeps_the_filters(client, ham_rong, hac_thanh):
    first = client.get("/api/v1/units?level=commune&page_size=1").json()
    assert first["count"] == 2 and len(first["items"]) == 1 and first["previous"] is None
    assert "level=commune" in first["next"] and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert second["next"] is None and second["previous"] is not None
    assert {first["items"][0]["code"], second["items"][0]["code"]} == {"14758", "14797"}


def test_a_parameter_a_list_does_not_know_changes_nothing(client, ham_rong, hac_thanh):
    plain = client.get("/api/v1/units?level=commune&page_size=1")
    junk = client.get("/api/v1/units?junk=1&level=commune&page_size=1&other=2")
    assert junk.status_code == 200 and junk.content == plain.content
    assert junk["ETag"] == plain["ETag"] and "junk" not in junk.json()["next"]


def test_a_client_that_has_the_answer_gets_304(client, ham_rong):
    response = client.get("/api/v1/units")
    etag = response["ETag"]
    again = client.get("/api/v1/units", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""


def test_the_framework_file_has_last_modified_and_answers_304_to_if_modified_since(
    client, period, framework
):
    url = f"/api/v1/frameworks/{framework.code}/{framework.version}/file"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
    assert response.content.decode() == framework.text
    assert response["ETag"] == f'"{framework.sha256}"'
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_answers_are_gzipped_for_clients_that_accept_it(client, ham_rong, hac_thanh):
    response = client.get("/api/v1/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["openapi"].startswith("3.")
    assert "Accept-Encoding" in response["Vary"]
    plain = client.get("/api/v1/openapi.json")
    assert "Content-Encoding" not in plain


def test_pages_outside_the_api_are_not_touched(client):
    response = client.get("/healthz", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in response


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details", "omitted"} and body["code"] == code
    assert body["message"]
    return body


def test_errors_are_json_with_a_stable_code(client, period):
    error(client.get("/api/v1/units/999999"), 404, "not_found")
    error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    error(client.get("/api/nothing"), 404, "not_found")
    body = error(client.get("/api/v1/units?on=yesterday"), 422, "validation_error")
    assert body["details"][0]["loc"] == ["query", "on"]
    error(client.get(f"/api/v1/periods/{period.pk}/submissions"), 401, "unauthorized")
    error(client.delete("/api/v1/units"), 405, "method_not_allowed")


def test_staff_endpoints_refuse_an_officer_with_403(client, login, lan, period):
    login(lan)
    error(client.get(f"/api/v1/results/{period.pk}/commune/provisional"), 403, "forbidden")


def test_anonymous_clients_are_limited_and_told_when_to_come_back(client, settings):
    settings.CHISO_API_ANON_RATE = 3
    for _ in range(3):
        assert client.get("/api/v1/periods").status_code == 200
    refused = client.get("/api/v1/periods")
    error(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 61
    # Another address has its own count.
    assert client.get("/api/v1/periods", REMOTE_ADDR="10.0.0.7").status_code == 200


def test_logged_in_people_are_not_limited(client, settings, login, hoa):
    settings.CHISO_API_ANON_RATE = 2
    login(hoa)
    assert all(client.get("/api/v1/periods").status_code == 200 for _ in range(5))


def test_the_api_docs_page_has_a_language_a_viewport_and_a_link_back(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assert '<html lang="vi">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<a href="/" id="back-to-site">' in page
