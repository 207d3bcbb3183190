"""The audit trail: its one writer, and reading it per submission, per period, as CSV.

`entry`, `write`, `write_all`, `write_changes` and `write_rows` are the only code that
adds to the trail. The gate calls them for every change of state that matters: figures,
evidence, comments and status (chiso.assessments.services, workflow), periods created,
re-dated or given units (periods), framework versions stored, publications and
corrections, the signed annex, the province's DTI years, API tokens issued and revoked.
Nothing in the application changes or deletes an entry (AuditEntry and its queryset
refuse it); on PostgreSQL a trigger refuses it in the database as well (migration
assessments 0002).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from chiso.assessments.models import Action, AuditEntry, Status
from chiso.lib import bulk
from chiso.lib.safe_cells import cell_text

# The columns of `write_rows`, in order.
ROW_COLUMNS = (
    "at",
    "actor",
    "period",
    "unit",
    "submission",
    "action",
    "code",
    "old",
    "new",
    "reason",
)


def _person(user: Any) -> Any:
    return user if user is not None and user.is_authenticated else None


def entry(
    action: str,
    actor: Any,
    *,
    submission: Any = None,
    period: Any = None,
    unit: Any = None,
    at: dt.datetime | None = None,
    code: str = "",
    old: str = "",
    new: str = "",
    reason: str = "",
) -> AuditEntry:
    """One entry, not written yet (a save collects its entries and writes them together).

    `actor` None (or anonymous) is chiso itself: a command run on the server, the demo.
    A submission's entry carries its period and unit too."""
    if submission is not None:
        period = period if period is not None else submission.period_id
        unit = unit if unit is not None else submission.unit_id
    return AuditEntry(
        at=at or timezone.now(),
        actor=_person(actor),
        period_id=getattr(period, "pk", period),
        unit_id=getattr(unit, "pk", unit),
        submission=submission,
        action=action,
        code=code,
        old=old,
        new=new,
        reason=reason,
    )


def write(action: str, actor: Any, **fields: Any) -> AuditEntry:
    """Append one entry to the trail (see `entry` for the fields)."""
    made = entry(action, actor, **fields)
    made.save()
    return made


def write_all(entries: Iterable[AuditEntry]) -> None:
    """Append entries made by `entry`, in one statement."""
    AuditEntry.objects.bulk_create(list(entries))


def write_changes(
    submission: Any,
    actor: Any,
    action: str,
    at: dt.datetime,
    changes: Iterable[tuple[str, str, str]],
    reason: str = "",
) -> None:
    """Append one entry per changed figure of a submission, given as (code, old, new)
    texts, all at `at` (a save of a hundred figures: plain rows, no model objects)."""
    person = _person(actor)
    head = (
        bulk.prepared(AuditEntry, "at", at),
        person.pk if person is not None else None,
        submission.period_id,
        submission.unit_id,
        submission.pk,
        action,
    )
    write_rows((*head, code, old, new, reason) for code, old, new in changes)


def write_rows(rows: Iterable[tuple[Any, ...]]) -> None:
    """Append many entries given as ROW_COLUMNS tuples (ids, not objects): publishing a
    level writes one per submission, thousands at once, in batches."""
    bulk.insert(AuditEntry, ROW_COLUMNS, rows)


TRANSITION_ACTIONS = {
    Action.SUBMITTED,
    Action.DISTRICT_APPROVED,
    Action.RETURNED,
    Action.APPROVED,
    Action.REOPENED,
    Action.PUBLISHED,
}

NUMBER_ACTIONS = {Action.VALUE_SET, Action.VALUE_VERIFIED, Action.VALUE_IMPORTED}

# The columns in the reader's language (the file is for Excel, read by people); the
# action is written by name, its code kept in the last column for machines.
CSV_HEADER = [
    pgettext_lazy("audit CSV", "time"),
    pgettext_lazy("audit CSV", "account"),
    pgettext_lazy("audit CSV", "person"),
    pgettext_lazy("audit CSV", "period"),
    pgettext_lazy("audit CSV", "unit code"),
    pgettext_lazy("audit CSV", "unit"),
    pgettext_lazy("audit CSV", "action"),
    pgettext_lazy("audit CSV", "indicator code"),
    pgettext_lazy("audit CSV", "old value"),
    pgettext_lazy("audit CSV", "new value"),
    pgettext_lazy("audit CSV", "reason"),
    pgettext_lazy("audit CSV", "action code"),
]


def code_titles(framework: Any, language: str = "vi") -> dict[str, str]:
    """The title of every code of a framework (elements and nodes) in one language."""
    parsed = framework.engine()
    titles: dict[str, str] = {}
    for item in (*parsed.elements, *parsed.nodes):
        titles[item.code] = item.title.get(language) or item.title.get("vi") or item.code
    return titles


