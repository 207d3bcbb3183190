"""The one reader of published figures: every page, file, PDF, map, dashboard and API
answer about a published (period, level) reads its snapshot through these functions.

Publishing (`services.py`) computed and stored everything once; nothing here scores.

    current(period, level)            the current version's Snapshot, or None
    version(period, level, n)         a version (the latest when n is None), or None
    ranking(period, level, ...)       a `cards.Ranking` of a version's rows (all, brief, one)
    figures(snapshot)                 the dashboard's `Figures` (arrays, one query)
    map_rows(snapshot)                per unit code: name, value, rank, recognized
    outline(snapshot)                 mean value and recognized count (two sums)
    names(snapshot)                   per assessed unit code: its name as published
    dashboard(snapshot)               the dashboard's overview publishing stored, or None
    rows(snapshot)                    (unit id, code, value, rank, points, recognized)
    units(snapshot, known)            (unit id, code, recorded predecessors) of the assessed
    unit_row(snapshot, unit)          one unit's `cards.Row` and how many were ranked
    assessed(snapshot, code)          whether the unit was assessed in it
    stored_plan(snapshot, code)       its stored plan to recognition
    history(unit)                     its history as stored with its latest row
    kept(snapshot_id, part, make)     what `make` gives about a snapshot, kept in the cache

Provisional figures (staff) are scored by `scoring.Scored`, never here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from django.core.cache import cache
from django.db.models import Avg, BinaryField, Count, Func, Q

from chiso.results import cards
from chiso.results.models import Snapshot, UnitRow


def current(period: Any, level: str) -> Snapshot | None:
    """The current (latest) published version of the level of the period, or None."""
    return (
        Snapshot.objects.current()
        .filter(period=period, level=level)
        .defer("values_csv")
        .select_related("framework")
        .first()
    )


def versions(period: Any, level: str) -> list[Snapshot]:
    """Every published version of the level of the period, newest first."""
    return list(
        Snapshot.objects.filter(period=period, level=level)
        .defer("values_csv")
        .select_related("framework")
        .order_by("-version")
    )


def ranking(
    period: Any,
    level: str,
    version: int | None = None,
    *,
    with_values: bool = False,
    brief: bool = False,
    unit: str | None = None,
    rows: bool = True,
) -> cards.Ranking | None:
    """A published version (the latest by default) of a level's results, or None.

    `brief`: rows carry only what the rankings page shows (pillar values and ranks);
    `unit`: only that unit's row, with the level's pillar medians and bests from the
    snapshot's summary (a report card); `rows` False: no row, the summary only (a
    page whose rows are already rendered and kept).
    """
    found = versions(period, level)
    if not found:
        return None
    chosen = found[0] if version is None else next((s for s in found if s.version == version), None)
    if chosen is None:
        return None
    stored = UnitRow.objects.filter(snapshot=chosen)
    if unit is not None:
        stored = stored.filter(code=unit)
    if not rows:
        read_rows: list[cards.Row] = []
    elif brief:
        positions = [chosen.node_codes.index(p.code) for p in chosen.framework.engine().tree]
        size = len(chosen.node_codes)
        read_rows = [
            cards.brief_row(fields, positions, size)
            for fields in stored.values_list(*cards.ROW_FIELDS[:-1], "brief")
        ]
    elif unit is not None:
        # One unit's card also shows its history and its plan to recognition, kept out
        # of the rows every reader reads (a row published before they had columns of
        # their own: in `data`), read here with the row.
        read_rows = []
        for *fields, history, plan in stored.values_list(*cards.ROW_FIELDS, "history", "plan"):
            row = cards.row_of(*fields)
            row.history = row.history if history is None else history
            row.plan = row.plan if plan is None else plan
            read_rows.append(row)
    else:
        read_rows = [cards.row_of(*fields) for fields in stored.values_list(*cards.ROW_FIELDS)]
    return cards.Ranking(
        period=period,
        level=level,
        framework=chosen.framework,
        provisional=False,
        snapshot=chosen,
        node_codes=chosen.node_codes,
        leaf_codes=chosen.leaf_codes,
        max_points=chosen.max_points,
        has_recognition=chosen.has_recognition,
        rows=cards.ordered(read_rows),
        versions=found,
        values_csv=(
            Snapshot.objects.values_list("values_csv", flat=True).get(pk=chosen.pk)
            if with_values
            else ""
        ),
        summary=chosen.summary if unit is not None or not rows else None,
    )


@dataclass
class Figures:
    """What the dashboard reads of one period's results, unit by unit in code order: a
    published snapshot's rows (`figures`), or the engine's results scored now (not yet
    published, `dashboard.from_results`).

    `node_codes` and `node_values` are the framework's top-level branches only."""

    units: list[str]
    value: npt.NDArray[np.float64]
    points: npt.NDArray[np.float64]
    rank: npt.NDArray[np.int64]
    recognized: npt.NDArray[np.bool_] | None
    unmet_mandatory: list[list[str]]
    node_codes: list[str]
    node_values: npt.NDArray[np.float64]
    max_points: float
    snapshot: Snapshot | None = None
    """The snapshot read; None when scored now from approved values (provisional)."""

    def order(self) -> npt.NDArray[np.intp]:
        """Row indices best first: by rank, then by unit code."""
        order: npt.NDArray[np.intp] = np.lexsort((np.array(self.units, dtype=str), self.rank))
        return order


