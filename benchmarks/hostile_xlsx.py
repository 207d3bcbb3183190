"""Benchmark of reading a hostile workbook: the values template plus 20,000 rows, each
with one cell at column XFD (about 120 KB on disk).

Before chiso read sheets in bounded memory this took about 10 s and 2.9 GB; it must be
refused quickly with the peak memory well under 200 MB. Reads the file with the same
function the upload page uses (no database needed).

Prints one JSON line: size_kb, refuse_s, peak_mb (tracemalloc), refused (the message).
Targets: refuse_s <= 1, peak_mb <= 200. Run: ``python benchmarks/hostile_xlsx.py``.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402

from chiso import engine  # noqa: E402
from chiso.assessments import excel  # noqa: E402
from chiso.lib.uploads import TableError, workbook_bytes  # noqa: E402

ROWS = 20_000


def hostile_file() -> bytes:
    text = (ROOT / "tests" / "fixtures" / "mini-commune.yaml").read_text(encoding="utf-8")
    framework = engine.parse_framework(text)
    rows = [excel.UnitFigures("14758", "Phường Hàm Rồng", {})]
    book = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(excel.build_template(framework, rows, heading="Thử")))
    )
    sheet = book["Số liệu"]
    for number in range(4, 4 + ROWS):
        sheet.cell(row=number, column=16_384, value=1)
    return workbook_bytes(book)


def main() -> None:
    content = hostile_file()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        excel.read_values_file(content, "rong.xlsx")
        refused = ""
    except TableError as error:
        refused = str(error)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "size_kb": round(len(content) / 1024, 1),
                "refuse_s": round(elapsed, 3),
                "peak_mb": round(peak / 1024 / 1024, 1),
                "refused": refused,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
