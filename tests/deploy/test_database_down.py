"""While the database refuses every query, Chị Lan's pages answer 503 with a Vietnamese
page asking her to try again, and the API answers its JSON error; never a 500.
(tests/faults/test_restarts.py restarts a real PostgreSQL under load.)"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection


def refuse(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def database_down(db):
    with connection.execute_wrapper(refuse):
        yield


def test_a_page_answers_503_in_vietnamese_while_the_database_is_down(
    client, login, lan, submission
):
    login(lan)
    client.raise_request_exception = False
    with connection.execute_wrapper(refuse):
        response = client.get(f"/submissions/{submission.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Hệ thống tạm thời gián đoạn" in response.content.decode()
    # Once the database answers again, so does the page.
    assert client.get(f"/submissions/{submission.pk}/").status_code == 200


def test_the_api_answers_its_json_error_while_the_database_is_down(client, database_down):
    client.raise_request_exception = False
    response = client.get("/api/v1/periods")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"] == "30"
