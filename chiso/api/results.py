"""Results through the API: published (public), provisional (staff), a unit's history.

Everything comes from chiso.results.cards (the one place results are read), so the
API, the pages and the open-data files show the same figures. A published snapshot
never changes: its answers are kept in the cache by snapshot and page (`read.kept`),
and revalidated (304) from the snapshot's id alone, without reading its rows.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import condition
from ninja import Field, Query, Router, Schema

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.api import errors
from chiso.api.auth import SYSTEM_OR_PERSON
from chiso.api.http import keeping_types, per_request
from chiso.api.paging import PAGES, Id, PageQuery, Rendered, UnitCode, query_text
from chiso.assessments.models import Period
from chiso.results import analysis, cards, read, schemas
from chiso.results.models import Snapshot
from chiso.units.models import Level, Unit

router = Router(tags=["results"])
staff_router = Router(tags=["staff"], auth=SYSTEM_OR_PERSON)


class HistoryPoint(Schema):
    period: int
    year: int
    name: str
    level: str
    version: int | None = Field(description="The published version the point is of.")
    rank: int | None
    value: float | None
    points: float | None
    recognized: bool | None
    units_ranked: int = Field(description="How many units the rank is out of.")
    derived: bool = Field(
        description="Derived from the units this one was formed from at the 2025 reform "
        '(the plain mean of their figures, scored and ranked in that period): "suy ra".'
    )


class UnitChange(Schema):
    unit: dict[str, Any] = Field(description="id, code, name")
    rank: int | None
    out_of: int = Field(description="How many units the ranking has.")
    value: float | None
    previous_rank: int | None = Field(description="Last period's rank among the units compared.")
    previous_value: float | None
    compared_rank: int | None = Field(description="This period's rank among the same units.")
    compared_among: int | None = Field(description="How many units were compared.")
    change: int | None = Field(description="Places gained (positive = up).")
    derived: bool = Field(description='Previous figures derived from predecessors ("suy ra").')


class ChangesOut(Schema):
    period: int
    level: str
    version: int | None
    previous: dict[str, Any] | None = Field(description="period, name, year, snapshot, version")
    units: list[UnitChange]


class UnitInterval(Schema):
    unit: str
    rank: int
    median_rank: float | None
    p05: float | None
    p95: float | None
    p_recognized: float | None


class UncertaintyOut(Schema):
    period: int
    level: str
    version: int
    runs: int
    seed: int
    points_noise: float
    units: list[UnitInterval]


class PillarSensitivity(Schema):
    code: str
    title: str
    first_order: float | None
    total: float | None


class SensitivityOut(Schema):
    period: int
    level: str
    version: int
    samples: int
    runs: int
    seed: int
    points_noise: float
    variance: float | None
    pillars: list[PillarSensitivity]


class ResultsQuery(PageQuery):
    version: Id | None = Field(None, description="A published version (default latest).")


def ranking_data(
    request: HttpRequest, ranking: cards.Ranking, query: PageQuery, texts: Any = None
) -> dict[str, Any]:
    """The answer about `ranking` (`schemas.ResultsPage`); with `texts` (`read.api_rows`),
    its items are the rows' stored texts, which the caller joins."""
    snapshot = ranking.snapshot
    if texts is not None:
        page = PAGES.paginate_queryset(texts, query, request)
    else:
        rows = Rendered(ranking.rows, cards.api_row_renderer(ranking))
        page = PAGES.paginate_queryset(rows, query, request)
    return {
        "period": ranking.period.pk,
        "level": ranking.level,
        "version": snapshot.version if snapshot else None,
        "provisional": ranking.provisional,
        "published_at": snapshot.published_at.isoformat() if snapshot else None,
        "framework": {
            "code": ranking.framework.code,
            "version": ranking.framework.version,
            "sha256": ranking.framework.sha256,
        },
        "max_points": ranking.max_points,
        "ranked": ranking.ranked,
        "units": ranking.units,
        **page,
    }


