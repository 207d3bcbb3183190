"""Every figure of the leadership's dashboard, as plain functions returning dicts.

Pages (chiso/leadership/views.py), the JSON view and the API call these and nothing
else, so a page never shows a number the API cannot give. Results come from the one
reader of published figures (`read`: a published level's snapshot, nothing scored) or,
for a level not yet published (staff only), the bridge (`scoring.score_period`,
approved and published submissions only); progress
counts every submission whatever its state. Dicts carry plain numbers (floats 0..1
for values, ISO dates): pages format them the Vietnamese way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Exists, OuterRef

from chiso import engine
from chiso.assessments.models import Period, Status, Submission
from chiso.leadership import projection
from chiso.leadership.models import DtiYear, Target, TargetKind
from chiso.results import analysis, read
from chiso.results.models import Snapshot
from chiso.results.read import Figures
from chiso.results.scoring import FINAL_STATUSES, score_period
from chiso.units.collation import vietnamese_key
from chiso.units.models import Lineage

REFORM = dt.date(2025, 7, 1)
UNIT_FIELDS = (
    "unit_id",
    "unit__code",
    "unit__name",
    "status",
    "unit__parent__code",
    "unit__parent__name",
    "unit__parent__level",
)
HISTOGRAM_BINS = 10
LIST_LENGTH = 10


def from_results(results: engine.Results, framework: engine.Framework) -> Figures:
    tree = [node.code for node in framework.tree]
    columns = [results.node_codes.index(code) for code in tree]
    return Figures(
        units=list(results.units),
        value=results.value,
        points=results.points,
        rank=results.rank,
        recognized=results.recognized,
        unmet_mandatory=[list(u) for u in results.unmet_mandatory],
        node_codes=tree,
        node_values=results.node_values[:, columns],
        max_points=results.max_points,
    )


def published(period: Period, level: str, memo: dict | None = None) -> Snapshot | None:
    """The current published snapshot of the level of the period, or None."""
    if memo is not None and ("snapshot", period.pk, level) in memo:
        return memo["snapshot", period.pk, level]
    snapshot = read.current(period, level)
    if memo is not None:
        memo["snapshot", period.pk, level] = snapshot
    return snapshot


def outline(period: Period, level: str, memo: dict | None = None) -> dict[str, Any] | None:
    """What the change and the targets read of a period: its mean value, how many were
    recognized (None without a rule), each pillar's median; None without results.

    A published period reads its snapshot's summary and two sums of its rows, not every
    row; a period read whole already (`memo`), or not published, its figures."""
    snapshot = published(period, level, memo)
    figures = None if memo is None else memo.get(("scored", period.pk, level))
    if snapshot is not None and figures is None and snapshot.summary.get("median"):
        key = f"chiso-dashboard-outline-{snapshot.pk}"
        found = cache.get(key)
        if found is None:
            found = {
                **read.outline(snapshot),
                "medians": dict(snapshot.summary["median"]),
                "snapshot": snapshot.pk,
            }
            cache.set(key, found, 24 * 3600)
        return dict(found)
    figures = figures or scored(period, level, memo)
    if figures is None:
        return None
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


def scored(period: Period, level: str, memo: dict | None = None) -> Figures | None:
    """The period's figures: its current published snapshot's, else (not published yet,
    staff only) its approved values scored now.

    A snapshot never changes: its figures are kept in the cache by its id. Scored
    figures are remembered until a final submission of the period changes. `memo`
    (one dict per dashboard) saves asking the cache twice for the same period.
    """
    if memo is not None and ("scored", period.pk, level) in memo:
        return memo["scored", period.pk, level]
    snapshot = published(period, level, memo)
    if snapshot is not None:
        key = f"chiso-dashboard-snapshot-{snapshot.pk}"
        figures = cache.get(key)
        if figures is None:
            figures = read.figures(snapshot)
            cache.set(key, figures, 24 * 3600)
        figures.snapshot = snapshot
    else:
        key = f"chiso-dashboard-{period.pk}-{level}-{analysis.final_stamp(period)}"
        figures = cache.get(key)
        if figures is None:
            results = score_period(period, level)
            framework = period.framework_for(level)
            figures = (
                None
                if results is None or framework is None
                else from_results(results, framework.engine())
            )
            cache.set(key, figures, 3600)
    if memo is not None:
        memo["scored", period.pk, level] = figures
    return figures


def periods_with_results(level: str, memo: dict | None = None) -> list[Period]:
    """Periods with a framework for the level and at least one final submission, oldest first."""
    if memo is not None and ("periods", level) in memo:
        return list(memo["periods", level])
    final = Submission.objects.filter(
        period=OuterRef("pk"), status__in=FINAL_STATUSES, unit__level=level
    )
    periods = list(
        Period.objects.filter(frameworks__level=level)
        .filter(Exists(final))
        .order_by("year", "opens_on")
    )
    if memo is not None:
        memo["periods", level] = periods
    return list(periods)


def _units(period: Period, level: str) -> list[dict[str, Any]]:
    """Code, name, status and area of every unit of the level assessed in the period."""
    in_period = Submission.objects.filter(period=period, unit__level=level)
    rows = [dict(zip(UNIT_FIELDS, row, strict=True)) for row in in_period.values_list(*UNIT_FIELDS)]
    before_reform = period.reference_date < REFORM
    former: dict[int, tuple[str, str]] = {}
    if not before_reform and level == "commune":
        # After the reform there are no districts: group a commune under the old district
        # most of its predecessors belonged to (the lineage of NQ 1686).
        votes: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
        links = Lineage.objects.filter(new__in=in_period.values("unit_id")).values_list(
            "new_id", "old__parent__code", "old__parent__name"
        )
        for new_id, code, name in links:
            if code:
                votes[new_id][(code, name)] += 1
        former = {new_id: counter.most_common(1)[0][0] for new_id, counter in votes.items()}
    units = []
    for r in rows:
        if before_reform and r["unit__parent__level"] == "district":
            area = (r["unit__parent__code"], r["unit__parent__name"])
        else:
            area = former.get(r["unit_id"], ("", ""))
        units.append(
            {
                "code": r["unit__code"],
                "name": r["unit__name"],
                "status": r["status"],
                "area_code": area[0],
                "area_name": area[1],
            }
        )
    return units


def progress(period: Period, level: str, units: list[dict[str, Any]] | None = None) -> dict:
    """Submissions by status, overall and by area (old district)."""
    units = units if units is not None else _units(period, level)
    statuses = [s.value for s in Status]
    by_status = Counter(u["status"] for u in units)
    areas: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for u in units:
        areas[(u["area_code"], u["area_name"])][u["status"]] += 1
    return {
        "total": len(units),
        "statuses": statuses,
        "by_status": {s: by_status.get(s, 0) for s in statuses},
        "final": sum(by_status.get(s, 0) for s in FINAL_STATUSES),
        "area_kind": "district" if period.reference_date < REFORM else "former_district",
        "by_area": [
            {
                "code": code,
                "name": name,
                "total": sum(counts.values()),
                "by_status": {s: counts.get(s, 0) for s in statuses},
            }
            for (code, name), counts in sorted(
                areas.items(), key=lambda item: vietnamese_key(item[0][1])
            )
        ],
    }


def quota_for(period: Period, level: str) -> Target | None:
    """The year's quota of recognized units (a yearly, not running, target)."""
    return (
        Target.objects.filter(
            kind=TargetKind.RECOGNIZED, level=level, cumulative=False, by_date__year=period.year
        )
        .order_by("by_date")
        .first()
    )


