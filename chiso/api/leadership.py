"""What the leadership's pages show, through the API: the dashboard's figures per
(period, level), the map's values, the province's DTI history (public) and its
self-assessed estimate (staff), and a published report card's summary with "what to
fix first".

Each answer is the very dict the page renders (chiso.leadership.dashboard, the report
card of chiso.results.cards read by chiso.results.read), and `access.py` decides who
reads it, for a person logged in or a system with its token alike.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.api import errors
from chiso.api.auth import SYSTEM_OR_PERSON, reader
from chiso.api.paging import Id, UnitCode
from chiso.assessments.models import Period
from chiso.leadership import dashboard
from chiso.results import cards, read
from chiso.units.models import Level

router = Router(tags=["leadership"])
staff_router = Router(tags=["leadership"], auth=SYSTEM_OR_PERSON)

NOT_PUBLISHED = "No published results for this period and level."


def _staff(request: HttpRequest) -> None:
    if not access.can(request.auth, Perm.SEE_DASHBOARD):  # type: ignore[attr-defined]
        raise errors.ApiError(403, "forbidden", "Only leaders, admins and reviewers see this.")


class DashboardOut(Schema):
    period: dict[str, Any] = Field(description="id, name, year, reference_date")
    level: str
    framework: str | None
    progress: dict[str, Any] = Field(description="Submissions by status, overall and by area.")
    recognition: dict[str, Any] = Field(description="Recognized units against the quota.")
    distribution: dict[str, Any] = Field(description="Histogram of values, pillar medians.")
    lagging: list[dict[str, Any]]
    nearest: list[dict[str, Any]] = Field(description='Closest to recognition ("sắp đạt").')
    change: dict[str, Any] = Field(description="Against the previous period with results.")
    targets: list[dict[str, Any]]
    source: dict[str, Any] = Field(
        description="What the figures are read from: the published version, or provisional."
    )


@staff_router.get(
    "/dashboard/{period_id}/{level}",
    response={200: DashboardOut, **errors.AUTHED},
    summary="The dashboard's figures of a level of a period (leaders, admins, reviewers)",
)
def dashboard_figures(request: HttpRequest, period_id: Id, level: Level):
    """Every figure of the "Bảng điều hành" page: progress by status and area, recognized
    units against the year's quota, the spread of values and pillar medians, who lags and
    who is "sắp đạt", the change since the previous period and each target's projection.
    A published level's figures are its snapshot's; one not yet published is scored from
    approved values."""
    _staff(request)
    period = get_object_or_404(Period, pk=period_id)
    if period.framework_for(level) is None:
        raise errors.ApiError(404, "not_found", "This period has no framework for that level.")
    return dashboard.dashboard(period, level)


class MapUnit(Schema):
    name: str
    value: float | None = None
    rank: int | None = None
    recognized: bool | None = None


class MapOut(Schema):
    period: dict[str, Any] = Field(description="id, name, year")
    level: str
    version: int | None = Field(description="The published version; null when scored now.")
    units: dict[str, MapUnit] = Field(description="By unit code; no value when not assessed.")
    counts: dict[str, int] = Field(description="units, scored, recognized")
    approximate: bool


@router.get(
    "/results/{period_id}/{level}/map",
    response={200: MapOut, **errors.AUTHED},
    summary="The map's values of a level of a period",
)
def map_values(request: HttpRequest, period_id: Id, level: Level):
    """Per commune: name, value, rank and recognition, as the map shows them. A published
    level's current snapshot, to everyone; a level not yet published only to leaders,
    admins and reviewers (a token authenticates as its system), scored from approved
    values. No review state."""
    user = reader(request)
    period = get_object_or_404(Period, pk=period_id)
    found = None
    if level == Level.COMMUNE:
        found = dashboard.map_values(period, level, public=not access.can(user, Perm.SEE_DASHBOARD))
    if found is None:
        raise errors.ApiError(404, "not_found", NOT_PUBLISHED)
    return found


class DtiYearOut(Schema):
    year: int = Field(description="The year assessed.")
    published: int | None = Field(description="The year the ministry published it.")
    rank: int | None
    of: int | None = Field(description="How many provinces were ranked.")
    value: float | None
    rank_cqs: int | None
    rank_kts: int | None
    rank_xhs: int | None
    note: str


class ProvinceOut(Schema):
    history: list[DtiYearOut]
    target_rank: int | None
    target: dict[str, Any] | None = Field(description="The rank target and its projection.")


@router.get(
    "/province/dti",
    response={200: ProvinceOut, **errors.COMMON},
    summary="The province's DTI over the years (published by the ministry)",
)
def province_dti(request: HttpRequest):
    """Thanh Hóa's DTI value and rank among the provinces each year, its pillar ranks, the
    rank target of QĐ 969 and its projection."""
    data = dashboard.province(staff=False)
    return data


@staff_router.get(
    "/province/estimate",
    response={200: dict[str, Any], **errors.AUTHED},
    summary="The province's own estimate of its DTI (leaders, admins, reviewers)",
)
def province_estimate(request: HttpRequest):
    """The province's latest self-assessment on the DTI framework, scored from its current
    figures whatever the submission's state (`status`, `final` say how final it is)."""
    _staff(request)
    found = dashboard.self_assessment()
    if found is None:
        raise errors.ApiError(404, "not_found", "The province has no self-assessment yet.")
    return found


