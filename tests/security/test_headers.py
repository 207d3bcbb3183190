"""Security headers on every page: a content security policy allowing only chiso's own
files, no framing, no sniffing."""

from __future__ import annotations

from django.urls import reverse

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def policy_of(response) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split(" ", 1)[0]: p.split(" ", 1)[1] for p in parts}


def test_the_login_page_carries_the_policy(client, db):
    response = client.get(reverse("login"))
    assert policy_of(response) == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_logged_in_page_carries_the_policy_too(client, login, period, hoa):
    login(hoa)
    response = client.get(reverse("review-queue"))
    assert policy_of(response) == POLICY


def test_pages_use_no_inline_script_or_style_the_policy_would_block(client, login, submission, hoa):
    from tests.people import put

    put(submission, "submitted")
    login(hoa)
    for url in (
        reverse("login"),
        reverse("review-queue"),
        reverse("review-detail", args=[submission.pk]),
        reverse("audit-submission", args=[submission.pk]),
    ):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<style" not in html and 'style="' not in html, url
        assert " onclick=" not in html and " onsubmit=" not in html, url
