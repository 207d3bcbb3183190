"""The leadership's pages: the dashboard, the commune map and the province's DTI.

Every figure comes from chiso/leadership/dashboard.py (plain dicts), which the API
(chiso/api/leadership.py) returns as they are: the pages link to it for their JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments.excel import localized
from chiso.assessments.models import Period, Status, Submission
from chiso.leadership import dashboard, services
from chiso.leadership.models import TargetKind
from chiso.lib import numbers
from chiso.lib.uploads import capped, too_large
from chiso.units.models import Level

DASHBOARD_LEVELS = (Level.COMMUNE, Level.DEPARTMENT)


def _require_dashboard(request: HttpRequest) -> None:
    if not access.can(request.user, Perm.SEE_DASHBOARD):
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
    # Once the deadline has passed: what happened, not a forecast.
    "met": gettext_lazy("Met"),
    "missed": gettext_lazy("Not met"),
    "awaiting": gettext_lazy("Awaiting the ministry's publication"),
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
        "current_text": figure_text(target["current"], target["kind"])
        + (f"/{target['current_of']}" if target.get("current_of") else "")
        + (f" (DTI {target['current_year']})" if target.get("current_year") else ""),
        "projected_text": figure_text(target["projected"], target["kind"]),
        "status_label": STATUS_LABELS[target["status"]],
    }


def _choice(request: HttpRequest) -> tuple[list[Period], Period | None, str]:
    periods = list(Period.objects.filter(frameworks__level__in=DASHBOARD_LEVELS).distinct())
    level = request.GET.get("level", Level.COMMUNE)
    if level not in DASHBOARD_LEVELS:
        level = Level.COMMUNE
    wanted = request.GET.get("period", "")
    period = next((p for p in periods if wanted.isdigit() and p.pk == int(wanted)), None)
    return periods, period or _latest_with_data(periods, level), level


def _latest_with_data(periods: list[Period], level: str) -> Period | None:
    """The period the dashboard opens on: the latest with an approved unit of the level,
    else the latest with any submission of it, else the latest (a period just created
    has nothing to show yet)."""
    subs = Submission.objects.filter(period__in=periods, unit__level=level)
    approved = set(
        subs.filter(status__in=(Status.APPROVED, Status.PUBLISHED)).values_list(
            "period_id", flat=True
        )
    )
    entered = set(subs.values_list("period_id", flat=True))
    for found in (approved, entered):
        latest = next((p for p in periods if p.pk in found), None)
        if latest is not None:
            return latest
    return periods[0] if periods else None


def _day_month(iso: str | None) -> str:
    return "" if not iso else dt.date.fromisoformat(iso).strftime("%d/%m")


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
        "source_at": dt.datetime.fromisoformat(data["source"]["published_at"])
        if data["source"]["published_at"]
        else None,
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
        # The histogram's text equivalent: each bin's values and how many units fall in it.
        "histogram_rows": [
            (numbers.number(low, 1), numbers.number(high, 1), count)
            for low, high, count in zip(
                data["distribution"]["edges"],
                data["distribution"]["edges"][1:],
                data["distribution"]["counts"],
                strict=False,
            )
        ],
        # "31/12": the day and month the year's quota is due, written the Vietnamese way.
        "quota_by": _day_month(data["recognition"]["quota_by"]),
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
        "json_url": f"/api/v1/dashboard/{period.pk}/{level}",
    }
    return render(request, "leadership/dashboard.html", context)


def _map_values(request: HttpRequest, period_id: int, level: str) -> tuple[Period, dict]:
    """The map's period and figures. The public sees a level only once that level is
    published (its snapshot); staff also see it scored before. Anything else is 404, so
    ids cannot be probed and another level's publication opens nothing."""
    period = get_object_or_404(Period, pk=period_id)
    if level != Level.COMMUNE:
        raise Http404("The map shows communes.")
    data = dashboard.map_values(
        period, level, public=not access.can(request.user, Perm.SEE_DASHBOARD)
    )
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


def rank_groups(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ranks in runs ranked among the same number of provinces (63, then 34): the
    chart draws each run as a line of its own, never one line across the merger."""
    groups: list[dict[str, Any]] = []
    for year in history:
        if not year["rank"]:
            continue
        if not groups or groups[-1]["of"] != year["of"]:
            label = _("Rank out of %(of)s") % {"of": year["of"]} if year["of"] else _("Rank")
            groups.append({"of": year["of"], "label": label, "points": []})
        groups[-1]["points"].append({"year": year["year"], "rank": year["rank"]})
    return groups


@require_GET
def province_page(request: HttpRequest) -> HttpResponse:
    """Thanh Hóa's DTI over the years: public (the ministry's figures); its own
    estimate and the forms that record a year for staff and the admin."""
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
    staff = access.can(request.user, Perm.SEE_DASHBOARD)
    data = dashboard.province(staff=staff)
    shown = list(messages.get_messages(request))
    beside = {tag: [m for m in shown if tag in m.tags.split()] for tag in FORM_TAGS}
    top = [m for m in shown if not set(m.tags.split()) & set(FORM_TAGS)]
    target, estimate = data["target"], data.get("self_assessment")
    return render(
        request,
        "leadership/province.html",
        {
            "data": data,
            "staff": staff,
            "target_by": dt.date.fromisoformat(target["by"]) if target else None,
            "target_status": STATUS_LABELS[target["status"]] if target else "",
            "self_status": Status(estimate["status"]).label if estimate else "",
            "indices": [
                {**index, "text": localized(index["title"])}
                for index in (estimate["indices"] if estimate else [])
            ],
            "chart": {
                "history": data["history"],
                "ranks": rank_groups(data["history"]),
                "target_rank": data["target_rank"],
                "target_year": int(target["by"][:4]) if target else None,
                "labels": {"value": _("DTI value"), "rank": _("Rank"), "target": _("Target")},
            },
            "can_edit": access.can(request.user, Perm.ADMINISTER),
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


def _require_admin(request: HttpRequest) -> None:
    if not access.can(request.user, Perm.ADMINISTER):
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
