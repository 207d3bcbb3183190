"""The login page in a storm of logins, on a phone: turned away while the queue of
password checks is full (tests/accounts/test_login_storm.py), it says so beside the form
and sends the form again by itself; a wrong password shows its error in the page."""

from __future__ import annotations

import pytest

from tests.accounts.test_login_storm import Queue
from tests.browser.conftest import send_login
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chi_lan_waits_her_turn_on_her_phone_without_typing_again(phone, lan, settings):
    settings.CHISO_LOGIN_QUEUE = 2
    phone.goto("/accounts/login/")
    phone.fill("#id_username", "lan")
    phone.fill("#id_password", PASSWORD)
    queue = Queue(2)
    try:
        phone.locator("main form button[type=submit]").click()
        status = phone.locator("#login-status")
        status.filter(has_text="Nhiều người đang đăng nhập cùng lúc").wait_for()
        assert "/accounts/login/" in phone.url
    finally:
        queue.release()
    # The page tries again by itself, with what she typed, and she is in.
    phone.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=15_000)
    assert "Đăng xuất" in phone.locator("body").inner_text()


def test_a_wrong_password_sent_by_the_page_shows_the_error_beside_the_form(phone, lan):
    phone.goto("/accounts/login/")
    phone.fill("#id_username", "lan")
    phone.fill("#id_password", "sai-mat-khau")
    send_login(phone)
    assert "Sai tên đăng nhập hoặc mật khẩu" in phone.locator("#login [role=alert]").inner_text()
    assert phone.locator("#id_username").input_value() == "lan"
    phone.fill("#id_password", PASSWORD)
    send_login(phone)
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
