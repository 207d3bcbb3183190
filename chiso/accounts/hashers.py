"""Django's recommended password hasher, one check at a time in each worker process.

A password check is PBKDF2-SHA256 at Django's iteration count (1,000,000 in Django 5.2):
about 0.2 s of CPU on purpose, so that a stolen hash is slow to guess. When 166 officers
log in at once that is 35 CPU-seconds. Django computes each in its request's thread, so
a worker's 16 threads would all hash at once and the pages would get a sixteenth of the
CPU. Here each worker process hashes on one thread, the checks queued in turn: logins
take at most a core a process and pages keep their share. (A lower priority for that
thread was tried: on a busy machine the logins then starved while their requests held
threads the pages needed.) The hashes are Django's own (same algorithm name, format).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

THREAD_NAME = "chiso-password"
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


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
