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

from chiso.assessments.models import Period, PeriodFramework, Submission
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
    add_submissions(period, units)
    return period


@transaction.atomic
def add_submissions(period: Period, units: Iterable[Any]) -> int:
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
    return len(new)


def units_in_force(period: Period) -> Any:
    """The units of every level the period has a framework for, as on its reference date."""
    from chiso.units.models import Unit

    levels = list(period.frameworks.values_list("level", flat=True))
    return Unit.objects.on(period.reference_date).filter(level__in=levels)
