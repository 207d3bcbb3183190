"""Django's recommended password hasher, one check at a time in each worker process.

A password check is PBKDF2-SHA256 at Django's iteration count (1,000,000 in Django 5.2):
about 0.2 s of CPU on purpose, so that a stolen hash is slow to guess. When 166 officers
log in at once that is 35 CPU-seconds. Django computes each in its request's thread, so
a worker's 16 threads would all hash at once and the pages would get a sixteenth of the
CPU. Here each worker process hashes on one thread, the checks queued in turn: logins
take at most a core a process and pages keep their share. (A lower priority for that
thread was tried: on a busy machine the logins then starved while their requests held
threads the pages needed.) The hashes are Django's own (same algorithm name, format).

A login waiting its turn still holds a request thread (and its database connection), so
a storm of more logins than threads would hold every thread and stall the pages. The
login page therefore lets only CHISO_LOGIN_QUEUE logins a process in at once (`admit()`,
counted from the request's start, before its first query, to its answer): beyond that a
login is answered at once, 503 with Retry-After, and the page sends it again by itself
after that many seconds (chiso/static/chiso/login.js).
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

THREAD_NAME = "chiso-password"
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
# Logins let in and not answered yet, in this process.
_admitted = 0
_admitted_lock = threading.Lock()
# When the last login turned away was told to come back (time.monotonic()).
_next_turn = 0.0
# A check's CPU time (s), for the wait a turned-away login is told.
CHECK_SECONDS = 0.25


def hashing_thread() -> ThreadPoolExecutor:
    """The process's one hashing thread (made at first use, after a fork)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        return _pool


class QueuedPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2PasswordHasher, each hash computed in turn on the process's hashing thread."""

    def encode(self, password: str, salt: str, iterations: Any = None) -> str:
        compute = super().encode
        return hashing_thread().submit(compute, password, salt, iterations).result()


def admit(limit: int) -> int:
    """Let a login in (0) when fewer than `limit` are in; otherwise the seconds it should
    come back in, 1 s at least. One let in must `leave()`.

    Each login turned away is given a turn of its own, CHECK_SECONDS after the last one
    given (or after those in now), so a storm comes back spread out at the pace the checks
    can go, rather than all together every second."""
    global _admitted, _next_turn
    with _admitted_lock:
        if _admitted < limit:
            _admitted += 1
            return 0
        now = time.monotonic()
        _next_turn = max(_next_turn, now + _admitted * CHECK_SECONDS) + CHECK_SECONDS
        return max(1, math.ceil(_next_turn - now))


def admitted() -> int:
    """How many logins are in now, in this process."""
    with _admitted_lock:
        return _admitted


def leave() -> None:
    """A login let in by `admit` has its answer."""
    global _admitted
    with _admitted_lock:
        _admitted -= 1
