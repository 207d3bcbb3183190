"""Chị Lan forgets her password and changes it again, on a 360-pixel-wide phone.

Every account page is chiso's own, in Vietnamese, and fits the screen. Screenshots go
to CHISO_SCREENSHOTS when it is set (to look at them), else to a temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from tests.browser.conftest import horizontal_overflow, send_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Hàm-Rồng-mới-2026"


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("CHISO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> None:
        assert horizontal_overflow(page) == 0, name
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shoot


def submit(page) -> None:
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_chi_lan_resets_and_changes_her_password_on_a_phone(phone, live_server, lan, shots):
    phone.goto("/accounts/login/")
    shots(phone, "1-login")
    phone.get_by_role("link", name="Quên mật khẩu?").click()
    assert phone.locator("h1").inner_text() == "Đặt lại mật khẩu"
    phone.fill("#id_email", "khong-phai-email")
    submit(phone)
    assert phone.locator(".has-error .field-error").count() == 1
    shots(phone, "2-reset-error")
    phone.fill("#id_email", "lan@example.org")
    submit(phone)
    assert phone.locator("h1").inner_text() == "Hãy xem hộp thư"
    shots(phone, "3-reset-done")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/reset/\S+/", message.body).group(0)
    phone.goto(link.split("/accounts/", 1)[1].join(["/accounts/", ""]))
    assert phone.locator("h1").inner_text() == "Chọn mật khẩu mới"
    phone.fill("#id_new_password1", "123")
    phone.fill("#id_new_password2", "123")
    submit(phone)
    assert "Mật khẩu này quá ngắn" in phone.locator(".has-error").inner_text()
    shots(phone, "4-new-password-refused")
    phone.fill("#id_new_password1", NEW_PASSWORD)
    phone.fill("#id_new_password2", NEW_PASSWORD)
    submit(phone)
    assert phone.locator("h1").inner_text() == "Đã đổi mật khẩu"
    shots(phone, "5-reset-complete")

    phone.goto("/accounts/login/")
    phone.fill("#id_username", "lan")
    phone.fill("#id_password", NEW_PASSWORD)
    send_login(phone)
    phone.goto("/accounts/password_change/")
    assert phone.locator("h1").inner_text() == "Đổi mật khẩu"
    phone.fill("#id_old_password", "sai")
    submit(phone)
    shots(phone, "6-change-errors")
    phone.fill("#id_old_password", NEW_PASSWORD)
    phone.fill("#id_new_password1", NEW_PASSWORD + "-2")
    phone.fill("#id_new_password2", NEW_PASSWORD + "-2")
    submit(phone)
    assert phone.locator("h1").inner_text() == "Đã đổi mật khẩu"
    shots(phone, "7-change-done")


def test_a_locked_login_says_why_on_a_phone(phone, lan, shots):
    phone.goto("/accounts/login/")
    for _ in range(5):
        phone.fill("#id_username", "lan")
        phone.fill("#id_password", "sai-mat-khau")
        send_login(phone)
    assert "Vui lòng chờ 15 phút" in phone.locator("[role=alert]").inner_text()
    assert phone.locator("#id_username").input_value() == "lan"
    shots(phone, "8-login-locked")
