"""The gate: the one path by which figures, evidence and comments change.

The entry page, the reviewer's corrections and comments, the Excel/CSV import, and
(later) the API's system accounts all call these functions; transitions go through
chiso.assessments.workflow, which uses the same checks. Each call checks, in one
transaction: access (chiso.accounts.access), the edit state (status, dates), the
figures (codes, bounds, the framework's rules) and the submission's version (no
silent overwrite by a second editor), writes the audit trail, and refuses with one
ServiceError whose stable `code` a page, an import or the API turns into a message.
Callers do not re-check any of this themselves.

The gate reads the time from its own clock (`now`, `today`): the real time, except
inside `as_of(moment)`, which replays a past moment for loading history (the demo
loader's closed periods and their dated audit trail). `as_of` changes only which
day the edit-state checks take for today and how the audit entries and stamps are
dated; access, bounds, the framework's rules and versions are checked as always.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chiso import engine
from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments import audit
from chiso.assessments.models import (
    Action,
    AuditEntry,
    Comment,
    Evidence,
    NotApplicable,
    Provenance,
    Status,
    Submission,
    Value,
)
from chiso.frameworks.display import in_language
from chiso.frameworks.problems import problem_text
from chiso.lib import numbers
from chiso.lib.csv_lines import shorten
from chiso.lib.values_csv import NOT_APPLICABLE_TEXT


class ServiceError(Exception):
    """A change refused by the gate: one typed error for every way a change can arrive.

    `code` is stable (pages, imports and the API branch on it, never on the text),
    `message` is for the person, in their language, and `fields` gives per-field
    messages ({input code: [message, ...]}) where the refusal concerns figures.
    """

    FORBIDDEN = "forbidden"  # the person may not do this to this submission
    LOCKED = "locked"  # the submission's state or deadline does not allow it now
    STALE = "stale"  # someone saved since the person loaded the submission
    INVALID = "invalid"  # a figure that cannot be read, or is out of bounds
    RULE_BROKEN = "rule_broken"  # the figures break one of the framework's rules
    UNKNOWN_CODE = "unknown_code"  # not an input (or indicator) of the framework
    REASON_REQUIRED = "reason_required"
    EMPTY = "empty"  # nothing to save (an empty comment, no file)
    NOT_ALLOWED = "not_allowed"  # a transition the workflow does not allow now
    EVIDENCE_REFUSED = "evidence_refused"

    def __init__(
        self,
        code: str,
        message: str,
        fields: Mapping[str, list[str]] | None = None,
        *,
        submission: Submission | None = None,
        problems: Sequence[engine.Problem] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        self.submission = submission
        # The engine's problems behind a broken rule (`Problem.rule` is the rule's index).
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return self.message


def stale_text() -> str:
    return _(
        "Someone else saved this submission meanwhile. Nothing of yours was saved: "
        "the page now shows their figures; make your change again if it is still needed."
    )


class StaleSubmission(ServiceError):
    """The submission changed since the editor loaded it; their save is refused."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(ServiceError.STALE, stale_text(), submission=submission)


# The refused figures a refusal's one-line summary names (`fields` has them all).
SUMMARY_FIELDS = 3


def read_figures(
    framework: engine.Framework, unit: str, raw: Mapping[str, object]
) -> tuple[dict[str, float | None], dict[str, list[str]]]:
    """The one reading of figures as they arrive: typed text ("98,7", "có"), a file's cell
    or field, an API's number or text. The engine's reader reads them, once, with the
    framework's types and bounds; an empty text or None clears a figure.

    Returns the figures read (None where cleared) and, per code, the messages of those
    it could not take, in the active language: a code that is not an input (or one the
    framework computes), a value it cannot read or that is out of bounds, and "does not
    apply", which only the DX office marks.
    """
    fields: dict[str, list[str]] = {}
    try:
        values = engine.Values.from_mapping(framework, {unit: raw})
    except engine.EngineError as error:
        for problem in error.problems:
            # A cell may hold 32,767 characters: a message quotes the start of it.
            if "text" in problem.params:
                shown = {**problem.params, "text": shorten(problem.params["text"])}
                problem = problem._replace(params=shown)
            fields.setdefault(problem.where or "", []).append(problem_text(problem))
        # The others, for a preview of what can be read so far (never saved so); read
        # again only when each problem named one of the codes given.
        rest = {code: value for code, value in raw.items() if code not in fields}
        named = len(rest) + len(fields) == len(raw) and "" not in fields
        figures = read_figures(framework, unit, rest)[0] if named and rest else {}
        return figures, fields
    for code in values.does_not_apply(unit):
        message = _(
            "Only the DX office marks an indicator as not applying to a unit: "
            "enter a figure for %(code)s or leave the cell empty."
        )
        fields[code] = [message % {"code": code}]
    row = values.matrix[0]
    column = {code: index for index, code in enumerate(values.codes)}
    figures: dict[str, float | None] = {}
    for code in raw:
        if code in fields:
            continue
        # The engine reads a code as a file gives it, spaces around it trimmed.
        number = float(row[column[code.strip()]])
        figures[code] = None if math.isnan(number) else number
    return figures, fields


