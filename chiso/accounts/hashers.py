"""Django's recommended password hasher, run where a login storm cannot stall the pages.

A password check is PBKDF2-SHA256 at Django's iteration count (1,000,000 in Django 5.2):
about 0.2 s of CPU on purpose, so that a stolen hash is slow to guess. When 166 officers
log in at once that is 35 CPU-seconds, and on a 2-core server every page would wait
behind it. Here the hashing runs on threads of low priority (nice 10 on Linux): a page
gets the cores first, a login takes the time left over. The hashes are Django's own
(same algorithm name, same format), read and written as Django's hasher does.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

NICE = 10
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _lower_priority() -> None:
    """This thread only (Linux: a thread's id names it); elsewhere nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


def hashing_threads() -> ThreadPoolExecutor:
    """The process's low-priority hashing threads (made at first use, after a fork)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            # One a process: with a worker process a core, logins never take more than
            # the cores, and the request threads waiting on them keep no core busy.
            _pool = ThreadPoolExecutor(
                max_workers=1,
                thread_name_prefix="chiso-password",
                initializer=_lower_priority,
            )
        return _pool


class LowPriorityPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2PasswordHasher, each hash computed on a low-priority thread."""

    def encode(self, password: str, salt: str, iterations: Any = None) -> str:
        compute = super().encode
        return hashing_threads().submit(compute, password, salt, iterations).result()
