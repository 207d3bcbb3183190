"""Analysis figures as plain, JSON-ready data: the gap plan of a unit, the rank
uncertainty of a published snapshot, and the statistical audit of a period.

Pages and the API both call these functions (the API with one line each), so they
show the same numbers; the engine (`chiso.engine.plan`, `.uncertainty`, `.stats`,
`.history`) does the computing. Numbers are plain floats (NaN as None).

- `plan_for_unit(period, level, unit_code, goal)`: the published (else, with
  `provisional`, the approved) values of the level, planned for one unit;
- `uncertainty_for_snapshot(snapshot)`: seeded Monte Carlo of the snapshot's ranking,
  computed once when the level is published and stored with the snapshot
  (`published_analysis`), as is the previous period's figures of every unit;
- `sensitivity_for_snapshot(snapshot)`: first-order and total Sobol' indices of the
  snapshot's ranks to each pillar's points, seeded and stored the same way;
- `audit_for_period(period, level)`: coverage, distributions, outliers ("bất thường"),
  correlations and non-discriminating indicators of every submitted figure.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from django.core.cache import cache
from django.db.models import Count
from django.utils.translation import gettext as _

from chiso import engine
from chiso.assessments.figures import figures_of, not_applicable_of
from chiso.assessments.models import Submission
from chiso.frameworks.display import in_language
from chiso.lib import values_csv as long_values
from chiso.lib.numbers import number
from chiso.results import read
from chiso.results.models import Snapshot
from chiso.results.scoring import Scored, _matrix, score_derived

# The rankings page's Monte Carlo: modest, so the first view of a snapshot stays fast.
UNCERTAINTY_RUNS: Final = 200
POINTS_NOISE: Final = 0.2
# Sobol' samples N of the sensitivity: N x (pillars + 2) runs (2,048 with six pillars).
SENSITIVITY_SAMPLES: Final = 512
# A snapshot's uncertainty never changes, but the cache may be cleared: a day is plenty.
CACHE_SECONDS: Final = 24 * 3600


def _number(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(float(value), 6)


@dataclass
class Inputs:
    """A framework, the values scored and the engine's results (one level)."""

    framework: engine.Framework
    values: engine.Values
    results: engine.Results
    titles: dict[str, str]


def _titles(framework: engine.Framework) -> dict[str, str]:
    titles = {element.code: in_language(element.title) for element in framework.elements}
    return titles | {node.code: in_language(node.title) for node in framework.nodes}


def snapshot_figures(
    snapshot: Snapshot, units: set[str] | None = None
) -> dict[str, dict[str, float]]:
    """The figures a snapshot scored, read back from its values CSV (only `units`'s)."""
    return snapshot_values(snapshot, units)[0]


def snapshot_values(
    snapshot: Snapshot, units: set[str] | None = None
) -> tuple[dict[str, dict[str, float]], dict[str, set[str]]]:
    """The figures a snapshot scored and the indicators that did not apply to each
    unit (`không áp dụng` lines), read back from its values CSV (only `units`'s)."""
    text = snapshot.values_csv or Snapshot.objects.values_list("values_csv", flat=True).get(
        pk=snapshot.pk
    )
    lines = io.StringIO(text)
    if units is not None:
        # A line starts with its unit code: the others are not parsed.
        header = next(lines, "")
        lines = io.StringIO(header + "".join(x for x in lines if x.split(",", 1)[0] in units))
    figures: dict[str, dict[str, float]] = {}
    marks: dict[str, set[str]] = {}
    for _line, unit, code, raw in long_values.rows(lines):
        if engine.is_not_applicable(raw):
            marks.setdefault(unit, set()).add(code)
            figures.setdefault(unit, {})
            continue
        figures.setdefault(unit, {})[code] = float(raw)
    return figures, marks