def _json(data: Any) -> HttpResponse:
    # Written directly: the plans and the audit are free-form (`dict[str, Any]`).
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False),
        content_type="application/json",
    )


def _results_json(data: dict[str, Any]) -> HttpResponse:
    """A results answer written by `schemas.ResultsPage` (its rows rendered now)."""
    return HttpResponse(
        schemas.ResultsPage.model_validate(data).model_dump_json(),
        content_type="application/json",
    )


def snapshot_for(period_id: Id, level: str, version: Id | None) -> tuple[int, int, Any]:
    """(id, version, published_at) of the snapshot asked for; 404 when none.

    Reads only the columns before the stored values (on SQLite a row's later columns sit
    behind the long values text); a snapshot never changes, so its time is cached.
    """
    found = Snapshot.objects.filter(period_id=period_id, level=level)
    if version is not None:
        found = found.filter(version=version)
    chosen = found.order_by("-version").values_list("pk", "version").first()
    if chosen is None:
        raise errors.ApiError(404, "not_found", "No published results for this period and level.")
    pk, number = chosen
    published_at = read.kept(
        pk,
        "published_at",
        lambda: Snapshot.objects.values_list("published_at", flat=True).get(pk=pk),
    )
    return pk, number, published_at


@per_request
def _asked_snapshot(
    request: HttpRequest, period_id: Id, level: str, query: ResultsQuery
) -> tuple[int, int, Any]:
    return snapshot_for(period_id, level, query.version)


def _results_etag(request: HttpRequest, period_id: Id, level: str, query: ResultsQuery) -> str:
    # Built from the validated parameters only: a junk parameter, or a number written
    # another way, is the same answer, the same ETag and the same cache entry.
    pk = _asked_snapshot(request, period_id, level, query)[0]
    return f"results-{pk}-{query_text(query.model_dump())}"


def _results_time(request: HttpRequest, period_id: Id, level: str, query: ResultsQuery) -> Any:
    return _asked_snapshot(request, period_id, level, query)[2]


@router.get(
    "/results/{period_id}/{level}",
    response={200: schemas.ResultsPage, 304: None, **errors.COMMON},
    summary="Published results of a level of a period",
)
@keeping_types(condition(etag_func=_results_etag, last_modified_func=_results_time))
def published_results(
    request: HttpRequest, period_id: Id, level: Level, query: Query[ResultsQuery]
):
    """Every unit's value, points, pillar values and ranks, indicator scores, rank and
    recognition, best first, then the units not assessed. Paginated (`page_size` up to
    5000 gives a whole province in one answer)."""
    pk, version, _ = _asked_snapshot(request, period_id, level, query)

    def answer() -> bytes:
        period = get_object_or_404(Period, pk=period_id)
        head = read.ranking(period, level, version, rows=False)
        assert head is not None and head.snapshot is not None
        # The rows as publishing wrote them through the schema, joined.
        data = ranking_data(request, head, query, read.api_rows(head.snapshot))
        texts = data.pop("items")
        if all(texts):
            return schemas.answer(data, texts)
        # Published before rows were stored rendered: written through the schema now.
        ranking = read.ranking(period, level, version)
        assert ranking is not None
        return _results_json(ranking_data(request, ranking, query)).content

    # The links in the body are absolute: one copy per address the site answers on.
    part = f"api:{request.scheme}://{request.get_host()}:{query_text(query.model_dump())}"
    return HttpResponse(read.kept(pk, part, answer), content_type="application/json")


@router.get(
    "/units/{unit_id}/results",
    response={200: list[HistoryPoint], **errors.COMMON},
    summary="One unit's published results across periods",
)
def unit_history(request: HttpRequest, unit_id: Id):
    """The unit's history as published with its latest result, oldest first: its value,
    points, rank out of `units_ranked` and recognition in every published period of its
    level; before the 2025 reform, the figures derived from the units it was formed from
    (`derived`). The same points as its report card and the card's PDF."""
    unit = get_object_or_404(Unit, pk=unit_id)
    return read.history(unit)


