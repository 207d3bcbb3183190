"""Opening an assessment period: its framework per level and one submission per unit.

The DX office creates periods in the admin (or the demo command calls `create_period`);
each unit assessed gets one Submission with the framework of its level, so the
framework a unit was scored with is fixed the day the period is created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.assessments import audit
from chiso.assessments.models import Action, Period, PeriodFramework, Submission
from chiso.frameworks.models import Framework


@transaction.atomic
def create_period(
    year: int,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    reference_date: dt.date,
    frameworks: Mapping[str, Framework],
    units: Iterable[Any] = (),
    *,
    two_step_review: bool = False,
    actor: Any = None,
) -> Period:
    """Create a period, the framework of each level and one submission per unit.

    Raises ValidationError (nothing created) when the dates are in the wrong order,
    a framework is given for another level than its own, or a unit's level has no
    framework in this period.
    """
    if closes_on < opens_on:
        raise ValidationError(_("Entry cannot close before it opens."))
    for level, framework in frameworks.items():
        if framework.level != level:
            raise ValidationError(
                _("Framework %(framework)s is for level %(own)s, not %(level)s.")
                % {"framework": framework, "own": framework.level, "level": level}
            )
    period = Period.objects.create(
        year=year,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        reference_date=reference_date,
        two_step_review=two_step_review,
    )
    PeriodFramework.objects.bulk_create(
        [
            PeriodFramework(period=period, level=level, framework=framework)
            for level, framework in frameworks.items()
        ]
    )
    audit.write(Action.PERIOD_CREATED, actor, period=period, new=_dates(period))
    add_submissions(period, units, actor=actor)
    return period


def _dates(period: Period) -> str:
    step = " (two-step review)" if period.two_step_review else ""
    return f"{period.name}: {period.opens_on.isoformat()} .. {period.closes_on.isoformat()}{step}"


# The fields of a period whose change decides who may edit what, and when.
AUDITED_FIELDS = ("name", "year", "opens_on", "closes_on", "reference_date", "two_step_review")


@transaction.atomic
def change_period(period: Period, actor: Any, **changes: Any) -> Period:
    """Change a period's name, dates or review steps, with one audit entry naming the
    fields changed, before and after (re-dating a period changes who may edit)."""
    unknown = set(changes) - set(AUDITED_FIELDS)
    if unknown:
        raise ValueError(f"not a period field the gate changes: {sorted(unknown)}")
    locked = Period.objects.select_for_update().get(pk=period.pk)
    before = {name: getattr(locked, name) for name in changes}
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if not changed:
        return locked
    if changed.get("closes_on", locked.closes_on) < changed.get("opens_on", locked.opens_on):
        raise ValidationError(_("Entry cannot close before it opens."))
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(changed))
    audit.write(
        Action.PERIOD_CHANGED,
        actor,
        period=locked,
        code=", ".join(changed),
        old="; ".join(f"{name}={_text(before[name])}" for name in changed),
        new="; ".join(f"{name}={_text(value)}" for name, value in changed.items()),
    )
    return locked


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@transaction.atomic
def add_submissions(period: Period, units: Iterable[Any], *, actor: Any = None) -> int:
    """Give each unit a submission in `period` with its level's framework; returns how many.

    Units that already have one are left alone, so running it twice changes nothing.
    """
    by_level = {
        link.level: link.framework for link in period.frameworks.select_related("framework")
    }
    have = set(period.submissions.values_list("unit_id", flat=True))
    new: list[Submission] = []
    for unit in units:
        if unit.pk in have:
            continue
        framework = by_level.get(unit.level)
        if framework is None:
            raise ValidationError(
                _("%(unit)s cannot be assessed: the period has no framework for level %(level)s.")
                % {"unit": unit, "level": unit.level}
            )
        have.add(unit.pk)
        new.append(Submission(period=period, unit=unit, framework=framework))
    Submission.objects.bulk_create(new)
    if new:
        audit.write(Action.UNITS_ADDED, actor, period=period, new=str(len(new)))
    return len(new)


def units_in_force(period: Period) -> Any:
    """The units of every level the period has a framework for, as on its reference date."""
    from chiso.units.models import Unit

    levels = list(period.frameworks.values_list("level", flat=True))
    return Unit.objects.on(period.reference_date).filter(level__in=levels)
