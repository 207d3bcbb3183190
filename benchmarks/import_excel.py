"""Benchmark of the Excel import: 166 communes x 40 inputs, end to end.

Sets up Django on a throw-away SQLite database (tables made from the models, as the
tests do), builds a framework with 40 input codes (8 elements used by 4 formulas and
validation rules, 32 indicators entered directly: numbers, percentages, whole numbers,
yes/no), a period with Thanh Hóa's 166 communes and an administrator, fills the entry
template for every commune and imports it through the same service the upload page
uses (parse + validate + save + audit, one transaction).

Prints one JSON line: units, indicators, import_s (end to end), parse_s (reading the
workbook alone), save_s (the save_values calls inside the import). Target: import_s <= 3.
Run: ``python benchmarks/import_excel.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = 166
SEED = 20261123
WORKDIR = tempfile.mkdtemp(prefix="chiso-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
os.environ.setdefault("CHISO_STATIC_ROOT", f"{WORKDIR}/static")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


class _NoMigrations(dict[str, Any]):
    """Every app without migrations: tables straight from the models (like --nomigrations)."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def build_framework_yaml() -> str:
    """40 inputs: 8 elements (4 formulas, 4 rules) and 32 indicators entered directly."""
    elements = []
    for number in range(1, 5):
        elements.append(
            {"code": f"tu_{number}", "title": {"vi": f"Tử số {number}"}, "type": "integer"}
        )
        elements.append(
            {"code": f"mau_{number}", "title": {"vi": f"Mẫu số {number}"}, "type": "integer"}
        )
    kinds = ["percent", "number", "boolean", "integer"]
    pillars = []
    for pillar in range(1, 5):
        children: list[dict[str, Any]] = []
        children.append(
            {
                "code": f"P{pillar}.F",
                "title": {"vi": f"Tỷ lệ {pillar}"},
                "unit": "%",
                "points": 5,
                "mandatory": True,
                "formula": f"100 * tu_{pillar} / mau_{pillar}",
                "score": {"method": "linear", "zero": 0, "full": 90},
            }
        )
        for index in range(1, 9):
            kind = kinds[(pillar + index) % 4]
            leaf: dict[str, Any] = {
                "code": f"P{pillar}.{index}",
                "title": {"vi": f"Chỉ tiêu {pillar}.{index}"},
                "points": 2.5,
            }
            if kind == "boolean":
                leaf["score"] = {"method": "boolean"}
            elif kind == "integer":
                leaf["type"] = "integer"
                leaf["score"] = {"method": "steps", "steps": [[1, 0.25], [2, 0.5], [4, 1]]}
            else:
                leaf["type"] = kind
                leaf["unit"] = "%" if kind == "percent" else None
                leaf["score"] = {"method": "threshold", "at_least": 60}
            children.append({key: value for key, value in leaf.items() if value is not None})
        pillars.append(
            {"code": f"P{pillar}", "title": {"vi": f"Trụ cột {pillar}"}, "children": children}
        )
    import yaml

    return yaml.safe_dump(
        {
            "format": "chiso-framework/1",
            "code": "bench-commune-40",
            "title": {"vi": "Bộ tiêu chí thử tải 40 chỉ tiêu"},
            "level": "commune",
            "year": 2026,
            "recognition": {"min_points": 80, "all_mandatory": True},
            "elements": elements,
            "validation": [
                {
                    "rule": f"tu_{number} <= mau_{number}",
                    "message": {"vi": f"Tử số {number} không lớn hơn mẫu số"},
                }
                for number in range(1, 5)
            ],
            "tree": pillars,
        },
        allow_unicode=True,
        sort_keys=False,
    )


def main() -> None:
    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)

    from chiso.assessments import excel, imports
    from chiso.assessments.models import (
        Action,
        AuditEntry,
        Period,
        PeriodFramework,
        Submission,
        Value,
    )
    from chiso.assessments.services import store_framework
    from chiso.lib.uploads import workbook_bytes
    from chiso.units.models import Unit
    from tests import people

    stored = store_framework(build_framework_yaml(), source="upload", filename="bench.yaml")
    framework = stored.engine()
    codes = framework.input_codes
    assert len(codes) == 40, len(codes)

    province = people.unit("38")
    units = Unit.objects.bulk_create(
        Unit(
            code=str(16000 + number),
            name=f"Xã Thử {number}",
            level="commune",
            kind="xa",
            parent=province,
            province_code="38",
            valid_from=dt.date(2025, 7, 1),
        )
        for number in range(UNITS)
    )
    today = timezone.localdate()
    period = Period.objects.create(
        year=today.year,
        name="Thử tải",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
        reference_date=dt.date(2025, 7, 1),
    )
    PeriodFramework.objects.create(period=period, level="commune", framework=stored)
    Submission.objects.bulk_create(
        Submission(period=period, unit=unit, framework=stored) for unit in units
    )
    admin = people.named("tuan")  # the same Anh Tuấn as the tests (tests/people.py)

    rng = np.random.default_rng(SEED)
    rows = []
    for unit in units:
        figures: dict[str, float | None] = {}
        for code in codes:
            kind = framework.input_type(code)
            if code.startswith("tu_"):
                continue
            if code.startswith("mau_"):
                total = int(rng.integers(100, 5000))
                figures[code] = total
                figures["tu_" + code[4:]] = int(rng.integers(0, total))
            elif kind == "boolean":
                figures[code] = float(rng.integers(0, 2))
            elif kind == "integer":
                figures[code] = int(rng.integers(0, 6))
            elif kind == "percent":
                figures[code] = round(float(rng.uniform(0, 100)), 1)
            else:
                figures[code] = round(float(rng.uniform(0, 1000)), 2)
        rows.append(excel.UnitFigures(unit.code, unit.name, figures))
    content = workbook_bytes(excel.build_template(framework, rows, heading="Thử tải"))

    started = time.perf_counter()
    parsed = excel.read_values_file(content, "bench.xlsx")
    parse_s = time.perf_counter() - started
    assert len(parsed.units) == UNITS and not parsed.issues

    saving = [0.0]
    real_save = imports.save_values

    def timed_save(*args: Any, **kwargs: Any) -> Any:
        begun = time.perf_counter()
        try:
            return real_save(*args, **kwargs)
        finally:
            saving[0] += time.perf_counter() - begun

    imports.save_values = timed_save
    started = time.perf_counter()
    summary = imports.import_values(content, "bench.xlsx", user=admin, period=period)
    import_s = time.perf_counter() - started
    imports.save_values = real_save

    written = Value.objects.count()
    # One audit entry a figure imported (storing the framework and opening the period
    # write theirs too).
    figure_actions = [Action.VALUE_SET, Action.VALUE_IMPORTED]
    imported = AuditEntry.objects.filter(action__in=figure_actions).count()
    assert summary.changed == written == imported == UNITS * len(codes), (
        summary.changed,
        written,
        imported,
        UNITS * len(codes),
    )
    assert not Submission.objects.filter(period=period, version=0).exists()
    print(
        json.dumps(
            {
                "units": UNITS,
                "indicators": len(codes),
                "import_s": round(import_s, 3),
                "parse_s": round(parse_s, 3),
                "save_s": round(saving[0], 3),
            }
        )
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
