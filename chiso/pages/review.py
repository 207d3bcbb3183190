"""Review and approval pages, and the audit trail pages.

/review/                     the queue: what the person reviews, filters, counts, bulk approval
/review/<id>/                one submission: self-assessed beside verified, evidence,
                             comments, corrections, the transitions allowed now
/audit/submissions/<id>/     the trail of one submission (and .../csv/)
/audit/periods/<id>/         the trail of a period, within the person's scope (and .../csv/)

Every view loads through chiso.accounts.access: a submission the person may not
review or see is a 404, whatever its id.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import audit, forms, services, workflow
from chiso.assessments.figures import figures_by_submission
from chiso.assessments.models import Action, Evidence, Period, Provenance, Status, Submission
from chiso.lib import numbers
from chiso.lib.uploads import fold
from chiso.results import analysis
from chiso.results.scoring import preview
from chiso.units.collation import vietnamese_key
from chiso.units.models import Level, Lineage, Unit

BULK_ACTIONS = ("district_approve", "approve", "publish")
QUEUE_PAGE = 50


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


_stale_text = services.stale_text


def _number(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def figure(value: float | None) -> str:
    """A figure as every page writes it (chiso.lib.numbers); empty when there is none,
    so the template can put its "—" or leave a difference out."""
    return "" if numbers.missing(value) else numbers.figure(value)


def points(value: float | None) -> str:
    return "" if numbers.missing(value) else numbers.points(value)


def yes_no(value: float | None) -> str:
    value = _number(value)
    if value is None:
        return ""
    return _("Yes") if value else _("No")


# The queue ---------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can(user, Perm.SEE_QUEUE):
        raise Http404("Not a reviewer.")
    periods = list(Period.objects.all())
    if not periods:
        return render(request, "assessments/review/queue.html", {"periods": []})
    period = _chosen(periods, request.GET.get("period")) or periods[0]

    in_period = access.reviewable_for(user, Submission.objects.filter(period=period))
    level = request.GET.get("level", "")
    area = request.GET.get("area", "")
    area_id = forms.parse_id(area)
    district = request.GET.get("district", "")
    district_id = forms.parse_id(district)
    name = forms.filter_text(request.GET.get("q")) or ""
    status = request.GET.get("status", "")
    scoped = in_period
    if level in Level.values:
        scoped = scoped.filter(unit__level=level)
    if area_id is not None:
        scoped = scoped.filter(unit__parent_id=area_id)
    if district_id is not None:
        # The units formed from communes of an old district (before the 2025 reform).
        scoped = scoped.filter(
            unit__in=Lineage.objects.filter(old__parent_id=district_id).values("new")
        )
    if name:
        scoped = scoped.filter(pk__in=_named(scoped, name))
    counts = dict(scoped.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    shown_statuses = [
        (value, label)
        for value, label in Status.choices
        if period.two_step_review or value != Status.DISTRICT_APPROVED
    ]
    listed = scoped.filter(status=status) if status in Status.values else scoped
    listed = listed.select_related("unit", "unit__parent", "period")
    ordered = sorted(listed, key=lambda submission: vietnamese_key(submission.unit.name))
    page = Paginator(ordered, QUEUE_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    flags = _flags(period, rows) if access.can(user, Perm.SEE_AUDIT) else {}
    for submission in rows:
        submission.bulk_names = {
            t.name for t in workflow.allowed(submission, user) if t.name in BULK_ACTIONS
        }
        submission.flags = flags.get(submission.unit.code, [])
    # Who has not submitted, whatever status the list is filtered on.
    waiting = sorted(
        scoped.filter(status__in=workflow.EDITABLE_STATUSES).select_related("unit", "period"),
        key=lambda submission: vietnamese_key(submission.unit.name),
    )
    areas = sorted(
        Unit.objects.filter(pk__in=in_period.exclude(unit__parent=None).values("unit__parent")),
        key=lambda unit: vietnamese_key(unit.name),
    )
    old_districts = sorted(
        Unit.objects.filter(
            pk__in=Lineage.objects.filter(new__in=in_period.values("unit")).values("old__parent")
        ).filter(level=Level.DISTRICT),
        key=lambda unit: vietnamese_key(unit.name),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "periods": periods,
        "period": period,
        "rows": rows,
        "waiting": waiting,
        "counts": [(value, label, counts.get(value, 0)) for value, label in shown_statuses],
        "total": sum(counts.values()),
        "submitted_total": sum(n for s, n in counts.items() if s not in workflow.EDITABLE_STATUSES),
        "returned_total": counts.get(Status.RETURNED, 0),
        "draft_total": counts.get(Status.DRAFT, 0),
        "levels": Level.choices,
        "areas": [a for a in areas if a.level != Level.PROVINCE],
        "old_districts": old_districts,
        "chosen": {
            "level": level,
            "area": area,
            "status": status,
            "district": district,
            "q": name,
        },
        "statuses": shown_statuses,
        "bulk_actions": [
            workflow.TRANSITIONS[name]
            for name in BULK_ACTIONS
            if any(name in s.bulk_names for s in rows)
        ],
        "can_act": access.can(user, Perm.ACT_ON_QUEUE),
        "marks_not_applicable": access.can(user, Perm.MARK_NOT_APPLICABLE),
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "assessments/review/queue.html", context)


def _named(scoped: Any, text: str) -> list[int]:
    """The submissions whose unit's name (accents or not) or code holds `text`."""
    wanted = fold(text)
    return [
        pk
        for pk, unit_name, code in scoped.values_list("pk", "unit__name", "unit__code")
        if wanted in fold(unit_name) or text in code
    ]


