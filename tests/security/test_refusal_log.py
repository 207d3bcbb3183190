"""A refused request (403) leaves one line in the log, naming what was refused, not a
traceback: refusals are expected, and tracebacks would bury real errors."""

from __future__ import annotations

import logging

from django.urls import reverse


def test_a_reviewer_changing_an_officers_figures_is_refused_with_one_log_line(
    client, login, submission, hoa, caplog
):
    login(hoa)
    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("entry", args=[submission.pk]), {"XHS.1": "35"})
    assert response.status_code == 403
    refusals = [r for r in caplog.records if "Forbidden" in r.getMessage()]
    assert len(refusals) == 1
    [record] = refusals
    assert record.exc_info is None and not record.exc_text
    line = record.getMessage()
    assert "\n" not in line
    assert f"/submissions/{submission.pk}/" in line and "hoa" in line
    assert "Traceback" not in caplog.text


def test_the_refusal_page_is_chisos_403_page(client, login, submission, hoa):
    login(hoa)
    response = client.post(reverse("entry", args=[submission.pk]), {"XHS.1": "35"})
    assert response.status_code == 403
    assert 'class="topbar"' in response.content.decode()
