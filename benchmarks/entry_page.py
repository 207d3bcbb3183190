"""How long the data-entry page takes to render for a 100-indicator framework.

Plain script: sets Django up on a temporary SQLite database, creates the tables,
a framework of 100 indicators (half computed from two elements each), a period, a
ward, its officer with every figure entered, a comment and a file per indicator,
then renders /submissions/<id>/ RUNS times with the test client (and the live
preview POST too) and prints one JSON line. Target: median <= 20 ms.

    .venv/bin/python benchmarks/entry_page.py [RUNS]
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _django import create_tables, django_on_sqlite  # noqa: E402  (benchmarks/_django.py)

INDICATORS = 100
TARGET_MS = 20.0


def framework_text(indicators: int) -> str:
    """Pillars of ten indicators: every other one a ratio of two elements, the others
    entered (yes/no or a number with a threshold); one validation rule."""
    lines = [
        "format: chiso-framework/1",
        f"code: bench-{indicators}",
        f'title: {{vi: "Bộ đo hiệu năng {indicators}", en: "Benchmark {indicators}"}}',
        "level: commune",
        "year: 2026",
        "elements:",
    ]
    for i in range(0, indicators, 2):
        lines.append(f"  - {{code: a{i}, title: {{vi: 'Tử số {i}', en: 'a{i}'}}, type: integer}}")
        lines.append(f"  - {{code: b{i}, title: {{vi: 'Mẫu số {i}', en: 'b{i}'}}, type: integer}}")
    lines += ["validation:", "  - {rule: a0 <= b0, message: {vi: 'a0 ≤ b0', en: 'a0 ≤ b0'}}"]
    lines.append("tree:")
    for pillar in range(0, indicators, 10):
        lines += [f"  - code: P{pillar}", f"    title: {{vi: 'Nhóm {pillar}', en: 'P{pillar}'}}"]
        lines.append("    children:")
        for i in range(pillar, min(pillar + 10, indicators)):
            lines.append(f"      - code: I{i}")
            lines.append(f"        title: {{vi: 'Chỉ tiêu số {i}', en: 'Indicator {i}'}}")
            lines.append("        points: 10")
            lines.append("        description: {vi: 'Mô tả chỉ tiêu', en: 'What it measures'}")
            if i % 2 == 0:
                lines += [f"        formula: 100 * a{i} / b{i}", "        unit: '%'"]
                lines.append("        score: {method: linear, zero: 0, full: 90}")
            elif i % 4 == 1:
                lines.append("        score: {method: boolean}")
            else:
                lines.append("        score: {method: threshold, at_least: 5}")
    return "\n".join(lines) + "\n"


def setup() -> tuple[Any, Any, Any]:
    """Django on a new SQLite database with Chị Lan's ward entered in full: her logged-in
    test client, the submission and the parsed framework."""
    django_on_sqlite()

    from django.test import Client
    from django.utils import timezone

    from chiso.assessments import services
    from chiso.assessments.models import Comment, Evidence
    from chiso.assessments.periods import create_period
    from chiso.assessments.services import store_framework
    from tests import people

    create_tables()

    # The same Phường Hàm Rồng and Chị Lan as the tests (tests/people.py).
    ward = people.unit("14758")
    officer = people.named("lan")
    framework = store_framework(framework_text(INDICATORS))
    today = timezone.localdate()
    period = create_period(
        today.year,
        "Kỳ đo hiệu năng",
        today - dt.timedelta(days=5),
        today + dt.timedelta(days=25),
        dt.date(2025, 7, 1),
        {"commune": framework},
        [ward],
    )
    submission = period.submissions.get()
    parsed = framework.engine()
    figures = {code: 1.0 for code in parsed.input_codes}
    services.save_values(submission, figures, user=officer, expected_version=0)
    for leaf in parsed.leaves:
        Comment.objects.create(submission=submission, code=leaf.code, text="Bổ sung tài liệu")
        Evidence.objects.create(
            submission=submission,
            file=f"evidence/00/{leaf.code}",
            original_name=f"{leaf.code}.pdf",
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
            codes=[leaf.code],
        )

    client = Client()
    client.force_login(officer)
    return client, submission, parsed


def main(runs: int) -> dict[str, object]:
    client, submission, parsed = setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("entry", args=[submission.pk])
    preview_url = reverse("entry_preview", args=[submission.pk])
    form = {f"v-{code}": "1" for code in parsed.input_codes}
    form["expected_version"] = "1"
    assert client.get(url).status_code == 200  # warm up: parse and cache the framework
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Counted now: the captured list is a view of a log the next request clears.
    query_count = len(queries)

    page_ms, page_cpu_ms, preview_ms = [], [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        page_ms.append((time.perf_counter() - start) * 1000)
        page_cpu_ms.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200
        start = time.perf_counter()
        response = client.post(preview_url, form)
        preview_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    median = statistics.median(page_ms)
    return {
        "benchmark": "entry_page",
        "indicators": len(parsed.leaves),
        "inputs": len(parsed.input_codes),
        "runs": runs,
        "median_ms": round(median, 1),
        "p90_ms": round(sorted(page_ms)[int(0.9 * (runs - 1))], 1),
        # The CPU the request took: what the wall time is on an idle core.
        "cpu_median_ms": round(statistics.median(page_cpu_ms), 1),
        "preview_median_ms": round(statistics.median(preview_ms), 1),
        "sql_queries": query_count,
        "page_kb": round(len(client.get(url).content) / 1024, 1),
        "target_ms": TARGET_MS,
        "ok": median <= TARGET_MS,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)))
