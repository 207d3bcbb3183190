"""Writing figures: the one path by which values change, with provenance and audit.

Data entry, the Excel/CSV import and the reviewer's corrections all call these
functions, so every change is checked against the submission's version (no silent
overwrite by a second editor) and written to the audit trail in the same transaction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso import engine
from chiso.assessments.models import Action, AuditEntry, Provenance, Submission, Value
from chiso.frameworks.problems import value_text


class StaleSubmission(Exception):
    """The submission changed since the editor loaded it; their save is refused."""

    def __init__(self, submission: Submission) -> None:
        super().__init__("stale submission")
        self.submission = submission


def format_number(value: float | None) -> str:
    """How a figure is written in the audit trail and files: plain decimal, empty if none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return format(value, ".10g")


def coerce_inputs(
    framework: engine.Framework, raw: Mapping[str, str]
) -> tuple[dict[str, float | None], dict[str, str]]:
    """Read typed figures (Vietnamese decimal comma, có/không ...) for a framework's inputs.

    Returns the figures (None for an empty field) and, per code, the message of a
    field that could not be read (the engine reads it, with the framework's type
    and min/max bounds; the message is in the active language). Codes that are not
    inputs of the framework are errors.
    """
    values: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    known = set(framework.input_codes)
    for code, text in raw.items():
        if code not in known:
            errors[code] = _("Unknown indicator code %(code)s.") % {"code": code}
            continue
        text = (text or "").strip()
        if text == "":
            values[code] = None
            continue
        try:
            values[code] = engine.coerce_input(framework, code, text)
        except engine.ValueProblem as error:
            errors[code] = value_text(error)
    return values, errors


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


def _audit(submission: Submission, actor: Any, action: str, **fields: Any) -> AuditEntry:
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        period_id=submission.period_id,
        unit_id=submission.unit_id,
        submission=submission,
        action=action,
        **fields,
    )


def record(submission: Submission, actor: Any, action: str, **fields: Any) -> AuditEntry:
    """Append one entry to the audit trail."""
    entry = _audit(submission, actor, action, **fields)
    entry.save()
    return entry


@transaction.atomic
def save_values(
    submission: Submission,
    figures: Mapping[str, float | None],
    *,
    user: Any,
    expected_version: int | None,
    provenance: str = Provenance.SELF_REPORTED,
    reason: str = "",
) -> tuple[Submission, int]:
    """Store self-reported (or imported) figures; returns the submission and how many changed.

    `expected_version` is the version the editor loaded; if someone saved in between,
    StaleSubmission is raised and nothing is written. None skips the check (imports
    run inside their own transaction and lock the row themselves).
    """
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleSubmission(locked)
    existing = {value.code: value for value in locked.values.all()}
    action = Action.VALUE_IMPORTED if provenance == Provenance.IMPORTED else Action.VALUE_SET
    to_create: list[Value] = []
    to_update: list[Value] = []
    entries: list[AuditEntry] = []
    now = timezone.now()
    for code, new in figures.items():
        current = existing.get(code)
        old = current.self_value if current else None
        if old == new:
            continue
        if current is None:
            if new is None:
                continue
            to_create.append(
                Value(
                    submission=locked,
                    code=code,
                    self_value=new,
                    provenance=provenance,
                    updated_by=user if user is not None and user.is_authenticated else None,
                )
            )
        else:
            current.self_value = new
            current.provenance = provenance
            current.updated_at = now
            current.updated_by = user if user is not None and user.is_authenticated else None
            to_update.append(current)
        entries.append(
            _audit(
                locked,
                user,
                action,
                code=code,
                old=format_number(old),
                new=format_number(new),
                reason=reason,
            )
        )
    if to_create:
        Value.objects.bulk_create(to_create)
    if to_update:
        Value.objects.bulk_update(
            to_update, ["self_value", "provenance", "updated_at", "updated_by"]
        )
    if entries:
        AuditEntry.objects.bulk_create(entries)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    return locked, len(entries)


@transaction.atomic
def verify_value(
    submission: Submission,
    code: str,
    value: float | None,
    *,
    user: Any,
    reason: str,
    expected_version: int | None,
) -> Submission:
    """A reviewer's correction: sets the verified figure, keeps the self-reported one."""
    if not reason.strip():
        raise ValueError(_("A correction needs a reason."))
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleSubmission(locked)
    current, _created = Value.objects.get_or_create(submission=locked, code=code)
    old = current.effective
    current.verified_value = value
    current.provenance = Provenance.VERIFIED if value is not None else Provenance.SELF_REPORTED
    current.updated_by = user
    current.save()
    record(
        locked,
        user,
        Action.VALUE_VERIFIED,
        code=code,
        old=format_number(old),
        new=format_number(value),
        reason=reason,
    )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    return locked


@transaction.atomic
def add_comment(submission: Submission, code: str, text: str, *, user: Any) -> Any:
    """A remark on one indicator (or, with an empty code, on the whole submission).

    It belongs to the submission's current round, so a return lists exactly the
    comments made since the unit last submitted. Recorded in the audit trail.
    """
    from chiso.assessments.models import Comment

    text = text.strip()
    if not text:
        raise ValueError(_("Write a comment first."))
    code = code.strip()
    parsed = submission.framework.engine()
    if code and code not in parsed.input_codes and code not in {n.code for n in parsed.nodes}:
        raise ValueError(_("Unknown indicator code %(code)s.") % {"code": code})
    comment = Comment.objects.create(
        submission=submission,
        code=code,
        author=user if user is not None and user.is_authenticated else None,
        text=text,
        round=submission.round,
    )
    record(submission, user, Action.COMMENTED, code=code, new=text)
    return comment
