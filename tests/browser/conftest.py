"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

`phone` is a fresh 360 x 740 touch screen (a common Android phone) on the live
server; `log_in(page, person)` goes through the real login form. Reuse them in any
browser test (mark it @pytest.mark.browser). Playwright never downloads a browser
here: it drives /usr/bin/chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django refuses database
# access from a thread with a running loop unless told it is safe (it is: tests only).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def phone_context(browser: Any, base_url: str) -> Any:
    """A browser context of a 360 x 740 touch screen, its URLs relative to `base_url`."""
    context = browser.new_context(
        viewport=PHONE,
        base_url=base_url,
        locale="vi-VN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page on a 360 x 740 phone screen, its URLs relative to the live server."""
    context = phone_context(browser, live_server.url)
    page = context.new_page()
    yield page
    context.close()


def send_login(page: Any) -> None:
    """Press "Đăng nhập" and wait for the answer: the script of the login page sends the
    form itself (chiso/static/chiso/login.js) and marks its card busy until it has shown
    the answer, or until the next page has loaded."""
    page.locator("main form button[type=submit]").click()
    page.wait_for_function("() => !document.querySelector('#login[aria-busy=true]')")
    page.wait_for_load_state()


@pytest.fixture
def log_in() -> Any:
    """Log a person in through the login form: `log_in(page, lan)`."""

    def _log_in(page: Any, person: Any) -> None:
        page.goto("/accounts/login/")
        page.fill("#id_username", person.get_username())
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _log_in


def horizontal_overflow(page: Any) -> int:
    """How many pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return max(0, int(width) - int(page.viewport_size["width"]))
