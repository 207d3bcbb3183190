"""What results pages, downloads and PDFs show, as plain data.

A `Ranking` is one level of one period: either a published snapshot (one version
of it) or, for staff, the provisional ranking scored now from approved values. A
`Card` is one unit's report card inside a ranking. A published ranking's rows are
read by `read.ranking` (the one reader of published figures) into these shapes; a
provisional one is built here from `scoring.Scored`; so the page, the CSV, the XLSX
and the PDFs show the same figures.

The PDF builders (chiso/results/pdf.py) receive their own plain dataclasses,
`pdf.Annex` and `pdf.ReportCard`, made here by `annex_of` and `report_card_of`.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chiso.frameworks.display import in_language, show_value
from chiso.lib import numbers
from chiso.results import pdf
from chiso.results.models import Snapshot, UnitRow
from chiso.results.scoring import Scored


@dataclass
class Row:
    """One unit of a ranking. Lists are lined up with the ranking's node/leaf codes."""

    unit_id: int
    code: str
    name: str
    kind: str
    assessed: bool
    # None for a unit not assessed (no approved figures).
    rank: int | None = None
    value: float | None = None
    points: float | None = None
    recognized: bool | None = None
    completeness: float | None = None
    node_values: list[float | None] = field(default_factory=list)
    node_ranks: list[int] = field(default_factory=list)
    leaf_values: list[float | None] = field(default_factory=list)
    leaf_points: list[float | None] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    lineage: list[int] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    """The indicators that do not apply to the unit (left out of its maxima)."""
    unit_max: float | None = None
    """The points of the indicators that apply to it (None: the framework's maximum)."""
    # The unit's history (`analysis.histories`): its figures in every earlier published
    # period of its level, oldest first, then (published) its own point; stored once.
    # None when not read (or published before chiso stored it).
    history: list[dict[str, Any]] | None = None
    # Its stored plan to recognition (`analysis.plans_of`, no titles), read with one
    # unit's published row only (a report card); None otherwise.
    plan: dict[str, Any] | None = None
    # Filled by `Ranking.add_changes`, over the units of this ranking assessed in both
    # periods (`analysis.like_for_like`): the previous period's rank and this one's
    # among exactly those units, how many they are, and whether the previous figures
    # are derived from the units this one was formed from ("suy ra").
    previous_rank: int | None = None
    compared_rank: int | None = None
    compared_among: int | None = None
    previous_derived: bool = False

    @property
    def change(self) -> int | None:
        """Places gained since the previous period (positive = up) among the units
        compared, None when new."""
        if self.previous_rank is None or self.compared_rank is None:
            return None
        return self.previous_rank - self.compared_rank


def why_not_recognized(row: Row, rule: Any) -> str:
    """Why an assessed unit is not recognized, in a few words: a mandatory criterion it
    misses, or its points (or value) below the framework's threshold (`engine.Recognition`)."""
    if rule is None or row.recognized:
        return ""
    if rule.all_mandatory and row.unmet:
        message = ngettext(
            "mandatory criterion missing: %(codes)s",
            "mandatory criteria missing: %(codes)s",
            len(row.unmet),
        )
        return message % {"codes": ", ".join(row.unmet)}
    if rule.min_points is not None and (row.points or 0) < rule.min_points:
        shown = {"have": numbers.points(row.points), "need": numbers.points(rule.min_points)}
        return _("points below the threshold (%(have)s of %(need)s)") % shown
    if rule.min_value is not None and (row.value or 0) < rule.min_value:
        shown = {"have": numbers.index(row.value), "need": numbers.index(rule.min_value)}
        return _("value below the threshold (%(have)s of %(need)s)") % shown
    return ""


