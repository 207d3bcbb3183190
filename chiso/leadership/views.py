"""The leadership's pages: the dashboard, the commune map and the province's DTI.

Every figure comes from chiso/results/dashboard.py (plain dicts), which the JSON
views return as they are, so the API can expose exactly what the pages show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chiso.accounts import access
from chiso.assessments.excel import localized
from chiso.assessments.models import Period, Status
from chiso.leadership import services
from chiso.leadership.models import TargetKind
from chiso.results import dashboard
from chiso.units.models import Level
from chiso.uploads import capped, too_large

DASHBOARD_LEVELS = (Level.COMMUNE, Level.DEPARTMENT)


def _require_dashboard(request: HttpRequest) -> None:
    if not access.can_see_dashboard(request.user):
        raise PermissionDenied(
            _("The dashboard is for the province's leaders, administrators and reviewers.")
        )


# By area the table groups the states in three, so it stays readable on a phone.
AREA_GROUPS = (
    (Status.DRAFT, Status.RETURNED),
    (Status.SUBMITTED, Status.DISTRICT_APPROVED),
    (Status.APPROVED, Status.PUBLISHED),
)

STATUS_LABELS = {
    "achieved": gettext_lazy("Achieved"),
    "on_track": gettext_lazy("On track"),
    "off_track": gettext_lazy("Off track"),
    "unknown": gettext_lazy("No figure yet"),
}


def figure_text(value: float | None, kind: str) -> str:
    """A target's figure the Vietnamese way: counts and ranks whole, values with 4 decimals."""
    if value is None:
        return "–"
    if kind == TargetKind.PILLAR:
        return number_format(value, 4)
    return number_format(round(value), 0, force_grouping=True)


def _target_row(target: dict[str, Any]) -> dict[str, Any]:
    return {
        **target,
        "by_date": dt.date.fromisoformat(target["by"]),
        "goal_text": figure_text(target["target"], target["kind"]),
        "current_text": figure_text(target["current"], target["kind"]),
        "projected_text": figure_text(target["projected"], target["kind"]),
        "status_label": STATUS_LABELS[target["status"]],
    }


def _choice(request: HttpRequest) -> tuple[list[Period], Period | None, str]:
    periods = list(Period.objects.filter(frameworks__level__in=DASHBOARD_LEVELS).distinct())
    wanted = request.GET.get("period", "")
    period = next((p for p in periods if wanted.isdigit() and p.pk == int(wanted)), None)
    period = period or (periods[0] if periods else None)
    level = request.GET.get("level", Level.COMMUNE)
    if level not in DASHBOARD_LEVELS:
        level = Level.COMMUNE
    return periods, period, level


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    _require_dashboard(request)
    periods, period, level = _choice(request)
    if period is None:
        return render(request, "leadership/dashboard.html", {"periods": []})
    data = dashboard.dashboard(period, level)
    labels = dict(Status.choices)
    context: dict[str, Any] = {
        "periods": periods,
        "period": period,
        "level": level,
        "levels": [(value, Level(value).label) for value in DASHBOARD_LEVELS],
        "data": data,
        "status_rows": [
            (status, labels[status], data["progress"]["by_status"][status])
            for status in data["progress"]["statuses"]
        ],
        "area_rows": [
            (area, [sum(area["by_status"][s] for s in group) for group in AREA_GROUPS])
            for area in data["progress"]["by_area"]
        ],
        "status_labels": labels,
        "pillars": [
            {**pillar, "text": localized(pillar["title"])}
            for pillar in data["distribution"]["pillars"]
        ],
        "target_rows": [_target_row(t) for t in data["targets"]],
        "chart": {
            "histogram": data["distribution"],
            "labels": {
                "units": _("units"),
                "value": _("Value"),
                "median": _("median"),
            },
        },
        "map_url": reverse("results-map", args=[period.pk, level])
        if level == Level.COMMUNE
        else "",
        "json_url": reverse("dashboard-data") + f"?period={period.pk}&level={level}",
    }
    return render(request, "leadership/dashboard.html", context)


@login_required
@require_GET
def dashboard_data(request: HttpRequest) -> JsonResponse:
    _require_dashboard(request)
    _, period, level = _choice(request)
    if period is None:
        raise Http404("No period.")
    return JsonResponse(dashboard.dashboard(period, level))