def snapshot_inputs(snapshot: Snapshot) -> Inputs:
    """What the snapshot scored, scored again (it gives the published ranking).

    Kept for the few latest snapshots in this process: a snapshot never changes, and
    reading 3,321 units' values back takes about a second, too long for each card."""
    key = (snapshot.pk, snapshot.values_sha256, snapshot.framework_sha256)
    found = _SNAPSHOT_INPUTS.get(key)
    if found is None:
        framework = snapshot.framework.engine()
        values = _matrix(framework, *snapshot_values(snapshot))
        results = engine.score(framework, values)
        found = Inputs(framework, values, results, _titles(framework))
        while len(_SNAPSHOT_INPUTS) >= SNAPSHOTS_KEPT:
            _SNAPSHOT_INPUTS.pop(next(iter(_SNAPSHOT_INPUTS)))
        _SNAPSHOT_INPUTS[key] = found
    return found


# Snapshots whose values are kept in memory (each of 3,321 units: about 10 MB).
SNAPSHOTS_KEPT: Final = 4
_SNAPSHOT_INPUTS: dict[tuple[int, str, str], Inputs] = {}


def scored_inputs(scored: Scored) -> Inputs:
    framework = scored.engine_framework
    return Inputs(framework, scored.values, scored.results, _titles(framework))


# ---------------------------------------------------------------------------
# The gap planner


def plan_data(inputs: Inputs, unit_code: str, goal: str = "recognition") -> dict[str, Any]:
    """The engine's plan for one unit as plain data."""
    try:
        wanted = engine.Goal.parse(goal)
    except ValueError as error:
        return {"unit": unit_code, "goal": goal, "feasible": False, "reason": "bad-goal",
                "message": str(error), "steps": []}  # fmt: skip
    found = engine.plan(inputs.framework, inputs.values, unit_code, wanted, results=inputs.results)
    return {
        "unit": unit_code,
        "goal": str(found.goal),
        "feasible": found.feasible,
        "reason": found.reason,
        "message": found.message,
        "points_now": _number(found.points_now),
        "points_needed": _number(found.points_needed),
        "points_after": _number(found.points_after),
        "proven_optimal": found.proven_optimal,
        "steps": [
            {
                "code": step.code,
                "title": inputs.titles.get(step.code, step.code),
                "from": _number(step.value_from),
                "to": _number(step.value_to),
                "points": _number(step.points),
                "elements": [
                    {
                        "code": element.code,
                        "title": inputs.titles.get(element.code, element.code),
                        "from": _number(element.value_from),
                        "to": _number(element.value_to),
                    }
                    for element in step.elements
                ],
            }
            for step in found.steps
        ],
    }


def plan_for_unit(
    period: Any, level: str, unit_code: str, goal: str = "recognition"
) -> dict[str, Any] | None:
    """The published unit's plan to `goal` (recognition, value:0.8, rank:10), or None
    when the level is not published or the unit was not assessed in it."""
    snapshot = read.current(period, level)
    if snapshot is None or not read.assessed(snapshot, unit_code):
        return None
    return _published_plan(snapshot, unit_code, goal)