def recognition(
    period: Period, level: str, results: Figures | None, today: dt.date | None = None
) -> dict:
    quota = quota_for(period, level)
    has_rule = results is not None and results.recognized is not None
    count = int(results.recognized.sum()) if has_rule and results is not None else None
    return {
        "rule": has_rule,
        "recognized": count,
        "scored": len(results.units) if results is not None else 0,
        "quota": quota.number if quota else None,
        "quota_name": quota.name if quota else "",
        "quota_share": (count / quota.number) if quota and count is not None else None,
        **quota_pace(period, quota, count, today or dt.date.today()),
    }


def quota_pace(period: Period, quota: Target | None, count: int | None, today: dt.date) -> dict:
    """While the year's quota is open: how many more units it needs by its date, and how
    many the pace since the period opened would give by then (projection.pace)."""
    if quota is None or count is None or today > quota.by_date:
        return {"quota_by": None, "quota_needed": None, "quota_at_pace": None}
    found = projection.pace(
        count, quota.number, (today - period.opens_on).days, (quota.by_date - period.opens_on).days
    )
    return {
        "quota_by": quota.by_date.isoformat(),
        "quota_needed": found.needed,
        "quota_at_pace": None if found.at_pace is None else round(found.at_pace),
    }


def pillars(framework: engine.Framework) -> list[engine.Node]:
    """The framework's top-level branches (its pillars or groups)."""
    return [node for node in framework.tree if not node.is_leaf]


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


def previous_period(period: Period, level: str, memo: dict | None = None) -> Period | None:
    earlier = [
        p
        for p in periods_with_results(level, memo)
        if (p.year, p.opens_on) < (period.year, period.opens_on)
    ]
    return earlier[-1] if earlier else None


