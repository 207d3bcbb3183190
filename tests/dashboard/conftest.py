"""A province in the middle of its campaigns, for the dashboard, map and province tests.

Real units (the shipped files: 166 communes since 1 July 2025, the 26 old districts and
their communes before), the shipped frameworks, and demo-like figures (chiso.core.demo):

- the 2024 campaign, before the reform: every old commune approved;
- the 2025 campaign, after the reform: every one of the 166 communes approved;
- the 2026 campaign, open: a quarter each draft, submitted, returned and approved;
- QĐ 969's targets as the demo ships them.

Bà Mai is a leader, Chị Hoa a reviewer, Anh Tuấn the admin, Chị Lan the officer of
Phường Hàm Rồng (who does not see the dashboard).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.people import person

REFORM = dt.date(2025, 7, 1)
CYCLE = ("draft", "submitted", "returned", "approved")


@dataclass
class Campaign:
    before: object  # the 2024 period (old communes)
    closed: object  # the 2025 period (166 communes, all approved)
    open: object  # the 2026 period (mixed states)
    framework: object


def assess(period, units, framework, *, salt: str, status_of=lambda i: "approved") -> None:
    from chiso.assessments.models import Submission, Value
    from chiso.core import demo

    parsed = framework.engine()
    subs = Submission.objects.bulk_create(
        Submission(period=period, unit=unit, framework=framework, status=status_of(i))
        for i, unit in enumerate(units)
    )
    values = []
    for sub, unit in zip(subs, units, strict=True):
        figures = demo.plausible_figures(
            parsed, unit.code, demo.readiness(unit.code, unit.kind), salt=salt
        )
        values += [
            Value(submission=sub, code=code, self_value=value) for code, value in figures.items()
        ]
    Value.objects.bulk_create(values)


def make_period(name: str, year: int, reference: dt.date, framework, level="commune"):
    from chiso.assessments.models import Period, PeriodFramework

    period = Period.objects.create(
        name=name,
        year=year,
        opens_on=dt.date(year, 11, 1),
        closes_on=dt.date(year, 11, 30),
        reference_date=reference,
    )
    PeriodFramework.objects.create(period=period, level=level, framework=framework)
    return period


@pytest.fixture
def campaign(db):
    from chiso.assessments.services import load_shipped
    from chiso.core import demo
    from chiso.units.models import Unit
    from chiso.units.services import load_units

    load_units()
    framework = next(f for f in load_shipped() if f.level == "commune")
    old = list(
        Unit.objects.on(dt.date(2024, 12, 31))
        .filter(province_code="38", level="commune")
        .order_by("code")
    )
    new = list(Unit.objects.on(REFORM).filter(province_code="38", level="commune").order_by("code"))
    before = make_period("Đánh giá năm 2024", 2024, dt.date(2024, 12, 31), framework)
    closed = make_period("Đánh giá năm 2025", 2025, REFORM, framework)
    opened = make_period("Đánh giá năm 2026", 2026, REFORM, framework)
    assess(before, old, framework, salt="2024")
    assess(closed, new, framework, salt="2025")
    assess(opened, new, framework, salt="2026", status_of=lambda i: CYCLE[i % 4])
    demo.create_targets()
    return Campaign(before, closed, opened, framework)


@pytest.fixture
def lan(campaign):
    """Chị Lan, officer of Phường Hàm Rồng."""
    from chiso.units.models import Unit

    return person("lan", "Chị Lan", "officer", Unit.objects.on(REFORM).get(code="14758"))
