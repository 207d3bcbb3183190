"""A storm of logins (every officer at 7:30 on the last day of November): each worker
process queues at most CHISO_LOGIN_QUEUE password checks; a login beyond them is answered
at once, 503 with Retry-After, its user name kept, nothing checked or counted against it,
and the login page sends it again by itself after that many seconds.

The queue is filled through the counter every login passes (`hashers.admit`); that a
check really runs on the process's one hashing thread is tests/accounts/test_password_cost.py's.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from axes.models import AccessAttempt
from django.urls import reverse

from chiso.accounts import hashers
from tests.conftest import PASSWORD


class Queue:
    """`size` logins let in and not answered yet, as `size` officers' logins in flight
    hold them (each from its request's start to its answer)."""

    def __init__(self, size: int) -> None:
        self.held = 0
        for _ in range(size):
            assert hashers.admit(size) == 0
            self.held += 1

    def release(self) -> None:
        while self.held:
            hashers.leave()
            self.held -= 1


@pytest.fixture(autouse=True)
def no_turns_given(monkeypatch):
    """Turns given to logins turned away by an earlier test are not this one's."""
    monkeypatch.setattr(hashers, "_next_turn", 0.0)


@pytest.fixture
def full_queue(settings) -> Iterator[Queue]:
    settings.CHISO_LOGIN_QUEUE = 2
    queue = Queue(2)
    try:
        yield queue
    finally:
        queue.release()
    assert hashers.admit(1) == 0  # every login let in has left
    hashers.leave()


def test_a_login_beyond_the_queue_is_asked_to_come_back_and_nothing_is_counted(
    client, lan, full_queue
):
    answer = client.post(reverse("login"), {"username": "lan", "password": PASSWORD})
    assert answer.status_code == 503
    assert 1 <= int(answer["Retry-After"]) <= 5
    page = answer.content.decode()
    assert "Nhiều người đang đăng nhập cùng lúc" in page
    assert f"tự thử lại sau {answer['Retry-After']} giây" in page
    assert 'value="lan"' in page  # what she typed is kept
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()

    full_queue.release()
    answer = client.post(reverse("login"), {"username": "lan", "password": PASSWORD})
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(lan.pk)


def test_logins_turned_away_are_given_turns_spread_at_the_pace_of_the_checks(settings):
    settings.CHISO_LOGIN_QUEUE = 2
    queue = Queue(2)
    try:
        waits = [hashers.admit(2) for _ in range(12)]
    finally:
        queue.release()
    # Twelve at once are not all told "1 s": they come back over about 12 x 0.25 s.
    assert waits == sorted(waits) and waits[0] == 1
    assert waits[-1] >= 3


def test_a_wrong_password_in_a_storm_is_counted_once_it_is_checked(client, lan, full_queue):
    client.post(reverse("login"), {"username": "lan", "password": "sai"})
    assert not AccessAttempt.objects.exists()
    full_queue.release()
    answer = client.post(reverse("login"), {"username": "lan", "password": "sai"})
    assert answer.status_code == 200
    assert AccessAttempt.objects.get().failures_since_start == 1


def _login(url: str, answers: list) -> None:
    session = requests.Session()
    page = session.get(url, timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = {"username": "lan", "password": PASSWORD, "csrfmiddlewaretoken": token}
    answers.append(session.post(url, form, allow_redirects=False, timeout=30))


@pytest.mark.django_db(transaction=True)
def test_a_login_is_counted_from_its_start_so_a_second_one_is_turned_away(
    live_server, lan, settings
):
    """Two officers press "Đăng nhập" together with room for one: the first is in from
    its request's start, while her password check waits on the process's (held) hashing
    thread, so the second is answered at once rather than queued behind her."""
    settings.PASSWORD_HASHERS = ["chiso.accounts.hashers.QueuedPBKDF2PasswordHasher"]
    settings.CHISO_LOGIN_QUEUE = 1
    lan.set_password(PASSWORD)
    lan.save()
    url = live_server.url + reverse("login")
    gate = threading.Event()
    holder = hashers.hashing_thread().submit(gate.wait, 60)
    first: list = []
    officer = threading.Thread(target=_login, args=(url, first))
    try:
        officer.start()
        deadline = time.monotonic() + 20
        while hashers.admitted() == 0:
            assert time.monotonic() < deadline, "the first login never came in"
            time.sleep(0.01)
        second: list = []
        _login(url, second)
        assert second[0].status_code == 503 and int(second[0].headers["Retry-After"]) >= 1
    finally:
        gate.set()
        holder.result(timeout=10)
        officer.join(timeout=30)
    assert first[0].status_code == 302
    again: list = []
    _login(url, again)
    assert again[0].status_code == 302
    assert hashers.admitted() == 0