@dataclass
class Ranking:
    period: Any
    level: str
    framework: Any
    provisional: bool
    snapshot: Snapshot | None
    node_codes: list[str]
    leaf_codes: list[str]
    max_points: float
    has_recognition: bool
    rows: list[Row]
    """Assessed units best first (rank, then code), then the units not assessed."""
    versions: list[Snapshot] = field(default_factory=list)
    """Every published version of this (period, level), newest first."""
    values_csv: str = ""
    summary: dict[str, Any] | None = None
    """A snapshot's summary when only some rows were read (see `read.ranking`)."""

    @property
    def ranked(self) -> int:
        if self.summary is not None:
            return int(self.summary.get("ranked", 0))
        return len(self.assessed)

    @property
    def units(self) -> int:
        """How many units the ranking is of, assessed or not (M in "N of M assessed")."""
        if self.summary is not None:
            return int(self.summary.get("units", self.ranked))
        return len(self.rows)

    @property
    def partial(self) -> bool:
        """Some units of the level were not assessed: the ranking is of N of M."""
        return self.ranked < self.units

    @property
    def assessed(self) -> list[Row]:
        return [row for row in self.rows if row.assessed]

    @property
    def not_assessed(self) -> list[Row]:
        return [row for row in self.rows if not row.assessed]

    @property
    def pillars(self) -> list[Any]:
        """The framework's top-level branches (CQS, KTS, XHS)."""
        return list(self.framework.engine().tree)

    def node_index(self) -> dict[str, int]:
        return {code: index for index, code in enumerate(self.node_codes)}

    def row(self, unit_code: str) -> Row | None:
        return next((row for row in self.rows if row.code == unit_code), None)

    def add_changes(self, previous: dict[str, dict[str, Any]] | None) -> None:
        """Compare each assessed row with `previous` (`analysis.previous_figures`'s
        units: a unit's own figures, or for a unit formed at the 2025 reform those
        derived from its predecessors), like for like (`analysis.like_for_like`); a
        unit not compared is new."""
        from chiso.results.analysis import like_for_like

        compared = like_for_like({row.code: row.value for row in self.assessed}, previous or {})
        for row in self.rows:
            found = compared.get(row.code)
            row.previous_rank = None if found is None else found["rank_before"]
            row.compared_rank = None if found is None else found["rank_now"]
            row.compared_among = None if found is None else found["among"]
            row.previous_derived = bool(found and found["derived"])


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def _numbers(values: Iterable[float]) -> list[float | None]:
    return [None if value != value else value for value in values]  # NaN != NaN


def lineage_of(units: Sequence[Any]) -> tuple[dict[int, list[int]], dict[int, list[str]]]:
    """Per unit id: the units it was formed from, and the names of their old districts
    (a unit from before the reform: its own district), in two queries."""
    from chiso.units.models import Level, Lineage, Unit

    ids = [unit.pk for unit in units]
    predecessors: dict[int, list[int]] = defaultdict(list)
    districts: dict[int, set[str]] = defaultdict(set)
    links = Lineage.objects.filter(new_id__in=ids).values_list(
        "new_id", "old_id", "old__parent__name", "old__parent__level"
    )
    for new_id, old_id, parent_name, parent_level in links:
        predecessors[new_id].append(old_id)
        if parent_level == Level.DISTRICT:
            districts[new_id].add(parent_name)
    parents = Unit.objects.filter(
        pk__in={unit.parent_id for unit in units if unit.parent_id}, level=Level.DISTRICT
    ).values_list("pk", "name")
    parent_name = dict(parents)
    for unit in units:
        if unit.parent_id in parent_name:
            districts[unit.pk].add(parent_name[unit.parent_id])
    return dict(predecessors), {pk: sorted(names) for pk, names in districts.items()}


