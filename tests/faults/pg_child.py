"""The side of test_postgres_crash that talks to chiso, run as its own process against the
test's own PostgreSQL cluster (DATABASE_URL), so the server can be killed under it.

    python -m tests.faults.pg_child setup
    python -m tests.faults.pg_child submission-import|period-import|publish [FOLDER PATTERN N]

`setup` migrates the database and loads Thanh Hóa's units, the mini framework, Chị Lan
(officer of Phường Hàm Rồng) and Anh Tuấn (admin), the open period (Hàm Rồng's earlier
figures, saved) and the 2025 period (PUBLISHED_UNITS communes, approved).

The other roles do what a person does on a page, through Django's test client and the
real views: Chị Lan imports a filled template on her submission's import page, Anh Tuấn
imports one for both wards on the period's, Anh Tuấn publishes the 2025 communes. With
FOLDER, the child stops inside that transaction, right after the N-th statement matching
PATTERN ran: it writes what the transaction holds then to FOLDER/paused (JSON) and waits
for FOLDER/go before going on. Without, it runs straight through. It prints the status
of the page's answer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).parent.parent / "fixtures" / "mini-commune.yaml"
WARDS = ("14758", "14797")  # Phường Hàm Rồng, Phường Hạc Thành
# Chị Lan's figures, saved on the entry page before the import.
EARLIER = {"hs_tt": 900.0, "hs_tong": 1200.0, "CQS.2": 1.0}
# The file's figures, by ward: for Hàm Rồng two changed, one new, one the same.
IMPORTED = {
    "14758": {"hs_tt": 1100.0, "hs_tong": 1250.0, "CQS.2": 1.0, "XHS.1": 45.5},
    "14797": {"hs_tt": 640.0, "hs_tong": 700.0, "CQS.2": 0.0, "XHS.1": 31.0},
}
PUBLISHED_UNITS = 40
PUBLISHED_YEAR = 2025
# What a crash may leave half-done: the figures, their audit trail, the submissions'
# state and version, the periods' publication stamp, the snapshots and their rows.
TABLES = (
    "assessments_value",
    "assessments_auditentry",
    "assessments_submission",
    "assessments_period",
    "results_snapshot",
    "results_unitrow",
)
# How long a paused child waits for the test to say go (seconds).
PAUSE_LIMIT = 60


def state(cursor: Any) -> dict[str, list[str]]:
    """Every row of TABLES as text, sorted: two states are equal when nothing differs.

    `cursor` is any DB-API cursor: Django's inside the child's transaction, psycopg's
    in the test after the restart."""
    found = {}
    for table in TABLES:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
        found[table] = sorted(json.dumps(list(row), default=str) for row in cursor.fetchall())
    return found


def setup() -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from chiso.assessments import services
    from chiso.assessments.models import Status, Submission, Value
    from chiso.assessments.periods import create_period
    from chiso.assessments.services import store_framework
    from chiso.units.models import Unit
    from chiso.units.services import load_units
    from tests.people import PEOPLE, named, person, put

    call_command("migrate", verbosity=0)
    load_units()
    framework = store_framework(FIXTURE.read_text(encoding="utf-8"), source="shipped")
    communes = Unit.objects.on(dt.date(2025, 7, 1)).filter(province_code="38", level="commune")
    wards = list(communes.filter(code__in=WARDS).order_by("code"))
    lan = person("lan", PEOPLE["lan"][0], "officer", wards[0])
    named("tuan")
    today = timezone.localdate()
    frameworks = {"commune": framework}
    opened = create_period(
        today.year,
        f"Đánh giá chuyển đổi số {today.year}",
        today - dt.timedelta(days=10),
        today + dt.timedelta(days=20),
        dt.date(2025, 7, 1),
        frameworks,
        wards,
    )
    ham_rong = opened.submissions.get(unit__code=WARDS[0])
    services.save_values(ham_rong, EARLIER, user=lan, expected_version=0)

    # The 2025 campaign, closed, every commune approved: what the publication scores.
    assessed = list(communes.order_by("code")[:PUBLISHED_UNITS])
    closed = create_period(
        PUBLISHED_YEAR,
        f"Đánh giá chuyển đổi số năm {PUBLISHED_YEAR}",
        dt.date(2025, 11, 1),
        dt.date(2025, 11, 30),
        dt.date(2025, 7, 1),
        frameworks,
        assessed,
    )
    figures = []
    for index, sub in enumerate(closed.submissions.order_by("unit__code")):
        entered = {"hs_tt": 400 + 10 * index, "hs_tong": 900, "CQS.2": index % 2, "XHS.1": index}
        figures += [Value(submission=sub, code=c, self_value=v) for c, v in entered.items()]
        put(sub, Status.APPROVED)
    Value.objects.bulk_create(figures)
    assert Submission.objects.filter(period=closed, status=Status.APPROVED).count() == len(assessed)


@contextmanager
def pause_after(folder: Path, pattern: str, occurrence: int) -> Iterator[None]:
    """Stop inside the current transaction after the `occurrence`-th statement matching
    `pattern` ran: write its state to folder/paused, wait for folder/go."""
    from django.db import connection

    seen = 0

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
        nonlocal seen
        result = execute(sql, params, many, context)
        if seen < occurrence and re.search(pattern, sql):
            seen += 1
            if seen == occurrence:
                # A cursor of its own: the statement's cursor may still have rows to give.
                with context["connection"].cursor() as cursor:
                    cursor.execute("SELECT txid_current_if_assigned()")
                    held = {"xid": cursor.fetchone()[0], "state": state(cursor)}
                (folder / "paused.tmp").write_text(json.dumps(held, default=str))
                (folder / "paused.tmp").rename(folder / "paused")
                deadline = time.monotonic() + PAUSE_LIMIT
                while not (folder / "go").exists() and time.monotonic() < deadline:
                    time.sleep(0.02)
        return result

    with connection.execute_wrapper(wrapper):
        yield
    if seen < occurrence:
        raise SystemExit(f"never paused: {seen} statement(s) matched {pattern!r}")


def template(period: Any, codes: tuple[str, ...]) -> bytes:
    """The period's template, filled with the IMPORTED figures of `codes`' wards."""
    from chiso.assessments import excel
    from chiso.lib.uploads import workbook_bytes

    framework = period.frameworks.get(level="commune").framework
    rows = [
        excel.UnitFigures(code, period.submissions.get(unit__code=code).unit.name, IMPORTED[code])
        for code in codes
    ]
    book = excel.build_template(framework.engine(), rows, heading=period.name)
    return workbook_bytes(book)


def act(role: str) -> Any:
    """Post the page of `role` as its person would; returns the response."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from chiso.assessments.models import Period

    people = get_user_model().objects
    opened = Period.objects.exclude(year=PUBLISHED_YEAR).get()
    client = Client()
    if role == "submission-import":
        client.force_login(people.get(username="lan"))
        submission = opened.submissions.get(unit__code=WARDS[0])
        upload = SimpleUploadedFile("so-lieu.xlsx", template(opened, WARDS[:1]))
        return client.post(
            reverse("values_io:submission_import", args=[submission.pk]), {"file": upload}
        )
    client.force_login(people.get(username="tuan"))
    if role == "period-import":
        upload = SimpleUploadedFile("so-lieu.xlsx", template(opened, WARDS))
        return client.post(reverse("values_io:period_import", args=[opened.pk]), {"file": upload})
    closed = Period.objects.get(year=PUBLISHED_YEAR)
    return client.post(
        reverse("results:publish", args=[closed.pk]), {"level": "commune", "confirmed": "1"}
    )


def main(role: str, *pause: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if role == "setup":
        setup()
        return
    if pause:
        folder, pattern, occurrence = pause
        with pause_after(Path(folder), pattern, int(occurrence)):
            response = act(role)
    else:
        response = act(role)
    print(response.status_code, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