def _flags(period: Period, rows: list[Submission]) -> dict[str, list[str]]:
    """The indicators the period's statistical audit flags, by unit code, for the units
    of these rows (one audit per level, cached)."""
    found: dict[str, list[str]] = {}
    for level in {submission.unit.level for submission in rows}:
        audit_data = analysis.audit_for_period(period, level)
        for outlier in audit_data["outliers"] if audit_data else []:
            codes = found.setdefault(outlier["unit"], [])
            if outlier["code"] not in codes:
                codes.append(outlier["code"])
    return found


def _chosen(periods: list[Period], wanted: str | None) -> Period | None:
    pk = forms.parse_id(wanted)
    return next((p for p in periods if p.pk == pk), None)


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one transition to many submissions; each succeeds or fails on its own."""
    user = request.user
    if not access.can(user, Perm.ACT_ON_QUEUE):
        raise Http404("Not a reviewer.")
    name = request.POST.get("action", "")
    back = _safe_next(request, reverse("review-queue"))
    if name not in BULK_ACTIONS:
        messages.error(request, _("Choose what to do with the selected submissions."))
        return HttpResponseRedirect(back)
    # Each box carries "id:version" as the queue showed it, so a submission that changed
    # since (returned and sent again) is not approved unseen.
    chosen: dict[str, int | None] = {}
    for value in request.POST.getlist("submission"):
        pk, _sep, version = value.partition(":")
        if forms.parse_id(pk) is not None:
            chosen[pk] = forms.parse_id(version)
    if not chosen:
        messages.error(request, _("Select at least one submission."))
        return HttpResponseRedirect(back)
    if request.POST.get("confirmed") != "1":
        return _confirm_bulk(request, name, chosen, back)
    done: list[str] = []
    for pk, version in chosen.items():
        try:
            submission = access.submission_for(user, pk, Perm.SEE_REVIEW)
        except Http404:
            messages.error(request, _("Submission %(id)s: not found.") % {"id": pk})
            continue
        try:
            workflow.transition(submission, name, user, expected_version=version)
        except services.StaleSubmission:
            messages.error(request, f"{submission.unit.name}: {_stale_text()}")
        except services.ServiceError as error:
            messages.error(request, f"{submission.unit.name}: {error.message}")
        else:
            done.append(submission.unit.name)
    if done:
        messages.success(
            request,
            _("%(action)s: %(count)d submissions (%(units)s).")
            % {
                "action": workflow.TRANSITIONS[name].label,
                "count": len(done),
                "units": ", ".join(done),
            },
        )
    return HttpResponseRedirect(back)


def _confirm_bulk(
    request: HttpRequest, name: str, chosen: dict[str, int | None], back: str
) -> HttpResponse:
    """Ask once, in the page: what the action will do, to which units, of which level."""
    found = access.reviewable_for(request.user, Submission.objects.filter(pk__in=list(chosen)))
    shown = sorted(
        found.select_related("unit", "period"), key=lambda s: vietnamese_key(s.unit.name)
    )
    levels = sorted({Level(s.unit.level).label for s in shown})
    periods = sorted({s.period.name for s in shown})
    context = {
        "transition": workflow.TRANSITIONS[name],
        "name": name,
        "submissions": shown,
        "count": len(shown),
        "levels": ", ".join(str(level) for level in levels),
        "periods": ", ".join(periods),
        "values": [
            f"{pk}:{version}" if version is not None else pk for pk, version in chosen.items()
        ],
        "next": back,
    }
    return render(request, "assessments/review/bulk_confirm.html", context)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# One submission ----------------------------------------------------------------------


@dataclass
class IndicatorRow:
    code: str
    title: str
    unit: str
    points: float
    mandatory: bool
    formula: str | None
    self_value: float | None
    self_points: float | None
    verified_value: float | None
    verified_points: float | None
    boolean: bool = False
    evidence: list[Any] = field(default_factory=list)
    comments: list[Any] = field(default_factory=list)
    # The period's statistical audit flags the figure "bất thường": why, else "".
    unusual: str = ""
    # Why the reviewer corrected it (or the figures it is computed from).
    reason: str = ""

    @property
    def difference(self) -> float | None:
        if self.self_points is None or self.verified_points is None:
            return None
        return self.verified_points - self.self_points

    def shown(self) -> dict[str, str]:
        value = yes_no if self.boolean else figure
        return {
            "self": value(self.self_value),
            "verified": value(self.verified_value),
            "self_points": numbers.points_words(self.self_points),
            "verified_points": numbers.points_words(self.verified_points),
            "points": points(self.points),
            "points_words": numbers.points_words(self.points),
            "difference": numbers.points_words(self.difference),
        }


@dataclass
class InputRow:
    code: str
    title: str
    type: str
    self_value: float | None
    verified_value: float | None
    difference: float | None
    comments: list[Any] = field(default_factory=list)
    # An indicator entered directly: its comments are on its row of the indicators table.
    indicator: bool = False
    # Sent by another information system (the API), not typed by the unit.
    system: bool = False
    # The unit changed it since the reviewer returned the submission: what it was then.
    changed: bool = False
    previous: float | None = None
    reason: str = ""

    def shown(self) -> dict[str, str]:
        value = yes_no if self.type == "boolean" else figure
        return {
            "self": value(self.self_value),
            "verified": value(self.verified_value),
            "difference": "" if self.type == "boolean" else figure(self.difference),
            "previous": value(self.previous) or "—",
        }


def _unusual(outlier: dict[str, Any] | None) -> str:
    if outlier is None:
        return ""
    against = (
        _("change from last year")
        if outlier["kind"] == "change"
        else _("against units of its kind")
    )
    z = numbers.number(outlier["z"], 1)
    return f"{against}: z = {z} ({analysis.outlier_method(outlier)})"


def _evidence_url(evidence: Evidence) -> str | None:
    # The download view belongs to data entry (chiso/pages/entry.py); it checks access.
    try:
        return reverse("evidence_file", args=[evidence.pk])
    except NoReverseMatch:
        return None


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_page(request, access.submission_for(request.user, pk, Perm.SEE_REVIEW))


def detail_page(
    request: HttpRequest,
    submission: Submission,
    *,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review page of one submission; `failed` is a refused comment or correction,
    shown inline with what the reviewer typed."""
    user = request.user
    parsed = submission.framework.engine()
    language = _language()
    values = submission.values_by_code()
    mine = preview(submission, figures_by_submission([submission], "self")[submission.pk])
    checked = preview(submission, figures_by_submission([submission])[submission.pk])

    comments = list(submission.comments.select_related("author").order_by("created_at"))
    by_code: dict[str, list[Any]] = {}
    for comment in comments:
        by_code.setdefault(comment.code, []).append(comment)
    files = list(submission.evidence.filter(removed_at=None).order_by("uploaded_at"))
    for evidence in files:
        evidence.url = _evidence_url(evidence)

    unusual = (
        analysis.outliers_of(submission.period, submission.unit.level, submission.unit.code)
        if access.can(user, Perm.SEE_AUDIT)
        else {}
    )
    returned, changed = audit.changed_since_return(submission)
    reasons = audit.correction_reasons(submission)
    indicators = []
    for leaf in parsed.leaves:
        formula = parsed.formula(leaf.code)
        sources = [leaf.code]
        if formula is not None:
            sources += list(dict.fromkeys(name.code for name in engine.names(formula)))
        indicators.append(
            IndicatorRow(
                code=leaf.code,
                title=leaf.title.get(language) or leaf.title["vi"],
                unit=leaf.unit or "",
                points=leaf.points or 0.0,
                mandatory=leaf.mandatory,
                formula=leaf.formula,
                self_value=_number(mine.leaf_values.get(leaf.code)),
                self_points=_number(mine.leaf_points.get(leaf.code)),
                verified_value=_number(checked.leaf_values.get(leaf.code)),
                verified_points=_number(checked.leaf_points.get(leaf.code)),
                boolean=leaf.formula is None and parsed.input_type(leaf.code) == "boolean",
                evidence=[e for e in files if leaf.code in (e.codes or [])],
                comments=by_code.get(leaf.code, []),
                unusual=_unusual(unusual.get(leaf.code)),
                reason="; ".join(reasons[code] for code in sources if reasons.get(code)),
            )
        )
    titles = audit.code_titles(submission.framework, language)
    indicator_codes = {r.code for r in indicators}
    inputs = []
    for code in parsed.input_codes:
        value = values.get(code)
        inputs.append(
            InputRow(
                code=code,
                title=titles.get(code, code),
                type=parsed.input_type(code),
                self_value=value.self_value if value else None,
                verified_value=value.verified_value if value else None,
                difference=value.difference if value else None,
                comments=[] if code in indicator_codes else by_code.get(code, []),
                indicator=code in indicator_codes,
                system=value is not None and value.provenance == Provenance.SYSTEM,
                changed=code in changed,
                previous=changed.get(code),
                reason=reasons.get(code, ""),
            )
        )
    unlinked = [e for e in files if not set(e.codes or []) & indicator_codes]
    context = {
        "submission": submission,
        "indicators": indicators,
        "inputs": inputs,
        "general_comments": by_code.get("", []),
        "unlinked_evidence": unlinked,
        "returned": returned if changed else None,
        "changed": [row for row in inputs if row.changed],
        "mine": mine,
        "checked": checked,
        "totals": {
            "self": points(mine.points),
            "verified": points(checked.points),
            "max": points(mine.max_points),
        },
        "transitions": workflow.allowed(submission, user),
        "can_correct": workflow.can_correct(submission, user),
        "needs_district_step": workflow.needs_district_step(submission),
        "response_days": settings.CHISO_RESPONSE_DAYS,
        "failed": failed or {},
    }
    return render(request, "assessments/review/detail.html", context, status=status)


