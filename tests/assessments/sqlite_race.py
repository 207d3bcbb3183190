"""One side of the race in test_concurrent_saves, run as its own process on a file-based
SQLite database (DATABASE_URL), so each side has its own connection as two requests
of two server workers would.

    python -m tests.assessments.sqlite_race setup
    python -m tests.assessments.sqlite_race first|second FLAG VERSION

`setup` migrates the database and creates Chị Lan, Chị Thu, their ward and an open
period; `first` is Chị Lan's save, which keeps its transaction (and SQLite's write
lock) open for a moment after touching FLAG; `second` is Chị Thu's, sent as soon as
FLAG exists. Each prints the HTTP status of its save.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from chiso.assessments.models import Period, PeriodFramework, Submission  # noqa: E402
from tests.people import named, unit  # noqa: E402

FIXTURE = Path(__file__).parent.parent / "fixtures" / "mini-commune.yaml"
# Long enough for the second save to arrive while the first holds the lock, well
# under the busy timeout (CHISO_SQLITE_TIMEOUT) the second waits for.
HOLD_SECONDS = 1.5


def setup() -> None:
    from chiso.assessments.services import store_framework

    call_command("migrate", verbosity=0)
    framework = store_framework(FIXTURE.read_text(encoding="utf-8"), source="shipped")
    ward = unit("14758")
    named("lan")
    named("thu")
    today = timezone.localdate()
    period = Period.objects.create(
        year=today.year,
        name=f"Đánh giá chuyển đổi số {today.year}",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        reference_date=dt.date(2025, 7, 1),
    )
    PeriodFramework.objects.create(period=period, level="commune", framework=framework)
    Submission.objects.create(period=period, unit=ward, framework=framework)


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def save(client: Client, version: str, hs_tong: str) -> int:
    """Post the entry page as its form does, with one figure typed."""
    submission = Submission.objects.get(unit__code="14758")
    data = {"expected_version": version, "action": "save"}
    for code in submission.framework.engine().input_codes:
        data[f"v-{code}"] = ""
    data["v-hs_tong"] = hs_tong
    return client.post(reverse("entry", args=[submission.pk]), data).status_code


def main(role: str, flag: Path | None = None, version: str = "0") -> None:
    setup_test_environment()
    if role == "setup":
        setup()
        return
    assert flag is not None
    # Logged in (a write of its own) before the race starts, as both were.
    client = logged_in("lan" if role == "first" else "thu")
    if role == "first":
        with transaction.atomic():
            status = save(client, version, "1302")
            flag.touch()
            time.sleep(HOLD_SECONDS)
    else:
        while not flag.exists():
            time.sleep(0.01)
        status = save(client, version, "1400")
    print(status, flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(arguments[0], Path(arguments[1]) if len(arguments) > 1 else None, *arguments[2:])