def read_or_refuse(
    framework: engine.Framework, unit: str, raw: Mapping[str, object]
) -> dict[str, float | None]:
    """`read_figures`, refusing with one ServiceError (per-code messages) what it cannot take."""
    figures, fields = read_figures(framework, unit, raw)
    if not fields:
        return figures
    known = set(framework.input_codes)
    kind = (
        ServiceError.UNKNOWN_CODE
        if any(code not in known for code in fields)
        else ServiceError.INVALID
    )
    named = [f"{code}: {texts[0]}" if code else texts[0] for code, texts in fields.items()]
    message = " ".join(named[:SUMMARY_FIELDS])
    if len(named) > SUMMARY_FIELDS:
        # Each field keeps its own message; the summary does not repeat a thousand.
        more = len(named) - SUMMARY_FIELDS
        message += " " + _("And %(count)s more.") % {"count": more}
    raise ServiceError(kind, message, fields)


def rule_problems(
    framework: engine.Framework, unit: str, figures: Mapping[str, float | None]
) -> list[engine.Problem]:
    """The framework's validation rules broken by one unit's figures."""
    present = {code: value for code, value in figures.items() if value is not None}
    try:
        values = engine.Values.from_mapping(framework, {unit: present})
    except engine.EngineError as error:
        # A stored figure the framework's bounds refuse (say, saved before min: 0).
        return error.problems
    return engine.check_rules(framework, values)


@dataclass(frozen=True)
class BrokenRule:
    """A validation rule of the framework that some figures break."""

    message: str
    codes: tuple[str, ...]


def rule_message(rule: engine.ValidationRule) -> str:
    return in_language(rule.message) or _("The figures break the rule %(rule)s.") % {
        "rule": rule.rule
    }


def broken_rules(framework: engine.Framework, problems: list[engine.Problem]) -> list[BrokenRule]:
    """The framework's rules behind the engine's problems, with their messages."""
    broken = []
    for problem in problems:
        rule = framework.validation[problem.rule] if problem.rule is not None else None
        if rule is None:
            # Not a rule: a stored figure outside the framework's bounds.
            codes = (problem.where,) if problem.where in framework.input_codes else ()
            broken.append(BrokenRule(problem_text(problem), codes))
        else:
            broken.append(BrokenRule(rule_message(rule), rule.codes))
    return broken


# ---------------------------------------------------------------------------
# The gate's clock

_as_of: ContextVar[dt.datetime | None] = ContextVar("chiso_gate_as_of", default=None)


def now() -> dt.datetime:
    """The gate's now: the real time, or the moment given to the enclosing `as_of`."""
    moment = _as_of.get()
    return moment if moment is not None else timezone.now()


def today() -> dt.date:
    """The gate's today (in the province's time zone), from `now`."""
    return timezone.localdate(now())


def backdated() -> bool:
    """Whether the gate is replaying a past moment (inside `as_of`)."""
    return _as_of.get() is not None


@contextmanager
def as_of(moment: dt.datetime) -> Iterator[None]:
    """Make the gate act as at a past `moment`, to load history through it.

    Only the demo loader (`chiso demo`, its 2025 period and the open period's first
    weeks) and tests use it; no page, import or API call does. Inside, and only for
    calls made in the same thread or task:

    - the edit-state checks (period open, deadline) and the transitions take the day
      of `moment` for today (a closed period's entry was open then);
    - the audit entries written are dated `moment`, and so are `submitted_at` and
      `approved_at`;
    - a transition sends no email (it would announce today what happened then).

    Everything else is checked as always: who may do it (access), the figures' codes,
    bounds and the framework's rules, the version, the workflow's order. A moment in
    the future, or without a time zone, is a ValueError.
    """
    if timezone.is_naive(moment):
        raise ValueError("as_of needs a datetime with its time zone")
    if moment > timezone.now():
        raise ValueError("as_of replays the past, never the future")
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)