def figures(snapshot: Snapshot) -> Figures:
    """The published figures of a snapshot's assessed units, as its rows hold them: one
    query of the columns the rankings page reads (each row's pillar values and unmet
    mandatory criteria from its brief; a snapshot published before briefs held them:
    one more query of the criteria)."""
    tree = [node.code for node in snapshot.framework.engine().tree]
    found = UnitRow.objects.filter(snapshot=snapshot, assessed=True).order_by("code")
    stored = list(found.values_list("code", "value", "points", "rank", "recognized", "brief"))
    codes, values, points, ranks, recognized, briefs = (
        (list(column) for column in zip(*stored, strict=True)) if stored else ([] for _ in range(6))
    )
    unmet = [brief.get("u") for brief in briefs]
    if any(u is None for u in unmet):
        by_code = dict(found.values_list("code", "data__unmet"))
        unmet = [by_code.get(code) for code in codes]
    width = len(tree)
    pillars = np.full((len(stored), width), np.nan)
    for i, brief in enumerate(briefs):
        found_p = [pair[0] for pair in brief.get("p", [])][:width]
        pillars[i, : len(found_p)] = np.array(found_p, dtype=np.float64)
    return Figures(
        units=codes,
        value=np.array(values, dtype=np.float64),
        points=np.array(points, dtype=np.float64),
        rank=np.array([r or 0 for r in ranks], dtype=np.int64),
        recognized=(np.array(recognized, dtype=np.bool_) if snapshot.has_recognition else None),
        unmet_mandatory=[list(u or []) for u in unmet],
        node_codes=tree,
        node_values=pillars,
        max_points=snapshot.max_points,
        snapshot=snapshot,
    )


def map_rows(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Per unit code (assessed or not): name, and for the assessed value, rank and
    recognized (None without a recognition rule). No review state."""
    found = UnitRow.objects.filter(snapshot=snapshot).order_by("code")
    shown: dict[str, dict[str, Any]] = {}
    for code, name, assessed_, value, rank, recognized in found.values_list(
        "code", "name", "assessed", "value", "rank", "recognized"
    ):
        row: dict[str, Any] = {"name": name}
        if assessed_ and value is not None:
            row["value"] = value
            row["rank"] = rank
            row["recognized"] = recognized if snapshot.has_recognition else None
        shown[code] = row
    return shown


def outline(snapshot: Snapshot) -> dict[str, Any]:
    """The mean value of the assessed units, how many they are and how many were
    recognized (None without a recognition rule), in one aggregate query."""
    sums = UnitRow.objects.filter(snapshot=snapshot, assessed=True).aggregate(
        mean=Avg("value"), assessed=Count("pk"), recognized=Count("pk", filter=Q(recognized=True))
    )
    return {
        "mean": sums["mean"],
        "assessed": sums["assessed"],
        "recognized": sums["recognized"] if snapshot.has_recognition else None,
    }


def names(snapshot: Snapshot) -> dict[str, str]:
    """Per code of an assessed unit: its name as the snapshot published it."""
    return dict(
        UnitRow.objects.filter(snapshot=snapshot, assessed=True).values_list("code", "name")
    )


def dashboard(snapshot: Snapshot) -> dict[str, Any] | None:
    """The dashboard's overview of the snapshot as publishing stored it
    (`overview.of_snapshot`), read alone; None for a snapshot published before."""
    found = Snapshot.objects.filter(pk=snapshot.pk).values_list("dashboard", flat=True).first()
    return dict(found) if found else None


def rows(snapshot: Snapshot) -> list[tuple[Any, ...]]:
    """(unit id, code, value, rank, points, recognized) of every assessed unit."""
    return list(
        UnitRow.objects.filter(snapshot=snapshot, assessed=True).values_list(
            "unit_id", "code", "value", "rank", "points", "recognized"
        )
    )


def units(snapshot: Snapshot, known: set[int]) -> list[tuple[int, str, list[int]]]:
    """(unit id, code, predecessor ids) of the units assessed in the snapshot, the
    predecessors as it recorded them when published, looked up only for units not in
    `known`."""
    found = UnitRow.objects.filter(snapshot=snapshot, assessed=True)
    assessed_ = list(found.values_list("unit_id", "code"))
    new = [pk for pk, _ in assessed_ if pk not in known]
    links: dict[int, list[int]] = {}
    if new:
        for pk, lineage in found.filter(unit_id__in=new).values_list("unit_id", "brief__lineage"):
            links[pk] = list(lineage or [])
    return [(pk, code, links.get(pk, [])) for pk, code in assessed_]


def unit_row(snapshot: Snapshot, unit: Any) -> tuple[cards.Row, int] | None:
    """The unit's assessed row in the snapshot and how many units were ranked, or None."""
    stored = UnitRow.objects.filter(snapshot=snapshot, unit=unit, assessed=True).first()
    if stored is None:
        return None
    ranked = snapshot.summary.get("ranked")
    if ranked is None:
        ranked = UnitRow.objects.filter(snapshot=snapshot, assessed=True).count()
    return cards.row_of(*(getattr(stored, name) for name in cards.ROW_FIELDS)), int(ranked)


T = TypeVar("T")
# A snapshot never changes, so nothing kept about it goes stale: a day bounds what the
# cache holds for versions no one asks for any more.
KEPT_SECONDS = 24 * 3600


def kept(snapshot_id: int, part: str, make: Callable[[], T]) -> T:
    """What `make` gives about a published snapshot (an API answer, the open-data files,
    its time), kept in Django's shared cache under the snapshot's id and `part`: the one
    cache policy of published figures, the same for every server."""
    key = f"chiso:snapshot:{snapshot_id}:{part}"
    found = cache.get(key)
    if found is None:
        found = make()
        cache.set(key, found, KEPT_SECONDS)
    return found  # type: ignore[no-any-return]


class Utf8(Func):
    """A text column read as its UTF-8 bytes: joined into an answer as they are, with no
    decoding into Python text and encoding back (a province's rows are 12 MB)."""

    output_field = BinaryField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS BLOB)")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Not `::bytea`, which would read backslashes in the text as escapes.
        return self.as_sql(compiler, connection, template="convert_to(%(expressions)s, 'UTF8')")