@staff_router.get(
    "/results/{period_id}/{level}/provisional",
    response={200: schemas.ResultsPage, **errors.AUTHED},
    summary="Provisional results, scored now from approved values (staff)",
)
def provisional_results(request: HttpRequest, period_id: Id, level: Level, query: Query[PageQuery]):
    ranking = _provisional_ranking(request, period_id, level)
    return _private(_results_json(ranking_data(request, ranking, query)))


def _provisional_ranking(request: HttpRequest, period_id: Id, level: str) -> cards.Ranking:
    """The period's provisional ranking, for staff only (403 to anyone else)."""
    if not access.can(request.auth, Perm.SEE_PROVISIONAL):  # type: ignore[attr-defined]
        raise errors.ApiError(403, "forbidden", "Only reviewers, leaders and admins see this.")
    period = get_object_or_404(Period, pk=period_id)
    ranking = cards.provisional(period, level)
    if ranking is None:
        raise errors.ApiError(404, "not_found", "This period has no framework for that level.")
    return ranking


def _private(data: Any) -> HttpResponse:
    """Figures scored now, not published: no cache may keep them."""
    response = data if isinstance(data, HttpResponse) else _json(data)
    response["Cache-Control"] = "private, no-store"
    return response


# Analysis of published results (chiso.results.analysis computes; these only expose it).


def _period_or_404(period_id: Id) -> Period:
    return get_object_or_404(Period, pk=period_id)


@router.get(
    "/results/{period_id}/{level}/units/{unit_code}/plan",
    response={200: dict[str, Any], **errors.COMMON},
    summary="A published unit's path to recognition, a value or a rank",
)
def unit_plan(
    request: HttpRequest,
    period_id: Id,
    level: Level,
    unit_code: UnitCode,
    goal: str = Query(
        "recognition", max_length=30, pattern=r"^(recognition|value:[0-9.]+|rank:[0-9]+)$"
    ),
):
    """The fewest indicators to change (or the least effort) to reach `goal`: recognition,
    `value:0.8` or `rank:10` among the other units' published results. Each step gives the
    indicator, its value now and to reach, the points gained, and for a ratio or sum the
    element to change; an infeasible goal gives its reason."""
    found = analysis.plan_for_unit(_period_or_404(period_id), level, unit_code, goal)
    if found is None:
        raise errors.ApiError(404, "not_found", "No published result of this unit.")
    return _json(found)


@router.get(
    "/results/{period_id}/{level}/uncertainty",
    response={200: UncertaintyOut, **errors.COMMON},
    summary="How sure the published ranks are (Monte Carlo)",
)
def rank_uncertainty(request: HttpRequest, period_id: Id, level: Level):
    """Per unit: nominal rank, median rank, the 5th-95th percentile ranks and the
    probability of recognition, over runs with each indicator's points × U(0.8, 1.2),
    seeded from the snapshot so every reader gets the same figures."""
    snapshot = read.current(_period_or_404(period_id), level)
    if snapshot is None:
        raise errors.ApiError(404, "not_found", "No published results for this period and level.")
    return analysis.uncertainty_for_snapshot(snapshot)


@router.get(
    "/results/{period_id}/{level}/sensitivity",
    response={200: SensitivityOut, **errors.COMMON},
    summary="How much each pillar's points move the published ranks (Sobol' indices)",
)
def rank_sensitivity(request: HttpRequest, period_id: Id, level: Level):
    """Per pillar: the first-order (Saltelli) and total (Jansen) Sobol' indices of the
    units' mean absolute rank shift to that pillar's points, over `runs` Monte Carlo runs
    with each indicator's points × U(1 − a, 1 + a), a = `points_noise`, seeded from the
    snapshot. An index is null when no rank moves (its variance is 0). The figures of
    the "Độ nhạy" page."""
    snapshot = read.current(_period_or_404(period_id), level)
    if snapshot is None:
        raise errors.ApiError(404, "not_found", "No published results for this period and level.")
    return analysis.sensitivity_for_snapshot(snapshot)


