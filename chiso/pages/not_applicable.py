"""Which indicators do not apply to which units: the DX office's page, per period.

An indicator a framework marks `may_not_apply` (Hà Nội's digital-economy indicator
for departments, say) is left out of the maxima of the units it does not concern.
The DX office's administrators choose those units here, in bulk; every change goes
through `services.mark_not_applicable` (audited). Nobody else may (access.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import services
from chiso.assessments.figures import marks_by_submission
from chiso.assessments.models import Period, Submission
from chiso.frameworks.display import in_language


def _indicators(period: Period) -> list[tuple[str, str, str]]:
    """(level, code, title) of every indicator that may not apply, in the period's
    frameworks."""
    found = []
    for link in period.frameworks.select_related("framework").order_by("level"):
        for leaf in link.framework.engine().leaves:
            if leaf.may_not_apply:
                found.append((link.level, leaf.code, in_language(leaf.title)))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def not_applicable(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can(request.user, Perm.MARK_NOT_APPLICABLE):
        raise PermissionDenied
    period = get_object_or_404(Period, pk=pk)
    indicators = _indicators(period)
    wanted = request.POST.get("code") or request.GET.get("code") or ""
    chosen = next((item for item in indicators if item[1] == wanted), None)
    if chosen is None and indicators:
        chosen = indicators[0]
    submissions: list[Submission] = []
    marks: dict[int, set[str]] = {}
    if chosen is not None:
        submissions = list(
            Submission.objects.filter(period=period, unit__level=chosen[0])
            .select_related("unit", "framework")
            .order_by("unit__code")
        )
        marks = marks_by_submission(submissions)
    if request.method == "POST" and chosen is not None:
        code = chosen[1]
        ticked = set(request.POST.getlist("unit"))
        out = [s for s in submissions if str(s.pk) in ticked]
        back = [s for s in submissions if str(s.pk) not in ticked]
        reason = request.POST.get("reason", "")
        try:
            changed = services.mark_not_applicable(out, code, user=request.user, reason=reason)
            changed += services.mark_not_applicable(
                back, code, user=request.user, applies=True, reason=reason
            )
        except services.ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(count)s units changed for %(code)s.") % {"count": changed, "code": code},
            )
            return redirect(f"{request.path}?code={code}")
    rows: list[dict[str, Any]] = [
        {"submission": s, "out": chosen is not None and chosen[1] in marks.get(s.pk, set())}
        for s in submissions
    ]
    return render(
        request,
        "assessments/not_applicable.html",
        {"period": period, "indicators": indicators, "chosen": chosen, "rows": rows},
    )
