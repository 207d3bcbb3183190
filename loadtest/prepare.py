"""The November rush's database: `chiso demo`'s, with every commune of the open period
open for entry and its officer able to log in. Writes the plan the load reads.

    DATABASE_URL=... python loadtest/prepare.py PLAN.json

For each of the 166 communes: the officer's user name, the submission, and one figure
she will change back and forth between two values that keep the framework's bounds and
rules. For the readers: the published period's ranking, report cards, map, open data
and API addresses.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from chiso.accounts.models import Membership, Role  # noqa: E402
from chiso.assessments import services  # noqa: E402
from chiso.assessments.models import Period, Status, Submission  # noqa: E402
from chiso.core.management.commands.demo import DEMO_CLOSED, DEMO_OPEN  # noqa: E402

PASSWORD = "rush-november-2026"  # noqa: S105 - the load test's officers, on its own database


def changeable(submission: Submission) -> tuple[str, list[float]] | None:
    """An entered figure that may go one up and back without breaking a bound or rule."""
    framework = submission.framework.engine()
    stored = {v.code: v.self_value for v in submission.values.all()}
    for code in framework.input_codes:
        value = stored.get(code)
        if value is None or framework.input_type(code) == "boolean":
            continue
        for other in (value + 1, value - 1):
            try:
                # Read as the gate reads a save (type, bounds), then the framework's rules.
                services.read_or_refuse(framework, submission.unit.code, {code: other})
                services.check_rules(framework, submission.unit.code, {**stored, code: other})
            except services.ServiceError:
                continue
            return code, [value, other]
    return None


def plan() -> dict[str, object]:
    open_period = Period.objects.get(name=DEMO_OPEN)
    published = Period.objects.get(name=DEMO_CLOSED)
    password = make_password(PASSWORD)  # hashed once for all
    officers = []
    submissions = open_period.submissions.filter(unit__level="commune").select_related(
        "unit", "framework"
    )
    for submission in submissions.order_by("unit__code"):
        membership = (
            Membership.objects.filter(role=Role.OFFICER, unit=submission.unit)
            .select_related("user")
            .first()
        )
        if membership is None:
            continue
        if submission.status not in services.EDITABLE_STATUSES:
            # The rush is the last week of entry: every commune still at its figures.
            Submission.objects.filter(pk=submission.pk).update(status=Status.DRAFT)
        figure = changeable(submission)
        if figure is None:
            continue
        user = membership.user
        user.password = password
        user.save(update_fields=["password"])
        officers.append(
            {
                "username": user.get_username(),
                "submission": submission.pk,
                "entry": reverse("entry", args=[submission.pk]),
                "code": figure[0],
                "values": figure[1],
            }
        )
    codes = list(
        published.submissions.filter(unit__level="commune")
        .order_by("unit__code")
        .values_list("unit__code", flat=True)
    )
    pk = published.pk
    readers = {
        "ranking": [reverse("results:ranking", args=[pk, "commune"])],
        "report card": [reverse("results:card", args=[pk, "commune", c]) for c in codes],
        "map": [reverse("results-map", args=[pk, "commune"])],
        "map data": [f"/api/v1/results/{pk}/commune/map"],
        "open data": ["/data/", reverse("data:dataset", args=[pk, "commune"])],
        "API": [
            "/api/v1/periods",
            f"/api/v1/results/{pk}/commune",
            "/api/v1/units?level=commune",
        ],
    }
    return {"password": PASSWORD, "officers": officers, "readers": readers}


if __name__ == "__main__":
    call_command("demo", verbosity=0)
    result = plan()
    Path(sys.argv[1]).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"{len(result['officers'])} officers ready")