@staff_router.get(
    "/results/{period_id}/{level}/audit",
    response={200: dict[str, Any], **errors.AUTHED},
    summary="Statistical audit of a period's figures (reviewers)",
)
def statistical_audit(request: HttpRequest, period_id: Id, level: Level):
    """Coverage and distribution per indicator, outliers ("bất thường": robust z-scores of
    the change from last year and against units of the same kind), Pearson and Spearman
    correlations, and indicators that do not discriminate."""
    if not access.can(request.auth, Perm.SEE_AUDIT):  # type: ignore[attr-defined]
        raise errors.ApiError(403, "forbidden", "Only reviewers and admins see this.")
    found = analysis.audit_for_period(_period_or_404(period_id), level)
    if found is None:
        raise errors.ApiError(404, "not_found", "This period has no framework for that level.")
    return _json(found)


@router.get(
    "/results/{period_id}/{level}/changes",
    response={200: ChangesOut, **errors.COMMON},
    summary="Each published unit's rank change since the previous published period",
)
def rank_changes(request: HttpRequest, period_id: Id, level: Level, query: Query[ResultsQuery]):
    """Per assessed unit, best first: its rank, its value and rank in the latest published
    earlier period and the places gained (`change`, positive = up), as the rankings page
    shows them. A commune formed at the 2025 reform has the figures derived from the
    communes it was formed from (the plain mean of their figures, scored and ranked in
    that period): `derived` true ("suy ra"). A unit with no earlier figure has nulls."""
    period = _period_or_404(period_id)
    ranking = read.ranking(period, level, query.version, brief=True)
    if ranking is None or ranking.snapshot is None:
        raise errors.ApiError(404, "not_found", "No published results for this period and level.")
    return _changes(ranking, ranking.snapshot)


@staff_router.get(
    "/results/{period_id}/{level}/provisional/changes",
    response={200: dict[str, Any], **errors.AUTHED},
    summary="Provisional rank changes since the previous published period (staff)",
)
def provisional_changes(request: HttpRequest, period_id: Id, level: Level):
    """The changes of `/changes` for the provisional ranking (scored now from approved
    values), as the provisional rankings page shows them; `version` is null."""
    ranking = _provisional_ranking(request, period_id, level)
    return _private(_changes(ranking, ranking.period))


def _changes(ranking: cards.Ranking, current: Any) -> dict[str, Any]:
    """Every assessed unit's rank against the previous period's (`current`: the snapshot,
    or the period scored now), like for like: `previous_rank` and `compared_rank` rank
    both periods' values among the same units (`compared_among` of them, those of this
    ranking with figures in both), and `change` is their difference."""
    found = analysis.previous_figures(current, ranking.level)
    compared = analysis.like_for_like(
        {row.code: row.value for row in ranking.assessed}, found["units"]
    )
    units = []
    for row in ranking.assessed:
        before = compared.get(row.code)
        units.append(
            {
                "unit": {"id": row.unit_id, "code": row.code, "name": row.name},
                "rank": row.rank,
                "out_of": len(ranking.assessed),
                "value": row.value,
                "previous_rank": None if before is None else before["rank_before"],
                "previous_value": None if before is None else before["value_before"],
                "compared_rank": None if before is None else before["rank_now"],
                "compared_among": None if before is None else before["among"],
                "change": None if before is None else before["change"],
                "derived": bool(before and before["derived"]),
            }
        )
    return {
        "period": ranking.period.pk,
        "level": ranking.level,
        "version": None if ranking.snapshot is None else ranking.snapshot.version,
        "previous": found["previous"],
        "units": units,
    }
