"""The what-if page: an admin tries other points, thresholds, recognition or figures.

GET shows the level's criteria with their numbers in fields; every change posts the
changes as JSON and gets the new ranking back (nothing is saved). "Keep as a draft"
stores the changed criteria as the next version of the framework, for next year.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments.models import Period
from chiso.engine.whatif import SCORE_KEYS, Changes
from chiso.frameworks.display import in_language
from chiso.frameworks.problems import problem_text
from chiso.lib.numbers import points, points_words
from chiso.results import whatif

# The scoring numbers a what-if changes, by name (the file's keys are for machines).
SCORE_LABELS = {
    "zero": gettext_lazy("value scoring nothing"),
    "full": gettext_lazy("value scoring in full"),
    "at_least": gettext_lazy("at least"),
    "at_most": gettext_lazy("at most"),
}

# A what-if request is a few kilobytes of numbers; anything larger is not one.
MAX_BODY = 256 * 1024


def _period_framework(request: HttpRequest, period_id: int, level: str) -> tuple[Period, Any]:
    if not access.can(request.user, Perm.ADMINISTER):
        raise PermissionDenied(_("Only the province's administrators try changes of the criteria."))
    period = get_object_or_404(Period, pk=period_id)
    framework = period.framework_for(level)
    if framework is None:
        raise Http404
    return period, framework


def _indicators(parsed: engine.Framework) -> list[dict[str, Any]]:
    rows = []
    for leaf in parsed.leaves:
        rule = leaf.score
        numbers = []
        if rule is not None:
            for key in SCORE_KEYS:
                value = getattr(rule, key, None)
                if value is not None:
                    numbers.append({"key": key, "label": SCORE_LABELS[key], "value": value})
        rows.append(
            {
                "code": leaf.code,
                "title": in_language(leaf.title),
                "points": leaf.points,
                "mandatory": leaf.mandatory,
                "numbers": numbers,
            }
        )
    return rows


def _changes(request: HttpRequest) -> Changes:
    if len(request.body) > MAX_BODY:
        raise engine.EngineError([engine.Problem("the request is too large", where="changes")])
    try:
        sent = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as error:
        raise engine.EngineError([engine.Problem("not JSON", where="changes")]) from error
    return Changes.from_json(sent)


def _problems(error: engine.EngineError) -> list[dict[str, str | None]]:
    return [{"where": p.where, "message": problem_text(p)} for p in error.problems]


def scale_text(scale: dict[str, Any]) -> str:
    """The new total, and the recognition threshold set on the old scale."""
    text = _("The total is now %(after)s (it was %(before)s).") % {
        "after": points_words(scale["after"]),
        "before": points(scale["before"]),
    }
    if scale["min_points"] is not None:
        text += " " + _(
            "Recognition still needs %(needed)s, a threshold set on the old scale: check it."
        ) % {"needed": points_words(scale["min_points"])}
    return text


@login_required
@require_http_methods(["GET", "POST"])
def what_if_page(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    """The page (GET) and the recomputation (POST of JSON changes)."""
    period, framework = _period_framework(request, period_id, level)
    if request.method == "POST":
        try:
            answer = whatif.run(period, framework, _changes(request))
        except engine.EngineError as error:
            return JsonResponse(
                {"code": "invalid_changes", "problems": _problems(error)}, status=400
            )
        scale = answer["scale_changed"]
        answer["scale_text"] = scale_text(scale) if scale else ""
        return JsonResponse(answer)
    parsed = framework.engine()
    recognition = parsed.recognition
    start = whatif.run(period, framework, Changes())
    return render(
        request,
        "results/what_if.html",
        {
            "period": period,
            "framework": framework,
            "level": level,
            "indicators": _indicators(parsed),
            "recognition": recognition,
            "start": start,
        },
    )


@login_required
@require_http_methods(["POST"])
def keep_draft(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    """Stores the tried criteria as the framework's next version, for next year."""
    period, framework = _period_framework(request, period_id, level)
    try:
        sent = json.loads(request.POST.get("changes", "") or "{}")
        changes = Changes.from_json(sent)
        if not (changes.points or changes.score or changes.recognition):
            raise engine.EngineError([engine.Problem("nothing changed", where="changes")])
        draft = whatif.keep_as_draft(framework, changes, user=request.user, year=period.year + 1)
    except (ValueError, engine.EngineError, ValidationError):
        messages.error(
            request,
            _(
                "These changes cannot be kept: change points, a threshold or the recognition "
                "rule first."
            ),
        )
        return redirect("what_if", period_id=period.pk, level=level)
    messages.success(
        request,
        _("Kept as version %(version)s of %(code)s for %(year)s; no period uses it yet.")
        % {"version": draft.version, "code": draft.code, "year": draft.year},
    )
    scale = whatif.scale_changed(framework.engine(), draft.engine())
    if scale is not None:
        messages.warning(request, scale_text(scale))
    return redirect("framework_detail", code=draft.code, version=draft.version)
