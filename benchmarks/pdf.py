"""How long chiso takes to print the decision's annex and a report card.

Plain script, no database: builds the annex of 3,321 ranked units (every commune of
Vietnam, synthetic names and values, four pillars) and the report card of a unit
with 150 indicators, RUNS times each, and prints one JSON line with the medians.
Targets: annex <= 3 s, report card <= 1 s.

    .venv/bin/python benchmarks/pdf.py [RUNS]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chiso.results.pdf import (  # noqa: E402
    Annex,
    AnnexRow,
    CardIndicator,
    CardPillar,
    Pillar,
    ReportCard,
    TrendPoint,
    annex_pdf,
    report_card_pdf,
)

UNITS = 3321
INDICATORS = 150


def annex() -> Annex:
    rows = [
        AnnexRow(
            rank=i + 1,
            code=f"{10000 + i}",
            name=f"Xã Quảng Đức Nghĩa {i}",
            value=1 - i / (UNITS + 1),
            points=100 * (1 - i / (UNITS + 1)),
            recognized=i < 1000,
            pillar_values=(0.9, 0.8, 0.7, 0.6),
        )
        for i in range(UNITS)
    ]
    pillars = [Pillar(c, c) for c in ("cqs", "kts", "xhs", "hatang")]
    return Annex(
        title="Kết quả đánh giá, xếp hạng mức độ chuyển đổi số cấp xã",
        level_label="Xã, phường",
        max_points=100,
        rows=rows,
        issued_on=date(2026, 12, 2),
        pillars=pillars,
        framework="bench v1",
    )


def card() -> ReportCard:
    indicators = [
        CardIndicator(
            f"{i // 10}.{i % 10}",
            f"Chỉ tiêu số {i} về chuyển đổi số",
            50.0,
            0.5,
            1,
            2,
            i % 7 == 0,
            i % 2 == 0,
        )
        for i in range(INDICATORS)
    ]
    return ReportCard(
        unit_name="Phường Hàm Rồng",
        unit_code="14755",
        period_label="Năm 2026",
        level_label="Xã, phường",
        value=0.5,
        rank=1000,
        of=UNITS,
        points=150,
        max_points=300,
        recognized=False,
        pillars=[CardPillar(f"Trụ cột {p}", 0.5, 10, 0.4, 0.9) for p in range(4)],
        indicators=indicators,
        fix_first=[ind.code for ind in indicators[:10]],
        trend=[TrendPoint(str(y), 0.4, 1200) for y in range(2022, 2026)],
        issued_on=date(2026, 12, 2),
    )


def median_seconds(build, data, runs: int) -> tuple[float, int]:
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(build(data))
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    annex_s, annex_bytes = median_seconds(annex_pdf, annex(), runs)
    card_s, card_bytes = median_seconds(report_card_pdf, card(), runs)
    print(
        json.dumps(
            {
                "annex_units": UNITS,
                "annex_pdf_s": round(annex_s, 3),
                "annex_kb": round(annex_bytes / 1024),
                "report_card_indicators": INDICATORS,
                "report_card_pdf_s": round(card_s, 3),
                "targets": {"annex_pdf_s": 3.0, "report_card_pdf_s": 1.0},
            }
        )
    )


if __name__ == "__main__":
    main()