def rows_from_scored(scored: Scored) -> list[Row]:
    """The rows of a ranking scored now (what publishing stores and staff see)."""
    results = scored.results
    units = [s.unit for s in scored.submissions]
    predecessors, districts = lineage_of(units)
    matrix = scored.values.matrix
    filled = (~np.isnan(matrix)).sum(axis=1) / matrix.shape[1] if matrix.shape[1] else None
    node_values = results.node_values.tolist()
    node_ranks = results.node_rank.tolist()
    leaf_values = results.leaf_values.tolist()
    leaf_points = results.leaf_points.tolist()
    value, points, rank = results.value.tolist(), results.points.tolist(), results.rank.tolist()
    recognized = None if results.recognized is None else results.recognized.tolist()
    unmet = results.unmet_mandatory
    unit_max = None if results.unit_max_points is None else results.unit_max_points.tolist()
    leaf_codes = results.leaf_codes
    marked = results.not_applicable
    row_of = {code: index for index, code in enumerate(results.units)}
    rows: list[Row] = []
    for submission in scored.submissions:
        unit = submission.unit
        common = {
            "unit_id": unit.pk,
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "districts": districts.get(unit.pk, []),
            "lineage": predecessors.get(unit.pk, []),
        }
        i = row_of.get(unit.code)
        if i is None:
            rows.append(Row(assessed=False, **common))
            continue
        rows.append(
            Row(
                assessed=True,
                rank=rank[i],
                value=_number(value[i]),
                points=_number(points[i]),
                recognized=None if recognized is None else bool(recognized[i]),
                completeness=None if filled is None else float(filled[i]),
                node_values=_numbers(node_values[i]),
                node_ranks=node_ranks[i],
                leaf_values=_numbers(leaf_values[i]),
                leaf_points=_numbers(leaf_points[i]),
                unmet=list(unmet[i]),
                not_applicable=[]
                if marked is None
                else [
                    code for code, out in zip(leaf_codes, marked[i].tolist(), strict=True) if out
                ],
                unit_max=None if unit_max is None else unit_max[i],
                **common,
            )
        )
    return ordered(rows)


def ordered(rows: list[Row]) -> list[Row]:
    # The order of `chiso score`'s output: rank, then unit code; then those not assessed.
    return sorted(rows, key=lambda row: (not row.assessed, row.rank or 0, row.code))


def provisional(period: Any, level: str) -> Ranking | None:
    """The ranking of a level scored now from its approved values (staff only)."""
    try:
        scored = Scored(period, level)
    except LookupError:
        return None
    parsed = scored.engine_framework
    return Ranking(
        period=period,
        level=level,
        framework=scored.framework,
        provisional=True,
        snapshot=None,
        node_codes=list(scored.results.node_codes),
        leaf_codes=list(scored.results.leaf_codes),
        max_points=parsed.max_points,
        has_recognition=parsed.recognition is not None,
        rows=rows_from_scored(scored),
        values_csv=scored.values_csv(),
    )


def brief_row(fields: tuple[Any, ...], positions: list[int], size: int) -> Row:
    *columns, brief = fields
    values: list[float | None] = [None] * size
    ranks: list[int] = [0] * size
    for position, (value, rank) in zip(positions, brief.get("p", []), strict=False):
        values[position], ranks[position] = value, rank
    row = row_of(*columns, {"districts": brief.get("districts", [])})
    row.node_values, row.node_ranks = values, ranks
    row.lineage = brief.get("lineage", [])
    row.unmet = brief.get("u", [])
    return row


# Read with values_list: 3,321 model instances would cost more than the query.
ROW_FIELDS = (
    "unit_id",
    "code",
    "name",
    "kind",
    "assessed",
    "rank",
    "value",
    "points",
    "recognized",
    "completeness",
    "data",
)


def row_of(
    unit_id: int,
    code: str,
    name: str,
    kind: str,
    assessed: bool,
    rank: int | None,
    value: float | None,
    points: float | None,
    recognized: bool | None,
    completeness: float | None,
    data: dict[str, Any],
) -> Row:
    return Row(
        unit_id=unit_id,
        code=code,
        name=name,
        kind=kind,
        assessed=assessed,
        rank=rank,
        value=value,
        points=points,
        recognized=recognized,
        completeness=completeness,
        node_values=data.get("nv", []),
        node_ranks=data.get("nr", []),
        leaf_values=data.get("lv", []),
        leaf_points=data.get("lp", []),
        unmet=data.get("unmet", []),
        districts=data.get("districts", []),
        lineage=data.get("lineage", []),
        not_applicable=data.get("na", []),
        unit_max=data.get("max"),
        history=data.get("history"),
        plan=data.get("plan"),
    )


