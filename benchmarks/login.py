"""What a login costs: the password check (Django's PBKDF2-SHA256, on purpose slow) and
the rest of the request (lockout checks, session, redirect), in CPU milliseconds.

Plain script: Chị Lan on a temporary SQLite database logs in through the login form
RUNS times with the test client; prints one JSON line. The README states the password
check's cost; the target is the rest: median <= 40 ms (a fifth of the check).

    .venv/bin/python benchmarks/login.py [RUNS]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _django import create_tables, django_on_sqlite  # noqa: E402  (benchmarks/_django.py)

REST_TARGET_MS = 40.0


def main(runs: int) -> dict[str, object]:
    django_on_sqlite()
    from django.contrib.auth.hashers import check_password
    from django.test import Client

    from tests import people

    create_tables()
    lan = people.named("lan")
    hash_ms, login_ms = [], []
    for _ in range(runs):
        started = time.process_time()
        assert check_password(people.PASSWORD, lan.password)
        hash_ms.append((time.process_time() - started) * 1000)
        client = Client()
        client.get("/accounts/login/")
        form = {
            "username": "lan",
            "password": people.PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        }
        started = time.process_time()
        answer = client.post("/accounts/login/", form)
        login_ms.append((time.process_time() - started) * 1000)
        assert answer.status_code == 302, answer.status_code
    password = statistics.median(hash_ms)
    login = statistics.median(login_ms)
    return {
        "benchmark": "login",
        "runs": runs,
        "password_check_cpu_ms": round(password, 1),
        "login_cpu_ms": round(login, 1),
        "rest_cpu_ms": round(login - password, 1),
        "rest_target_ms": REST_TARGET_MS,
        "ok": login - password <= REST_TARGET_MS,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)))
