"""Frameworks from Excel criteria tables: the upload page, the blank table, the export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import services
from chiso.frameworks.excel_store import table_framework
from chiso.frameworks.excel_writer import blank_workbook, framework_to_workbook
from chiso.frameworks.models import Source
from chiso.lib.uploads import Issue, TableError, max_bytes, too_large, workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_excel(request: HttpRequest) -> HttpResponse:
    """Admin only: a criteria table becomes the next version of a framework."""
    if not access.can(request.user, Perm.ADMINISTER):
        raise PermissionDenied(_("Only the province administrator imports frameworks."))
    context: dict[str, object] = {"max_mb": max_bytes() // (1024 * 1024)}
    if request.method == "GET":
        return render(request, "frameworks/excel/import.html", context)
    upload = request.FILES.get("file")
    issues: list[object] = []
    if upload is None:
        issues = [Issue(_("Choose a file to upload."))]
    elif (large := too_large(upload.size or 0, upload.name or "")) is not None:
        issues = [large]
    else:
        name = upload.name or "criteria.xlsx"
        try:
            found, text = table_framework(upload.read(), name)
            context["yaml"] = text
            context["framework"] = found or services.store_framework(
                text, source=Source.EXCEL, user=request.user, filename=name
            )
        except TableError as error:
            issues = list(error.issues)
        except ValidationError as error:
            issues = list(error.messages)
    context["issues"] = issues
    return render(request, "frameworks/excel/import.html", context, status=400 if issues else 200)


@login_required
@require_GET
def blank_template(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, Perm.ADMINISTER):
        raise PermissionDenied(_("Only the province administrator imports frameworks."))
    return _download(workbook_bytes(blank_workbook()), "chiso-bo-tieu-chi.xlsx")


@require_GET
def export_excel(request: HttpRequest, framework_id: int) -> HttpResponse:
    """A framework as a criteria table, for whoever may read its page: anyone once a
    period uses it, a draft only admins and reviewers (404 for the others)."""
    framework = access.framework_for(request.user, pk=framework_id)
    workbook = framework_to_workbook(framework.engine())
    return _download(workbook_bytes(workbook), f"{framework.code}-v{framework.version}.xlsx")