def api_rows(snapshot: Snapshot) -> Any:
    """Every row's text (UTF-8 bytes) as the API writes it, in the ranking's order
    (assessed best first, then the others by code), as a lazy query a page is sliced
    from. A snapshot published before rows were stored rendered has empty texts."""
    return (
        UnitRow.objects.filter(snapshot=snapshot)
        .order_by("-assessed", "rank", "code")
        .values_list(Utf8("api"), flat=True)
    )


ANALYSIS_PARTS = ("uncertainty", "sensitivity", "previous")


def analysis(snapshot: Snapshot, part: str) -> dict[str, Any] | None:
    """One part of what publishing stored in `Snapshot.analysis` (ANALYSIS_PARTS), read
    alone: the rank changes do not decode 3,321 units' intervals. None when absent."""
    if part not in ANALYSIS_PARTS:
        raise ValueError(f"no stored analysis part {part!r}")
    found = Snapshot.objects.filter(pk=snapshot.pk).values_list(f"analysis__{part}", flat=True)
    stored = found.first()
    return None if stored is None else dict(stored)


def assessed(snapshot: Snapshot, code: str) -> bool:
    return UnitRow.objects.filter(snapshot=snapshot, code=code, assessed=True).exists()


def stored_plan(snapshot: Snapshot, code: str) -> dict[str, Any] | None:
    """The unit's plan to recognition, stored with its row when publishing (no titles)."""
    found = (
        UnitRow.objects.filter(snapshot=snapshot, code=code)
        .values_list("plan", "data__plan")
        .first()
    )
    plan = None if found is None else found[0] or found[1]
    return dict(plan) if plan else None


def history(unit: Any) -> list[dict[str, Any]]:
    """A unit's history as stored with its row in the latest published period of its
    level that has it (`analysis.histories`), oldest first; [] when none has."""
    found = UnitRow.objects.filter(snapshot__in=Snapshot.objects.current(), unit=unit).order_by(
        "-snapshot__period__year", "-snapshot__period__opens_on"
    )
    return list(_history_of(found[:1]) or [])


def _history_of(rows: Any) -> list[dict[str, Any]] | None:
    """The stored history of the first of `rows` (its column, else where chiso kept it
    before, in `data`); None when it has none."""
    found = rows.values_list("history", "data__history").first()
    if found is None:
        return None
    history = found[0] if found[0] is not None else found[1]
    return None if history is None else list(history)
