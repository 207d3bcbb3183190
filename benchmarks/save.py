"""How long a draft save of 100 figures takes: the POST of the entry form, its checks,
the changed rows, their audit entries, and the redirect answer (not the page after it).

Plain script: the ward and framework of benchmarks/entry_page.py (100 indicators, 150
figures); Chị Lan changes 100 of them on each save, with the version she was shown, RUNS
times, and one JSON line is printed. Target: median <= 25 ms.

    .venv/bin/python benchmarks/save.py [RUNS]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from entry_page import setup  # noqa: E402  (benchmarks/entry_page.py)

FIGURES = 100
FORM = "application/x-www-form-urlencoded"
TARGET_MS = 25.0


def main(runs: int) -> dict[str, object]:
    client, submission, parsed = setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("entry", args=[submission.pk])
    codes = list(parsed.input_codes)
    changed = codes[:FIGURES]

    def typed(code: str, i: int, round_: int) -> str:
        # Different figures on every save: yes/no answers flip, numbers are 1000 apart.
        if parsed.input_type(code) == "boolean":
            return str(round_ % 2)
        return str(1000 * round_ + i + 1)

    def form(round_: int, version: int) -> dict[str, str]:
        # Every figure the page carries; the first hundred differ from the last save.
        data = {f"v-{code}": "1" for code in codes}
        data.update({f"v-{code}": typed(code, i, round_) for i, code in enumerate(changed)})
        data["expected_version"] = str(version)
        data["action"] = "save"
        return data

    submission.refresh_from_db()
    version = submission.version
    ms, cpu_ms = [], []
    queries = 0
    for round_ in range(runs + 1):
        data = form(round_, version)
        with CaptureQueriesContext(connection) as captured:
            start, cpu = time.perf_counter(), time.process_time()
            # As a browser posts a form without files.
            response = client.post(url, urlencode(data), content_type=FORM)
            elapsed, used = time.perf_counter() - start, time.process_time() - cpu
        assert response.status_code == 302, response.status_code
        version += 1
        if round_:  # the first save warms the framework cache
            ms.append(elapsed * 1000)
            cpu_ms.append(used * 1000)
            queries = len(captured)
    submission.refresh_from_db()
    assert submission.version == version
    stored = {v.code: v.self_value for v in submission.values.all()}
    assert all(stored[code] == float(typed(code, i, runs)) for i, code in enumerate(changed))
    median = statistics.median(ms)
    return {
        "benchmark": "save",
        "figures_changed": len(changed),
        "figures_in_form": len(codes),
        "runs": runs,
        "median_ms": round(median, 1),
        "p90_ms": round(sorted(ms)[int(0.9 * (runs - 1))], 1),
        "cpu_median_ms": round(statistics.median(cpu_ms), 1),
        "sql_queries": queries,
        "target_ms": TARGET_MS,
        "ok": median <= TARGET_MS,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)))
