"""The data-entry page of one (unit, period), its live preview, and evidence files.

Every view loads the submission through chiso.accounts.access.submission_for, so a
person who may not see a unit gets a 404 whatever id they try. Figures change only
through services.save_values (version-checked, audited) and submissions move only
through workflow.transition.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from markupsafe import escape

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import evidence as evidence_files
from chiso.assessments import excel, services, workflow
from chiso.assessments.figures import Which, figures_of_values, not_applicable_of
from chiso.assessments.forms import (
    VERSION_FIELD,
    EntryForm,
    field_name,
    rule_message,
    to_input_text,
)
from chiso.assessments.models import Action, AuditEntry, Comment, Evidence, Submission, Value
from chiso.frameworks.display import (
    as_text,
    decimal_separator,
    in_language,
    method_text,
    show_number,
    show_value,
    with_unit,
)
from chiso.frameworks.problems import value_text
from chiso.lib import numbers
from chiso.lib.jinja import Skeleton, macros, render_jinja, skeleton, url_of_pk
from chiso.results import scoring
from chiso.results.cards import entry_result

_Layout = TypeVar("_Layout")

# Messages about evidence are shown beside the upload form, not at the top of the page.
EVIDENCE_TAG = "evidence"
# A message about evidence added at an indicator carries "at:<code>" among its tags.
AT_TAG = "at:"


def show_figure(value: float | None, type_: str) -> str:
    if value is None or math.isnan(value):
        return "—"
    if type_ == "boolean":
        return _("Yes") if value else _("No")
    return show_number(value, 4)


# ---------------------------------------------------------------------------
# Who may change the figures, and why not


def entry_lock(submission: Submission, user: Any) -> str | None:
    """Why this person cannot change the figures now (the gate's refusal); None when they can."""
    refusal = services.entry_refusal(submission, user)
    return refusal.message if refusal is not None else None


# ---------------------------------------------------------------------------
# The page's layout: the framework tree, flattened, with the inputs under each indicator


@dataclass(frozen=True, slots=True)
class InputPlan:
    """What the page shows of an input whatever its figure: set once per framework."""

    code: str
    label: str
    type: str
    unit: str
    """Written beside the field."""
    shown_unit: str | None
    """Written after the figure on a read-only page."""
    name: str
    has_comments: bool
    """An element's comments sit at its field; an indicator's on its card."""


@dataclass(frozen=True, slots=True)
class BlockPlan:
    """A branch heading or an indicator card as the framework writes it."""

    node: engine.Node
    code: str
    title: str
    heading: int
    description: str
    help: str
    evidence_text: str
    method: str
    points: str
    inputs: tuple[InputPlan, ...]
    uses: tuple[tuple[str, str], ...]
    not_applicable: bool
    """The DX office marked the indicator as not applying to this unit."""
    relative: bool
    """Scored against the other units (the preview cannot know its score)."""


@dataclass(frozen=True, slots=True)
class EntryPlan:
    """The entry page of a framework in one language for units with the same indicators
    marked as not applying: everything but the unit's figures, comments and files."""

    pillars: tuple[tuple[str, tuple[BlockPlan, ...]], ...]
    others: tuple[InputPlan, ...]
    """Inputs no indicator uses (the framework's checks use them)."""
    inputs: tuple[InputPlan, ...]
    """Every input on the page, in its order."""
    anchors: dict[str, tuple[str, str]]
    """{code: (the id of its place on the page, its title)} of elements and nodes."""
    order: dict[str, int]
    """Where each indicator and input stands on the page."""
    leaves: tuple[tuple[str, str], ...]
    has_relative: bool


# Units with indicators marked as not applying: the layouts of this many sets of marks
# are kept per framework version, the least recently used dropped (most units share a
# few sets; one kept per set could grow with the province's units).
MARKED_LAYOUTS = 16
_marked_lock = threading.Lock()


def _kept(
    framework: engine.Framework, key: str, marked: frozenset[str], build: Callable[[], _Layout]
) -> _Layout:
    """What `build()` makes of the framework for `key` (language...) and a unit's marks,
    kept with the parsed framework (a framework version never changes)."""
    if not marked:
        return framework.memo(key, lambda _parsed: build())
    kept: OrderedDict[tuple[str, frozenset[str]], Any] = framework.memo(
        "pages.entry:marked", lambda _parsed: OrderedDict()
    )
    with _marked_lock:
        if (key, marked) in kept:
            kept.move_to_end((key, marked))
            return cast(_Layout, kept[key, marked])
    made = build()
    with _marked_lock:
        kept[key, marked] = made
        while len(kept) > MARKED_LAYOUTS:
            kept.popitem(last=False)
    return made


def entry_plan(framework: engine.Framework, not_applicable: set[str]) -> EntryPlan:
    """The plan of the page, made once per language and set of indicators marked as not
    applying to the unit."""
    marked = frozenset(not_applicable)
    return _kept(
        framework, f"pages.entry:{get_language()}", marked, lambda: _make_plan(framework, marked)
    )


def _make_plan(framework: engine.Framework, not_applicable: frozenset[str]) -> EntryPlan:
    """Each input appears once, under the first indicator that uses it (an indicator
    that does not apply to the unit takes none)."""
    titles = {element.code: in_language(element.title) for element in framework.elements}
    placed: set[str] = set()

    def input_plan(code: str, label: str, unit: str | None) -> InputPlan:
        placed.add(code)
        type_ = framework.input_type(code)
        return InputPlan(
            code=code,
            label=label,
            type=type_,
            unit=unit or ("%" if type_ == "percent" else ""),
            shown_unit=unit if type_ != "boolean" else None,
            name=field_name(code),
            has_comments=code in titles,
        )

    does_not_apply = _(
        "Does not apply to this unit (decided by the DX office): it is left out "
        "of the unit's maximum."
    )
    pillars = []
    for root in framework.tree:
        blocks = []
        for node in root.walk():
            method, inputs, uses = "", [], []
            marked = node.is_leaf and node.code in not_applicable
            if marked:
                method = does_not_apply
            elif node.is_leaf:
                method = method_text(node)
                if node.formula is None:
                    label = _("Answer") if node.input_type == "boolean" else _("Figure")
                    inputs.append(input_plan(node.code, label, node.unit))
                else:
                    for name in dict.fromkeys(
                        n.code for n in engine.names(framework.formula(node.code))
                    ):
                        if name in placed:
                            uses.append((name, titles.get(name, name)))
                        else:
                            inputs.append(input_plan(name, titles.get(name, name), None))
            blocks.append(
                BlockPlan(
                    node=node,
                    code=node.code,
                    title=in_language(node.title),
                    heading=min(node.depth + 2, 6),
                    description=in_language(node.description),
                    help=in_language(as_text(node.extra.get("help"))),
                    evidence_text=in_language(as_text(node.extra.get("evidence"))),
                    method=method,
                    points=numbers.points(node.max_points),
                    inputs=tuple(inputs),
                    uses=tuple(uses),
                    not_applicable=marked,
                    relative=node.score is not None and node.score.method == "relative",
                )
            )
        pillars.append((root.code, tuple(blocks)))
    others = tuple(
        input_plan(element.code, titles[element.code], None)
        for element in framework.elements
        if element.code not in placed
    )
    anchors = {
        element.code: ("in-" + element.code, titles[element.code]) for element in framework.elements
    }
    anchors.update(
        {node.code: ("n-" + node.code, in_language(node.title)) for node in framework.nodes}
    )
    order: dict[str, int] = {}
    for _code, blocks in pillars:
        for block in blocks:
            order.setdefault(block.code, len(order))
            for item in block.inputs:
                order.setdefault(item.code, len(order))
    leaves = framework.leaves
    return EntryPlan(
        pillars=tuple(pillars),
        others=others,
        inputs=tuple(item for _code, blocks in pillars for block in blocks for item in block.inputs)
        + others,
        anchors=anchors,
        order=order,
        leaves=tuple((leaf.code, in_language(leaf.title)) for leaf in leaves),
        has_relative=any(
            leaf.score is not None and leaf.score.method == "relative" for leaf in leaves
        ),
    )


def page_skeletons(
    framework: engine.Framework, plan: EntryPlan, marked: set[str], editable: bool
) -> tuple[Skeleton, Skeleton]:
    """The HTML of the figures and of the evidence without this unit's figures,
    comments and files: made once per language, set of marks, editable or not and
    upload limit, and kept with the parsed framework like the page's plan."""
    max_upload_mb = evidence_files.max_bytes() // (1024 * 1024)

    def build() -> tuple[Skeleton, Skeleton]:
        context = {
            "pillars": plan.pillars,
            "others": plan.others,
            "leaves": plan.leaves,
            "editable": editable,
            "accept": evidence_files.ACCEPT,
            "max_upload_mb": max_upload_mb,
        }
        return (
            skeleton("assessments/figures.html", context),
            skeleton("assessments/evidence.html", context),
        )

    key = f"pages.entry.html:{get_language()}:{editable}:{max_upload_mb}"
    return _kept(framework, key, frozenset(marked), build)


def figure_holes(
    plan: EntryPlan,
    form: EntryForm,
    stored: dict[str, Value],
    comments: list[Comment],
    files: list[Evidence],
    preview: dict[str, Any],
    theirs: dict[str, str],
    reasons: dict[str, str],
    at_indicator: dict[str, list[Any]],
    evidence_url: Any,
    editable: bool,
) -> dict[str, dict[str, str]]:
    """What this unit's page puts in the holes of figures.html: kind -> {code: HTML}.
    A hole left out of its kind's dict shows nothing (no error, no comment...)."""
    parts = macros("assessments/_macros.html")
    cards: dict[str, list[str]] = defaultdict(list)
    for comment in comments:
        cards[comment.code].append(parts.comment_card(comment))
    files_by_code: dict[str, list[Evidence]] = defaultdict(list)
    for item in files:
        for code in item.codes:
            files_by_code[code].append(item)
    nodes = preview["nodes"]
    holes: dict[str, dict[str, str]] = {
        "earned": {code: escape(shown["earned"]) for code, shown in nodes.items()},
        "raw": {code: escape(shown["raw"]) for code, shown in nodes.items() if "raw" in shown},
        "comments": {code: "".join(html) for code, html in cards.items()},
        "messages": {code: parts.messages_at(shown) for code, shown in at_indicator.items()},
        "files": {},
        "files-read": {},
        "error-class": {},
        "system": {},
        "yes": {},
        "no": {},
        "text": {},
        "invalid": {},
        "shown": {},
        "errors": {},
        "theirs": {code: parts.theirs(shown) for code, shown in theirs.items()},
        "corrected": {},
    }
    # Files are shown on the cards of indicators that apply to the unit.
    files_hole, files_macro = (
        (holes["files"], parts.file_links) if editable else (holes["files-read"], parts.files_read)
    )
    for _code, blocks in plan.pillars:
        for block in blocks:
            if block.node.is_leaf and not block.not_applicable and block.code in files_by_code:
                files_hole[block.code] = files_macro(files_by_code[block.code], evidence_url)
    texts, errors = form.texts, form.errors
    for item in plan.inputs:
        code, type_ = item.code, item.type
        value = stored.get(code)
        if editable:
            # What she typed, kept on an error; else her stored figure.
            if code in texts:
                text = texts[code]
            else:
                text = to_input_text(value.self_value if value else None, type_)
            if type_ != "boolean":
                holes["text"][code] = escape(text)
            elif text in ("1", "0"):
                holes["yes" if text == "1" else "no"][code] = " selected"
        else:
            figure = show_figure(value.effective if value else None, type_)
            holes["shown"][code] = escape(with_unit(figure, item.shown_unit))
        if errors.get(code):
            holes["error-class"][code] = " has-error"
            holes["invalid"][code] = ' aria-invalid="true"'
            holes["errors"][code] = parts.error_items(errors[code])
        if value is None:
            continue
        if value.provenance == "system":
            holes["system"][code] = parts.system_badge()
        if value.verified_value is not None:
            holes["corrected"][code] = parts.corrected(
                show_figure(value.self_value, type_),
                show_figure(value.verified_value, type_),
                _difference_shown(value.difference),
                reasons.get(code, ""),
            )
    return holes


def _difference_shown(difference: float | None) -> str:
    if difference is None:
        return "—"
    sign = "+" if difference > 0 else ""
    return sign + show_number(difference, 4)


def evidence_holes(
    files: list[Evidence],
    shown_messages: list[Any],
    editable: bool,
    request: HttpRequest,
    submission: Submission,
    evidence_url: Any,
) -> dict[str, dict[str, str]]:
    """What this unit's page puts in the holes of evidence.html."""
    parts = macros("assessments/evidence_files.html")
    csrf_field = csrf_input(request)
    evidence_for = request.GET.get("evidence_for", "")
    return {
        "upload-url": {"": escape(reverse("evidence_upload", args=[submission.pk]))},
        "csrf": {"": csrf_field},
        "messages": {"": parts.messages(shown_messages)},
        "files": {"": parts.file_list(files, editable, evidence_url)},
        "checked": {evidence_for: " checked"} if evidence_for else {},
        "remove-forms": {"": parts.remove_forms(files, url_of_pk("evidence_remove"), csrf_field)},
    }


# ---------------------------------------------------------------------------
# The preview: what the figures on the page would score


def preview_payload(framework: engine.Framework, result: engine.UnitResult) -> dict[str, Any]:
    """The unit's value, points and each node's points, formatted for the page."""
    nodes = {}
    separator = decimal_separator()  # looked up once for the page's 300 numbers
    for node in framework.nodes:
        earned = result.node_points.get(node.code, math.nan)
        entry = {
            "earned": numbers.points(earned, separator),
            "possible": numbers.points(node.max_points, separator),
        }
        if node.is_leaf:
            raw = result.leaf_values.get(node.code, math.nan)
            entry["raw"] = with_unit(show_number(raw, 2, separator), node.unit)
        nodes[node.code] = entry
    if result.recognized is None:
        recognized = ""
    elif result.recognized:
        recognized = _("Meets the recognition rule")
    elif result.unmet_mandatory:
        titles = {node.code: in_language(node.title) for node in framework.nodes}
        recognized = _(
            "Does not yet meet the recognition rule: mandatory indicators not met: %(list)s."
        ) % {"list": "; ".join(f"{code} {titles.get(code, '')}" for code in result.unmet_mandatory)}
    else:
        recognized = _("Does not yet meet the recognition rule")
    return {
        "value": show_value(result.value),
        "points": numbers.points(result.points),
        "max_points": numbers.points(result.max_points),
        "recognized": result.recognized,
        "recognized_text": recognized,
        "unmet": list(result.unmet_mandatory),
        "nodes": nodes,
    }


# Stands for the typed text in a bounds message; entry.js puts the text in its place.
TYPED_TEXT = "{text}"


def _client_bounds(framework: engine.Framework, code: str) -> dict[str, Any]:
    """An input's min/max as the server holds it to them, and the server's refusal."""
    low, high = engine.input_bounds(framework.input_type(code), framework.bounds(code))
    refusal = value_text(engine.out_of_bounds(TYPED_TEXT, (low, high)))
    return {"min": low, "max": high, "message": refusal}


def client_config(submission: Submission, framework: engine.Framework) -> dict[str, Any]:
    """What entry.js needs: where to ask for previews, the input types, the rules."""
    # The framework's part is the same for every unit: made once per language.
    rules = framework.memo(f"pages.entry.config:{get_language()}", _client_rules)
    return {"preview": reverse("entry_preview", args=[submission.pk]), **rules}


def _client_rules(framework: engine.Framework) -> dict[str, Any]:
    """The input types, their bounds, the framework's checks and the messages."""
    return {
        "types": {code: framework.input_type(code) for code in framework.input_codes},
        "bounds": {code: _client_bounds(framework, code) for code in framework.input_codes},
        "rules": [
            {
                "op": rule.parsed.op,
                "left": engine.to_json(rule.parsed.left),
                "right": engine.to_json(rule.parsed.right),
                "codes": list(rule.codes),
                "message": rule_message(rule),
            }
            for rule in framework.validation
        ],
        "text": {
            "number": _("This is not a number."),
            "integer": _("This is not a whole number (do not separate thousands)."),
            "percent": _("This is not a percentage between 0 and 100."),
            "boolean": _("Choose Yes or No."),
            "remove": _("Remove this evidence file? Reviewers will no longer see it."),
            "failed": _("The preview could not be updated; your figures are not lost."),
        },
    }


# ---------------------------------------------------------------------------
# The entry page


def _render_entry(
    request: HttpRequest,
    submission: Submission,
    form: EntryForm,
    *,
    lock: str | None,
    theirs: dict[str, str] | None = None,
    version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    framework = submission.framework.engine()
    # What the page shows of a figure (the rest of a Value is not read here).
    shown_fields = ("code", "self_value", "verified_value", "provenance")
    stored = {
        value.code: value
        for value in Value.objects.filter(submission_id=submission.pk).only(*shown_fields)
    }
    comments = list(
        Comment.objects.filter(submission=submission)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    files = list(
        Evidence.objects.filter(submission=submission, removed_at__isnull=True).order_by(
            "uploaded_at", "pk"
        )
    )
    # Why each figure was corrected, and why the submission came back to the unit: the
    # latest audit entries say it, next to the figures (the trail keeps the history).
    reasons: dict[str, str] = {}
    reopened = None
    for entry in AuditEntry.objects.filter(
        submission=submission,
        action__in=(Action.VALUE_VERIFIED, Action.REOPENED, Action.RETURNED),
    ).order_by("at", "pk"):
        if entry.action == Action.VALUE_VERIFIED:
            reasons[entry.code] = entry.reason
        elif entry.reason:
            reopened = entry
    if submission.status not in services.EDITABLE_STATUSES:
        reopened = None
    marked = not_applicable_of([submission], framework)[submission.unit.code]
    plan = entry_plan(framework, marked)
    editable = lock is None
    general = [c for c in comments if not c.code or c.code not in plan.anchors]
    # Comments on an indicator or a figure sit next to it, far down a long page: the
    # top of the page links to each of them so a returned submission's officer finds them.
    commented = {
        c.code: (plan.anchors[c.code][0], c.code, plan.anchors[c.code][1])
        for c in comments
        if c.code in plan.anchors
    }

    if form.is_bound:
        figures = form.scorable_figures()
    else:
        # An officer editing sees what she entered; a reader what counts.
        which: Which = "self" if lock is None else "effective"
        figures = figures_of_values(stored.values(), which)
    preview = preview_payload(framework, scoring.preview(submission, figures))
    shown_messages = list(messages.get_messages(request))
    # The first commented figure or indicator on the page comes first.
    order = plan.order
    ordered_comments = sorted(commented.values(), key=lambda c: order.get(c[1], len(order)))
    empty: list[tuple[str, str]] = []
    if lock is None and request.GET.get("check") == "submit":
        titles = {item.code: item.title for item in excel.inputs(framework)}
        empty = [(code, titles[code]) for code in _empty_inputs(submission, framework)]
    # A message about evidence added at an indicator is shown there, not at the bottom.
    at_indicator: dict[str, list[Any]] = {}
    for message in shown_messages:
        for tag in message.tags.split():
            if tag.startswith(AT_TAG):
                at_indicator.setdefault(tag[len(AT_TAG) :], []).append(message)
    # The long lists: their layout made once per framework version (skeletons), this
    # unit's figures, comments and files put in their holes.
    figures_skeleton, evidence_skeleton = page_skeletons(framework, plan, marked, editable)
    evidence_url = url_of_pk("evidence_file")
    figures_html = figures_skeleton.fill(
        figure_holes(
            plan,
            form,
            stored,
            comments,
            files,
            preview,
            theirs or {},
            reasons,
            at_indicator,
            evidence_url,
            editable,
        )
    )
    evidence_messages = [
        m for m in shown_messages if EVIDENCE_TAG in m.tags and AT_TAG not in m.tags
    ]
    evidence_html = evidence_skeleton.fill(
        evidence_holes(files, evidence_messages, editable, request, submission, evidence_url)
    )
    context = {
        "submission": submission,
        "period": submission.period,
        "unit": submission.unit,
        "framework": submission.framework,
        "general_comments": general,
        "commented": ordered_comments,
        "empty": empty,
        "form": form,
        "lock": lock,
        "editable": editable,
        "version": submission.version if version is None else version,
        "version_field": VERSION_FIELD,
        "preview": preview,
        "result": entry_result(submission),
        "has_relative": plan.has_relative,
        "config": client_config(submission, framework) if editable else None,
        "corrections": reasons,
        "reopened": reopened,
        "top_messages": [m for m in shown_messages if EVIDENCE_TAG not in m.tags],
        "figures_html": figures_html,
        "evidence_html": evidence_html,
    }
    context["comments_html"] = render_jinja(
        "assessments/comments.html", {"comments": general, "commented": ordered_comments}, request
    )
    return render(request, "assessments/entry.html", context, status=status)


# The gate's refusals of the figures themselves: shown next to the fields.
FIGURE_REFUSALS = (
    services.ServiceError.INVALID,
    services.ServiceError.UNKNOWN_CODE,
    services.ServiceError.RULE_BROKEN,
)


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The figures of one unit in one period: read for viewers, edited by its officers."""
    submission = access.submission_for(request.user, pk, Perm.VIEW)
    lock = entry_lock(submission, request.user)
    framework = submission.framework.engine()
    if request.method == "GET":
        return _render_entry(
            request, submission, EntryForm(framework, submission.unit.code), lock=lock
        )

    # The gate's answer before the form is read: a reader gets 403, a locked entry a
    # message (save_values asks the same again inside its transaction).
    refusal = services.entry_refusal(submission, request.user)
    if refusal is not None:
        return _refusal(request, submission, refusal)
    form = EntryForm(framework, submission.unit.code, request.POST)
    action = request.POST.get("action")
    # "submit" stops at empty figures and names them in the page; "submit_empty" is
    # the officer's answer that they are to be submitted as they are.
    submitting = action in ("submit", "submit_empty")
    empty: list[str] = []
    if not form.version_ok:
        messages.error(request, _("The form is incomplete: reload the page and try again."))
        return _render_entry(request, submission, form, lock=lock, status=400)
    try:
        with transaction.atomic():
            # The typed text goes to the gate, which reads and checks each figure once.
            saved, changed = services.save_values(
                submission, form.texts, user=request.user, expected_version=form.expected_version
            )
            if action == "submit":
                empty = _empty_inputs(saved, framework)
            if submitting and not empty:
                workflow.transition(saved, "submit", request.user, expected_version=saved.version)
    except services.StaleSubmission as stale:
        return _stale(request, submission, form, stale.submission, lock)
    except services.ServiceError as error:
        if error.code in (services.ServiceError.FORBIDDEN, services.ServiceError.LOCKED):
            return _refusal(request, submission, error)
        form.take_refusal(error)
        if error.code in FIGURE_REFUSALS:
            messages.error(request, _("Nothing was saved: correct the figures marked below."))
        else:
            messages.error(request, error.message + " " + _("Nothing was saved."))
        return _render_entry(request, submission, form, lock=lock, status=400)
    if empty:
        # Saved as a draft; the page lists the empty figures beside the submit button.
        return redirect(reverse("entry", args=[submission.pk]) + "?check=submit#submit-check")
    if submitting:
        messages.success(request, _("Your figures were saved and submitted for review."))
    elif changed:
        messages.success(request, _("Draft saved: %(count)s figures changed.") % {"count": changed})
    else:
        messages.info(request, _("Draft saved: no figure had changed."))
    return redirect("entry", pk=submission.pk)


def _empty_inputs(submission: Submission, framework: engine.Framework) -> list[str]:
    """The input codes of the submission without a figure the unit reported."""
    filled = set(submission.values.exclude(self_value=None).values_list("code", flat=True))
    return [code for code in framework.input_codes if code not in filled]


def _refusal(
    request: HttpRequest, submission: Submission, error: services.ServiceError
) -> HttpResponse:
    """A person who may not change the figures (403), or not now (back to the page)."""
    if error.code == services.ServiceError.FORBIDDEN:
        raise PermissionDenied(_("Only the unit's officers change its figures."))
    messages.error(request, error.message + " " + _("Nothing was saved."))
    return redirect("entry", pk=submission.pk)


def _stale(
    request: HttpRequest,
    submission: Submission,
    form: EntryForm,
    current: Submission,
    lock: str | None,
) -> HttpResponse:
    """Someone saved meanwhile: keep what this person typed, show what the other saved."""
    framework = submission.framework.engine()
    stored = {value.code: value for value in current.values.all()}
    theirs = {}
    for code, typed in form.readable_figures().items():
        value = stored.get(code)
        saved = value.self_value if value else None
        if saved != typed:
            theirs[code] = show_figure(saved, framework.input_type(code))
    last = (
        AuditEntry.objects.filter(submission=current, actor__isnull=False)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    who = ""
    if last is not None:
        who = last.actor.get_full_name() or last.actor.get_username()
    messages.warning(
        request,
        _(
            "%(who)s saved this submission while you were typing, so nothing of yours was"
            " saved. Your figures are still in the form; where they saved a different figure"
            " it is shown under the field. Check, then save again."
        )
        % {"who": who or _("Someone else")},
    )
    return _render_entry(
        request, current, form, lock=lock, theirs=theirs, version=current.version, status=409
    )


@login_required
@require_POST
def preview(request: HttpRequest, pk: int) -> JsonResponse:
    """What the figures typed so far would score (POSTed by entry.js as the officer types)."""
    submission = access.submission_for(request.user, pk, Perm.VIEW)
    framework = submission.framework.engine()
    form = EntryForm(framework, submission.unit.code, request.POST)
    result = scoring.preview(submission, form.scorable_figures())
    payload = preview_payload(framework, result)
    payload["errors"] = form.errors
    payload["rules"] = [rule.message for rule in form.rules]
    return JsonResponse(payload)


# ---------------------------------------------------------------------------
# Evidence


def _evidence_for(user: Any, pk: int) -> Evidence:
    """An evidence file of a submission the person may see (404 otherwise)."""
    item = Evidence.objects.filter(pk=pk).first()
    if item is None:
        raise Http404("No such file.")
    submission = access.submission_for(user, item.submission_id, Perm.VIEW)
    item.submission = submission
    # A removed file stays for the audit trail: reviewers may still open it.
    if item.removed_at is not None and not access.can(user, Perm.REVIEW, submission):
        raise Http404("No such file.")
    return item


@login_required
@require_POST
def upload_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach one or more files to indicators of the submission (all or none)."""
    submission = access.submission_for(request.user, pk, Perm.VIEW)
    back = reverse("entry", args=[submission.pk]) + "#evidence"
    tags = EVIDENCE_TAG
    # Added at an indicator: the page returns there and says it there.
    at = request.POST.get("at", "")
    if at in {leaf.code for leaf in submission.framework.engine().leaves}:
        back = reverse("entry", args=[submission.pk]) + f"#n-{at}"
        tags = f"{EVIDENCE_TAG} {AT_TAG}{at}"
    try:
        stored = services.add_evidence(
            submission,
            request.FILES.getlist("file"),
            request.POST.getlist("codes"),
            user=request.user,
        )
    except services.ServiceError as error:
        if error.code == services.ServiceError.FORBIDDEN:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message, extra_tags=tags)
        return redirect(back)
    messages.success(
        request,
        _("Evidence saved: %(names)s.") % {"names": ", ".join(e.original_name for e in stored)},
        extra_tags=tags,
    )
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD"])
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file itself, as a download, only for people who may see the unit."""
    item = _evidence_for(request.user, pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def remove_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a file off the submission (kept, marked removed, for the audit trail)."""
    item = _evidence_for(request.user, pk)
    back = reverse("entry", args=[item.submission.pk]) + "#evidence"
    try:
        services.remove_evidence(item, user=request.user)
    except services.ServiceError as error:
        if error.code == services.ServiceError.FORBIDDEN:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message, extra_tags=EVIDENCE_TAG)
        return redirect(back)
    messages.success(
        request,
        _("“%(name)s” was removed.") % {"name": item.original_name},
        extra_tags=EVIDENCE_TAG,
    )
    return redirect(back)