def entries(queryset: QuerySet[AuditEntry] | None = None) -> QuerySet[AuditEntry]:
    """Audit entries with everything the pages and the CSV show, oldest first."""
    qs = queryset if queryset is not None else AuditEntry.objects.all()
    return qs.select_related("actor", "unit", "period").order_by("at", "id")


def for_submission(submission: Any) -> QuerySet[AuditEntry]:
    return entries(AuditEntry.objects.filter(submission=submission))


def for_period(period: Any) -> QuerySet[AuditEntry]:
    return entries(AuditEntry.objects.filter(period=period))


def split_state(text: str) -> tuple[str, str]:
    """A transition's recorded state: ("returned", "2026-12-01") from
    "returned; deadline=2026-12-01" (the deadline is empty when none was set)."""
    status, _sep, rest = text.partition(";")
    deadline = rest.strip().removeprefix("deadline=") if rest else ""
    return status.strip(), deadline


def shown(entry: AuditEntry, text: str) -> str:
    """An old or new value as a person reads it: a status by its name, a deadline as
    23/11/2026, a figure with the language's decimal mark (98,7)."""
    if not text:
        return text
    if entry.action in NUMBER_ACTIONS:
        if not _is_number(text):
            return text
        number = float(text)
        return formats.number_format(int(number) if number.is_integer() else number)
    if entry.action not in TRANSITION_ACTIONS:
        return text
    status, deadline = split_state(text)
    label = str(Status(status).label) if status in Status.values else status
    if deadline:
        day = dt.date.fromisoformat(deadline)
        return _("%(status)s, deadline %(date)s") % {
            "status": label,
            "date": day.strftime("%d/%m/%Y"),
        }
    return label


def rows_for_page(entries: Iterable[AuditEntry], titles: dict[str, str]) -> list[tuple[Any, ...]]:
    """(entry, indicator title, old as shown, new as shown) for the audit pages."""
    return [
        (entry, titles.get(entry.code, ""), shown(entry, entry.old), shown(entry, entry.new))
        for entry in entries
    ]


def write_csv(rows: Iterable[AuditEntry], out: IO[str]) -> None:
    """The trail as CSV for Excel: UTF-8 with a byte order mark, ISO times, plain decimals.

    Values are written as recorded (the services write plain decimals), times in the
    site's time zone with their offset.
    """
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(heading) for heading in CSV_HEADER])
    for entry in rows:
        actor = entry.actor
        row = [
            timezone.localtime(entry.at).isoformat(timespec="seconds"),
            actor.username if actor else "",
            (actor.get_full_name() or actor.username) if actor else "",
            entry.period.name if entry.period else "",
            entry.unit.code if entry.unit else "",
            entry.unit.name if entry.unit else "",
            entry.get_action_display(),
            entry.code,
            entry.old,
            entry.new,
            entry.reason,
            entry.action,
        ]
        # Any column may hold text people typed: none may run as a formula in Excel.
        # A figure recorded as a plain decimal ("-1") stays a number (see cell_text).
        writer.writerow([cell_text(value) for value in row])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# What the reviewer's last look was: the submission returned (or reopened) to the unit.
LOOKED = (Action.RETURNED, Action.REOPENED)
FIGURE_CHANGES = (Action.VALUE_SET, Action.VALUE_IMPORTED)


def _figure(text: str) -> float | None:
    return float(text) if _is_number(text) else None


def changed_since_return(submission: Any) -> tuple[AuditEntry | None, dict[str, float | None]]:
    """The last return (or reopening) of the submission and, by code, the unit's figure
    then for each figure the unit changed since (one that came back to it is left out)."""
    trail = AuditEntry.objects.filter(submission=submission).order_by("pk")
    last = trail.filter(action__in=LOOKED).last()
    if last is None:
        return None, {}
    before: dict[str, str] = {}
    now: dict[str, str] = {}
    for code, old, new in trail.filter(pk__gt=last.pk, action__in=FIGURE_CHANGES).values_list(
        "code", "old", "new"
    ):
        before.setdefault(code, old)
        now[code] = new
    changed = {
        code: _figure(old) for code, old in before.items() if _figure(old) != _figure(now[code])
    }
    return last, changed


def correction_reasons(submission: Any) -> dict[str, str]:
    """The reason of the latest correction of each figure the reviewer corrected."""
    found = AuditEntry.objects.filter(submission=submission, action=Action.VALUE_VERIFIED)
    return dict(found.order_by("pk").values_list("code", "reason"))