class CardPillar(Schema):
    code: str
    title: str
    value: float | None
    rank: int | None
    out_of: int | None = Field(None, description="How many units the rank is out of (N).")
    median: float | None
    best: float | None


class FixFirst(Schema):
    code: str
    title: str
    value: float | None
    points: float | None
    max_points: float
    left: float = Field(description="Points still to gain.")
    mandatory: bool
    met: bool | None


class CardOut(Schema):
    period: int
    level: str
    version: int
    unit: dict[str, Any] = Field(description="id, code, name")
    assessed: bool
    value: float | None
    points: float | None
    max_points: float
    rank: int | None
    out_of: int = Field(description="How many units were assessed and ranked (N).")
    units: int = Field(description='How many units the level has (M: "N of M assessed").')
    recognized: bool | None
    pillars: list[CardPillar]
    fix_first: list[FixFirst] = Field(
        description="Unmet mandatory criteria first, then by points left."
    )
    history: list[dict[str, Any]] = Field(description="As GET /units/ID/results.")


@router.get(
    "/results/{period_id}/{level}/units/{unit_code}/card",
    response={200: CardOut, **errors.COMMON},
    summary="A published unit's report card: summary and what to fix first",
)
def report_card(request: HttpRequest, period_id: Id, level: Level, unit_code: UnitCode):
    """The figures of the unit's report card page: value, points, rank out of N,
    recognition, each pillar against the level's median and best, the ten indicators to
    fix first (unmet mandatory criteria, then the most points left) and its history."""
    period = get_object_or_404(Period, pk=period_id)
    ranking = read.ranking(period, level, unit=unit_code)
    report = None if ranking is None else cards.card(ranking, unit_code)
    if ranking is None or report is None or ranking.snapshot is None:
        raise errors.ApiError(404, "not_found", "No published result of this unit.")
    row = report.row
    return {
        "period": period.pk,
        "level": level,
        "version": ranking.snapshot.version,
        "unit": {"id": row.unit_id, "code": row.code, "name": row.name},
        "assessed": row.assessed,
        "value": row.value,
        "points": row.points,
        "max_points": ranking.max_points,
        "rank": row.rank,
        "out_of": ranking.ranked,
        "units": ranking.units,
        "recognized": row.recognized,
        "pillars": report.pillars,
        "fix_first": [vars(i) for i in report.fix_first[: cards.FIX_FIRST]],
        "history": row.history or [],
    }
