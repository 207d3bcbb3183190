"""A storm of logins (every officer at 7:30 on the last day of November): each worker
process queues at most CHISO_LOGIN_QUEUE password checks; a login beyond them is answered
at once, 503 with Retry-After, its user name kept, nothing checked or counted against it,
and the login page sends it again by itself after that many seconds.

The queue is filled for real: the process's hashing thread is held, and real checks of
chiso's hasher wait behind it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from chiso.accounts import hashers
from tests.conftest import PASSWORD


class Queue:
    """`size` password checks of chiso's hasher waiting behind a held hashing thread."""

    def __init__(self, size: int) -> None:
        self.gate = threading.Event()
        self.holder = hashers.hashing_thread().submit(self.gate.wait, 60)
        hasher = hashers.QueuedPBKDF2PasswordHasher()
        self.checks = [
            threading.Thread(target=hasher.encode, args=("mật khẩu", "muoi", 1))
            for _ in range(size)
        ]
        for check in self.checks:
            check.start()
        deadline = time.monotonic() + 10
        while hashers.busy(size) == 0:
            assert time.monotonic() < deadline, "the checks did not queue"
            time.sleep(0.01)

    def release(self) -> None:
        self.gate.set()
        self.holder.result(timeout=10)
        for check in self.checks:
            check.join(timeout=10)


@pytest.fixture
def full_queue(settings) -> Iterator[Queue]:
    settings.CHISO_LOGIN_QUEUE = 2
    queue = Queue(2)
    try:
        yield queue
    finally:
        queue.release()
    assert hashers.busy(1) == 0


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


def test_a_wrong_password_in_a_storm_is_counted_once_it_is_checked(client, lan, full_queue):
    client.post(reverse("login"), {"username": "lan", "password": "sai"})
    assert not AccessAttempt.objects.exists()
    full_queue.release()
    answer = client.post(reverse("login"), {"username": "lan", "password": "sai"})
    assert answer.status_code == 200
    assert AccessAttempt.objects.get().failures_since_start == 1