# ---------------------------------------------------------------------------
# What the gate checks


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
NUL = "\x00"


def editable_by_officer(submission: Submission, today: dt.date | None = None) -> bool:
    """Whether the unit's figures and evidence may change now (by anyone who may edit them).

    True while the submission is a draft or returned, from the period's opening day
    to its effective deadline (the period's closing day, or the later deadline given
    when it was returned or reopened), inclusive; `today` is the gate's by default.
    Who may edit is access's job.
    """
    today = today or timezone.localdate(now())
    return (
        submission.status in EDITABLE_STATUSES
        and submission.period.opens_on <= today <= submission.effective_deadline
    )


def edit_state_refusal(submission: Submission, today: dt.date | None = None) -> str | None:
    """Why the state of the submission (status, dates) forbids changing its figures now."""
    today = today or timezone.localdate(now())
    if editable_by_officer(submission, today):
        return None
    if submission.status not in EDITABLE_STATUSES:
        return _("This submission is “%(status)s”: its figures can no longer be changed.") % {
            "status": submission.get_status_display()
        }
    if today < submission.period.opens_on:
        return _("Entry opens on %(date)s.") % {
            "date": date_format(submission.period.opens_on, "SHORT_DATE_FORMAT")
        }
    return _("Entry closed on %(date)s: ask the DX office to reopen it.") % {
        "date": date_format(submission.effective_deadline, "SHORT_DATE_FORMAT")
    }


def check_may_edit(submission: Submission, user: Any, perm: Perm = Perm.EDIT) -> None:
    """ServiceError unless `user` may change the submission's figures and evidence now."""
    if not access.can(user, perm, submission):
        raise ServiceError(
            ServiceError.FORBIDDEN,
            _("Read only: you may see this unit's figures but not change them."),
        )
    why = edit_state_refusal(submission)
    if why is not None:
        raise ServiceError(ServiceError.LOCKED, why)


def entry_refusal(submission: Submission, user: Any) -> ServiceError | None:
    """The refusal a save on the entry page would meet now, to show before anyone types."""
    try:
        check_may_edit(submission, user)
    except ServiceError as error:
        return error
    return None


def check_text(text: str, field: str) -> str:
    """Free text (a comment, a reason) as stored: stripped; a NUL byte is refused.

    PostgreSQL cannot store a NUL in a text column: refusing it here gives the person
    a message instead of a server error, on every database alike.
    """
    if NUL in text:
        raise ServiceError(
            ServiceError.INVALID,
            _("The text contains a character that cannot be stored (NUL)."),
            {field: [_("Remove the invisible NUL character.")]},
        )
    return text.strip()


def lock(submission: Submission) -> Submission:
    """The submission, re-read and locked until the transaction ends."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period", "unit", "unit__parent", "framework")
        .get(pk=submission.pk)
    )


def check_version(locked: Submission, expected_version: int | None) -> None:
    """StaleSubmission if someone saved since the person loaded version `expected_version`.

    Checked after access, so a person who may not change a submission learns nothing
    about its versions."""
    if expected_version is not None and locked.version != expected_version:
        raise StaleSubmission(locked)


def check_rules(
    framework: engine.Framework, unit: str, figures: Mapping[str, float | None]
) -> None:
    """ServiceError unless the unit's figures as they would be after the change (stored
    and new, all read) keep the framework's validation rules."""
    problems = rule_problems(framework, unit, figures)
    if problems:
        broken = broken_rules(framework, problems)
        fields: dict[str, list[str]] = {}
        for rule in broken:
            for code in rule.codes or ("",):
                fields.setdefault(code, []).append(rule.message)
        raise ServiceError(
            ServiceError.RULE_BROKEN,
            " ".join(rule.message for rule in broken),
            fields,
            problems=problems,
        )


# ---------------------------------------------------------------------------
# The audit trail


def _audit(submission: Submission, actor: Any, action: str, **fields: Any) -> AuditEntry:
    """An entry about `submission`, dated by the gate's clock (written by the caller)."""
    return audit.entry(action, actor, submission=submission, at=now(), **fields)


