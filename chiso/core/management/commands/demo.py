"""`chiso demo`: migrate, load units and frameworks, create demo people, periods and figures.

Idempotent: a second run finds the demo in place and only prints the logins
(`--reset` deletes the SQLite file's data first by flushing the database).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from chiso.core import demo

DEMO_OPEN = "Đánh giá mức độ chuyển đổi số năm 2026"
DEMO_CLOSED = "Đánh giá mức độ chuyển đổi số năm 2025"
REFERENCE = dt.date(2025, 7, 1)


class Command(BaseCommand):
    help = "Set up the demo: units of Thanh Hóa, shipped frameworks, periods, figures, logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true", help="flush the database first")

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        from chiso.assessments.models import Period

        if not Period.objects.filter(name=DEMO_OPEN).exists():
            self._build()
        else:
            self.stdout.write("The demo data is already in place.")
        self._print_logins()

    @transaction.atomic
    def _build(self) -> None:
        from chiso.frameworks.services import load_shipped
        from chiso.units.loader import load_units
        from chiso.units.models import Unit

        counts = load_units()
        self.stdout.write(f"Units loaded: {counts}")
        frameworks = {
            f.level: f for f in load_shipped() if f.level in ("commune", "department", "province")
        }
        self.stdout.write(f"Frameworks: {', '.join(f.code for f in frameworks.values())}")
        communes = list(
            Unit.objects.on(REFERENCE).filter(province_code="38", level="commune").order_by("code")
        )
        departments = list(Unit.objects.filter(level="department").order_by("code"))
        # The province assesses itself on the DTI framework: its estimate before the ministry's.
        departments += list(Unit.objects.on(REFERENCE).filter(level="province", code="38"))
        people = self._people()
        today = timezone.localdate()
        # The province assesses itself in the open period only: an estimate, not published.
        published = {level: f for level, f in frameworks.items() if level != "province"}
        closed = self._period(
            DEMO_CLOSED, 2025, dt.date(2025, 11, 1), dt.date(2025, 11, 30), published
        )
        opened = self._period(
            DEMO_OPEN, today.year, **demo.demo_dates(today), frameworks=frameworks
        )
        self._fill(closed, communes + departments, published, people, final=True)
        self._fill(opened, communes + departments, frameworks, people, final=False)
        self._publish(closed, published)
        demo.create_targets()
        self.stdout.write(
            f"Demo periods: {closed.name} ({closed.submissions.count()} units, published), "
            f"{opened.name} ({opened.submissions.count()} units, open until "
            f"{opened.closes_on:%d/%m/%Y})"
        )

    def _publish(self, period, frameworks) -> None:  # type: ignore[no-untyped-def]
        # A newcomer sees public results at once; the open period stays provisional.
        from chiso.results.publish import publish

        for level in frameworks:
            publish(period, level)

    def _period(self, name: str, year: int, opens_on: dt.date, closes_on: dt.date, frameworks):  # type: ignore[no-untyped-def]
        from chiso.assessments.models import Period, PeriodFramework

        period = Period.objects.create(
            name=name, year=year, opens_on=opens_on, closes_on=closes_on, reference_date=REFERENCE
        )
        for level, framework in frameworks.items():
            PeriodFramework.objects.create(period=period, level=level, framework=framework)
        return period

    def _people(self) -> dict[str, Any]:
        from chiso.accounts.models import Membership
        from chiso.units.models import Unit

        users = {}
        model = get_user_model()
        for person in demo.PEOPLE:
            user, created = model.objects.get_or_create(
                username=person.username,
                defaults={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": f"{person.username}@chiso.localhost",
                    "is_staff": person.role == "admin",
                    "is_superuser": person.role == "admin",
                },
            )
            if created:
                user.set_password(demo.DEMO_PASSWORD)
                user.save()
            unit = (
                Unit.objects.on(REFERENCE).filter(code=person.unit_code).first()
                if person.unit_code
                else None
            )
            if person.role:
                Membership.objects.get_or_create(user=user, role=person.role, unit=unit)
            users[person.username] = user
        return users

    def _fill(self, period, units, frameworks, people, *, final: bool) -> None:  # type: ignore[no-untyped-def]
        from chiso.assessments.models import (
            Action,
            AuditEntry,
            Comment,
            Provenance,
            Status,
            Submission,
            Value,
        )
        from chiso.assessments.services import format_number

        officers = {
            m.unit_id: user
            for user in people.values()
            for m in user.memberships.all()
            if m.role == "officer"
        }
        reviewer = people["thamdinh"]
        stamp = timezone.make_aware(
            dt.datetime.combine(period.opens_on + dt.timedelta(days=5), dt.time(9, 0))
        )
        values: list[Value] = []
        entries: list[AuditEntry] = []
        comments: list[Comment] = []
        for unit in units:
            framework = frameworks.get(unit.level)
            if framework is None:
                continue
            parsed = framework.engine()
            rng = random.Random(f"status:{period.year}:{unit.code}")  # noqa: S311 - demo data
            roll = rng.random()
            if final:
                status, fill = Status.APPROVED, 1.0
            elif unit.code == "14758":
                status, fill = Status.DRAFT, 0.6
            elif unit.code == "14797":
                status, fill = Status.SUBMITTED, 1.0
            elif roll < 0.3:
                status, fill = Status.DRAFT, rng.uniform(0.3, 0.9)
            elif roll < 0.42:
                status, fill = Status.RETURNED, 1.0
            elif roll < 0.75:
                status, fill = Status.SUBMITTED, 1.0
            else:
                status, fill = Status.APPROVED, 1.0
            ready = demo.readiness(unit.code, unit.kind)
            figures = demo.plausible_figures(
                parsed, unit.code, ready, fill=fill, salt=str(period.year)
            )
            submitted = status != Status.DRAFT
            sub = Submission.objects.create(
                period=period,
                unit=unit,
                framework=framework,
                status=status,
                version=2 if submitted else 1,
                round=1 if submitted else 0,
                submitted_at=stamp if submitted else None,
                approved_at=stamp + dt.timedelta(days=3) if status == Status.APPROVED else None,
            )
            officer = officers.get(unit.pk)

            def log(
                at: dt.datetime,
                actor: Any,
                action: str,
                sub: Any = sub,
                unit: Any = unit,
                **fields: Any,
            ) -> None:
                entries.append(
                    AuditEntry(
                        at=at,
                        actor=actor,
                        period=period,
                        unit=unit,
                        submission=sub,
                        action=action,
                        **fields,
                    )
                )

            corrected = status == Status.APPROVED and rng.random() < 0.2
            for index, (code, figure) in enumerate(sorted(figures.items())):
                verified = None
                if corrected and index == 0 and figure > 0:
                    verified = float(round(figure * 0.9))
                values.append(
                    Value(
                        submission=sub,
                        code=code,
                        self_value=figure,
                        verified_value=verified,
                        provenance=Provenance.VERIFIED if verified is not None else "self",
                        updated_by=officer,
                    )
                )
                log(
                    stamp,
                    officer,
                    Action.VALUE_SET,
                    code=code,
                    new=format_number(figure),
                )
                if verified is not None:
                    log(
                        stamp + dt.timedelta(days=2),
                        reviewer,
                        Action.VALUE_VERIFIED,
                        code=code,
                        old=format_number(figure),
                        new=format_number(verified),
                        reason="Đối chiếu với số liệu trên Hệ thống thông tin giải quyết TTHC",
                    )
            if submitted:
                log(
                    stamp + dt.timedelta(hours=1),
                    officer,
                    Action.SUBMITTED,
                    old=Status.DRAFT,
                    new=Status.SUBMITTED,
                )
            if status in (Status.APPROVED, Status.RETURNED):
                log(
                    stamp + dt.timedelta(days=3),
                    reviewer,
                    Action.APPROVED if status == Status.APPROVED else Action.RETURNED,
                    old=Status.SUBMITTED,
                    new=status,
                    reason="" if status == Status.APPROVED else "Thiếu tài liệu kiểm chứng",
                )
            if status == Status.RETURNED:
                first_leaf = next(leaf for leaf in parsed.leaves if leaf.points)
                comments.append(
                    Comment(
                        submission=sub,
                        code=first_leaf.code,
                        author=reviewer,
                        round=1,
                        text="Đề nghị bổ sung tài liệu kiểm chứng (báo cáo có ký số của UBND).",
                    )
                )
        Value.objects.bulk_create(values, batch_size=2000)
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        Comment.objects.bulk_create(comments)

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for person in demo.PEOPLE:
            self.stdout.write(f"  {person.username:<10} {person.description}")
        self.stdout.write("")
