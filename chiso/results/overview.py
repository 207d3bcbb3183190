"""A level's overview as the leadership's dashboard shows it, from its figures (`Figures`):
the histogram and pillar medians, the units lagging and those nearest recognition, and
the change from the previous period.

Publishing works it out once from the rows it stored (`stored`) and keeps it in
`Snapshot.dashboard`, so the dashboard of a published level reads one small JSON and
computes nothing; the same functions give a level not yet published its overview
(staff only, scored now: chiso/leadership/dashboard.py) and a snapshot published before
chiso stored it its own (`of_snapshot`, computed on reading). Dicts carry plain numbers
(floats 0..1 for values): pages format them the Vietnamese way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chiso import engine
from chiso.results import analysis, read
from chiso.results.models import Snapshot
from chiso.results.read import Figures

HISTOGRAM_BINS = 10
LIST_LENGTH = 10


def pillars(framework: engine.Framework) -> list[engine.Node]:
    """The framework's top-level branches (its pillars or groups)."""
    return [node for node in framework.tree if not node.is_leaf]


def outline(figures: Figures) -> dict[str, Any]:
    """What the change and the targets read of a period: its mean value, how many were
    assessed and recognized (None without a rule), each top-level node's median."""
    values = figures.value[~np.isnan(figures.value)]
    medians = {}
    for i, code in enumerate(figures.node_codes):
        column = figures.node_values[:, i]
        column = column[~np.isnan(column)]
        medians[code] = float(np.median(column)) if len(column) else None
    return {
        "mean": float(values.mean()) if len(values) else None,
        "assessed": len(figures.units),
        "recognized": int(figures.recognized.sum()) if figures.recognized is not None else None,
        "medians": medians,
        "snapshot": figures.snapshot.pk if figures.snapshot is not None else None,
    }


def snapshot_outline(snapshot: Snapshot) -> dict[str, Any]:
    """A published snapshot's `outline`: as publishing kept it in its summary (mean,
    assessed, recognized; pillar medians), else worked out from its rows."""
    summary = snapshot.summary
    if "mean" in summary and summary.get("median"):
        return {
            "mean": summary["mean"],
            "assessed": summary["ranked"],
            "recognized": summary["recognized"],
            "medians": dict(summary["median"]),
            "snapshot": snapshot.pk,
        }
    return outline(read.figures(snapshot))


def distribution(results: Figures | None, framework: engine.Framework | None) -> dict:
    """A histogram of values (10 bins over 0..1) and each pillar's median."""
    edges = [i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)]
    if results is None or framework is None or not len(results.units):
        return {"edges": edges, "counts": [0] * HISTOGRAM_BINS, "median": None, "pillars": []}
    values = results.value[~np.isnan(results.value)]
    counts, _ = np.histogram(values, bins=edges)
    medians = []
    for node in pillars(framework):
        column = results.node_values[:, results.node_codes.index(node.code)]
        column = column[~np.isnan(column)]
        medians.append(
            {
                "code": node.code,
                "title": node.title,
                "median": float(np.median(column)) if len(column) else None,
            }
        )
    return {
        "edges": edges,
        "counts": [int(c) for c in counts],
        "median": float(np.median(values)) if len(values) else None,
        "pillars": medians,
    }


def _row(results: Figures, index: int, names: dict[str, str]) -> dict[str, Any]:
    code = results.units[index]
    return {
        "code": code,
        "name": names.get(code, code),
        "value": float(results.value[index]),
        "points": float(results.points[index]),
        "rank": int(results.rank[index]),
    }


def lagging(results: Figures | None, names: dict[str, str], n: int = LIST_LENGTH) -> list:
    """The units with the lowest values, lowest first."""
    if results is None:
        return []
    order = results.order()[::-1][:n]
    return [_row(results, int(i), names) for i in order]


def nearest(
    results: Figures | None,
    framework: engine.Framework | None,
    names: dict[str, str],
    n: int = LIST_LENGTH,
) -> list:
    """Units not yet recognized that are closest to it ("sắp đạt").

    Closest means fewest mandatory criteria missing, then fewest points missing to the
    recognition threshold (points, or value times the maximum).
    """
    if results is None or framework is None or results.recognized is None:
        return []
    rule = framework.recognition
    needed = 0.0
    if rule is not None and rule.min_points is not None:
        needed = rule.min_points
    elif rule is not None and rule.min_value is not None:
        needed = rule.min_value * results.max_points
    waiting = np.flatnonzero(~results.recognized)
    missing = np.array([len(results.unmet_mandatory[i]) for i in waiting])
    short = np.maximum(0.0, needed - results.points[waiting])
    codes = np.array(results.units)[waiting] if len(waiting) else np.array([])
    # Sorted by mandatory missing, then points missing, then code (lexsort: last key first).
    order = np.lexsort((codes, short, missing))[:n] if len(waiting) else []
    rows = []
    for j in order:
        row = _row(results, int(waiting[j]), names)
        row["points_missing"] = float(short[j])
        row["mandatory_missing"] = list(results.unmet_mandatory[int(waiting[j])])
        rows.append(row)
    return rows


