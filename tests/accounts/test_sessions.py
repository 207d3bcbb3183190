"""A session ends SESSION_COOKIE_AGE after login: the next page asks to log in again."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD


def test_a_session_older_than_its_age_is_logged_out(client, period, hoa):
    client.post(reverse("login"), {"username": "hoa", "password": PASSWORD})
    assert client.get(reverse("review-queue")).status_code == 200
    after = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with mock.patch("django.utils.timezone.now", return_value=after):
        response = client.get(reverse("review-queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_within_its_age_stays(client, period, hoa):
    client.post(reverse("login"), {"username": "hoa", "password": PASSWORD})
    soon = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE - 600)
    with mock.patch("django.utils.timezone.now", return_value=soon):
        assert client.get(reverse("review-queue")).status_code == 200


def test_the_session_age_comes_from_the_environment():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
    env["CHISO_SESSION_SECONDS"] = "1800"
    out = subprocess.run(
        [sys.executable, "-c", "from chiso import settings; print(settings.SESSION_COOKIE_AGE)"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == "1800"


def test_logging_out_needs_a_post_and_ends_the_session(client, lan):
    client.force_login(lan)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
