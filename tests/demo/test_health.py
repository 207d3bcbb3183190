"""GET /healthz answers 200 when the database answers."""

from unittest import mock

from django.db.utils import OperationalError


def test_health_is_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_is_503_when_the_database_does_not_answer(client, db):
    with mock.patch("chiso.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_the_browser_finds_a_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
