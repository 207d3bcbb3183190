"""Asking for a password reset does not tell who has an account: the answer is the
same for a known and an unknown address, it is sent before any email (so a slow mail
server does not show in its time), and the work done for an unknown address is the
same as for a known one (one token, the same two templates rendered, the same queries),
only the email is not sent.
"""

from __future__ import annotations

import http.client
import re
import socketserver
import threading
import time
from unittest import mock
from urllib.parse import urlparse

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

KNOWN = "lan@example.org"
UNKNOWN = "nobody@example.org"


def ask(client, email, address):
    tokens = mock.patch.object(
        PasswordResetTokenGenerator,
        "make_token",
        autospec=True,
        side_effect=PasswordResetTokenGenerator.make_token,
    )
    with CaptureQueriesContext(connection) as queries, tokens as make_token:
        response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)
    return response, len(queries), make_token.call_count


def headers_but_the_request_id(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name != "X-Request-ID"}


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client, lan):
    known, *_ = ask(client, KNOWN, "203.0.113.7")
    unknown, *_ = ask(client, UNKNOWN, "203.0.113.8")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    # Every answer has its own request id (for the logs), whatever the address.
    assert known["X-Request-ID"] != unknown["X-Request-ID"]
    assert headers_but_the_request_id(known) == headers_but_the_request_id(unknown)
    assert known.content == unknown.content
    assert sorted(known.cookies) == sorted(unknown.cookies)


def test_an_unknown_address_costs_the_same_work_as_chi_lans(client, lan):
    from django.core import mail

    known, known_queries, known_tokens = ask(client, KNOWN, "203.0.113.7")
    unknown, unknown_queries, unknown_tokens = ask(client, UNKNOWN, "203.0.113.8")
    assert known_tokens == unknown_tokens == 1
    assert known_queries == unknown_queries
    rendered = [t.name for t in known.templates]
    assert "registration/password_reset_email.txt" in rendered
    assert [t.name for t in unknown.templates] == rendered
    assert [m.to for m in mail.outbox] == [[KNOWN]]


class SlowMailServer(socketserver.ThreadingTCPServer):
    """A real SMTP server on loopback that, like a distant one, greets after a delay."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.received: list[str] = []
        super().__init__(("127.0.0.1", 0), SmtpSession)


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        time.sleep(self.server.delay)
        self.reply("220 slow.example ESMTP")
        while line := self.rfile.readline().decode("utf-8", "replace").strip():
            verb = line.split(" ", 1)[0].upper()
            if verb == "DATA":
                self.reply("354 go on")
                data = []
                while (part := self.rfile.readline().decode("utf-8", "replace")) != ".\r\n":
                    data.append(part)
                self.server.received.append("".join(data))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def slow_mail(settings):
    server = SlowMailServer(delay=1.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.shutdown()
    server.server_close()


def timed_reset_request(base_url: str, email: str) -> tuple[float, int]:
    """Seconds from sending the form to receiving the whole answer, over real HTTP."""
    host = urlparse(base_url).netloc
    page = http.client.HTTPConnection(host, timeout=10)
    page.request("GET", reverse("password_reset"))
    answer = page.getresponse()
    html = answer.read().decode()
    cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    page.close()
    form = http.client.HTTPConnection(host, timeout=10)
    started = time.perf_counter()
    form.request(
        "POST",
        reverse("password_reset"),
        body=f"csrfmiddlewaretoken={token}&email={email}",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    answer = form.getresponse()
    answer.read()
    seconds = time.perf_counter() - started
    form.close()
    return seconds, answer.status


@pytest.mark.django_db(transaction=True)
def test_a_slow_mail_server_does_not_show_in_the_answers_time(live_server, slow_mail, lan):
    known_seconds, known_status = timed_reset_request(live_server.url, KNOWN)
    unknown_seconds, unknown_status = timed_reset_request(live_server.url, UNKNOWN)

    assert known_status == unknown_status == 302
    # The mail server takes a second to greet; the answer does not wait for it.
    assert known_seconds < 0.5, known_seconds
    assert abs(known_seconds - unknown_seconds) < 0.4, (known_seconds, unknown_seconds)
    deadline = time.monotonic() + 10
    while not slow_mail.received and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = slow_mail.received
    assert "To: lan@example.org" in message