def _back(submission: Submission, anchor: str = "") -> HttpResponse:
    url = reverse("review-detail", args=[submission.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _version(request: HttpRequest) -> int | None:
    return forms.parse_id(request.POST.get("version", ""))


def _refused(request: HttpRequest, submission: Submission, form: str, error: Any, code: str):
    """Show the review page again with the error beside the form that failed and what
    the reviewer typed still in it (status 400, or 409 when someone saved meanwhile)."""
    submission = error.submission or submission
    messages.error(request, error.message, extra_tags=form)
    typed = {key: request.POST.get(key, "") for key in ("code", "value", "reason", "text")}
    return detail_page(
        request,
        submission,
        failed={"form": form, "code": code, "typed": typed, "error": error},
        status=409 if error.code == services.ServiceError.STALE else 400,
    )


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.submission_for(request.user, pk, Perm.REVIEW)
    code = request.POST.get("code", "")
    try:
        services.add_comment(submission, code, request.POST.get("text", ""), user=request.user)
    except services.ServiceError as error:
        return _refused(request, submission, "comment", error, code)
    messages.success(request, _("Comment saved."))
    return _back(submission, f"i-{code}" if code else "comments")


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's correction of one input: value and reason, through the gate."""
    submission = access.submission_for(request.user, pk, Perm.REVIEW)
    code = request.POST.get("code", "")
    try:
        services.verify_value(
            submission,
            code,
            request.POST.get("value", ""),
            user=request.user,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
    except services.ServiceError as error:
        return _refused(request, submission, "correct", error, code)
    messages.success(request, _("Correction of %(code)s saved.") % {"code": code})
    return _back(submission, f"v-{code}")


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    submission = access.submission_for(user, pk, Perm.SEE_REVIEW)
    name = request.POST.get("transition", "")
    deadline = None
    text = request.POST.get("deadline", "").strip()
    if text:
        try:
            deadline = dt.date.fromisoformat(text)
        except ValueError:
            messages.error(request, _("The deadline is not a date: %(text)s") % {"text": text})
            return _back(submission)
    try:
        workflow.transition(
            submission,
            name,
            user,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
            deadline=deadline,
        )
    except services.StaleSubmission:
        messages.error(request, _stale_text())
    except services.ServiceError as error:
        messages.error(request, error.message)
    else:
        label = workflow.TRANSITIONS[name].label
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return _back(submission)


# The audit trail -----------------------------------------------------------------------


@login_required
@require_GET
def submission_trail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.submission_for(request.user, pk, Perm.VIEW)
    page = _page(request, audit.for_submission(submission))
    titles = audit.code_titles(submission.framework, _language())
    context = {
        "submission": submission,
        "period": submission.period,
        "page": page,
        "rows": audit.rows_for_page(page.object_list, titles),
        "csv_url": reverse("audit-submission-csv", args=[submission.pk]),
        "review_url": reverse("review-detail", args=[submission.pk])
        if access.can(request.user, Perm.SEE_REVIEW, submission)
        else None,
    }
    return render(request, "assessments/review/audit.html", context)


@login_required
@require_GET
def submission_trail_csv(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.submission_for(request.user, pk, Perm.VIEW)
    name = f"audit-{submission.period.year}-{submission.unit.code}.csv"
    return _csv(audit.for_submission(submission), name)


def _period_for(request: HttpRequest, pk: int) -> Period:
    user = request.user
    period = get_object_or_404(Period, pk=pk)
    if access.can(user, Perm.READ_ALL):
        return period
    if not access.submissions_for(user, period.submissions.all()).exists():
        raise Http404("Nothing of this period to see.")
    return period


def _period_entries(request: HttpRequest, period: Period) -> Any:
    entries = access.audit_entries_for(request.user, audit.for_period(period))
    action = request.GET.get("action", "")
    if action in Action.values:
        entries = entries.filter(action=action)
    unit = forms.filter_text(request.GET.get("unit"))
    if unit:
        entries = entries.filter(unit__code=unit)
    return entries


@login_required
@require_GET
def period_trail(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period_for(request, pk)
    entries = _period_entries(request, period)
    query = request.GET.copy()
    query.pop("page", None)
    page = _page(request, entries)
    context = {
        "period": period,
        "page": page,
        "rows": audit.rows_for_page(page.object_list, _period_titles(period)),
        "actions": Action.choices,
        "chosen": {"action": request.GET.get("action", ""), "unit": request.GET.get("unit", "")},
        "query": query.urlencode(),
        "csv_url": reverse("audit-period-csv", args=[period.pk])
        + (f"?{query.urlencode()}" if query else ""),
    }
    return render(request, "assessments/review/audit.html", context)


def _period_titles(period: Period) -> dict[str, str]:
    titles: dict[str, str] = {}
    for link in period.frameworks.select_related("framework"):
        titles.update(audit.code_titles(link.framework, _language()))
    return titles


@login_required
@require_GET
def period_trail_csv(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period_for(request, pk)
    return _csv(_period_entries(request, period), f"audit-{period.year}-{period.pk}.csv")


def _page(request: HttpRequest, entries: Any) -> Any:
    number = request.GET.get("page", "1")
    return Paginator(entries, 200).get_page(number)


def _csv(entries: Any, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit.write_csv(entries.iterator(chunk_size=2000), response)
    return response
