"""`chiso demo`: migrate, load units and frameworks, create demo people, periods and figures.

Idempotent: a second run finds the demo in place and only prints the logins
(`--reset` deletes the SQLite file's data first by flushing the database).

Every figure, correction, comment and transition goes through the gate
(chiso.assessments.services and workflow) by someone with the right to make it, as of
the day it happened (services.as_of): the 2025 period's entry closed long ago, and the
audit trail reads as a real campaign's would. The 2025 annexes come back signed by
a TEST certificate authority made at demo time (chiso.lib.testca).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from chiso.core import demo

DEMO_OPEN = "Đánh giá mức độ chuyển đổi số năm 2026"
DEMO_CLOSED = "Đánh giá mức độ chuyển đổi số năm 2025"
# Before the 1 July 2025 reform: the 547 communes of the time, which the 2025 communes'
# rank changes and trends are derived from ("suy ra").
DEMO_BEFORE = "Đánh giá mức độ chuyển đổi số năm 2024"
REFERENCE = dt.date(2025, 7, 1)
REFERENCE_BEFORE = dt.date(2024, 12, 1)


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
        from chiso.assessments.services import load_shipped
        from chiso.units.models import Unit
        from chiso.units.services import load_units

        counts = load_units()
        self.stdout.write(f"Units loaded: {counts}")
        shipped = {f.code: f for f in load_shipped()}
        # 2024 and 2025 were assessed on the sets of the time; 2026 on today's shape
        # (QĐ 405's DTI for the province's self-assessment, QĐ 5279's shapes below it).
        frameworks = {level: shipped[code] for level, code in demo.FRAMEWORKS_BEFORE.items()}
        frameworks_now = {level: shipped[code] for level, code in demo.FRAMEWORKS_2026.items()}
        self.stdout.write(f"Frameworks: {', '.join(sorted(shipped))}")
        communes = list(
            Unit.objects.on(REFERENCE).filter(province_code="38", level="commune").order_by("code")
        )
        departments = list(Unit.objects.filter(level="department").order_by("code"))
        # The province assesses itself on the DTI framework: its estimate before the ministry's.
        departments += list(Unit.objects.on(REFERENCE).filter(level="province", code="38"))
        old_communes = list(
            Unit.objects.on(REFERENCE_BEFORE)
            .filter(province_code="38", level="commune")
            .order_by("code")
        )
        people = self._people()
        units = communes + departments
        units_before = old_communes + [u for u in departments if u.level == "department"]
        today = timezone.localdate()
        # The province assesses itself in the open period only: an estimate, not published.
        published = {level: f for level, f in frameworks.items() if level != "province"}
        before = self._period(
            DEMO_BEFORE, 2024, dt.date(2024, 11, 1), dt.date(2024, 11, 30), published,
            units_before, reference=REFERENCE_BEFORE,
        )  # fmt: skip
        closed = self._period(
            DEMO_CLOSED, 2025, dt.date(2025, 11, 1), dt.date(2025, 11, 30), published, units
        )
        opened = self._period(
            DEMO_OPEN, today.year, **demo.demo_dates(today), frameworks=frameworks_now, units=units
        )
        self._not_applicable(opened, people["admin"])
        officers = self._officers(units + old_communes, people)
        self._fill(before, officers, people["thamdinh"], final=True)
        self._fill(closed, officers, people["thamdinh"], final=True)
        self._fill(opened, officers, people["thamdinh"], final=False)
        self._publish(before, published)
        self._publish(closed, published)
        self._sign_annexes(closed)
        demo.create_targets()
        self.stdout.write(
            f"Demo periods: {before.name} ({before.submissions.count()} units, published), "
            f"{closed.name} ({closed.submissions.count()} units, published), "
            f"{opened.name} ({opened.submissions.count()} units, open until "
            f"{opened.closes_on:%d/%m/%Y})"
        )

    def _not_applicable(self, period, admin) -> None:  # type: ignore[no-untyped-def]
        """The DX office marks the digital-economy indicator as not applying to the
        departments not in charge of it, as anyone would, through the gate."""
        from chiso.assessments import services

        for code, in_charge in demo.APPLIES_TO.items():
            subs = period.submissions.filter(unit__level="department").select_related(
                "unit", "framework"
            )
            out = [s for s in subs if s.unit.code not in in_charge]
            with services.as_of(
                timezone.make_aware(dt.datetime.combine(period.opens_on, dt.time(8, 0)))
            ):
                services.mark_not_applicable(
                    out, code, user=admin, reason=demo.NOT_APPLICABLE_REASON
                )

    def _publish(self, period, frameworks) -> None:  # type: ignore[no-untyped-def]
        """A newcomer sees public results at once; the open period stays provisional.
        Published as of 15 December of the period's year (or now, if that is to come):
        the snapshots, the annexes and the audit trail are dated then, not today."""
        from chiso.assessments import services
        from chiso.results.services import publish

        moment = timezone.make_aware(dt.datetime(period.year, 12, 15, 9, 0))
        with services.as_of(min(moment, timezone.now())):
            for level in frameworks:
                publish(period, level)

    def _sign_annexes(self, period) -> None:  # type: ignore[no-untyped-def]
        """The Chairman signs the 2025 annexes with a TEST authority made now, the way
        the e-office system would with Ban Cơ yếu's; its certificate is written to
        MEDIA_ROOT/demo-TEST-ca.pem, to name in CHISO_SIGNING_ROOTS for more uploads."""
        from django.conf import settings

        from chiso.lib import signed_pdf, testca
        from chiso.results import annex
        from chiso.results.models import Snapshot

        authority = testca.make_authority()
        chairman = authority.issue("Chủ tịch UBND tỉnh (TEST)", "UBND tỉnh Thanh Hóa (TEST)")
        pem = Path(settings.MEDIA_ROOT) / "demo-TEST-ca.pem"
        pem.parent.mkdir(parents=True, exist_ok=True)
        pem.write_bytes(authority.pem())
        roots = signed_pdf.load_roots(authority.pem())
        for snapshot in Snapshot.objects.filter(period=period).order_by("level"):
            signed = chairman.sign(annex.annex_bytes(snapshot))
            annex.upload_signed(snapshot, signed, None, roots=roots)
        self.stdout.write(
            f"Annexes of {period.name} signed by a TEST certificate authority ({pem});"
            " set CHISO_SIGNING_ROOTS to that file to accept its signatures on upload."
        )

    def _period(
        self,
        name: str,
        year: int,
        opens_on: dt.date,
        closes_on: dt.date,
        frameworks,  # type: ignore[no-untyped-def]
        units,
        reference: dt.date = REFERENCE,
    ):
        from chiso.assessments.periods import create_period

        assessed = [unit for unit in units if unit.level in frameworks]
        return create_period(year, name, opens_on, closes_on, reference, frameworks, assessed)

    def _people(self) -> dict[str, Any]:
        from chiso.accounts.models import Membership
        from chiso.units.models import Unit

        users = {}
        model = get_user_model()
        # Hashed once for the five logins: each hash takes a second, on purpose.
        password = make_password(demo.DEMO_PASSWORD)
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
                user.password = password
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

    def _officers(self, units, people) -> dict[int, Any]:  # type: ignore[no-untyped-def]
        """The officer who enters and submits each unit's figures (by unit id).

        The demo's named officers report for their units; every other unit gets an
        officer account of its own that cannot log in (no password, no email), so that
        each change goes through the gate by someone with the right to make it.
        """
        from chiso.accounts.models import Membership, Role

        model = get_user_model()
        officers = {
            m.unit_id: user
            for user in people.values()
            for m in user.memberships.all()
            if m.role == Role.OFFICER
        }

        def username(unit: Any) -> str:
            # A commune dissolved at the 2025 reform may share its code with a new one.
            before = unit.valid_to is not None and unit.valid_to <= REFERENCE
            return f"canbo-{'cu-' if before else ''}{unit.code.lower()}"

        others = {username(unit): unit for unit in units if unit.pk not in officers}
        have = set(model.objects.filter(username__in=others).values_list("username", flat=True))
        new = []
        for username, unit in others.items():
            if username not in have:
                user = model(username=username, first_name=f"Cán bộ {unit.name}")
                user.set_unusable_password()
                new.append(user)
        model.objects.bulk_create(new)
        accounts = {user.username: user for user in model.objects.filter(username__in=others)}
        Membership.objects.bulk_create(
            [
                Membership(user=accounts[username], role=Role.OFFICER, unit=unit)
                for username, unit in others.items()
            ],
            ignore_conflicts=True,
        )
        officers.update({unit.pk: accounts[username] for username, unit in others.items()})
        return officers

    def _fill(self, period, officers, reviewer, *, final: bool) -> None:  # type: ignore[no-untyped-def]
        """Each unit's figures, submission and review, through the gate as they happened.

        The officer saves the figures on the fifth day of entry and submits an hour
        later; the reviewer corrects a figure two days after, then approves or returns
        (with a comment) the day after. Each call is made in services.as_of(that moment),
        so entry is open then and the audit trail is dated then; who may do what, the
        bounds, the framework's rules and the versions are checked as for anyone.
        """
        from chiso.assessments import services, workflow
        from chiso.assessments.figures import marks_by_submission
        from chiso.assessments.models import Status

        stamp = timezone.make_aware(
            dt.datetime.combine(period.opens_on + dt.timedelta(days=5), dt.time(9, 0))
        )
        marks = marks_by_submission(period.submissions.all())
        for sub in period.submissions.select_related("unit", "framework", "period"):
            unit = sub.unit
            parsed = sub.framework.engine()
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
            # No figure for an indicator the DX office marked as not applying.
            for code in marks.get(sub.pk, ()):
                figures.pop(code, None)
            officer = officers[unit.pk]
            with services.as_of(stamp):
                sub, _changed = services.save_values(
                    sub, figures, user=officer, expected_version=sub.version
                )
            if status == Status.DRAFT:
                continue
            with services.as_of(stamp + dt.timedelta(hours=1)):
                sub = workflow.transition(sub, "submit", officer, expected_version=sub.version)
            if status == Status.APPROVED and rng.random() < 0.2:
                with services.as_of(stamp + dt.timedelta(days=2)):
                    sub = self._correct(sub, figures, reviewer)
            if status == Status.RETURNED:
                first_leaf = next(leaf for leaf in parsed.leaves if leaf.points)
                with services.as_of(stamp + dt.timedelta(days=3) - dt.timedelta(minutes=10)):
                    services.add_comment(
                        sub,
                        first_leaf.code,
                        "Đề nghị bổ sung tài liệu kiểm chứng (báo cáo có ký số của UBND).",
                        user=reviewer,
                    )
            if status in (Status.APPROVED, Status.RETURNED):
                name, reason = (
                    ("approve", "")
                    if status == Status.APPROVED
                    else ("return", "Thiếu tài liệu kiểm chứng")
                )
                with services.as_of(stamp + dt.timedelta(days=3)):
                    workflow.transition(
                        sub, name, reviewer, reason=reason, expected_version=sub.version
                    )

    def _correct(self, sub, figures: dict[str, float], reviewer):  # type: ignore[no-untyped-def]
        """The reviewer lowers the unit's first figure by a tenth, when it is above zero
        (or the next one the framework's rules allow so lowered), with the reason."""
        from chiso.assessments import services

        codes = sorted(figures)
        if not codes or figures[codes[0]] <= 0:
            return sub
        for code in codes:
            figure = figures[code]
            if figure <= 0:
                continue
            try:
                return services.verify_value(
                    sub,
                    code,
                    float(round(figure * 0.9)),
                    user=reviewer,
                    reason="Đối chiếu với số liệu trên Hệ thống thông tin giải quyết TTHC",
                    expected_version=sub.version,
                )
            except services.ServiceError as error:
                if error.code not in (
                    services.ServiceError.RULE_BROKEN,
                    services.ServiceError.INVALID,
                ):
                    raise
        return sub

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for person in demo.PEOPLE:
            self.stdout.write(f"  {person.username:<10} {person.description}")
        self.stdout.write("")
