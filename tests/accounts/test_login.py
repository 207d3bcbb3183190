"""Logging in: five wrong passwords for a user name from one address lock it for
fifteen minutes, with a message saying so, even for the right password, in any browser
the person has not logged in from before (tests/security/test_attack_lockout.py: the
owner's own browser, and one account guessed from many addresses).

The failures are counted in the database (django-axes), so a restart or a second
server process does not forget them.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from chiso.accounts.views import LOCKED_MESSAGE
from tests.conftest import PASSWORD


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def locked_text(minutes=15):
    return gettext(str(LOCKED_MESSAGE)) % {"minutes": minutes}


def test_chi_lan_logs_in_with_her_password(client, lan):
    response = attempt(client, "lan", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(lan.pk)


def test_a_wrong_password_says_so(client, lan):
    response = attempt(client, "lan", "sai-mat-khau")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert locked_text() not in response.content.decode()


def test_after_five_failures_even_the_right_password_is_refused_with_a_message(client, lan):
    for _ in range(5):
        attempt(client, "lan", "sai-mat-khau")
    response = attempt(client, "lan", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert locked_text() in response.content.decode()


def test_the_fifth_failure_already_says_the_login_is_locked(client, lan):
    for _ in range(4):
        attempt(client, "lan", "sai-mat-khau")
    assert locked_text() in attempt(client, "lan", "sai-mat-khau").content.decode()


def test_a_restart_does_not_forget_the_failures(client, lan):
    for _ in range(5):
        attempt(client, "lan", "sai-mat-khau")
    cache.clear()  # what a restart does to a per-process cache
    response = attempt(Client(), "lan", PASSWORD)
    assert response.status_code == 429
    assert locked_text() in response.content.decode()


def test_the_locked_page_keeps_the_user_name_and_the_login_form(client, lan):
    for _ in range(5):
        attempt(client, "lan", "sai-mat-khau")
    html = attempt(client, "lan", PASSWORD).content.decode()
    assert 'name="username"' in html and 'value="lan"' in html
    assert reverse("password_reset") in html


def test_four_failures_do_not_lock(client, lan):
    for _ in range(4):
        attempt(client, "lan", "sai-mat-khau")
    assert attempt(client, "lan", PASSWORD).status_code == 302


def test_the_lock_is_per_user_name_and_address(client, lan, minh):
    for _ in range(5):
        attempt(client, "lan", "sai-mat-khau")
    assert attempt(Client(), "minh", PASSWORD).status_code == 302
    assert attempt(Client(), "lan", PASSWORD, address="198.51.100.9").status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, lan):
    from axes.models import AccessAttempt

    for _ in range(5):
        attempt(client, "lan", "sai-mat-khau")
    for failure in AccessAttempt.objects.all():  # sixteen minutes pass
        failure.attempt_time -= dt.timedelta(minutes=16)
        failure.save()
    assert attempt(client, "lan", PASSWORD).status_code == 302


def test_someone_failing_elsewhere_does_not_lock_chi_lan_out(client, lan):
    for _ in range(20):
        attempt(Client(), "lan", "sai-mat-khau", address="192.0.2.66")
    assert attempt(client, "lan", PASSWORD).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, lan):
    for _ in range(4):
        attempt(client, "lan", "sai-mat-khau")
    assert attempt(client, "lan", PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        attempt(other, "lan", "sai-mat-khau")
    assert attempt(other, "lan", PASSWORD).status_code == 302


def test_the_admin_login_is_limited_as_well(client, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "root", "password": "sai"}, REMOTE_ADDR="203.0.113.7")
    client.post(url, {"username": "root", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert "_auth_user_id" not in client.session


def test_user_names_differing_only_in_case_share_the_count(client, lan):
    for name in ("lan", "LAN", "Lan", "lAn", "laN"):
        attempt(client, name, "sai-mat-khau")
    response = attempt(client, "lan", PASSWORD)
    assert locked_text() in response.content.decode()


def test_a_login_without_a_request_is_not_counted_but_still_checks_the_password(client, lan):
    """The test client and commands call authenticate() with no request, hence no address."""
    assert client.login(username="lan", password=PASSWORD)
    assert not Client().login(username="lan", password="sai-mat-khau")
