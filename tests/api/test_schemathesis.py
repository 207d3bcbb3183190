"""schemathesis against the OpenAPI document: every endpoint, generated requests, no 5xx
and no answer that breaks the document (status, content type, body schema, headers).

Bounded to a few examples per endpoint so the run stays under about a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from chiso.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def published_data(period, framework, portal_token):
    """A period using the framework, two wards, and the portal's token."""
    return portal_token


@pytest.fixture(autouse=True)
def connection_kept_open_between_requests():
    """As Django's test client does: the test runs in one transaction, and a request's
    end must not close its connection (with CONN_MAX_AGE 0 it would, on PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,  # the same examples on every run: CI never flickers
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_own_document(case, published_data):
    # The WSGI client does not undo gzip; gzip has its own tests.
    headers = {"Authorization": f"Bearer {published_data}", "Accept-Encoding": "identity"}
    # Figures are checked against the framework (codes, types, rules), which the JSON
    # schema cannot say: a schema-valid body may rightly get 422.
    case.call_and_validate(
        headers=headers, excluded_checks=[schemathesis.checks.positive_data_acceptance]
    )
