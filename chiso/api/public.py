"""Public read endpoints: units, frameworks, periods (no login, rate-limited)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Annotated, Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import condition
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BeforeValidator

from chiso import engine
from chiso.api import errors
from chiso.api.http import keeping_types, per_request
from chiso.api.paging import Id, Pages, Rendered
from chiso.api.schemas import FrameworkOut, FrameworkTree, PeriodOut, UnitOut
from chiso.assessments.models import Period, PeriodFramework
from chiso.frameworks.models import Framework
from chiso.results.models import Snapshot
from chiso.units.models import Level, Lineage, Unit

router = Router(tags=["public"])


def iso_date(value: object) -> object:
    # pydantic would also read 0 or 1735689600 as a date; the API takes ISO dates only.
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ValueError("write the date as YYYY-MM-DD")
    return value


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
IsoDate = Annotated[dt.date, BeforeValidator(iso_date)]


class UnitFilter(Schema):
    on: IsoDate | None = Field(None, description="Units in force on this day (YYYY-MM-DD).")
    level: Level | None = None
    province: str | None = None
    code: str | None = None


def _ref(unit: Unit | None) -> dict[str, Any] | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


def _unit(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "kind": unit.kind,
        "parent": _ref(unit.parent),
        "province_code": unit.province_code,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
        "area_km2": unit.area_km2,
        "predecessors": [
            {**_ref(link.old), "whole": link.whole} for link in unit.predecessors_links.all()
        ],
        "successors": [
            {**_ref(link.new), "whole": link.whole} for link in unit.successor_links.all()
        ],
    }


def _with_lineage():
    return Unit.objects.select_related("parent").prefetch_related(
        Prefetch("predecessors_links", queryset=Lineage.objects.select_related("old")),
        Prefetch("successor_links", queryset=Lineage.objects.select_related("new")),
    )


@router.get("/units", response={200: list[UnitOut], **errors.COMMON}, summary="Units")
@keeping_types(paginate(Pages))
def units(request: HttpRequest, filters: Query[UnitFilter]):
    """Administrative units and departments, with the lineage across the 2025 reform.

    `on` keeps the units in force that day; `level` and `province` (GSO code) filter.
    """
    qs = _with_lineage()
    if filters.on is not None:
        qs = qs.on(filters.on)
    if filters.level is not None:
        qs = qs.level(filters.level)
    if filters.province:
        qs = qs.in_province(filters.province)
    if filters.code:
        qs = qs.filter(code=filters.code)
    return Rendered(qs, _unit)


@router.get("/units/{unit_id}", response={200: UnitOut, **errors.COMMON}, summary="One unit")
def unit(request: HttpRequest, unit_id: Id):
    return _unit(get_object_or_404(_with_lineage(), pk=unit_id))


# --- frameworks ---------------------------------------------------------------------


def public_frameworks():
    """Frameworks some period uses: the criteria a campaign announced. Drafts stay private."""
    return Framework.objects.filter(period_levels__isnull=False).distinct()


def _framework(request: HttpRequest, fw: Framework) -> dict[str, Any]:
    base = f"/api/v1/frameworks/{fw.code}/{fw.version}"
    return {
        "code": fw.code,
        "version": fw.version,
        "level": fw.level,
        "year": fw.year,
        "title": {"vi": fw.title_vi, "en": fw.title_en or None},
        "sha256": fw.sha256,
        "created_at": fw.created_at,
        "file": request.build_absolute_uri(base + "/file"),
        "tree": request.build_absolute_uri(base),
    }


def node_data(node: engine.Node) -> dict[str, Any]:
    return {
        "code": node.code,
        "title": {"vi": node.title.get("vi", ""), "en": node.title.get("en")},
        "points": node.points,
        "max_points": node.max_points,
        "unit": node.unit,
        "mandatory": node.mandatory,
        "may_not_apply": node.may_not_apply,
        "pass": node.pass_,
        "formula": node.formula,
        "score": _rule(node.score) if node.score else None,
        "children": [node_data(child) for child in node.children],
    }


def _rule(rule: engine.ScoreRule) -> dict[str, Any]:
    """A scoring rule as the file gives it: `better` only where relative scoring has it."""
    data = {key: value for key, value in dataclasses.asdict(rule).items() if value is not None}
    if rule.method != "relative":
        data.pop("better", None)
    return data


def tree_data(parsed: engine.Framework) -> dict[str, Any]:
    return {
        "max_points": parsed.max_points,
        "missing": parsed.missing,
        "recognition": dataclasses.asdict(parsed.recognition) if parsed.recognition else None,
        "elements": [
            {"code": e.code, "title": dict(e.title), "type": e.type} for e in parsed.elements
        ],
        "nodes": [node_data(node) for node in parsed.tree],
    }


def _framework_or_404(code: str, version: Id) -> Framework:
    return get_object_or_404(public_frameworks(), code=code, version=version)


@per_request
def _published_framework(request: HttpRequest, code: str, version: Id) -> Framework:
    return _framework_or_404(code, version)


def _framework_etag(request: HttpRequest, code: str, version: Id) -> str:
    return _published_framework(request, code, version).sha256


def _framework_time(request: HttpRequest, code: str, version: Id) -> dt.datetime:
    return _published_framework(request, code, version).created_at


@router.get(
    "/frameworks", response={200: list[FrameworkOut], **errors.COMMON}, summary="Frameworks"
)
@keeping_types(paginate(Pages))
def frameworks(request: HttpRequest, level: Level | None = None):
    """The framework versions used by the assessment periods."""
    qs = public_frameworks().order_by("-year", "level", "code", "-version")
    if level is not None:
        qs = qs.filter(level=level)
    return Rendered(qs, lambda framework: _framework(request, framework))


@router.get(
    "/frameworks/{code}/{version}",
    response={200: FrameworkTree, **errors.COMMON},
    summary="One framework version with its tree",
)
def framework(request: HttpRequest, code: str, version: Id):
    fw = _framework_or_404(code, version)
    return {**_framework(request, fw), **tree_data(fw.engine())}


@router.get(
    "/frameworks/{code}/{version}/file",
    response={200: None, **errors.COMMON},
    summary="One framework version's YAML file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The framework file as issued (chiso-framework/1).",
                "content": {"application/yaml": {"schema": {"type": "string"}}},
            }
        }
    },
)
@keeping_types(condition(etag_func=_framework_etag, last_modified_func=_framework_time))
def framework_file(request: HttpRequest, code: str, version: Id):
    fw = _published_framework(request, code, version)
    response = HttpResponse(fw.text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{fw.code}-v{fw.version}.yaml"'
    return response


# --- periods ------------------------------------------------------------------------


def published(period: Period, level: str) -> bool:
    """Whether the results of a (period, level) are public: a snapshot was published."""
    return Snapshot.objects.filter(period=period, level=level).exists()


def _period(period: Period) -> dict[str, Any]:
    links: list[PeriodFramework] = list(period.frameworks.all())
    return {
        "id": period.pk,
        "year": period.year,
        "name": period.name,
        "opens_on": period.opens_on,
        "closes_on": period.closes_on,
        "reference_date": period.reference_date,
        "published_at": period.published_at,
        "levels": [
            {
                "level": link.level,
                "framework_code": link.framework.code,
                "framework_version": link.framework.version,
                "published": published(period, link.level),
            }
            for link in sorted(links, key=lambda link: link.level)
        ],
    }


def _periods():
    return Period.objects.prefetch_related(
        Prefetch("frameworks", queryset=PeriodFramework.objects.select_related("framework"))
    )


@router.get("/periods", response={200: list[PeriodOut], **errors.COMMON}, summary="Periods")
@keeping_types(paginate(Pages))
def periods(
    request: HttpRequest,
    year: Annotated[int, Field(ge=1, le=9999)] | None = None,
):
    """The assessment periods (campaigns), newest first, with the framework of each level."""
    qs = _periods()
    if year is not None:
        qs = qs.filter(year=year)
    return Rendered(qs, _period)


@router.get("/periods/{period_id}", response={200: PeriodOut, **errors.COMMON}, summary="Period")
def period(request: HttpRequest, period_id: Id):
    return _period(get_object_or_404(_periods(), pk=period_id))
