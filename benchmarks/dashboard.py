"""How long the leadership's dashboard takes for 3,321 communes (the whole country's count).

Plain script: sets Django up on a temporary SQLite database, creates 3,321 communes,
the shipped commune framework, three periods with every commune approved (demo-like
figures from chiso.core.demo), publishes 2025 and 2026, adds QĐ 969's targets, then
times, RUNS times:

- `published_cold`: the 2026 dashboard, the first request after publication with an
  empty cache: the overview publishing stored with the 2026 snapshot (and 2025's
  summary for the targets), the submissions' progress and the targets, nothing scored;
- `published_warm`: the same once its snapshots' figures are in the cache;
- `page_*`: GET /dashboard/ through the test client, cold and warm;
- `provisional_cold` / `_warm`: the 2027 dashboard (approved, not published: staff
  only), scored from its approved values through the bridge (chiso/results/scoring.py).

Prints one JSON line. Target (issue #20): the published dashboard <= 50 ms cold
(server time).

    .venv/bin/python benchmarks/dashboard.py [RUNS]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _django import django_on_sqlite  # noqa: E402  (benchmarks/_django.py)

UNITS = 3321
TARGET_MS = 50.0


def build():  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from chiso.accounts.models import Membership
    from chiso.assessments.services import load_shipped
    from chiso.core import demo
    from chiso.results import services
    from chiso.units.models import Unit
    from tests.dashboard.conftest import assess, make_period

    call_command("migrate", verbosity=0)
    framework = next(f for f in load_shipped() if f.level == "commune")
    province = Unit.objects.create(
        code="38", name="Tỉnh Thanh Hóa", level="province", kind="tinh", province_code="38"
    )
    units = Unit.objects.bulk_create(
        Unit(
            code=f"{90000 + i}",
            name=f"Xã Thử {i}",
            level="commune",
            kind="phuong" if i % 9 == 0 else "xa",
            parent=province,
            province_code="38",
            valid_from=dt.date(2025, 7, 1),
        )
        for i in range(UNITS)
    )
    before = make_period("Năm 2025", 2025, dt.date(2025, 7, 1), framework)
    now = make_period("Năm 2026", 2026, dt.date(2025, 7, 1), framework)
    later = make_period("Năm 2027", 2027, dt.date(2025, 7, 1), framework)
    assess(before, units, framework, salt="2025")
    assess(now, units, framework, salt="2026")
    assess(later, units, framework, salt="2027")
    services.publish(before, "commune")
    services.publish(now, "commune")
    demo.create_targets()
    leader = get_user_model().objects.create_user("lanhdao", password="x")  # noqa: S106
    Membership.objects.create(user=leader, role="leader")
    return now, later, leader


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    # CHISO_BENCH_DB=path keeps the database between runs (building it takes a minute or two).
    db_file = os.environ.get("CHISO_BENCH_DB") or f"{tempfile.mkdtemp(prefix='chiso-bench-')}/b.db"
    reuse = Path(db_file).exists()
    django_on_sqlite(db_file)
    from django.core.cache import cache
    from django.test import Client

    from chiso.leadership import dashboard
    from chiso.results import analysis

    started = time.perf_counter()
    if reuse:
        from django.contrib.auth import get_user_model

        from chiso.assessments.models import Period

        period, later = Period.objects.get(year=2026), Period.objects.get(year=2027)
        leader = get_user_model().objects.get()
    else:
        period, later, leader = build()
    setup_s = time.perf_counter() - started
    assert period.published_at is not None and later.published_at is None
    client = Client()
    client.force_login(leader)
    times: dict[str, list[float]] = {
        "published_cold": [],
        "published_warm": [],
        "page_cold": [],
        "page_warm": [],
        "provisional_cold": [],
        "provisional_warm": [],
    }

    cpu: dict[str, list[float]] = {name: [] for name in times}

    def timed(name: str, run: Callable[[], object]) -> object:
        t, c = time.perf_counter(), time.process_time()
        found = run()
        times[name].append((time.perf_counter() - t) * 1000)
        cpu[name].append((time.process_time() - c) * 1000)
        return found

    def empty() -> None:
        cache.clear()
        analysis._SNAPSHOT_INPUTS.clear()

    def page() -> object:
        response = client.get("/dashboard/", {"period": period.pk})
        assert response.status_code == 200
        return response

    for _ in range(runs):
        empty()
        figures = timed("published_cold", lambda: dashboard.dashboard(period, "commune"))
        timed("published_warm", lambda: dashboard.dashboard(period, "commune"))
        empty()
        timed("page_cold", page)
        timed("page_warm", page)
        empty()
        provisional = timed("provisional_cold", lambda: dashboard.dashboard(later, "commune"))
        timed("provisional_warm", lambda: dashboard.dashboard(later, "commune"))
    assert figures["progress"]["total"] == UNITS  # type: ignore[index]
    assert figures["change"]["matched"] == UNITS  # type: ignore[index]
    assert provisional["recognition"]["scored"] == UNITS  # type: ignore[index]
    medians = {f"{name}_median_ms": round(statistics.median(t), 1) for name, t in times.items()}
    # The CPU time of this process too: the machine may be shared.
    medians |= {f"{name}_cpu_ms": round(statistics.median(t), 1) for name, t in cpu.items()}
    print(
        json.dumps(
            {
                "benchmark": "dashboard",
                "units": UNITS,
                "runs": runs,
                **medians,
                "setup_s": round(setup_s, 1),
                "target_ms": TARGET_MS,
                "ok": medians["published_cold_median_ms"] <= TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
