"""Deterministic, plausible demo data: people, periods and figures for every unit.

Figures are drawn from a seeded generator keyed by the unit code, so every run of
`chiso demo` produces the same database. Each unit has a "readiness" (wards a bit
ahead of rural communes) that drives how close its figures come to each criterion's
target, which gives a ranking with a realistic spread.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from chiso import engine

DEMO_PASSWORD = "chiso-demo-2026"  # noqa: S105 - printed for the demo, never used in production


@dataclass(frozen=True)
class DemoPerson:
    username: str
    # Vietnamese names put the family name first, so the whole name goes in first_name.
    first_name: str
    last_name: str
    role: str | None
    unit_code: str | None
    description: str


PEOPLE = (
    DemoPerson("admin", "Lê Anh Tuấn", "", "admin", None, "province admin (DX office)"),
    DemoPerson("thamdinh", "Nguyễn Thị Hoa", "", "reviewer", None, "reviewer, every unit"),
    DemoPerson("lanhdao", "Trần Thị Mai", "", "leader", None, "leader, reads everything"),
    DemoPerson("hamrong", "Phạm Thị Lan", "", "officer", "14758", "officer of Phường Hàm Rồng"),
    DemoPerson("hacthanh", "Đỗ Văn Minh", "", "officer", "14797", "officer of Phường Hạc Thành"),
)


def readiness(unit_code: str, kind: str) -> float:
    """A unit's latent readiness in [0.35, 1]: wards (phường) lean higher."""
    rng = random.Random(f"readiness:{unit_code}")  # noqa: S311 - demo data, not security
    base = rng.betavariate(5, 2) if kind == "phuong" else rng.betavariate(3.2, 2.2)
    return 0.35 + 0.65 * base


def _value_for_score(rule: Any, s: float, rng: random.Random) -> float:
    """A raw figure whose score under `rule` is about `s` (0..1)."""
    method = getattr(rule, "method", "linear")
    if method == "linear":
        zero, full = float(rule.zero), float(rule.full)
        if s >= 1.0:
            return full + (full - zero) * rng.uniform(0.0, 0.1)
        return zero + s * (full - zero) * rng.uniform(0.95, 1.02)
    if method == "threshold":
        if getattr(rule, "at_least", None) is not None:
            target = float(rule.at_least)
            return target * (0.7 + 0.45 * s) if target else s * 10
        target = float(rule.at_most)
        return target * (1.6 - 0.9 * s)
    if method == "steps":
        xs = [float(x) for x, _ in rule.steps]
        index = min(len(xs) - 1, int(s * len(xs)))
        return xs[index] if s > 0.15 else xs[0] - 1 if xs[0] > 0 else 0.0
    if method == "boolean":
        return 1.0 if rng.random() < 0.25 + 0.75 * s else 0.0
    return 100.0 * s  # relative: any scale will do


def _clip(value: float, kind: str, bounds: tuple[float | None, float | None]) -> float:
    low, high = bounds
    value = value if low is None else max(low, value)
    value = value if high is None else min(high, value)
    if kind == "percent":
        value = min(100.0, max(0.0, value))
    if kind in ("integer", "boolean"):
        value = float(max(0, round(value)))
    return round(value, 1) if kind in ("percent", "number") else value


def plausible_figures(
    framework: engine.Framework,
    unit_code: str,
    ready: float,
    *,
    fill: float = 1.0,
    salt: str = "",
) -> dict[str, float]:
    """Figures for every input of a framework for one unit (`fill` = share filled in)."""
    rng = random.Random(f"{framework.code}:{unit_code}:{salt}")  # noqa: S311 - demo data
    figures: dict[str, float] = {}
    elements = {element.code for element in framework.elements}
    for leaf in framework.leaves:
        if leaf.score is None:
            continue
        s = min(1.0, max(0.0, rng.gauss(ready, 0.18)))
        # Mandatory criteria are what communes work hardest on: most ready units meet them.
        if getattr(leaf, "mandatory", False) and rng.random() < ready**0.4:
            s = 1.0
        target = _value_for_score(leaf.score, s, rng)
        expr = framework.formula(leaf.code)
        if expr is not None:
            names = list(dict.fromkeys(name.code for name in engine.names(expr)))
            share_of = engine.as_share(expr)
            if share_of is not None:
                numerator, denominator, scale = share_of
                total = float(rng.randint(120, 3200))
                share = min(1.0, max(0.0, target / scale))
                figures.setdefault(denominator, total)
                figures.setdefault(numerator, float(round(figures[denominator] * share)))
            else:
                for name in names:
                    figures.setdefault(
                        name, _clip(target, framework.input_type(name), framework.bounds(name))
                    )
        else:
            figures[leaf.code] = _clip(
                target, framework.input_type(leaf.code), framework.bounds(leaf.code)
            )
    for code in framework.input_codes:
        if code not in figures:
            figures[code] = float(rng.randint(0, 50))
    if fill < 1.0:
        codes = sorted(figures)
        keep = {code for code in codes if rng.random() < fill}
        figures = {code: figures[code] for code in codes if code in keep}
    # Keep the framework's own rules true for demo data.
    values = engine.Values.from_mapping(framework, {unit_code: figures})
    if engine.check_rules(framework, values):
        for element in elements:
            figures.pop(element, None)
    return figures


