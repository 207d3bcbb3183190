"""Turning the login lockout against its owner, and guessing one account from many
addresses, through the real login page.

A commune office shares one address (REMOTE_ADDR; X-Forwarded-For is not trusted). A
colleague or an intruder there failing on Chị Lan's user name must not keep her out
of the browser she logs in from; someone guessing her password from many addresses is
stopped after ten failures in all; every lock of a browser she never used ends fifteen
minutes after the failures that set it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from chiso.accounts.lockout import COOKIE
from chiso.accounts.views import LOCKED_MESSAGE
from tests.conftest import PASSWORD

OFFICE = "203.0.113.7"


def attempt(client, password, address=OFFICE, username="lan", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def locked(response) -> bool:
    text = gettext(str(LOCKED_MESSAGE)) % {"minutes": 15}
    return response.status_code == 429 and text in response.content.decode()


def chi_lans_browser(lan) -> Client:
    """The browser Chị Lan logged in from yesterday, and logged out of."""
    browser = Client()
    assert logged_in(attempt(browser, PASSWORD))
    browser.post(reverse("logout"))
    return browser


def minutes_pass(minutes):
    from axes.models import AccessAttempt

    for failure in AccessAttempt.objects.all():
        failure.attempt_time -= dt.timedelta(minutes=minutes)
        failure.save()


def test_guessing_from_the_office_does_not_keep_chi_lan_out_of_her_browser(lan):
    browser = chi_lans_browser(lan)
    intruder = Client()
    for _ in range(30):
        attempt(intruder, "doan-mat-khau")

    assert locked(attempt(intruder, PASSWORD))
    assert logged_in(attempt(browser, PASSWORD))


def test_guessing_one_account_from_many_addresses_is_stopped(lan):
    browser = chi_lans_browser(lan)
    for n in range(9):  # one guess from each of nine addresses
        assert not locked(attempt(Client(), "doan-mat-khau", address=f"198.51.100.{n + 1}"))
    # The tenth failure locks the account...
    assert locked(attempt(Client(), "doan-mat-khau", address="198.51.100.10"))
    # ...so that an eleventh address is refused even the right password...
    assert locked(attempt(Client(), PASSWORD, address="198.51.100.11"))
    assert locked(attempt(Client(), PASSWORD, address=OFFICE))
    # ...but Chị Lan's own browser is not.
    assert logged_in(attempt(browser, PASSWORD))


def test_nine_failures_from_many_addresses_do_not_lock_the_account(lan):
    for n in range(9):
        attempt(Client(), "doan-mat-khau", address=f"198.51.100.{n + 1}")
    assert logged_in(attempt(Client(), PASSWORD, address="198.51.100.99"))


MANY_ADDRESSES = [f"198.51.100.{n + 1}" for n in range(10)]


@pytest.mark.parametrize(
    "addresses", [MANY_ADDRESSES, [OFFICE] * 8], ids=["many addresses", "the office"]
)
def test_a_lock_ends_for_a_new_browser_fifteen_minutes_later(lan, addresses):
    for address in addresses:
        attempt(Client(), "doan-mat-khau", address=address)
    assert locked(attempt(Client(), PASSWORD))
    minutes_pass(16)
    assert logged_in(attempt(Client(), PASSWORD))


def test_a_made_up_forwarded_address_does_not_give_a_fresh_count(lan):
    intruder = Client()
    for n in range(5):
        attempt(intruder, "doan-mat-khau", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")
    assert locked(attempt(Client(), PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200"))


def test_guessing_at_chi_lans_own_browser_is_limited_too(lan):
    browser = chi_lans_browser(lan)
    for _ in range(5):
        attempt(browser, "doan-mat-khau")
    assert locked(attempt(browser, PASSWORD))


def test_a_forged_or_borrowed_browser_cookie_gives_no_exemption(lan, minh):
    intruder = Client()
    # Logged in as himself (Anh Minh), his browser is known for him, not for Chị Lan.
    assert logged_in(attempt(intruder, PASSWORD, username="minh"))
    intruder.post(reverse("logout"))
    for _ in range(5):
        attempt(intruder, "doan-mat-khau")
    assert locked(attempt(intruder, PASSWORD))
    intruder.cookies[COOKIE] = "forged"
    assert locked(attempt(intruder, PASSWORD))


def test_the_browser_cookie_is_kept_from_scripts_and_sent_to_the_login_page_only(lan):
    browser = Client()
    attempt(browser, PASSWORD)
    morsel = browser.cookies[COOKIE]
    assert morsel["path"] == reverse("login")
    assert morsel["httponly"] and morsel["samesite"] == "Lax"


def test_a_user_agent_posing_as_a_known_browser_is_counted_like_any_other(lan):
    intruder = Client(HTTP_USER_AGENT="chiso-browser:0123456789abcdef")
    for _ in range(5):
        attempt(intruder, "doan-mat-khau")
    assert locked(attempt(intruder, PASSWORD))
