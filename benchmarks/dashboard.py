"""How long the leadership's dashboard takes for 3,321 communes (the whole country's count).

Plain script: sets Django up on a temporary SQLite database, creates 3,321 communes,
the shipped commune framework, two periods with every commune approved (demo-like
figures from chiso.core.demo), QĐ 969's targets, then times the dashboard RUNS times:
`cold` with an empty cache (every period scored from the approved values through the
bridge, chiso/results/scoring.py), `warm` once the periods are scored (results are
remembered until a final submission changes, as published snapshots will be), and the
page GET /dashboard/ through the test client, warm. Prints one JSON line.
Target: warm median <= 300 ms (the page a leader opens); cold is reported beside it:
it is the bridge's time to score two periods of 3,321 units from 330,000 stored values.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UNITS = 3321
TARGET_MS = 300.0


def build():  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from chiso.accounts.models import Membership
    from chiso.core import demo
    from chiso.frameworks.services import load_shipped
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
    assess(before, units, framework, salt="2025")
    assess(now, units, framework, salt="2026")
    demo.create_targets()
    leader = get_user_model().objects.create_user("lanhdao", password="x")  # noqa: S106
    Membership.objects.create(user=leader, role="leader")
    return now, leader


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    # CHISO_BENCH_DB=path keeps the database between runs (building it takes a minute or two).
    db_file = os.environ.get("CHISO_BENCH_DB") or f"{tempfile.mkdtemp(prefix='chiso-bench-')}/b.db"
    reuse = Path(db_file).exists()
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ.setdefault("CHISO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from chiso.results import dashboard

    started = time.perf_counter()
    if reuse:
        from django.contrib.auth import get_user_model

        from chiso.assessments.models import Period

        period, leader = Period.objects.get(year=2026), get_user_model().objects.get()
    else:
        period, leader = build()
    setup_s = time.perf_counter() - started
    client = Client()
    client.force_login(leader)
    cold, warm, page = [], [], []
    for _ in range(runs):
        cache.clear()
        t = time.perf_counter()
        figures = dashboard.dashboard(period, "commune")
        cold.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        dashboard.dashboard(period, "commune")
        warm.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        response = client.get("/dashboard/", {"period": period.pk})
        page.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    assert figures["progress"]["total"] == UNITS
    median = statistics.median(warm)
    print(
        json.dumps(
            {
                "benchmark": "dashboard",
                "units": UNITS,
                "runs": runs,
                "cold_median_ms": round(statistics.median(cold), 1),
                "warm_median_ms": round(median, 1),
                "page_warm_median_ms": round(statistics.median(page), 1),
                "setup_s": round(setup_s, 1),
                "target_ms": TARGET_MS,
                "ok": median <= TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