def change(
    results: Figures,
    earlier: dict[str, dict[str, Any]],
    old: dict[str, Any],
    now: dict[str, Any],
    previous: dict[str, Any],
    names: dict[str, str] | None = None,
) -> dict:
    """Against the previous period (`previous`: its id, name and year; `old` its outline,
    `now` this one's): mean value, recognized, units that moved most.

    Each unit is compared with its own figures of the previous period (`earlier`:
    `analysis.previous_figures`'s units); a commune formed at the 2025 reform with the
    figures derived from the communes it was formed from, marked `derived` ("suy ra").
    """
    # Vectorised over the units: 3,321 dicts sorted in Python cost more than the rest.
    found = [earlier.get(code) for code in results.units]
    before_value = np.array(
        [np.nan if f is None or f["value"] is None else f["value"] for f in found]
    )
    compared = np.flatnonzero(~np.isnan(before_value) & ~np.isnan(results.value))
    delta = results.value[compared] - before_value[compared]
    codes = np.array(results.units, dtype=str)[compared]
    order = np.lexsort((codes, -delta))  # largest gain first, then by code

    # Ranks before and after among the same units (those compared), like for like.
    ranks = analysis.like_for_like(
        {results.units[i]: float(results.value[i]) for i in compared.tolist()},
        {results.units[i]: found[i] for i in compared.tolist()},
    )

    def moved(j: int) -> dict[str, Any]:
        i = int(compared[j])
        previous = found[i]
        assert previous is not None
        rank = ranks[results.units[i]]
        return {
            "code": results.units[i],
            "name": (names or {}).get(results.units[i], results.units[i]),
            "before": previous["value"],
            "after": float(results.value[i]),
            "delta": float(delta[j]),
            "rank_before": rank["rank_before"],
            "rank_after": rank["rank_now"],
            "among": rank["among"],
            "derived": previous["derived"],
        }

    now_mean, old_mean = now["mean"], old["mean"]
    # Counts compare only over the same units; else the shares of the units assessed.
    same_units = old["assessed"] == now["assessed"] == len(compared) == len(
        results.units
    ) and not any(f is not None and f["derived"] for f in found)

    def share(outlined: dict[str, Any]) -> float | None:
        if outlined["recognized"] is None or not outlined["assessed"]:
            return None
        return float(outlined["recognized"]) / outlined["assessed"]

    up = order[delta[order] > 0][:5].tolist()
    down = order[::-1][delta[order[::-1]] < 0][:5].tolist()
    derived = sum(1 for f in found if f is not None and f["value"] is not None and f["derived"])
    return {
        "previous": previous,
        "mean_before": old_mean,
        "mean_after": now_mean,
        "mean_delta": (now_mean - old_mean) if now_mean is not None and old_mean else None,
        "recognized_before": old["recognized"],
        "recognized_after": now["recognized"],
        "assessed_before": old["assessed"],
        "assessed_after": now["assessed"],
        "recognized_share_before": share(old),
        "recognized_share_after": share(now),
        # "counts": the same units in both periods; "shares": the units differ (a reform,
        # a partial publication), so the recognized are compared as shares of the assessed.
        "recognized_compared": "counts" if same_units else "shares",
        "matched": len(compared),
        "derived": derived,
        "improved": int((delta > 1e-9).sum()),
        "declined": int((delta < -1e-9).sum()),
        "most_improved": [moved(j) for j in up],
        "most_declined": [moved(j) for j in down],
    }


def of_snapshot(snapshot: Snapshot, earlier: dict[str, Any] | None = None) -> dict[str, Any]:
    """A snapshot's overview, from the rows it stored: what publishing keeps in
    `Snapshot.dashboard` (and what a snapshot published before that shows, worked out
    on reading). The change is against the latest earlier published year: `earlier`
    (`analysis.previous_figures` of the snapshot, by default as stored with it);
    `change_against` is that year's snapshot id, None without one."""
    framework = snapshot.framework.engine()
    figures = read.figures(snapshot)
    names = read.names(snapshot)
    now = outline(figures)
    compared: dict[str, Any] = {"previous": None}
    against = None
    if earlier is None:
        earlier = analysis.previous_figures(snapshot, snapshot.level)
    before = earlier["previous"]
    if before is not None and before.get("snapshot") is not None:
        old_snapshot = Snapshot.objects.select_related("period", "framework").get(
            pk=before["snapshot"]
        )
        against = old_snapshot.pk
        old = snapshot_outline(old_snapshot)
        period = old_snapshot.period
        compared = change(
            figures,
            earlier["units"],
            old,
            now,
            {"id": period.pk, "name": period.name, "year": period.year},
            names,
        )
    return {
        "outline": now,
        "distribution": distribution(figures, framework),
        "lagging": lagging(figures, names),
        "nearest": nearest(figures, framework, names),
        "change": compared,
        "change_against": against,
    }