def api_row_renderer(ranking: Ranking) -> Any:
    """A function giving one row of `ranking` as the API's `schemas.ResultRow` reads it
    (indexes found once): publishing stores each row's text (`schemas.row_texts`), the
    API joins them."""
    index = ranking.node_index()
    pillars = [(node.code, index[node.code]) for node in ranking.pillars]
    leaves = list(enumerate((c, index[c]) for c in ranking.leaf_codes))
    # Every rank is out of the units ranked (a pillar's too); a unit not assessed has none.
    ranked = ranking.ranked

    def render(row: Row) -> dict[str, Any]:
        nv, nr, lv, lp = row.node_values, row.node_ranks, row.leaf_values, row.leaf_points
        out = set(row.not_applicable)
        if not row.assessed or not nv:  # a unit not assessed has no figures
            nv = nr = [None] * len(index)  # type: ignore[list-item]
            lv = lp = [None] * len(leaves)
        return {
            "unit": {"id": row.unit_id, "code": row.code, "name": row.name, "kind": row.kind},
            "assessed": row.assessed,
            "rank": row.rank,
            "out_of": ranked if row.assessed else None,
            "value": row.value,
            "points": row.points,
            "recognized": row.recognized,
            "completeness": row.completeness,
            "pillars": [
                {
                    "code": c,
                    "value": nv[i],
                    "rank": nr[i],
                    "out_of": ranked if row.assessed else None,
                }
                for c, i in pillars
            ],
            "indicators": [
                {
                    "code": c,
                    "value": lv[j],
                    "score": nv[i],
                    "points": lp[j],
                    "applies": c not in out,
                }
                for j, (c, i) in leaves
            ],
            "unmet_mandatory": row.unmet,
            "not_applicable": row.not_applicable,
            "unit_max_points": (
                (ranking.max_points if row.unit_max is None else row.unit_max)
                if row.assessed
                else None
            ),
        }

    return render


def stored_row(
    snapshot: Snapshot,
    row: Row,
    pillars: list[int],
    plan: dict[str, Any] | None = None,
    api: str = "",
) -> UnitRow:
    """A row as stored in a snapshot (`pillars`: the pillars' positions among the nodes;
    `plan`: the unit's plan to recognition, `analysis.plans_of`)."""
    brief = {"districts": row.districts, "lineage": row.lineage}
    if row.assessed:
        brief["p"] = [[row.node_values[i], row.node_ranks[i]] for i in pillars]
        brief["u"] = row.unmet  # read by the dashboard (chiso/leadership/dashboard.py)
    return UnitRow(
        brief=brief,
        snapshot=snapshot,
        unit_id=row.unit_id,
        code=row.code,
        name=row.name,
        kind=row.kind,
        assessed=row.assessed,
        rank=row.rank,
        value=row.value,
        points=row.points,
        recognized=row.recognized,
        completeness=row.completeness,
        data={
            "nv": row.node_values,
            "nr": row.node_ranks,
            "lv": row.leaf_values,
            "lp": row.leaf_points,
            "unmet": row.unmet,
            "districts": row.districts,
            "lineage": row.lineage,
            **({"na": row.not_applicable} if row.not_applicable else {}),
            **({"max": row.unit_max} if row.unit_max is not None else {}),
        },
        plan=plan,
        history=row.history,
        api=api,
    )


# ---------------------------------------------------------------------------
# The report card


@dataclass
class Indicator:
    code: str
    title: str
    pillar: str
    value: float | None
    score: float | None
    points: float | None
    max_points: float
    left: float
    mandatory: bool
    met: bool | None
    unit: str | None
    applies: bool = True
    """False where the indicator does not apply to the unit (no score, no points)."""


# How many indicators the report card lists under "what to fix first" (page and API).
FIX_FIRST = 10


@dataclass
class Card:
    ranking: Ranking
    row: Row
    pillars: list[dict[str, Any]]
    """code, title, value, rank (`out_of` the units ranked), median and best of the
    level (0..1)."""
    indicators: list[Indicator]
    fix_first: list[Indicator]
    trend: list[dict[str, Any]]
    """The unit's history (`analysis.histories`'s points), oldest first."""

    @property
    def not_applicable(self) -> list[Indicator]:
        """The indicators that do not apply to the unit."""
        return [indicator for indicator in self.indicators if not indicator.applies]

    @property
    def unit_max(self) -> float:
        """The unit's own maximum: the points of the indicators that apply to it."""
        if self.row.unit_max is not None:
            return self.row.unit_max
        return self.ranking.max_points


