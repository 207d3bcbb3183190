"""What the province's IT office watches: one JSON line per request in the log, and the
Prometheus metrics, which only a scraper on the machine or one holding the token gets."""

from __future__ import annotations

import json
import logging

import pytest

from chiso.core.requestlog import JsonFormatter


@pytest.fixture
def request_lines(caplog):
    """The JSON lines chiso.requests writes, as production's log handler formats them."""
    caplog.set_level(logging.INFO, logger="chiso.requests")
    formatter = JsonFormatter()

    def lines() -> list[dict]:
        records = [r for r in caplog.records if r.name == "chiso.requests"]
        return [json.loads(formatter.format(record)) for record in records]

    return lines


def test_every_request_is_one_json_line_with_its_id_person_status_and_time(
    client, login, lan, submission, request_lines
):
    login(lan)
    page = client.get(f"/submissions/{submission.pk}/?token=secret")
    client.logout()
    missing = client.get("/no-such-page", HTTP_X_REQUEST_ID="nginx-4f2a9c1e")

    first, second = request_lines()
    assert first["request_id"] == page["X-Request-ID"]
    assert first["user_id"] == lan.pk
    assert first["status"] == page.status_code == 200
    assert first["path"] == f"/submissions/{submission.pk}/"  # the query stays out
    assert first["method"] == "GET" and first["duration_ms"] > 0
    assert first["logger"] == "chiso.requests" and first["time"].endswith("+00:00")
    # The proxy's request id is kept, so one id follows the request through both logs.
    assert second["request_id"] == missing["X-Request-ID"] == "nginx-4f2a9c1e"
    assert second["user_id"] is None and second["status"] == 404


def test_a_request_id_that_does_not_look_like_one_is_replaced(client, db, request_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"forged": 1')
    (line,) = request_lines()
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32 and "forged" not in line


def test_the_scraper_on_the_machine_gets_the_metrics(client, db):
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "django_http_requests_total_by_method_total" in response.content.decode()


def test_metrics_are_refused_to_other_addresses_and_through_the_proxy(client, db, settings):
    settings.CHISO_METRICS_TOKEN = "a-long-random-metrics-token"
    assert client.get("/metrics", REMOTE_ADDR="10.38.0.15").status_code == 404
    # nginx on the same machine connects from loopback but says who asked.
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.38.0.15")
    assert proxied.status_code == 404
    wrong = client.get(
        "/metrics", REMOTE_ADDR="10.38.0.15", HTTP_AUTHORIZATION="Bearer not-the-token"
    )
    assert wrong.status_code == 404


def test_metrics_are_served_anywhere_with_the_token(client, db, settings):
    settings.CHISO_METRICS_TOKEN = "a-long-random-metrics-token"
    response = client.get(
        "/metrics",
        REMOTE_ADDR="10.38.0.15",
        HTTP_X_FORWARDED_FOR="10.38.0.15",
        HTTP_AUTHORIZATION="Bearer a-long-random-metrics-token",
    )
    assert response.status_code == 200
    assert "django_http_responses_total_by_status_total" in response.content.decode()


def test_no_token_configured_means_no_token_opens_the_metrics(client, db, settings):
    settings.CHISO_METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="10.38.0.15", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404