def _person(user: Any) -> Any:
    return user if user is not None and user.is_authenticated else None


def record(submission: Submission, actor: Any, action: str, **fields: Any) -> AuditEntry:
    """Append one entry about `submission` to the audit trail, dated by the gate's clock."""
    return audit.write(action, actor, submission=submission, at=now(), **fields)


# ---------------------------------------------------------------------------
# The changes


@transaction.atomic
def _store_self_values(
    rows: list[tuple[int, float | None]], *, provenance: str, at: Any, person: Any
) -> None:
    """The new self-reported figures of `rows` (value id, figure) written in two
    statements a few hundred rows at a time: what is the same for all (who, when, how)
    through the ORM, and each row's figure in one `CASE id WHEN ... END`. Django's
    bulk_update builds a CASE of expressions per field and row: 150 ms for a save of
    100 figures, against 2 ms."""
    pks = [pk for pk, _ in rows]
    Value.objects.filter(pk__in=pks).update(provenance=provenance, updated_at=at, updated_by=person)
    field = Value._meta.get_field("self_value")
    quote = connection.ops.quote_name
    for start in range(0, len(rows), 400):
        batch = rows[start : start + 400]
        params: list[Any] = []
        for pk, figure in batch:
            params += [pk, figure]
        params += [pk for pk, _ in batch]
        # Names from the model, every value a parameter.
        sql = (
            f"UPDATE {quote(Value._meta.db_table)} SET {quote(field.column)} = "  # noqa: S608
            f"CAST(CASE {quote('id')} {' '.join(['WHEN %s THEN %s'] * len(batch))} END"
            f" AS {field.db_type(connection)})"
            f" WHERE {quote('id')} IN ({', '.join(['%s'] * len(batch))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@transaction.atomic
def save_values(
    submission: Submission,
    raw: Mapping[str, object],
    *,
    user: Any,
    expected_version: int | None,
    provenance: str = Provenance.SELF_REPORTED,
    reason: str = "",
    importing: bool = False,
) -> tuple[Submission, int]:
    """Store self-reported (or imported) figures; returns the submission and how many changed.

    `raw` is {input code: the figure as it arrived}: the text typed on the page, a
    file's cell or field, an API's number or text (None or "" clears it). Checks, in
    one transaction: that `user` may change them (the unit's officer on the page; an
    officer or an admin when `importing` a file or for a system's figures), that the
    submission is open for entry and that nobody saved since `expected_version` (None
    skips that check: an import locks the rows itself); then reads the figures once
    (`read_figures`: inputs of the framework, within bounds) and checks the framework's
    rules once on them with those already stored. Raises ServiceError; nothing is
    written then.
    """
    locked = lock(submission)
    # Typing figures is the unit officer's; a file or a system may also be loaded by an admin.
    typed = provenance == Provenance.SELF_REPORTED and not importing
    check_may_edit(locked, user, Perm.EDIT if typed else Perm.IMPORT)
    check_version(locked, expected_version)
    reason = check_text(reason, "reason")
    # Each stored figure read once: {code: (row id, self-reported figure)}.
    existing = {
        code: (pk, self_value)
        for pk, code, self_value in Value.objects.filter(submission_id=locked.pk).values_list(
            "pk", "code", "self_value"
        )
    }
    framework = locked.framework.engine()
    figures = read_or_refuse(framework, locked.unit.code, raw)
    # The figures as they would be; a stored code the framework no longer has is left out.
    known = set(framework.input_codes)
    after = {code: self_value for code, (_, self_value) in existing.items() if code in known}
    after.update(figures)
    check_rules(framework, locked.unit.code, after)
    action = Action.VALUE_SET if provenance == Provenance.SELF_REPORTED else Action.VALUE_IMPORTED
    person = _person(user)
    to_create: list[Value] = []
    to_update: list[tuple[int, float | None]] = []
    changes: list[tuple[str, str, str]] = []
    at = now()
    for code, new in figures.items():
        pk, old = existing.get(code, (None, None))
        if old == new:
            continue
        if pk is None:
            if new is None:
                continue
            to_create.append(
                Value(
                    submission=locked,
                    code=code,
                    self_value=new,
                    provenance=provenance,
                    updated_by=person,
                )
            )
        else:
            to_update.append((pk, new))
        changes.append((code, numbers.plain(old), numbers.plain(new)))
    if to_create:
        Value.objects.bulk_create(to_create)
    if to_update:
        _store_self_values(to_update, provenance=provenance, at=at, person=person)
    if changes:
        # One entry per changed figure, all at the moment of the save.
        audit.write_changes(locked, user, action, at, changes, reason)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    return locked, len(changes)


def check_may_review(submission: Submission, user: Any, what: str) -> None:
    """ServiceError unless `user` is the reviewer of the step the submission is at."""
    from chiso.assessments import workflow  # workflow builds on this module

    if not access.can(user, Perm.REVIEW, submission) or (
        submission.status in workflow.UNDER_REVIEW
        and not workflow.reviews_this_step(user, submission)
    ):
        raise ServiceError(ServiceError.FORBIDDEN, _("Only the reviewer of this step may do this."))
    if submission.status not in workflow.UNDER_REVIEW:
        message = (
            _("Figures can be corrected only while the submission is under your review.")
            if what == "correct"
            else _("Comments can be added only while the submission is under your review.")
        )
        raise ServiceError(ServiceError.LOCKED, message)


@transaction.atomic
def verify_value(
    submission: Submission,
    code: str,
    raw: object,
    *,
    user: Any,
    reason: str,
    expected_version: int | None,
) -> Submission:
    """A reviewer's correction: sets the verified figure, keeps the self-reported one.

    `raw` is the figure as typed on the review page ("98,7", "có") or a number; None or
    "" removes the correction. Checks that `user` reviews this step, a reason, the
    version, then reads the figure once (`read_figures`) and checks the framework's rules
    on the figures as they would be. Raises ServiceError.
    """
    locked = lock(submission)
    check_may_review(locked, user, "correct")
    check_version(locked, expected_version)
    reason = check_text(reason, "reason")
    if not reason:
        raise ServiceError(
            ServiceError.REASON_REQUIRED,
            _("%(code)s: a correction needs a reason.") % {"code": code},
            {"reason": [_("A correction needs a reason.")]},
        )
    framework = locked.framework.engine()
    if isinstance(raw, str):
        check_text(raw, "value")
    value = read_or_refuse(framework, locked.unit.code, {code: raw})[code]
    stored = locked.values_by_code()
    known = set(framework.input_codes)
    after = {c: v.effective for c, v in stored.items() if c in known}
    current = stored.get(code)
    after[code] = value if value is not None else (current.self_value if current else None)
    try:
        check_rules(framework, locked.unit.code, after)
    except ServiceError as error:
        error.message = f"{code}: {error.message}"
        raise
    if current is None:
        current = Value(submission=locked, code=code)
    old = current.effective
    current.verified_value = value
    current.provenance = Provenance.VERIFIED if value is not None else Provenance.SELF_REPORTED
    current.updated_by = _person(user)
    current.save()
    record(
        locked,
        user,
        Action.VALUE_VERIFIED,
        code=code,
        old=numbers.plain(old),
        new=numbers.plain(value),
        reason=reason,
    )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    return locked


@transaction.atomic
def add_comment(submission: Submission, code: str, text: str, *, user: Any) -> Comment:
    """A remark on one indicator (or, with an empty code, on the whole submission).

    Only the reviewer of the current step comments, while the submission is under
    review. It belongs to the submission's current round, so a return lists exactly
    the comments made since the unit last submitted. Recorded in the audit trail.
    """
    locked = lock(submission)
    check_may_review(locked, user, "comment")
    text = check_text(text, "text")
    code = check_text(code, "code")
    if not text:
        raise ServiceError(
            ServiceError.EMPTY, _("Write a comment first."), {"text": [_("Write a comment first.")]}
        )
    parsed = locked.framework.engine()
    if code and code not in parsed.input_codes and code not in {n.code for n in parsed.nodes}:
        raise ServiceError(
            ServiceError.UNKNOWN_CODE, _("Unknown indicator code %(code)s.") % {"code": code}
        )
    comment = Comment.objects.create(
        submission=locked, code=code, author=_person(user), text=text, round=locked.round
    )
    record(locked, user, Action.COMMENTED, code=code, new=text)
    return comment


@transaction.atomic
def add_evidence(
    submission: Submission, uploads: Sequence[Any], codes: Sequence[str], *, user: Any
) -> list[Evidence]:
    """Attach files to indicators of the submission, all of them or none (audited)."""
    from chiso.assessments import evidence as files

    locked = lock(submission)
    check_may_edit(locked, user)
    if not uploads:
        raise ServiceError(ServiceError.EMPTY, _("Choose a file to upload."))
    try:
        # Every file is checked before any is stored.
        for upload in uploads:
            files.check_upload(upload)
        return [files._add_evidence(locked, upload, codes, user=user) for upload in uploads]
    except files.EvidenceRejected as error:
        raise ServiceError(
            ServiceError.EVIDENCE_REFUSED, str(error) + " " + _("No file was saved.")
        ) from error


@transaction.atomic
def remove_evidence(item: Evidence, *, user: Any) -> Evidence:
    """Take a file off its submission (kept, marked removed, for the audit trail)."""
    from chiso.assessments import evidence as files

    locked = lock(item.submission)
    check_may_edit(locked, user)
    item.submission = locked
    return files._remove_evidence(item, user=user, at=now())


# ---------------------------------------------------------------------------
# Framework versions


def store_framework(
    text: str,
    *,
    source: str = "upload",
    user: Any = None,
    filename: str = "<framework>",
    reason: str = "",
) -> Any:
    """Validate a framework file and store it as the next version of its code, with an
    audit entry; the same file stored twice is the existing version (no entry).

    Raises django's ValidationError with one message per problem in the file."""
    from chiso.frameworks.services import _store_version

    with transaction.atomic():
        framework, new = _store_version(text, source=source, user=user, filename=filename)
        if new:
            audit.write(
                Action.FRAMEWORK_STORED,
                user,
                code=f"{framework.code} v{framework.version}",
                new=f"sha256 {framework.sha256}",
                reason=reason or f"{source}: {filename}",
            )
    return framework


def load_shipped() -> list[Any]:
    """Store every framework file shipped with chiso (idempotent: same file, same version)."""
    from chiso.frameworks.models import Source
    from chiso.frameworks.services import shipped_files

    return [
        store_framework(path.read_text(encoding="utf-8"), source=Source.SHIPPED, filename=path.name)
        for path in shipped_files()
    ]


# ---------------------------------------------------------------------------
# Indicators that do not apply to some units


@transaction.atomic
def mark_not_applicable(
    submissions: Sequence[Submission],
    code: str,
    *,
    user: Any,
    applies: bool = False,
    reason: str = "",
) -> int:
    """Mark indicator `code` as not applying (or, with `applies`, as applying again) to
    the units of `submissions`, in bulk; returns how many changed.

    Only the DX office decides (`Perm.MARK_NOT_APPLICABLE`); the indicator must
    be one its framework lets not apply (`may_not_apply`); a published submission
    is not changed. Each change is in the audit trail; nothing is written on a refusal.
    """
    if not access.can(user, Perm.MARK_NOT_APPLICABLE):
        raise ServiceError(
            ServiceError.FORBIDDEN,
            _("Only the DX office marks an indicator as not applying to a unit."),
        )
    reason = check_text(reason, "reason")
    locked = [lock(submission) for submission in submissions]
    for submission in locked:
        framework = submission.framework.engine()
        node = next((leaf for leaf in framework.leaves if leaf.code == code), None)
        if node is None or not node.may_not_apply:
            raise ServiceError(
                ServiceError.UNKNOWN_CODE,
                _("%(code)s is not an indicator that may not apply to some units.")
                % {"code": code},
            )
        if submission.status == Status.PUBLISHED:
            raise ServiceError(
                ServiceError.LOCKED,
                _("%(unit)s: its results are published; reopen it first.")
                % {"unit": submission.unit.name},
            )
    marked = set(
        NotApplicable.objects.filter(submission__in=locked, code=code).values_list(
            "submission_id", flat=True
        )
    )
    changing = [s for s in locked if (s.pk in marked) == applies]
    if not changing:
        return 0
    at = now()
    if applies:
        NotApplicable.objects.filter(submission__in=changing, code=code).delete()
    else:
        NotApplicable.objects.bulk_create(
            NotApplicable(submission=s, code=code, marked_at=at, marked_by=_person(user))
            for s in changing
        )
    action = Action.APPLIES_AGAIN if applies else Action.NOT_APPLICABLE
    audit.write_all(
        _audit(
            s, user, action, code=code, new="" if applies else NOT_APPLICABLE_TEXT, reason=reason
        )
        for s in changing
    )
    for submission in changing:
        submission.version += 1
        submission.save(update_fields=["version", "updated_at"])
    return len(changing)