def demo_dates(today: dt.date) -> dict[str, dt.date]:
    """The open period runs through the month so the demo always has entry open."""
    return {
        "opens_on": today - dt.timedelta(days=22),
        "closes_on": today + dt.timedelta(days=14),
    }


# The frameworks of the demo's periods: 2024 and 2025 on the sets of the time, 2026
# on today's shape (docs of chiso/frameworks/shipped/README.md).
FRAMEWORKS_BEFORE = {
    "commune": "thanhhoa-commune-2024",
    "department": "thanhhoa-department-2022",
    "province": "dti-province-2022",
}
FRAMEWORKS_2026 = {
    "commune": "thanhhoa-commune-2026",
    "department": "thanhhoa-department-2026",
    "province": "dti-province-2025",
}
# The departments in charge of the digital economy, for whom its indicator applies
# (Hà Nội names 8 under QĐ 5279/QĐ-UBND; Thanh Hóa's 8 are reconstructed).
APPLIES_TO = {
    "KTS.01": frozenset(
        {"BQL-KKT", "SO-CT", "SO-KHCN", "SO-NNMT", "SO-TC", "SO-VHTTDL", "SO-XD", "SO-YT"}
    )
}
NOT_APPLICABLE_REASON = "Sở không phụ trách lĩnh vực kinh tế số (danh sách tái dựng)"


QUOTA_2026 = "KH 275: 120 xã hoàn thành CĐS năm 2026 (tái dựng)"

# The DX office's targets (domain.md): QĐ 969/QĐ-UBND's yearly quotas of communes to
# complete DX, the running "240 by the end of 2024", a pillar floor, and Nghị quyết
# 06-NQ/TU's top 10 in the national DTI by 2025.
TARGETS = (
    ("recognized", "QĐ 969: 94 xã hoàn thành CĐS năm 2022", "commune", 94, "", "2022-12-31"),
    ("recognized", "QĐ 969: 132 xã hoàn thành CĐS năm 2023", "commune", 132, "", "2023-12-31"),
    ("recognized", "QĐ 969: 133 xã hoàn thành CĐS năm 2024", "commune", 133, "", "2024-12-31"),
    ("recognized", "QĐ 969: 118 xã hoàn thành CĐS năm 2025", "commune", 118, "", "2025-12-31"),
    ("recognized", "240 xã hoàn thành CĐS đến 31/12/2024", "commune", 240, "", "2024-12-31"),
    (
        "pillar",
        "Trung vị Chính quyền số của xã ≥ 0,8 năm 2026",
        "commune",
        0.8,
        "CQS",
        "2026-12-31",
    ),
    (
        "dti_rank",
        "Thanh Hóa trong top 10 DTI năm 2025 (NQ 06-NQ/TU)",
        "province",
        10,
        "",
        "2025-12-31",
    ),
    # After 2025: Nghị quyết 06-NQ/TU's goals for 2030, and the year's quota of Kế hoạch
    # 275/KH-UBND, whose list was not found (the number is reconstructed).
    ("recognized", QUOTA_2026, "commune", 120, "", "2026-12-31"),
    (
        "dti_rank",
        "Thanh Hóa trong top 10 DTI năm 2030 (NQ 06-NQ/TU)",
        "province",
        10,
        "",
        "2030-12-31",
    ),
    (
        "dti_rank",
        "Thanh Hóa trong top 5 về chính quyền số năm 2030 (NQ 06-NQ/TU)",
        "province",
        5,
        "CQS",
        "2030-12-31",
    ),
)


def _source(name: str, kind: str) -> str:
    if name == QUOTA_2026:
        return "Kế hoạch 275/KH-UBND (31/12/2025); danh sách không tìm thấy: số liệu tái dựng"
    if "NQ 06" in name:
        return "Nghị quyết 06-NQ/TU"
    return "QĐ 969/QĐ-UBND" if kind == "recognized" else ""


def create_targets() -> int:
    from chiso.leadership.models import Target

    for kind, name, level, number, pillar, by in TARGETS:
        Target.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "level": level,
                "number": number,
                "pillar": pillar,
                "by_date": dt.date.fromisoformat(by),
                "cumulative": name.startswith("240"),
                "since_year": 2022 if name.startswith("240") else None,
                "source": _source(name, kind),
            },
        )
    return len(TARGETS)