def pillar_summary(ranking: Ranking) -> dict[str, Any]:
    """Per pillar code the median and the best value of the units assessed; how many."""
    index = ranking.node_index()
    assessed = ranking.assessed
    median: dict[str, float | None] = {}
    best: dict[str, float | None] = {}
    for pillar in ranking.pillars:
        i = index[pillar.code]
        values = [v for r in assessed if (v := r.node_values[i]) is not None]
        median[pillar.code] = statistics.median(values) if values else None
        best[pillar.code] = max(values) if values else None
    return {"median": median, "best": best, "ranked": len(assessed), "units": len(ranking.rows)}


def card(
    ranking: Ranking, unit_code: str, trend: list[dict[str, Any]] | None = None
) -> Card | None:
    row = ranking.row(unit_code)
    if row is None:
        return None
    parsed = ranking.framework.engine()
    index = ranking.node_index()
    pillars = []
    summary = ranking.summary if ranking.summary is not None else pillar_summary(ranking)
    for pillar in parsed.tree:
        i = index[pillar.code]
        pillars.append(
            {
                "code": pillar.code,
                "title": in_language(pillar.title),
                "value": row.node_values[i] if row.assessed else None,
                "rank": row.node_ranks[i] if row.assessed else None,
                "out_of": ranking.ranked if row.assessed else None,
                "median": summary["median"].get(pillar.code),
                "best": summary["best"].get(pillar.code),
            }
        )
    pillar_of = {}
    for pillar in parsed.tree:
        for node in pillar.walk():
            pillar_of[node.code] = pillar.code
    indicators = []
    out = set(row.not_applicable)
    for j, leaf in enumerate(parsed.leaves):
        earned = row.leaf_points[j] if row.assessed else None
        if leaf.code in out:
            indicators.append(
                Indicator(
                    code=leaf.code,
                    title=in_language(leaf.title),
                    pillar=pillar_of.get(leaf.code, ""),
                    value=None,
                    score=None,
                    points=None,
                    max_points=0.0,
                    left=0.0,
                    mandatory=bool(leaf.mandatory),
                    met=None,
                    unit=leaf.unit,
                    applies=False,
                )
            )
            continue
        indicators.append(
            Indicator(
                code=leaf.code,
                title=in_language(leaf.title),
                pillar=pillar_of.get(leaf.code, ""),
                value=row.leaf_values[j] if row.assessed else None,
                score=row.node_values[index[leaf.code]] if row.assessed else None,
                points=earned,
                max_points=float(leaf.points or 0),
                left=float(leaf.points or 0) - (earned or 0.0),
                mandatory=bool(leaf.mandatory),
                met=(leaf.code not in row.unmet) if leaf.mandatory and row.assessed else None,
                unit=leaf.unit,
            )
        )
    unmet = [i for i in indicators if i.met is False]
    others = [i for i in indicators if i.met is not False and i.left > 1e-9]
    fix_first = sorted(unmet, key=lambda i: -i.left) + sorted(others, key=lambda i: -i.left)
    return Card(ranking, row, pillars, indicators, fix_first, trend or [])


# ---------------------------------------------------------------------------
# The data the PDF builders (chiso/results/pdf.py) receive


def _issued_on(ranking: Ranking) -> dt.date:
    from django.utils import timezone

    moment = ranking.snapshot.published_at if ranking.snapshot is not None else timezone.now()
    return timezone.localtime(moment).date()


# The PDFs are Vietnamese whatever the page's language, as the decision is.
LEVEL_LABELS = {
    "commune": ("Xã, phường", "cấp xã"),
    "district": ("Huyện, thị xã, thành phố", "cấp huyện"),
    "province": ("Tỉnh", "cấp tỉnh"),
    "department": ("Sở, ban, ngành", "các sở, ban, ngành"),
}


def _level_label(level: str) -> str:
    return LEVEL_LABELS[level][0]