def change(
    period: Period,
    level: str,
    results: Figures | None,
    memo: dict | None = None,
    names: dict[str, str] | None = None,
) -> dict:
    """Against the previous period with results: mean value, recognized, units that moved most.

    Each unit is compared with its own figures of the previous period; a commune formed
    at the 2025 reform with the figures derived from the communes it was formed from
    (`analysis.previous_figures`: their plain mean, scored and ranked in that period),
    marked `derived` ("suy ra").
    """
    before = previous_period(period, level, memo)
    if before is None or results is None:
        return {"previous": None}
    old = outline(before, level, memo)
    if old is None:
        return {"previous": None}
    earlier = analysis.previous_figures(
        results.snapshot or period, level, published(before, level, memo) or before
    )["units"]
    now = outline(period, level, memo)
    assert now is not None

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
        "previous": {"id": before.pk, "name": before.name, "year": before.year},
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


def dti_rank(year: DtiYear, pillar: str = "") -> int | None:
    """The province's rank that year: overall, or in one pillar (CQS, KTS, XHS: a target
    such as "top 5 in digital government by 2030")."""
    ranks = {"CQS": year.rank_cqs, "KTS": year.rank_kts, "XHS": year.rank_xhs}
    return ranks.get(pillar, year.rank)


def _series(target: Target, memo: dict | None = None) -> list[tuple[float, float]]:
    """(year, figure) pairs the target's projection is drawn through."""
    if target.kind == TargetKind.DTI_RANK:
        # Like with like: only the years ranked among as many provinces as the latest
        # (63 before the 2025 merger, 34 since), up to the target's year.
        years = DtiYear.objects.filter(year__lte=target.by_date.year)
        ranked = [d for d in years if dti_rank(d, target.pillar) is not None]
        among = ranked[-1].of if ranked else None
        return [(d.year, float(dti_rank(d, target.pillar) or 0)) for d in ranked if d.of == among]
    points: list[tuple[float, float]] = []
    running = 0.0
    for p in periods_with_results(target.level, memo):
        if p.year > target.by_date.year:
            break
        found = outline(p, target.level, memo)
        if found is None:
            continue
        if target.kind == TargetKind.RECOGNIZED:
            if found["recognized"] is None:
                continue
            count = float(found["recognized"])
            if target.cumulative:
                if target.since_year and p.year < target.since_year:
                    continue
                running += count
                count = running
            points.append((p.year, count))
        elif target.kind == TargetKind.PILLAR and found["medians"].get(target.pillar) is not None:
            points.append((p.year, float(found["medians"][target.pillar])))
    return points


def target_status(target: Target, today: dt.date | None = None, memo: dict | None = None) -> dict:
    today = today or dt.date.today()
    series = _series(target, memo)
    lower = target.kind == TargetKind.DTI_RANK
    result = projection.project(
        series,
        target.number,
        target.by_date.year,
        this_year=today.year,
        lower_is_better=lower,
        deadline_passed=today > target.by_date,
    )
    status = result.status
    found: dict[str, Any] = {}
    if lower:
        status, found = _dti_status(target, result, today)
    return {
        "id": target.pk,
        "kind": target.kind,
        "name": target.name,
        "level": target.level,
        "pillar": target.pillar,
        "target": target.number,
        "by": target.by_date.isoformat(),
        "lower_is_better": lower,
        "series": [{"year": int(x), "figure": y} for x, y in series],
        "current": result.current,
        "projected": result.projected,
        "slope": result.slope,
        "status": status,
        "method": projection.METHOD,
        **found,
    }


def _dti_status(
    target: Target, result: projection.Projection, today: dt.date
) -> tuple[str, dict[str, Any]]:
    """A DTI rank target is decided by the DTI of its own year, once published: before,
    the projection forecasts it; after its deadline without it, it awaits publication."""
    years = list(DtiYear.objects.filter(year__lte=target.by_date.year))
    latest = next((d for d in reversed(years) if dti_rank(d, target.pillar) is not None), None)
    found = {
        "current_year": latest.year if latest else None,
        "current_of": latest.of if latest else None,
    }
    if latest is not None and latest.year == target.by_date.year:
        achieved = projection.meets(
            float(dti_rank(latest, target.pillar) or 0), target.number, lower_is_better=True
        )
        if today > target.by_date:
            return (projection.MET if achieved else projection.MISSED), found
        return (projection.ACHIEVED if achieved else projection.OFF_TRACK), found
    if today > target.by_date:
        return projection.AWAITING, found
    if result.status == projection.UNKNOWN:
        return result.status, found
    on_track = result.projected is not None and projection.meets(
        result.projected, target.number, lower_is_better=True
    )
    return (projection.ON_TRACK if on_track else projection.OFF_TRACK), found


def targets(today: dt.date | None = None, memo: dict | None = None) -> list[dict]:
    memo = {} if memo is None else memo
    return [target_status(t, today, memo) for t in Target.objects.all()]


