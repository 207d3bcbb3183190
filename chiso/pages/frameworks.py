"""Framework pages: the list, one framework's tree, its YAML file, and the upload.

Frameworks a period uses are public documents (anyone may recompute a published
ranking from the very file that scored it), so their list, tree and download are open
to all; a draft no period uses yet is for admins and reviewers (access.frameworks_for);
only province admins upload. A stored version never changes once a period uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments.models import PeriodFramework
from chiso.assessments.services import store_framework
from chiso.frameworks.display import (
    as_text,
    in_language,
    method_name,
    method_text,
    show_number,
    type_name,
)
from chiso.frameworks.models import Framework, Source, sha256_text
from chiso.lib import numbers


@require_http_methods(["GET", "HEAD"])
def framework_list(request: HttpRequest) -> HttpResponse:
    """The framework versions the person may read, newest year first, and whether a
    period uses each."""
    used = PeriodFramework.objects.filter(framework=OuterRef("pk"))
    frameworks = access.frameworks_for(request.user).annotate(used=Exists(used)).defer("text")
    return render(
        request,
        "frameworks/list.html",
        {"frameworks": frameworks, "can_upload": access.can(request.user, Perm.ADMINISTER)},
    )


@dataclass(frozen=True, slots=True)
class TreeRow:
    node: engine.Node
    title: str
    points: str
    method: str
    method_name: str
    description: str
    evidence: str


def _framework(request: HttpRequest, code: str, version: int) -> Framework:
    return access.framework_for(request.user, code=code, version=version)


@require_http_methods(["GET", "HEAD"])
def framework_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """One framework version: its tree, inputs, checks and recognition rule."""
    framework = _framework(request, code, version)
    parsed = framework.engine()
    rows = [
        TreeRow(
            node=node,
            title=in_language(node.title),
            points=numbers.points(node.max_points),
            method=method_text(node) if node.is_leaf else "",
            method_name=method_name(node),
            description=in_language(node.description),
            evidence=in_language(as_text(node.extra.get("evidence"))),
        )
        for node in parsed.nodes
    ]
    elements = [
        (element.code, in_language(element.title), type_name(element.type))
        for element in parsed.elements
    ]
    rules = [(rule.rule, in_language(rule.message)) for rule in parsed.validation]
    periods = (
        PeriodFramework.objects.filter(framework=framework)
        .select_related("period")
        .order_by("-period__year")
    )
    return render(
        request,
        "frameworks/detail.html",
        {
            "framework": framework,
            "parsed": parsed,
            "rows": rows,
            "elements": elements,
            "rules": rules,
            "periods": list(periods),
            "max_points": numbers.points_words(parsed.max_points),
            "min_points": numbers.points_words(parsed.recognition.min_points)
            if parsed.recognition and parsed.recognition.min_points is not None
            else "",
            "min_value": show_number(parsed.recognition.min_value, 4)
            if parsed.recognition and parsed.recognition.min_value is not None
            else "",
            "leaf_count": len(parsed.leaves),
            "description": in_language(as_text(parsed.extra.get("description"))),
        },
    )


@require_http_methods(["GET", "HEAD"])
def framework_yaml(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """The exact file the framework was stored from."""
    framework = _framework(request, code, version)
    response = HttpResponse(
        framework.text.encode("utf-8"), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{framework.code}-v{framework.version}.yaml"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def framework_upload(request: HttpRequest) -> HttpResponse:
    """Province admins store a framework YAML file as a new version (or find it stored)."""
    if not access.can(request.user, Perm.ADMINISTER):
        raise PermissionDenied
    problems: list[str] = []
    name = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose a framework file (.yaml) to upload.")]
        else:
            name = upload.name or "framework.yaml"
            problems = _check_file(name, upload.size or 0)
            if not problems:
                problems, stored, already = _store(upload.read(), name, request.user)
                if stored is not None:
                    messages.success(request, _stored_message(stored, already))
                    return redirect("framework_detail", code=stored.code, version=stored.version)
    status = 400 if problems else 200
    return render(
        request, "frameworks/upload.html", {"problems": problems, "name": name}, status=status
    )


def _check_file(name: str, size: int) -> list[str]:
    # Its own limit, far below the evidence one: a framework is a small text file,
    # and a big YAML file costs the parser minutes and gigabytes.
    limit = int(settings.CHISO_MAX_FRAMEWORK_KB)
    if size > limit * 1024:
        return [_("“%(name)s” is larger than %(limit)s KB.") % {"name": name, "limit": limit}]
    if size == 0:
        return [_("“%(name)s” is empty.") % {"name": name}]
    return []


def _store(data: bytes, name: str, user: Any) -> tuple[list[str], Framework | None, bool]:
    """Store uploaded bytes: (problems, None, False) with nothing stored, or the framework
    and whether that very file was stored before."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = _("“%(name)s” is not UTF-8 text (byte %(position)s): save it as UTF-8.") % {
            "name": name,
            "position": error.start + 1,
        }
        return [problem], None, False
    known = set(Framework.objects.filter(sha256=sha256_text(text)).values_list("pk", flat=True))
    try:
        stored = store_framework(text, source=Source.UPLOAD, user=user, filename=name)
    except ValidationError as error:
        return list(error.messages), None, False
    return [], stored, stored.pk in known


def _stored_message(stored: Framework, already: bool) -> str:
    names = {"code": stored.code, "version": stored.version}
    if already:
        return _("This file is already stored as %(code)s version %(version)s.") % names
    return _("Stored as %(code)s version %(version)s.") % names