def annex_of(ranking: Ranking) -> pdf.Annex:
    """The annex of the Chairman's decision for a ranking (see `pdf.Annex`)."""
    index = ranking.node_index()
    pillars = ranking.pillars
    snapshot = ranking.snapshot
    title = (
        "Kết quả đánh giá, xếp hạng mức độ chuyển đổi số "
        f"{LEVEL_LABELS[ranking.level][1]} năm {ranking.period.year}"
    )
    return pdf.Annex(
        title=title,
        level_label=_level_label(ranking.level),
        max_points=ranking.max_points,
        rows=[
            pdf.AnnexRow(
                rank=row.rank or 0,
                code=row.code,
                name=row.name,
                value=row.value if row.value is not None else math.nan,
                points=row.points if row.points is not None else math.nan,
                recognized=row.recognized,
                pillar_values=[row.node_values[index[p.code]] for p in pillars],
            )
            for row in ranking.assessed
        ],
        issued_on=_issued_on(ranking),
        pillars=[pdf.Pillar(p.code, in_language(p.title)) for p in pillars],
        not_assessed=[row.name for row in ranking.not_assessed],
        provisional=ranking.provisional,
        version=1 if snapshot is None else snapshot.version,
        framework=f"{ranking.framework.code} v{ranking.framework.version}",
        values_sha256="" if snapshot is None else snapshot.values_sha256,
        has_recognition=ranking.has_recognition,
    )


def report_card_of(report: Card) -> pdf.ReportCard:
    """A unit's report card for the PDF (see `pdf.ReportCard`)."""
    ranking, row = report.ranking, report.row
    notes = []
    if ranking.snapshot is not None and ranking.snapshot.corrected:
        notes.append(f"Kết quả đã được điều chỉnh: {ranking.snapshot.reason}")
    if not row.assessed:
        notes.append("Đơn vị không được đánh giá: số liệu chưa được phê duyệt khi tính kết quả.")
    if report.not_applicable:
        codes = ", ".join(i.code for i in report.not_applicable)
        notes.append(
            f"Chỉ tiêu không áp dụng với đơn vị: {codes}. Điểm tối đa của đơn vị: "
            f"{pdf.vi_points(report.unit_max)}; điểm được quy về thang "
            f"{pdf.vi_points(ranking.max_points)} như mọi đơn vị."
        )
    return pdf.ReportCard(
        unit_name=row.name,
        unit_code=row.code,
        period_label=ranking.period.name,
        level_label=_level_label(ranking.level),
        value=row.value,
        rank=row.rank,
        of=ranking.ranked,
        units=ranking.units,
        points=row.points,
        max_points=ranking.max_points,
        recognized=row.recognized,
        pillars=[
            pdf.CardPillar(p["title"], p["value"], p["rank"], p["median"], p["best"])
            for p in report.pillars
        ],
        indicators=[
            pdf.CardIndicator(
                code=i.code,
                title=i.title,
                value=i.value,
                score=i.score,
                points=i.points or 0.0,
                max_points=i.max_points,
                mandatory=i.mandatory,
                met=i.met,
            )
            for i in report.indicators
        ],
        fix_first=[i.code for i in report.fix_first],
        trend=[
            pdf.TrendPoint(
                str(t["year"]),
                t["value"],
                t["rank"],
                derived=bool(t.get("derived")),
                of=t.get("units_ranked"),
            )
            for t in report.trend
        ],
        provisional=ranking.provisional,
        issued_on=_issued_on(ranking),
        version=1 if ranking.snapshot is None else ranking.snapshot.version,
        notes=notes,
    )


def entry_result(submission: Any) -> dict[str, Any] | None:
    """The result an approved or published submission shows on its entry page: the
    published one when its level is published with this unit assessed, else the
    provisional one scored now from approved values. None for other submissions."""
    from django.urls import reverse

    from chiso.results.scoring import FINAL_STATUSES

    if submission.status not in FINAL_STATUSES:
        return None
    from chiso.results import read

    period, unit = submission.period, submission.unit
    snapshot = read.current(period, unit.level)
    stored = None if snapshot is None else read.unit_row(snapshot, unit)
    if snapshot is not None and stored is not None:
        row, ranked = stored
        max_points, query = snapshot.max_points, ""
    else:
        ranking = provisional(period, unit.level)
        found = None if ranking is None else ranking.row(unit.code)
        if ranking is None or found is None:
            return None
        row, ranked, max_points, query = (
            found,
            len(ranking.assessed),
            ranking.max_points,
            ("?provisional=1"),
        )
    url = reverse("results:card", args=[period.pk, unit.level, unit.code]) + query
    return {
        "provisional": snapshot is None or stored is None,
        "value": show_value(row.value),
        "points": numbers.points(row.points),
        "max_points": numbers.points(max_points),
        "rank": row.rank,
        "ranked": ranked,
        "recognized": row.recognized,
        "url": url,
    }