def _published_plan(
    snapshot: Snapshot, unit_code: str, goal: str, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A published unit's plan: to recognition, the one stored with its row when the
    level was published (nothing is scored again; `stored` when its row was read
    already); to another goal the reader chose, planned now from the snapshot's values."""
    if goal == "recognition":
        stored = dict(stored) if stored else read.stored_plan(snapshot, unit_code)
        if stored:
            return _with_titles(stored, _titles(snapshot.framework.engine()))
    return plan_data(snapshot_inputs(snapshot), unit_code, goal)


def _with_titles(plan: dict[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    """A stored plan with its steps' titles in the reader's language."""
    plan["steps"] = [
        {
            **step,
            "title": titles.get(step["code"], step["code"]),
            "elements": [
                {**element, "title": titles.get(element["code"], element["code"])}
                for element in step["elements"]
            ],
        }
        for step in plan["steps"]
    ]
    return plan


# ---------------------------------------------------------------------------
# Rank uncertainty


def seed_of(snapshot: Snapshot) -> int:
    """The seed of a snapshot's Monte Carlo: fixed by the values it scored."""
    return int(snapshot.values_sha256[:8] or "0", 16)


def _about(snapshot: Snapshot) -> dict[str, Any]:
    return {"period": snapshot.period_id, "level": snapshot.level, "version": snapshot.version}


def uncertainty_of(inputs: Inputs, about: dict[str, Any], seed: int) -> dict[str, Any]:
    """The rank uncertainty of a ranking (its inputs), as published: per unit, nominal
    rank, median rank, 5th-95th percentile ranks, P(recognized)."""
    result = engine.rank_uncertainty(
        inputs.framework, inputs.values, runs=UNCERTAINTY_RUNS, seed=seed,
        points_noise=POINTS_NOISE,
    )  # fmt: skip
    return {
        **about,
        "runs": UNCERTAINTY_RUNS,
        "seed": seed,
        "points_noise": POINTS_NOISE,
        "units": [
            {
                **record,
                "median_rank": _number(record["median_rank"]),
                "p05": _number(record["p05"]),
                "p95": _number(record["p95"]),
                "p_recognized": _number(record["p_recognized"]),
            }  # fmt: skip
            for record in result.to_records()
        ],
    }


def sensitivity_of(
    inputs: Inputs, about: dict[str, Any], seed: int, points_noise: float = POINTS_NOISE
) -> dict[str, Any]:
    """Per pillar: the first-order (Saltelli) and total (Jansen) Sobol' indices of the
    units' mean absolute rank shift to that pillar's points, each indicator's points
    x U(1 - a, 1 + a) with a = `points_noise`, in SENSITIVITY_SAMPLES x (pillars + 2) runs.

    The indices are None when no rank ever moves (a single unit): their variance is
    then 0 and they are not defined. Titles are the framework's, in the reader's
    language (`_titled`)."""
    pillars = [root.code for root in inputs.framework.tree]
    if inputs.values.units:
        found = engine.sensitivity(
            inputs.framework, inputs.values, samples=SENSITIVITY_SAMPLES, seed=seed,
            points_noise=points_noise,
        )  # fmt: skip
        first, total = found.first_order.tolist(), found.total.tolist()
        variance: float | None = found.variance
    else:
        first = total = [math.nan] * len(pillars)
        variance = None
    return {
        **about,
        "samples": SENSITIVITY_SAMPLES,
        "runs": SENSITIVITY_SAMPLES * (len(pillars) + 2),
        "seed": seed,
        "points_noise": points_noise,
        "variance": _number(variance),
        "pillars": [
            {"code": code, "first_order": _number(first[j]), "total": _number(total[j])}
            for j, code in enumerate(pillars)
        ],
    }


def published_analysis(snapshot: Snapshot, scored: Scored) -> Callable[[], dict[str, Any]]:
    """What publishing computes once and stores with the snapshot, so that no reader
    scores again: the rank uncertainty and sensitivity (seeded by the values), and
    the previous period's figures of every unit (derived across the reform).

    The first two are the engine's alone (no database) and take most of publishing's
    time, nearly all of it in numpy's sorting, which lets other threads run: they are
    worked out on a thread of their own while the publish service plans and stores
    the rows. It calls the function returned, once the rows are stored, for the whole."""
    inputs = scored_inputs(scored)
    about, seed = _about(snapshot), seed_of(snapshot)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chiso-publish")
    uncertainty = pool.submit(uncertainty_of, inputs, about, seed)
    sensitivity = pool.submit(sensitivity_of, inputs, about, seed)
    pool.shutdown(wait=False)

    def finish() -> dict[str, Any]:
        # Read from this (the request's) thread: the database is not the worker's.
        previous = _previous_of(snapshot, snapshot.level)
        return {
            "uncertainty": uncertainty.result(),
            "sensitivity": sensitivity.result(),
            "previous": previous,
        }

    return finish


def plans_of(scored: Scored, goal: str = "recognition") -> dict[str, dict[str, Any]]:
    """Each assessed unit's plan to `goal`, as publishing stores it in the unit's row
    (the report card's "what to fix first"); titles are added by the reader."""
    inputs = scored_inputs(scored)
    return {code: plan_data(inputs, code, goal) for code in inputs.results.units}


def _stored(snapshot: Snapshot, part: str) -> dict[str, Any] | None:
    """A part of what publishing stored with the snapshot; None for a snapshot published
    before chiso stored it (its figures are then computed once and cached)."""
    return read.analysis(snapshot, part)


def uncertainty_for_snapshot(snapshot: Snapshot) -> dict[str, Any]:
    """Per unit: nominal rank, median rank, 5th-95th percentile ranks, P(recognized),
    as published with the snapshot (seeded from its values)."""
    found = _stored(snapshot, "uncertainty")
    if found is not None:
        return found
    return dict(
        read.kept(
            snapshot.pk,
            f"uncertainty:{UNCERTAINTY_RUNS}:{POINTS_NOISE}",
            lambda: uncertainty_of(snapshot_inputs(snapshot), _about(snapshot), seed_of(snapshot)),
        )
    )


def sensitivity_for_snapshot(snapshot: Snapshot) -> dict[str, Any]:
    """The Sobol' indices of the snapshot's ranks to each pillar's points, as published
    with it (`sensitivity_of`), with the pillars' titles in the reader's language."""
    found = _stored(snapshot, "sensitivity")
    if found is None:
        found = dict(
            read.kept(
                snapshot.pk,
                f"sensitivity:{SENSITIVITY_SAMPLES}:{POINTS_NOISE}",
                lambda: sensitivity_of(
                    snapshot_inputs(snapshot), _about(snapshot), seed_of(snapshot)
                ),
            )
        )
    titles = _titles(snapshot.framework.engine())
    found["pillars"] = [
        {**pillar, "title": titles.get(pillar["code"], pillar["code"])}
        for pillar in found["pillars"]
    ]
    return found


# ---------------------------------------------------------------------------
# The statistical audit of a period


def _previous_inputs(period: Any, level: str) -> Inputs | None:
    earlier = (
        Snapshot.objects.current()
        .filter(level=level, period__year__lt=period.year)
        .order_by("-period__year")
        .select_related("framework")
        .first()
    )
    return None if earlier is None else snapshot_inputs(earlier)


def _period_inputs(period: Any, level: str) -> tuple[Inputs, dict[str, str]] | None:
    """Every submitted figure of the level (any status: reviewers audit before approving)."""
    framework_row = period.framework_for(level)
    if framework_row is None:
        return None
    subs = list(
        Submission.objects.filter(period=period, framework=framework_row)
        .select_related("unit")
        .order_by("unit__code")
    )
    figures = figures_of(subs)
    figures = {code: by_code for code, by_code in figures.items() if by_code}
    framework = framework_row.engine()
    values = _matrix(framework, figures, not_applicable_of(subs, framework))
    kinds = {s.unit.code: s.unit.kind for s in subs}
    inputs = Inputs(framework, values, engine.score(framework, values), _titles(framework))
    return inputs, kinds


def _outlier(outlier: engine.Outlier, titles: Mapping[str, str]) -> dict[str, Any]:
    return {
        "unit": outlier.unit,
        "code": outlier.code,
        "title": titles.get(outlier.code, outlier.code),
        "value": _number(outlier.value),
        "reference": _number(outlier.reference),
        "z": _number(outlier.z),
        "kind": outlier.kind,
        "centre": _number(outlier.centre),
        "scale": _number(outlier.scale),
        "method": outlier.method,
    }


def outlier_method(outlier: Mapping[str, Any]) -> str:
    """How a flag was found, in words: the median it departs from and the scale."""
    shown = {"centre": number(outlier.get("centre"), 2), "scale": number(outlier.get("scale"), 2)}
    if outlier.get("kind") == "change":
        centre = _("median change %(centre)s") % shown
    else:
        centre = _("median %(centre)s") % shown
    method = outlier.get("method")
    if method == "guard":
        scale = _("scale at its floor, 5 %% of the typical figure = %(scale)s") % shown
    elif method == "mean_ad":
        scale = _("scale 1.2533 × mean absolute deviation = %(scale)s (MAD 0)") % shown
    else:
        scale = _("scale 1.4826 × MAD = %(scale)s") % shown
    return f"{centre}, {scale}"


def _audit_key(period: Any, level: str) -> str:
    """A key that changes whenever a figure or a submission of the period changes, or a
    new period is published (one aggregate query, instead of scoring every unit)."""
    from django.db.models import Max

    from chiso.assessments.models import Value

    figures = Value.objects.filter(submission__period=period).aggregate(
        latest=Max("updated_at"), count=Count("pk")
    )
    subs = Submission.objects.filter(period=period).aggregate(latest=Max("updated_at"))
    published = Snapshot.objects.filter(level=level).aggregate(latest=Max("pk"))
    parts = (figures["latest"], figures["count"], subs["latest"], published["latest"])
    stamp = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return f"chiso:audit:{period.pk}:{level}:{stamp}"


def audit_for_period(period: Any, level: str) -> dict[str, Any] | None:
    """The audit of one level of a period, or None when the period does not assess it.

    Outliers ("bất thường") are robust z-scores above 3.5 of a unit's change from the
    previous published period and of its value against units of its kind. Kept in the
    cache until a figure of the period changes."""
    key = _audit_key(period, level)
    found = cache.get(key)
    if found is None:
        found = _audit(period, level)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _audit(period: Any, level: str) -> dict[str, Any] | None:
    # A column every unit left empty has no median: the engine gives NaN, not a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _audited(period, level)


def _audited(period: Any, level: str) -> dict[str, Any] | None:
    found = _period_inputs(period, level)
    if found is None:
        return None
    inputs, kinds = found
    results, titles = inputs.results, inputs.titles
    previous = _previous_inputs(period, level)
    outliers = engine.peer_outliers(results, kinds) if results.units else []
    if previous is not None and results.units:
        outliers = engine.change_outliers(results, previous.results) + outliers
    pairs = []
    if results.units:
        correlation = engine.correlations(results)
        codes = correlation.codes
        for i in range(len(codes)):
            for j in range(i + 1, len(codes)):
                pairs.append(
                    {
                        "a": codes[i],
                        "b": codes[j],
                        "pearson": _number(correlation.pearson[i, j]),
                        "spearman": _number(correlation.spearman[i, j]),
                    }
                )
    pairs.sort(key=lambda p: -abs(p["pearson"] or 0))
    return {
        "period": period.pk,
        "level": level,
        "units": len(results.units),
        "compared_with_previous": previous is not None,
        "indicators": [
            {
                "code": s.code,
                "title": titles.get(s.code, s.code),
                "reported": s.reported,
                "coverage": _number(s.coverage),
                "mean": _number(s.mean),
                "std": _number(s.std),
                "min": _number(s.minimum),
                "q25": _number(s.q25),
                "median": _number(s.median),
                "q75": _number(s.q75),
                "max": _number(s.maximum),
            }
            for s in engine.summarise(results)
        ],
        "outliers": [_outlier(o, titles) for o in outliers],
        "correlations": pairs,
        "pillar_correlations": [
            {
                "code": c.code,
                "pillar": c.pillar,
                "pearson": _number(c.pearson),
                "spearman": _number(c.spearman),
            }
            for c in (
                engine.pillar_correlations(inputs.framework, results) if results.units else []
            )
        ],
        "non_discriminating": list(engine.non_discriminating(inputs.framework, results)),
    }


def outliers_of(period: Any, level: str, unit_code: str) -> dict[str, dict[str, Any]]:
    """The unit's figures flagged "bất thường" in the period's audit, by indicator code."""
    audit = audit_for_period(period, level)
    if audit is None:
        return {}
    flagged: dict[str, dict[str, Any]] = {}
    for outlier in audit["outliers"]:
        if outlier["unit"] == unit_code:
            flagged.setdefault(outlier["code"], outlier)
    return flagged


def plan_for_ranking(ranking: Any, unit_code: str, goal: str = "recognition") -> dict[str, Any]:
    """The plan of a unit in the ranking a page shows (published or provisional)."""
    if ranking.snapshot is not None:
        row = ranking.row(unit_code)
        return _published_plan(ranking.snapshot, unit_code, goal, row and row.plan)
    return plan_data(scored_inputs(Scored(ranking.period, ranking.level)), unit_code, goal)


# ---------------------------------------------------------------------------
# History across the 2025 reform


def histories(
    period: Any, level: str, units: list[tuple[int, str, list[int]]]
) -> dict[str, list[dict[str, Any]]]:
    """The one definition of a unit's history: per unit code of `units` ((unit id,
    code, predecessor ids)), its figures in every earlier published period of its level
    (the current version of each), oldest first.

    A unit assessed then has its own value, points, rank and recognition, out of the
    `units_ranked` of that period. A unit formed at the 2025 reform has the figures
    derived from its predecessors' (`previous_figures`' rule: their plain mean, scored
    with that period's framework, ranked among that period's other units), marked
    `derived` ("suy ra"). Publishing stores each unit's history in its row (with the
    published point itself last); the report card, its PDF and
    `GET /api/v1/units/ID/results` read it from there."""
    earlier = (
        Snapshot.objects.current()
        .filter(level=level, period__year__lt=period.year)
        .select_related("period", "framework")
        .defer("values_csv")
        .order_by("period__year", "period__opens_on")
    )
    found: dict[str, list[dict[str, Any]]] = {code: [] for _pk, code, _lineage in units}
    for before in earlier:
        rows = _before_rows(before, level)[0]
        ranked = sum(1 for row in rows if row[2] is not None)
        point = _history_point(before)
        for code, figures in _figures_in(units, before, rows, None).items():
            found[code].append({**point, "units_ranked": ranked, **figures})
    return found


def _history_point(snapshot: Snapshot) -> dict[str, Any]:
    return _point_of(snapshot.period, snapshot.level, snapshot.version)


def _point_of(period: Any, level: str, version: int | None) -> dict[str, Any]:
    return {
        "period": period.pk,
        "year": period.year,
        "name": period.name,
        "level": level,
        "version": version,
    }


def own_point(
    period: Any, level: str, version: int | None, row: Any, ranked: int
) -> dict[str, Any]:
    """A unit's point in the ranking it is in (the last of its history): the published
    version, or (`version` None) the provisional ranking."""
    return {
        **_point_of(period, level, version),
        "value": row.value,
        "points": row.points,
        "rank": row.rank,
        "recognized": row.recognized,
        "derived": False,
        "units_ranked": ranked,
    }


# ---------------------------------------------------------------------------
# The previous period's figures of every unit, across the 2025 reform


def earlier_snapshot(period: Any, level: str) -> Snapshot | None:
    """The current published version of the level in the latest earlier year, or None."""
    return (
        Snapshot.objects.current()
        .filter(level=level, period__year__lt=period.year)
        .order_by("-period__year")
        .defer("values_csv")
        .select_related("period", "framework")
        .first()
    )


def previous_figures(current: Any, level: str, before: Any = None) -> dict[str, Any]:
    """Per unit assessed in `current` (a snapshot, or a period scored now from its
    approved values), its value and rank in the previous period `before` (a snapshot,
    or a period scored now; by default the latest published earlier year).

    A unit assessed in both keeps its own figures. A unit formed at the 2025 reform
    gets the figures derived from its predecessors' by the plain mean
    (`engine.derive_values`, every successor at once), scored with the previous
    period's framework and ranked among that period's units other than its own
    predecessors, as `history_of` does for one unit; these carry `derived` True
    ("suy ra"). A unit with neither is left out (it is new).

    Returns {"previous": {period, name, year, snapshot, version} or None,
    "units": {code: {"value", "rank", "derived"}}}. Between two snapshots, which never
    change, the answer is kept in the cache."""
    if isinstance(current, Snapshot) and (before is None or isinstance(before, Snapshot)):
        # Publishing stored them against the latest earlier snapshot: read, never scored.
        stored = _stored(current, "previous")
        kept = None if stored is None else (stored.get("previous") or {}).get("snapshot")
        if stored is not None and (before is None or kept == before.pk):
            return stored
    return _previous_of(current, level, before)


def _previous_of(current: Any, level: str, before: Any = None) -> dict[str, Any]:
    """`previous_figures` worked out now (publishing stores it with the snapshot)."""
    period = current.period if isinstance(current, Snapshot) else current
    if before is None:
        before = earlier_snapshot(period, level)
    if before is None:
        return {"previous": None, "units": {}}

    # Snapshots never change; a period scored now changes with its final submissions.
    def part(source: Any) -> str:
        if isinstance(source, Snapshot):
            return str(source.pk)
        return f"p{source.pk}-{final_stamp(source)}"

    key = f"chiso:previous:{level}:{part(current)}:{part(before)}"
    found = cache.get(key)
    if found is None:
        found = _previous(current, level, before)
        cache.set(key, found, CACHE_SECONDS)
    return dict(found)


def like_for_like(
    now: Mapping[str, float | None], before: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Rank changes over one set of units, the DTI's rule for the 2025 merger.

    `now`: the current ranking's value per unit code; `before`: `previous_figures`'s
    units. The set compared is the units of the current ranking with a value in both
    periods; each period's values are ranked among exactly those units, with the
    engine's rank (and its tie tolerance), so in a ranking of N units a change is at
    most N - 1 places. Per code compared: "rank_before" and "rank_now" (among the set),
    "change" (places gained), "among" (the set's size), "value_before" and "derived"."""
    import numpy as np

    codes = [
        code
        for code, value in now.items()
        if value is not None
        and (found := before.get(code)) is not None
        and found["value"] is not None
    ]
    if not codes:
        return {}
    ranks_now = engine.rank_descending(np.array([now[c] for c in codes], dtype=float))
    ranks_before = engine.rank_descending(
        np.array([before[c]["value"] for c in codes], dtype=float)
    )
    return {
        code: {
            "rank_before": int(rank_before),
            "rank_now": int(rank_now),
            "change": int(rank_before - rank_now),
            "among": len(codes),
            "value_before": before[code]["value"],
            "derived": bool(before[code]["derived"]),
        }
        for code, rank_now, rank_before in zip(codes, ranks_now, ranks_before, strict=True)
    }


def final_stamp(period: Any) -> str:
    """Changes whenever a final (approved or published) submission of the period does."""
    from django.db.models import Max

    from chiso.results.scoring import FINAL_STATUSES

    final = Submission.objects.filter(period=period, status__in=FINAL_STATUSES)
    stamp = final.aggregate(n=Count("id"), at=Max("updated_at"))
    at = stamp["at"].timestamp() if stamp["at"] else 0
    return f"{stamp['n']}-{at}"


def _current_units(current: Any, level: str, known: set[int]) -> list[tuple[int, str, list[int]]]:
    """(unit id, code, predecessor ids) of the units assessed in `current`; the
    predecessors are looked up only for units not in `known` (the previous period's)."""
    from chiso.results.scoring import FINAL_STATUSES
    from chiso.units.models import Lineage

    links: dict[int, list[int]] = defaultdict(list)
    if isinstance(current, Snapshot):
        # The lineage the snapshot recorded when it was published (as its pages show).
        return read.units(current, known)
    units = list(
        Submission.objects.filter(
            period=current, unit__level=level, status__in=FINAL_STATUSES
        ).values_list("unit_id", "unit__code")
    )
    new = [pk for pk, _ in units if pk not in known]
    for new_id, old_id in Lineage.objects.filter(new_id__in=new).values_list("new_id", "old_id"):
        links[new_id].append(old_id)
    return [(pk, code, links.get(pk, [])) for pk, code in units]


def _plain(value: float) -> float | None:
    """A float as it is (not rounded: the figures compared are the published ones), NaN None."""
    return None if math.isnan(value) else float(value)


def _before_rows(before: Any, level: str) -> tuple[list[tuple[Any, ...]], Scored | None]:
    """(unit id, code, value, rank, points, recognized) of every unit assessed in
    `before` (a snapshot, or a period scored now), and what was scored (a period)."""
    if isinstance(before, Snapshot):
        return read.rows(before), None
    scored = Scored(before, level)
    results = scored.results
    index = {code: i for i, code in enumerate(results.units)}
    recognized = results.recognized
    return [
        (
            s.unit_id,
            s.unit.code,
            _plain(results.value[i]),
            int(results.rank[i]),
            _plain(results.points[i]),
            None if recognized is None else bool(recognized[i]),
        )
        for s in scored.assessed
        if (i := index.get(s.unit.code)) is not None
    ], scored


def _figures_in(
    units: list[tuple[int, str, list[int]]],
    before: Any,
    rows: list[tuple[Any, ...]],
    scored: Scored | None,
) -> dict[str, dict[str, Any]]:
    """Per unit code of `units` ((id, code, predecessor ids)), its figures in `before`
    (its rows `rows`, `_before_rows`): its own, else derived from its predecessors';
    units with neither are left out. Each: value, points, rank, recognized, derived."""
    import numpy as np

    by_id = {row[0]: row for row in rows}
    by_code = {row[1]: row for row in rows}
    figures: dict[str, dict[str, Any]] = {}
    successors: dict[str, list[str]] = {}
    for unit_id, code, lineage in units:
        own = by_id.get(unit_id)
        found = [by_id[pk][1] for pk in lineage if pk in by_id]
        if own is None and not lineage:
            own = by_code.get(code)  # a unit that kept its code, without a lineage
        if own is not None:
            figures[code] = {
                "value": own[2], "rank": own[3], "points": own[4], "recognized": own[5],
                "derived": False,
            }  # fmt: skip
        elif found:
            successors[code] = found
    if not successors:
        return figures
    needed = {code for found in successors.values() for code in found}
    if scored is not None:
        framework, values = scored.engine_framework, scored.values
    else:
        framework = before.framework.engine()
        stored = snapshot_figures(before, needed)
        values = _matrix(framework, {c: stored[c] for c in sorted(needed) if c in stored})
    derived, results = score_derived(framework, values, successors)
    recognized = results.recognized
    assessed = [(row[1], row[2]) for row in rows if row[2] is not None]
    for i, code in enumerate(derived.units):
        shown = _plain(float(results.value[i]))
        rank = None
        # Ranked among the period's units, its own predecessors left out (it stands in
        # their place), by the engine's rank (one rank function, one tie tolerance).
        left_out = set(successors[code])
        among = [value for unit, value in assessed if unit not in left_out]
        if shown is not None:
            rank = int(engine.rank_descending(np.array([shown, *among], dtype=float))[0])
        figures[code] = {
            "value": shown,
            "rank": rank,
            "units_ranked": len(among) + 1,
            "points": _plain(float(results.points[i])),
            "recognized": None if recognized is None else bool(recognized[i]),
            "derived": True,
        }
    return figures


def _previous(current: Any, level: str, before: Any) -> dict[str, Any]:
    rows, scored = _before_rows(before, level)
    period = before.period if isinstance(before, Snapshot) else before
    units = _current_units(current, level, {row[0] for row in rows})
    found = _figures_in(units, before, rows, scored)
    return {
        "previous": {
            "period": period.pk,
            "name": period.name,
            "year": period.year,
            "snapshot": before.pk if isinstance(before, Snapshot) else None,
            "version": before.version if isinstance(before, Snapshot) else None,
        },
        "units": {
            code: {"value": f["value"], "rank": f["rank"], "derived": f["derived"]}
            for code, f in found.items()
        },
    }
