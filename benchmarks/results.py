"""Publishing 3,321 communes, then their rankings page and a report card.

Plain script: sets Django up on a temporary SQLite database, creates the tables,
3,321 synthetic communes (every commune of Vietnam after the 2025 reform) with
plausible figures for the shipped commune framework, all approved; then times
publishing (scoring, the snapshot, marking the submissions), the rankings page and
a report card with the test client, and prints one JSON line. The page's query
count is also taken for a 100-unit level: it must not grow with the units.
Targets (issue #20): publish with rank intervals and sensitivity <= 3 s, rankings
page <= 50 ms, report card <= 15 ms (wall clock; the CPU time of this process is
printed too, as the machine may be shared).

    [CHISO_BENCH_UNITS=33210] .venv/bin/python benchmarks/results.py [RUNS]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _django import create_tables, django_on_sqlite  # noqa: E402  (benchmarks/_django.py)

# CHISO_BENCH_UNITS=33210 measures ten times the country (docs/scale.md).
UNITS = int(os.environ.get("CHISO_BENCH_UNITS", "3321"))
SMALL = 100
LEVEL = "commune"
CARD = "900042"  # one of the synthetic communes
TARGETS_MS = {"publish_ms": 3000.0, "ranking_page_ms": 50.0, "report_card_ms": 15.0}


def main(runs: int) -> dict[str, object]:
    django_on_sqlite()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from chiso.assessments.models import Period, PeriodFramework, Status, Submission, Value
    from chiso.assessments.services import store_framework
    from chiso.core import demo
    from chiso.results import services
    from chiso.units.models import Unit

    create_tables()

    text = (ROOT / "chiso/frameworks/shipped/thanhhoa-commune-2024.yaml").read_text("utf-8")
    framework = store_framework(text, source="shipped")
    parsed = framework.engine()
    province = Unit.objects.create(
        code="38", name="Tỉnh Thanh Hóa", level="province", kind="tinh", province_code="38"
    )

    def level_of(units: int, year: int, prefix: str) -> Period:
        period = Period.objects.create(
            year=year,
            name=f"Kỳ đo hiệu năng {year}",
            opens_on=dt.date(year, 11, 1),
            closes_on=dt.date(year, 11, 30),
            reference_date=dt.date(2025, 7, 1),
        )
        PeriodFramework.objects.create(period=period, level="commune", framework=framework)
        communes = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"{prefix}{i:05d}",
                    name=f"Xã Thử Nghiệm {i}",
                    level="commune",
                    kind="phuong" if i % 5 == 0 else "xa",
                    parent=province,
                    province_code="38",
                    valid_from=dt.date(2025, 7, 1),
                )
                for i in range(units)
            ]
        )
        subs = Submission.objects.bulk_create(
            [
                Submission(period=period, unit=u, framework=framework, status=Status.APPROVED)
                for u in communes
            ]
        )
        values = []
        for sub, unit in zip(subs, communes, strict=True):
            ready = demo.readiness(unit.code, unit.kind)
            figures = demo.plausible_figures(parsed, unit.code, ready)
            values += [Value(submission=sub, code=c, self_value=v) for c, v in figures.items()]
        Value.objects.bulk_create(values, batch_size=5000)
        return period

    # The small level comes a year later, so both pages also look up a previous period.
    earlier = level_of(SMALL, 2025, "7")
    big = level_of(UNITS, 2026, "9")
    small = level_of(SMALL, 2027, "8")
    services.publish(earlier, "commune")

    publish_ms, publish_cpu_ms = [], []
    for run in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        services.publish(big, "commune", reason="" if run == 0 else f"benchmark run {run}")
        publish_ms.append((time.perf_counter() - start) * 1000)
        publish_cpu_ms.append((time.process_time() - cpu) * 1000)
        # Publishing marks the submissions published; approve them again for the next run.
        Submission.objects.filter(period=big).update(status=Status.APPROVED)
    services.publish(small, "commune")

    client = Client()

    def timed(url: str) -> tuple[float, float, int]:
        assert client.get(url).status_code == 200  # warm up
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        count = len(queries)
        times, cpu_times = [], []
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200
        return statistics.median(times), statistics.median(cpu_times), count

    page_ms, page_cpu_ms, page_queries = timed(reverse("results:ranking", args=[big.pk, LEVEL]))
    _small_ms, _small_cpu, small_queries = timed(reverse("results:ranking", args=[small.pk, LEVEL]))
    card_ms, card_cpu_ms, card_queries = timed(reverse("results:card", args=[big.pk, LEVEL, CARD]))
    figures = {
        "benchmark": "results",
        "units": UNITS,
        "indicators": len(parsed.leaves),
        "runs": runs,
        "publish_ms": round(statistics.median(publish_ms), 1),
        "publish_cpu_ms": round(statistics.median(publish_cpu_ms), 1),
        "ranking_page_ms": round(page_ms, 1),
        "ranking_page_cpu_ms": round(page_cpu_ms, 1),
        "ranking_page_queries": page_queries,
        "ranking_page_queries_100_units": small_queries,
        "report_card_ms": round(card_ms, 1),
        "report_card_cpu_ms": round(card_cpu_ms, 1),
        "report_card_queries": card_queries,
    }
    figures["ok"] = page_queries == small_queries and all(
        figures[key] <= target  # type: ignore[operator]
        for key, target in TARGETS_MS.items()
    )
    return figures


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