def dashboard(period: Period, level: str, today: dt.date | None = None) -> dict:
    """The whole dashboard of one period and level."""
    framework_model = period.framework_for(level)
    framework = framework_model.engine() if framework_model else None
    units = _units(period, level)
    names = {u["code"]: u["name"] for u in units}
    memo: dict = {}
    results = scored(period, level, memo)
    snapshot = published(period, level, memo)
    return {
        "period": {
            "id": period.pk,
            "name": period.name,
            "year": period.year,
            "reference_date": period.reference_date.isoformat(),
        },
        "level": level,
        # What the figures are read from: a published version, or approved values now.
        "source": {
            "published": snapshot is not None,
            "version": snapshot.version if snapshot is not None else None,
            "published_at": snapshot.published_at.isoformat() if snapshot is not None else None,
        },
        "framework": framework.code if framework else None,
        "progress": progress(period, level, units),
        "recognition": recognition(period, level, results, today),
        "distribution": distribution(results, framework),
        "lagging": lagging(results, names),
        "nearest": nearest(results, framework, names),
        "change": change(period, level, results, memo, names),
        "targets": targets(today, memo),
    }


def map_values(period: Period, level: str, *, public: bool = True) -> dict | None:
    """Per unit code: name, value, rank, recognized, for the map (units without a result too).

    A published level shows its current snapshot's rows, to everyone. The public sees
    nothing else: without a snapshot of that level the answer is None (a page answers
    404), whatever other level of the period is published. Only staff (`public=False`)
    see a level not yet published, scored from its approved values. Review states are
    never part of the map: a unit reopened after publication shows as published."""
    snapshot = published(period, level)
    if snapshot is not None:
        rows = read.map_rows(snapshot)
    elif public:
        return None
    else:
        results = scored(period, level)
        index = {code: i for i, code in enumerate(results.units)} if results is not None else {}
        rows = {}
        for u in _units(period, level):
            i = index.get(u["code"])
            row = {"name": u["name"]}
            if results is not None and i is not None:
                row["value"] = float(results.value[i])
                row["rank"] = int(results.rank[i])
                row["recognized"] = (
                    bool(results.recognized[i]) if results.recognized is not None else None
                )
            rows[u["code"]] = row
    recognized = [r for r in rows.values() if r.get("recognized")]
    return {
        "period": {"id": period.pk, "name": period.name, "year": period.year},
        "level": level,
        "version": snapshot.version if snapshot is not None else None,
        "units": rows,
        "counts": {
            "units": len(rows),
            "scored": sum(1 for r in rows.values() if "value" in r),
            "recognized": len(recognized),
        },
        "approximate": True,
    }


def self_assessment() -> dict | None:
    """The province's own latest assessment on the DTI framework (its estimated DTI).

    Scored from its current figures whatever the submission's state, so the DX office
    sees the estimate before the ministry publishes; the state says how final it is.
    """
    submission = (
        Submission.objects.filter(unit__level="province", period__frameworks__level="province")
        .select_related("period", "unit")
        .order_by("-period__year", "-period__opens_on")
        .first()
    )
    if submission is None:
        return None
    period = submission.period
    results = score_period(period, "province", final_only=False)
    framework_model = period.framework_for("province")
    if results is None or framework_model is None or submission.unit.code not in results.units:
        return None
    framework = framework_model.engine()
    unit = results.unit(submission.unit.code)
    i = results.units.index(submission.unit.code)
    indices = [
        {
            "code": node.code,
            "title": node.title,
            "value": float(results.node_values[i, results.node_codes.index(node.code)]),
            "max_points": node.points if node.is_leaf else node.max_points,
        }
        # The main indices: the roots' children (the DTI groups them in foundation/activity).
        for root in framework.tree
        for node in root.children
    ]
    return {
        "period": {"id": period.pk, "name": period.name, "year": period.year},
        "status": submission.status,
        "final": submission.status in FINAL_STATUSES,
        "framework": framework.code,
        "value": float(unit.value),
        "points": float(unit.points),
        "max_points": results.max_points,
        "indices": indices,
    }


def province(today: dt.date | None = None, *, staff: bool = True) -> dict:
    """Thanh Hóa's DTI over the years and the rank target (the ministry's published
    figures: public); for staff also its own estimate (`self_assessment`)."""
    history = [
        {
            "year": d.year,
            "published": d.published,
            "rank": d.rank,
            "of": d.of,
            "value": d.value,
            "rank_cqs": d.rank_cqs,
            "rank_kts": d.rank_kts,
            "rank_xhs": d.rank_xhs,
            "note": d.note,
        }
        for d in DtiYear.objects.all()
    ]
    target = Target.objects.filter(kind=TargetKind.DTI_RANK).order_by("by_date").first()
    found = {
        "history": history,
        "target_rank": target.number if target else None,
        "target": target_status(target, today) if target else None,
    }
    if staff:
        found["self_assessment"] = self_assessment()
    return found
