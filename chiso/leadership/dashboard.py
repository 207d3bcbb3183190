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

from django.core.cache import cache
from django.db.models import Exists, OuterRef

from chiso import engine
from chiso.assessments.models import Period, Status, Submission
from chiso.leadership import projection
from chiso.leadership.models import DtiYear, Target, TargetKind
from chiso.results import analysis, overview, read
from chiso.results.models import Snapshot
from chiso.results.overview import distribution, lagging, nearest
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

    A published period reads its snapshot's summary (`overview.snapshot_outline`), not
    its rows; a period not published, its figures scored now."""
    snapshot = published(period, level, memo)
    if snapshot is not None:
        if "mean" in snapshot.summary:
            return overview.snapshot_outline(snapshot)
        # Published before summaries held the outline: worked out once, then cached.
        return dict(read.kept(snapshot.pk, "outline", lambda: overview.snapshot_outline(snapshot)))
    figures = scored(period, level, memo)
    return None if figures is None else overview.outline(figures)


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
        figures = read.kept(snapshot.pk, "figures", lambda: read.figures(snapshot))
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
    if period.reference_date < REFORM:
        # Before the reform: a unit's district is its parent.
        return [
            {
                "code": code,
                "name": name,
                "status": status,
                "area_code": parent_code if parent_level == "district" else "",
                "area_name": parent_name if parent_level == "district" else "",
            }
            for _, code, name, status, parent_code, parent_name, parent_level in (
                in_period.values_list(*UNIT_FIELDS)
            )
        ]
    former: dict[int, tuple[str, str]] = {}
    if level == "commune":
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
    nowhere = ("", "")
    units = []
    for unit_id, code, name, status in in_period.values_list(*UNIT_FIELDS[:4]):
        area = former.get(unit_id, nowhere)
        units.append(
            {
                "code": code,
                "name": name,
                "status": status,
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
    period: Period, level: str, outlined: dict[str, Any] | None, today: dt.date | None = None
) -> dict:
    """Units recognized (`outlined`: the period's `outline`) against the year's quota."""
    quota = quota_for(period, level)
    count = outlined["recognized"] if outlined is not None else None
    return {
        "rule": count is not None,
        "recognized": count,
        "scored": outlined["assessed"] if outlined is not None else 0,
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
    """Against the previous period with results: mean value, recognized, units that moved
    most (`overview.change`); each unit against its own previous figures, a commune formed
    at the 2025 reform against those derived from its predecessors (`derived`)."""
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
    previous = {"id": before.pk, "name": before.name, "year": before.year}
    return overview.change(results, earlier, old, now, previous, names)


def stored_overview(snapshot: Snapshot) -> dict[str, Any]:
    """The overview publishing stored with the snapshot; for a snapshot published
    before chiso stored it, worked out from its rows once and kept in the cache."""
    found = read.dashboard(snapshot)
    if found is not None:
        return found
    return dict(read.kept(snapshot.pk, "overview", lambda: overview.of_snapshot(snapshot)))


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
    """The whole dashboard of one period and level.

    A published level shows the overview publishing stored with its snapshot (the
    histogram, the lagging and nearest units, the change from the year it was compared
    with); only what changes after publishing is read now: the submissions' progress,
    the quota and the targets. A level not published yet (staff) is scored now."""
    memo: dict = {}
    snapshot = published(period, level, memo)
    units = _units(period, level)
    if snapshot is not None:
        stored = stored_overview(snapshot)
        outlined = overview.snapshot_outline(snapshot)
        found = {key: stored[key] for key in ("distribution", "lagging", "nearest")}
        before = previous_period(period, level, memo)
        before_snapshot = None if before is None else published(before, level, memo)
        if before is None:
            found["change"] = {"previous": None}
        elif before_snapshot is not None and before_snapshot.pk == stored["change_against"]:
            found["change"] = stored["change"]
        else:  # compared with a period published or approved since: worked out now
            names = {u["code"]: u["name"] for u in units}
            found["change"] = change(period, level, scored(period, level, memo), memo, names)
        framework_code: str | None = snapshot.framework_code
    else:
        framework_model = period.framework_for(level)
        framework = framework_model.engine() if framework_model else None
        names = {u["code"]: u["name"] for u in units}
        results = scored(period, level, memo)
        outlined = None if results is None else overview.outline(results)
        found = {
            "distribution": distribution(results, framework),
            "lagging": lagging(results, names),
            "nearest": nearest(results, framework, names),
            "change": change(period, level, results, memo, names),
        }
        framework_code = framework.code if framework else None
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
        "framework": framework_code,
        "progress": progress(period, level, units),
        "recognition": recognition(period, level, outlined, today),
        "distribution": found["distribution"],
        "lagging": found["lagging"],
        "nearest": found["nearest"],
        "change": found["change"],
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
