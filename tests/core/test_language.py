"""Pages are in Vietnamese by default, whatever the browser asks; English is a choice."""

from django.urls import reverse


def test_a_browser_set_to_english_still_gets_vietnamese_pages(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.content.decode()
    assert "Đăng nhập" in page.content.decode()


def test_the_language_switch_turns_pages_english_and_back(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login"))
    assert '<html lang="en">' in page.content.decode()
    assert "Log in" in page.content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Đăng nhập" in client.get(reverse("login")).content.decode()


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client, db):
    client.cookies["django_language"] = "fr"
    assert '<html lang="vi">' in client.get(reverse("login")).content.decode()


def test_english_pages_write_dates_that_cannot_be_read_month_first(client, db):
    import datetime as dt

    from django.utils import formats, translation

    with translation.override("en"):
        assert formats.date_format(dt.date(2026, 12, 7), "SHORT_DATE_FORMAT") == "7 Dec 2026"
    with translation.override("vi"):
        assert formats.date_format(dt.date(2026, 12, 7), "SHORT_DATE_FORMAT") == "07/12/2026"
