"""The November rush, measured: 166 commune officers saving drafts every 2-5 s while 50
readers browse the published results, against `chiso serve` on this machine.

    python loadtest/rush.py                      # 60 s, 166 + 50, PostgreSQL chiso_rush
    python loadtest/rush.py --seconds 10 --officers 20 --readers 5   # the short run

Prepares the database (loadtest/prepare.py: the demo, every commune open for entry),
starts `chiso serve` (gunicorn, --workers processes) with Redis as the cache, runs
locust headless on loopback for --seconds, stops everything, then:

- prints, per request type, count, failures, p50, p95 and max, for the login storm (from
  the start until the last officer is logged in) and the steady state after it apart; a
  login turned away while the server's password checks are queued ("login: come back",
  503 with Retry-After) is answered at once and sent again when told, and each officer's
  time from her first login request to being in is printed too;
- checks that each officer's last acknowledged save is what the database holds (or a
  later save of hers that the run's end left unanswered, counted apart);
- prints one JSON line with the figures and whether the targets were met: 0 errors,
  p95 <= 500 ms for saves and pages in the steady state, p95 <= 1 s over the whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.children import free_port  # noqa: E402

STEADY_P95_MS = 500
RUN_P95_MS = 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def table(requests: list[list[Any]]) -> dict[str, dict[str, float]]:
    by_name: dict[str, list[list[Any]]] = {}
    for request in requests:
        by_name.setdefault(request[1], []).append(request)
    rows = {}
    for name, group in sorted(by_name.items()):
        times = [r[2] for r in group]
        rows[name] = {
            "count": len(group),
            "failures": sum(1 for r in group if not r[3]),
            "p50_ms": round(statistics.median(times)),
            "p95_ms": round(percentile(times, 0.95)),
            "max_ms": round(max(times)),
        }
    return rows


def show(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'request':<14}{'count':>7}{'failures':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, row in rows.items():
        print(
            f"  {name:<14}{row['count']:>7}{row['failures']:>10}"
            f"{row['p50_ms']:>9}{row['p95_ms']:>9}{row['max_ms']:>9}"
        )


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("chiso serve stopped before answering")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"chiso serve did not answer at {url}")


def ensure_database(url: str) -> None:
    """Create the rush's PostgreSQL database when the server does not have it yet (a fresh
    machine has only its own); prepare.py fills it."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not found.fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def check_saves(
    environment: dict[str, str], acknowledged: dict[str, Any], unanswered: dict[str, Any]
) -> dict[str, int]:
    """Each officer's last acknowledged save against the database: the figure and the
    submission's version. Where she sent one more save that the run's end left without
    an answer, the database may hold that one instead (the server finished it as it
    stopped): counted apart as `landed_unanswered`, not as lost."""
    os.environ.update(environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    import django

    django.setup()
    from chiso.assessments.models import Submission, Value

    def holds(save: dict[str, Any]) -> tuple[bool, bool]:
        held = Value.objects.filter(submission_id=save["submission"], code=save["code"]).first()
        version = Submission.objects.get(pk=save["submission"]).version
        return held is not None and held.self_value == save["value"], version == save["version"]

    lost = version_moved = landed = 0
    for officer, save in acknowledged.items():
        figure, version = holds(save)
        later = unanswered.get(officer)
        if not (figure and version) and later is not None and all(holds(later)):
            landed += 1
            continue
        lost += not figure
        version_moved += not version
    return {
        "checked": len(acknowledged),
        "lost": lost,
        "version_differs": version_moved,
        "landed_unanswered": landed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/chiso_rush")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--officers", type=int, default=166)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plan", help="a plan already prepared on this database")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chiso-rush-"))
    environment = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "CHISO_MEDIA_ROOT": str(work / "media"),
        "CHISO_STATIC_ROOT": str(work / "static"),
        "PYTHONPATH": str(ROOT),
        # Failed logins would lock officers out; the rush has none, but keep it honest.
        "CHISO_LOG_LEVEL": "ERROR",
        # The 50 readers all come from 127.0.0.1 here, from as many addresses in November:
        # the anonymous API's limit per address (120 a minute) would turn them away.
        "CHISO_API_ANON_RATE": "0",
    }
    if options.redis_url:
        environment["CHISO_REDIS_URL"] = options.redis_url
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    plan = Path(options.plan) if options.plan else work / "plan.json"
    if not options.plan:
        ensure_database(options.database_url)
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, str(ROOT / "loadtest" / "prepare.py"), str(plan)],
            cwd=ROOT,
            env=environment,
            check=True,
        )
    officers = min(options.officers, len(json.loads(plan.read_text())["officers"]))

    port = free_port()
    host = f"http://127.0.0.1:{port}"  # loopback only
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "chiso.cli", "serve", "--port", str(port)]
        + ["--workers", str(options.workers)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "server.log", "wb"),  # noqa: SIM115
    )
    log = work / "requests.json"
    try:
        wait_for(host + "/healthz", server)
        users = officers + options.readers
        started = time.time()
        subprocess.run(  # noqa: S603 - locust from this environment
            [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py")]
            + ["--headless", "--host", host, "--users", str(users), "--spawn-rate", str(users)]
            + ["--run-time", f"{options.seconds}s", "--stop-timeout", "10", "--only-summary"]
            + ["--loglevel", "WARNING"],
            cwd=ROOT,
            env={
                **environment,
                "RUSH_PLAN": str(plan),
                "RUSH_LOG": str(log),
                "RUSH_OFFICERS": str(officers),
                "RUSH_READERS": str(options.readers),
            },
            stdout=open(work / "locust.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            timeout=options.seconds + 120,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)

    result = json.loads(log.read_text())
    requests = result["requests"]
    logins = [r for r in requests if r[1] == "login"]
    storm_end = max((r[0] for r in logins), default=started)
    storm = [r for r in requests if r[0] <= storm_end]
    steady = [r for r in requests if r[0] > storm_end]
    whole = table(requests)
    show(f"Login storm: the first {storm_end - started:.1f} s", table(storm))
    show(f"Steady state: the {time.time() - storm_end:.0f} s after", table(steady))
    show("Whole run", whole)
    waits = result.get("logged_in_after", [])
    login_wait = {
        "officers": len(waits),
        "p50_s": round(statistics.median(waits), 1) if waits else 0,
        "p95_s": round(percentile(waits, 0.95), 1),
        "max_s": round(max(waits, default=0), 1),
    }
    turned_away = sum(1 for r in requests if r[1] == "login: come back")
    print(f"\nTime to log in (turned away {turned_away} times, each came back): {login_wait}")
    saves = check_saves(environment, result["acknowledged"], result.get("unanswered", {}))
    print(f"\nSaves checked against the database: {saves}")

    steady_times = [r[2] for r in steady if r[1] not in ("login", "login page", "login: come back")]
    failures = sum(1 for r in requests if not r[3])
    figures = {
        "benchmark": "rush",
        "officers": officers,
        "readers": options.readers,
        "seconds": options.seconds,
        "workers": options.workers,
        "database": options.database_url.split(":")[0],
        "requests": len(requests),
        "requests_per_s": round(len(requests) / options.seconds, 1),
        "failures": failures,
        "login_storm_s": round(storm_end - started, 1),
        "login_wait": login_wait,
        "logins_turned_away": turned_away,
        "steady_p95_ms": round(percentile(steady_times, 0.95)),
        "run_p95_ms": round(percentile([r[2] for r in requests], 0.95)),
        "saves": saves,
        "targets": {"steady_p95_ms": STEADY_P95_MS, "run_p95_ms": RUN_P95_MS},
    }
    figures["ok"] = (
        failures == 0
        and saves["lost"] == 0
        and saves["version_differs"] == 0
        and figures["steady_p95_ms"] <= STEADY_P95_MS
        and figures["run_p95_ms"] <= RUN_P95_MS
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
