"""Downloading entry templates and uploading filled ones (Excel or long CSV).

Who sees what is decided by chiso.accounts.access: a submission a person may not see
is a 404, so unit ids cannot be probed; importing is for the unit's officer and the
administrator (`access.can(user, Perm.IMPORT, submission)`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import excel
from chiso.assessments.figures import figures_by_submission, marks_by_submission
from chiso.assessments.imports import ImportRefused, import_values
from chiso.assessments.models import Period, Submission
from chiso.frameworks.models import Level
from chiso.lib.uploads import Issue, capped, max_bytes, too_large, workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible(request: HttpRequest) -> QuerySet[Submission]:
    return access.submissions_for(request.user).select_related("unit", "period", "framework")


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    """The submission if this person may see it; 404 otherwise, as if it did not exist."""
    return access.submission_for(request.user, submission_id)


def _period_scope(request: HttpRequest, period: Period, level: str) -> list[Submission]:
    """The submissions of one level of a period this person may see, by unit code."""
    scope = _visible(request).filter(period=period, unit__level=level).order_by("unit__code")
    return list(scope)


def _levels(request: HttpRequest, period: Period) -> list[str]:
    """The levels of the period in which this person sees at least one submission."""
    levels = (
        _visible(request).filter(period=period).values_list("unit__level", flat=True).distinct()
    )
    return sorted(set(levels))


def _level_choices(levels: Iterable[str]) -> list[tuple[str, str]]:
    labels = dict(Level.choices)
    return [(level, str(labels.get(level, level))) for level in levels]


def _rows(submissions: Iterable[Submission]) -> list[excel.UnitFigures]:
    """Template rows with each unit's self-reported figures (what the unit entered)."""
    submissions = list(submissions)
    figures = figures_by_submission(submissions, "self")
    marks = marks_by_submission(submissions)
    return [
        excel.UnitFigures(
            item.unit.code, item.unit.name, figures[item.pk], frozenset(marks[item.pk])
        )
        for item in submissions
    ]


def _download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _heading(period: Period, framework_title: str) -> str:
    return f"{period.name} · {framework_title}"


@login_required
@require_GET
def submission_template(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission(request, submission_id)
    framework = submission.framework.engine()
    workbook = excel.build_template(
        framework,
        _rows([submission]),
        heading=_heading(submission.period, submission.framework.title),
        generated=timezone.localdate(),
    )
    name = f"chiso-{submission.period.year}-{submission.unit.code}.xlsx"
    return _download(workbook_bytes(workbook), name, XLSX_TYPE)


@login_required
@require_GET
def submission_csv(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission(request, submission_id)
    text = excel.values_csv(submission.framework.engine(), _rows([submission]))
    name = f"chiso-{submission.period.year}-{submission.unit.code}.csv"
    return _download(text, name, "text/csv; charset=utf-8")


def _period_download(request: HttpRequest, period_id: int, kind: str) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    levels = _levels(request, period)
    if not levels:
        raise Http404
    level = request.GET.get("level") or (levels[0] if len(levels) == 1 else "")
    if not level:
        return render(
            request,
            "assessments/io/choose_level.html",
            {"period": period, "levels": _level_choices(levels), "kind": kind},
        )
    if level not in levels:
        raise Http404
    framework_model = period.framework_for(level)
    if framework_model is None:
        raise Http404
    submissions = _period_scope(request, period, level)
    framework = framework_model.engine()
    name = f"chiso-{period.year}-{level}.{kind}"
    if kind == "csv":
        return _download(
            excel.values_csv(framework, _rows(submissions)), name, "text/csv; charset=utf-8"
        )
    workbook = excel.build_template(
        framework,
        _rows(submissions),
        heading=_heading(period, framework_model.title),
        generated=timezone.localdate(),
    )
    return _download(workbook_bytes(workbook), name, XLSX_TYPE)


@login_required
@require_GET
def period_template(request: HttpRequest, period_id: int) -> HttpResponse:
    return _period_download(request, period_id, "xlsx")


@login_required
@require_GET
def period_csv(request: HttpRequest, period_id: int) -> HttpResponse:
    return _period_download(request, period_id, "csv")


def _run_import(
    request: HttpRequest,
    context: dict[str, object],
    *,
    period: Period,
    submission: Submission | None,
) -> HttpResponse:
    """Read the uploaded file, import it, and show the summary or every problem."""
    upload = request.FILES.get("file")
    status = 200
    if upload is None:
        context["issues"] = [Issue(_("Choose a file to upload."))]
        status = 400
    elif too_large(upload.size or 0, upload.name or "") is not None:
        context["issues"] = [too_large(upload.size or 0, upload.name or "")]
        status = 400
    else:
        try:
            # The upload itself: a CSV is read from it as it comes, never copied whole.
            context["summary"] = import_values(
                upload.file,
                upload.name or "upload",
                user=request.user,
                period=period,
                submission=submission,
            )
        except ImportRefused as refused:
            context["issues"] = capped(refused.issues, Issue)
            status = 400
        context["filename"] = upload.name
    return render(request, "assessments/io/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def submission_import(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission(request, submission_id)
    if not access.can(request.user, Perm.IMPORT, submission):
        raise PermissionDenied(_("You may not import figures for this unit."))
    context: dict[str, object] = {
        "period": submission.period,
        "submission": submission,
        "max_mb": max_bytes() // (1024 * 1024),
    }
    if request.method == "POST":
        return _run_import(request, context, period=submission.period, submission=submission)
    return render(request, "assessments/io/import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def period_import(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    visible = list(_visible(request).filter(period=period))
    if not visible:
        raise Http404
    if not any(access.can(request.user, Perm.IMPORT, item) for item in visible):
        raise PermissionDenied(_("You may not import figures in this period."))
    context: dict[str, object] = {
        "period": period,
        "levels": _level_choices(_levels(request, period)),
        "max_mb": max_bytes() // (1024 * 1024),
    }
    if request.method == "POST":
        return _run_import(request, context, period=period, submission=None)
    return render(request, "assessments/io/import.html", context)