def _map_values(request: HttpRequest, period_id: int, level: str) -> tuple[Period, dict]:
    """The map's period and figures. The public sees a level only once that level is
    published (its snapshot); staff also see it scored before. Anything else is 404, so
    ids cannot be probed and another level's publication opens nothing."""
    period = get_object_or_404(Period, pk=period_id)
    if level != Level.COMMUNE:
        raise Http404("The map shows communes.")
    data = dashboard.map_values(period, level, public=not access.can_see_dashboard(request.user))
    if data is None:
        raise Http404
    return period, data


@require_GET
def map_page(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    period, data = _map_values(request, period_id, level)
    data["card_url"] = f"/results/{period.pk}/{level}/"
    data["labels"] = {
        "value": _("Value"),
        "rank": _("Rank"),
        "recognized": _("Recognized"),
        "not_recognized": _("Not recognized"),
        "no_result": _("No approved result"),
    }
    return render(
        request,
        "leadership/map.html",
        {"period": period, "level": level, "data": data, "counts": data["counts"]},
    )


@require_GET
def map_data(request: HttpRequest, period_id: int, level: str) -> JsonResponse:
    return JsonResponse(_map_values(request, period_id, level)[1])


@login_required
@require_GET
def province_page(request: HttpRequest) -> HttpResponse:
    _require_dashboard(request)
    return _province_page(request)


# The answers of the two forms are shown beside them, not at the top of a long page.
FORM_TAGS = ("record", "import")


def _province_page(
    request: HttpRequest,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    data = dashboard.province()
    shown = list(messages.get_messages(request))
    beside = {tag: [m for m in shown if tag in m.tags.split()] for tag in FORM_TAGS}
    top = [m for m in shown if not set(m.tags.split()) & set(FORM_TAGS)]
    target, estimate = data["target"], data["self_assessment"]
    return render(
        request,
        "leadership/province.html",
        {
            "data": data,
            "target_by": dt.date.fromisoformat(target["by"]) if target else None,
            "target_status": STATUS_LABELS[target["status"]] if target else "",
            "self_status": Status(estimate["status"]).label if estimate else "",
            "indices": [
                {**index, "text": localized(index["title"])}
                for index in (estimate["indices"] if estimate else [])
            ],
            "chart": {
                "history": data["history"],
                "target_rank": data["target_rank"],
                "labels": {"value": _("DTI value"), "rank": _("Rank"), "target": _("Target")},
            },
            "can_edit": access.is_admin(request.user),
            "columns": services.COLUMNS,
            "top_messages": top,
            "record_messages": beside["record"],
            "import_messages": beside["import"],
            "typed": typed or {},
            "record_errors": [text for texts in (errors or {}).values() for text in texts],
            "invalid": set(errors or {}),
        },
        status=status,
    )


@login_required
@require_GET
def province_json(request: HttpRequest) -> JsonResponse:
    _require_dashboard(request)
    return JsonResponse(dashboard.province())


def _require_admin(request: HttpRequest) -> None:
    if not access.is_admin(request.user):
        raise PermissionDenied(_("Only an administrator records the national DTI."))


@login_required
@require_POST
def province_record(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    typed = {c: request.POST.get(c, "") for c in services.COLUMNS}
    figures, problems = services.figures_from_form(typed)
    if figures is None or problems:
        # Shown again with what was typed, each problem beside the form.
        return _province_page(request, typed=typed, errors=problems, status=400)
    row = services.record_year(figures, actor=request.user)
    messages.success(request, _("DTI %(year)s recorded.") % {"year": row.year}, extra_tags="record")
    return HttpResponseRedirect(reverse("province") + "#record")


@login_required
@require_POST
def province_import(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."), extra_tags="import")
        return HttpResponseRedirect(reverse("province") + "#import")
    large = too_large(upload.size or 0, upload.name or "")
    if large is not None:
        messages.error(request, large.message, extra_tags="import")
        return HttpResponseRedirect(reverse("province") + "#import")
    try:
        # Read as it comes: a file beyond the limits stops at its first line beyond them.
        rows = services.import_csv(upload.file, actor=request.user, source=upload.name)
    except services.DtiImportError as error:
        for problem in capped(error.problems, str):
            messages.error(request, problem, extra_tags="import")
    else:
        messages.success(
            request,
            _("%(count)s years imported from %(name)s.")
            % {"count": len(rows), "name": upload.name},
            extra_tags="import",
        )
    return HttpResponseRedirect(reverse("province") + "#import")
