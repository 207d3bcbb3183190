"""Forgetting and changing a password: chiso's own pages, in Vietnamese, linked from the
login page; the reset email links to CHISO_SITE_URL; reset requests are rate-limited."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PASSWORD

NEW_PASSWORD = "Hàm-Rồng-mới-2026"


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def ask_for_reset(client, email, address="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def reset_link(message) -> str:
    return re.search(r"https?://\S+/reset/\S+/", message.body).group(0)


def is_chiso_page(html: str) -> bool:
    return 'class="topbar"' in html and "Django" not in html


def test_the_login_page_links_to_the_reset_page(client, db):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html
    assert "Quên mật khẩu?" in html


def test_the_reset_page_is_chisos_own_and_vietnamese(client, db):
    html = client.get(reverse("password_reset")).content.decode()
    assert is_chiso_page(html)
    assert "Đặt lại mật khẩu" in html
    assert "Địa chỉ email" in html


def test_chi_lan_resets_her_password_by_email(client, lan, settings):
    settings.CHISO_SITE_URL = "https://chiso.thanhhoa.example"
    response = ask_for_reset(client, "lan@example.org")
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert is_chiso_page(done) and "Hãy xem hộp thư" in done
    [message] = mail.outbox
    assert message.to == ["lan@example.org"]
    assert message.subject == "Đặt lại mật khẩu chiso"
    assert "Tên đăng nhập của bạn là lan." in message.body
    link = reset_link(message)
    assert link.startswith("https://chiso.thanhhoa.example/accounts/reset/")

    form = client.get(link.removeprefix("https://chiso.thanhhoa.example"), follow=True)
    html = form.content.decode()
    assert is_chiso_page(html) and "Chọn mật khẩu mới" in html
    saved = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert is_chiso_page(saved.content.decode())
    assert "Đã đổi mật khẩu" in saved.content.decode()
    lan.refresh_from_db()
    assert lan.check_password(NEW_PASSWORD)


def test_a_used_or_wrong_reset_link_says_so(client, lan):
    html = client.get(
        reverse("password_reset_confirm", args=["MQ", "sai-ma"]), follow=True
    ).content.decode()
    assert is_chiso_page(html)
    assert "Liên kết đặt lại mật khẩu không còn dùng được" in html


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, lan):
    response = ask_for_reset(client, "nobody@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_sixth_request_from_one_address_within_the_hour_is_refused(client, lan):
    for n in range(5):
        assert ask_for_reset(client, f"nguoi{n}@example.org").status_code == 302
    refused = ask_for_reset(client, "lan@example.org")
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu đặt lại mật khẩu" in refused.content.decode()
    assert mail.outbox == []


def test_one_email_address_gets_at_most_three_reset_emails_an_hour(client, lan):
    for n in range(5):
        ask_for_reset(client, "lan@example.org", address=f"198.51.100.{n}")
    assert len(mail.outbox) == 3


def test_chi_lan_changes_her_password(client, login, lan):
    login(lan)
    page = client.get(reverse("password_change")).content.decode()
    assert is_chiso_page(page) and "Đổi mật khẩu" in page and "Mật khẩu hiện tại" in page
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "Mật khẩu cũ không chính xác" in wrong.content.decode()
    short = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Ngắn-1", "new_password2": "Ngắn-1"},
    )
    assert "Mật khẩu này quá ngắn. Mật khẩu phải có ít nhất 10 ký tự." in short.content.decode()
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert is_chiso_page(done.content.decode()) and "Đã đổi mật khẩu" in done.content.decode()
    lan.refresh_from_db()
    assert lan.check_password(NEW_PASSWORD)


def test_the_change_page_needs_a_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_chi_lan_reaches_the_change_page_from_her_name_in_the_header(client, login, lan):
    login(lan)
    home = client.get(reverse("home"), follow=True).content.decode()
    header = home.split('<header class="topbar">')[1].split("</header>")[0]
    name = lan.get_full_name() or lan.username
    link = re.search(r'<a class="who" href="([^"]+)"[^>]*>([^<]+)</a>', header)
    assert link is not None and link.group(2) == name
    assert link.group(1) == reverse("password_change")
    assert client.get(link.group(1)).status_code == 200
