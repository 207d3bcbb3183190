"""The API documentation page works in a real browser under chiso's CSP 'self'."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_every_endpoint_with_no_csp_violation(phone, live_server):
    problems: list[str] = []
    requests: list[str] = []
    phone.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    phone.on("request", lambda r: requests.append(r.url))
    phone.goto("/api/v1/docs")
    phone.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = phone.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/results/{period_id}/{level}" in p for p in paths)
    assert any("/api/v1/units" in p for p in paths)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p]
    # Everything the page loads comes from chiso itself.
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests)
