"""The published-results endpoint: one answer of 3,321 units, load, revalidation.

Plain script: sets Django up on a temporary SQLite database, creates 3,321 communes,
a period scored with the shipped commune framework, every unit approved with figures,
and publishes it. Then, with the test client:

- GET /api/v1/results/P/commune?page_size=5000 (every unit in one answer): the first
  (cold: the answer not cached, its rows read and joined; timed after the middleware
  and the routes are loaded, as a served worker loads them when it starts: `boot_ms`)
  and the median of the next RUNS (cached snapshot);
- the median 304 revalidation (If-None-Match) of that answer;

and, with gunicorn (2 workers) serving 127.0.0.1 only, `wrk` (Debian's package,
installed when missing and run as root) for DURATION seconds on the endpoint's default
page (100 units): requests per second. Prints one JSON line.
Targets: full answer <= 150 ms cold (issue #20), >= 300 requests/s, 304 <= 20 ms.

    .venv/bin/python benchmarks/api.py [RUNS] [DURATION]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UNITS = 3321
FULL_MS, RPS, REVALIDATE_MS = 150.0, 300.0, 20.0
FRAMEWORK = ROOT / "chiso" / "frameworks" / "shipped" / "thanhhoa-commune-2024.yaml"


def setup(workdir: str) -> int:
    """The database with one published period of 3,321 communes; returns the period id."""
    import numpy as np
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from chiso.assessments.models import Period, PeriodFramework, Status, Submission, Value
    from chiso.assessments.services import store_framework
    from chiso.results.services import publish
    from chiso.units.models import Unit

    province = Unit.objects.create(
        code="38", name="Tỉnh Thanh Hóa", level="province", kind="tinh", province_code="38"
    )
    Unit.objects.bulk_create(
        Unit(
            code=str(20000 + i),
            name=f"Xã số {i}",
            level="commune",
            kind="xa",
            parent=province,
            province_code="38",
        )
        for i in range(UNITS)
    )
    framework = store_framework(FRAMEWORK.read_text("utf-8"), source="shipped")
    parsed = framework.engine()
    period = Period.objects.create(
        year=2026,
        name="Đánh giá 2026",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 3, 1),
        reference_date=dt.date(2026, 1, 1),
    )
    PeriodFramework.objects.create(period=period, level="commune", framework=framework)
    units = list(Unit.objects.filter(level="commune"))
    Submission.objects.bulk_create(
        Submission(period=period, unit=u, framework=framework, status=Status.APPROVED)
        for u in units
    )
    rng = np.random.default_rng(7)
    rows = []
    for sub in Submission.objects.filter(period=period):
        for code in parsed.input_codes:
            kind = parsed.input_type(code)
            if kind == "boolean":
                figure = float(rng.integers(0, 2))
            elif kind == "integer":
                figure = float(rng.integers(0, 1000))
            else:
                figure = round(float(rng.uniform(0, 100)), 1)
            rows.append(Value(submission=sub, code=code, self_value=figure))
    Value.objects.bulk_create(rows, batch_size=5000)
    publish(period, "commune")
    return period.pk


def in_process(period_id: int, runs: int) -> dict[str, float]:
    from django.test import Client

    client = Client()
    url = f"/api/v1/results/{period_id}/commune?page_size=5000"
    # A served worker loads its middleware and its routes as it starts (chiso/wsgi.py),
    # before any request: `boot_ms`. The test client would do both on its first request;
    # the cold answer is timed after them, as a served worker's first answer.
    started = time.perf_counter()
    import chiso.wsgi  # noqa: F401

    client.handler.load_middleware()
    boot = (time.perf_counter() - started) * 1000
    started, cpu = time.perf_counter(), time.process_time()
    first = client.get(url)
    cold = (time.perf_counter() - started) * 1000
    cold_cpu = (time.process_time() - cpu) * 1000
    assert first.status_code == 200 and len(json.loads(first.content)["items"]) == UNITS
    warm, revalidate = [], []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        warm.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        answer = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        revalidate.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 304
    return {
        "boot_ms": round(boot, 1),
        "full_cold_ms": round(cold, 1),
        # CPU time: what the answer costs, whatever else the machine runs.
        "full_cold_cpu_ms": round(cold_cpu, 1),
        "full_ms": round(statistics.median(warm), 1),
        "full_bytes": len(first.content),
        "revalidate_304_ms": round(statistics.median(revalidate), 2),
    }


def wrk_binary() -> str | None:
    found = shutil.which("wrk")
    if found or os.geteuid() != 0:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(period_id: int, duration: int, env: dict[str, str]) -> dict[str, object]:
    wrk = wrk_binary()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if wrk is None or not gunicorn.exists():
        return {"requests_per_s": None, "load_note": "wrk or gunicorn missing"}
    port = free_port()
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "chiso.wsgi:application",
        ],
        cwd=ROOT,
        # Every request comes from 127.0.0.1: the anonymous limit would stop the test.
        env={**env, "CHISO_API_ANON_RATE": "0"},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api/v1/results/{period_id}/commune"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310
                    answer.read()
                break
            except OSError:
                time.sleep(0.2)
        # Warm both workers' caches before measuring.
        subprocess.run([wrk, "-t2", "-c4", "-d2s", url], capture_output=True, check=False)
        out = subprocess.run(
            [wrk, "-t2", "-c8", f"-d{duration}s", "--latency", url],
            capture_output=True,
            text=True,
            check=False,
            timeout=duration + 30,
        ).stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    p50 = re.search(r"50%\s+([0-9.]+)(us|ms|s)", out)
    latency = None
    if p50:
        latency = float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return {
        "requests_per_s": float(rps.group(1)) if rps else None,
        "load_p50_ms": latency,
        "load_page_units": 100,
        "load_seconds": duration,
        "server": "gunicorn 2 workers, 127.0.0.1",
    }


def main(runs: int, duration: int) -> dict[str, object]:
    workdir = tempfile.mkdtemp(prefix="chiso-bench-api-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "CHISO_MEDIA_ROOT": f"{workdir}/media",
        "CHISO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "chiso.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    try:
        period_id = setup(workdir)
        figures: dict[str, object] = {"benchmark": "api", "units": UNITS}
        figures.update(in_process(period_id, runs))
        figures.update(load(period_id, duration, env))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures["targets"] = {
        "full_ms": FULL_MS,
        "requests_per_s": RPS,
        "revalidate_304_ms": REVALIDATE_MS,
    }
    rps = figures.get("requests_per_s")
    figures["ok"] = bool(
        float(figures["full_cold_ms"]) <= FULL_MS  # type: ignore[arg-type]
        and float(figures["revalidate_304_ms"]) <= REVALIDATE_MS  # type: ignore[arg-type]
        and rps is not None
        and float(rps) >= RPS  # type: ignore[arg-type]
    )
    return figures


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    duration = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    print(json.dumps(main(runs, duration)))
