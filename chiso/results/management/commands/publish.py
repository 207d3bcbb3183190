"""`chiso publish PERIOD_ID [--level LEVEL]`: publish the results of a period.

Lists the units not approved first (they are named as not assessed), then scores
the approved values and stores the results. `--check` only lists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chiso.assessments.models import Period
from chiso.results import services


class Command(BaseCommand):
    help = "Publish the results of a period (every level, or --level LEVEL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("period", type=int, metavar="PERIOD_ID")
        parser.add_argument("--level", help="commune, department, district or province")
        parser.add_argument("--reason", default="", help="why results are published again")
        parser.add_argument("--by", metavar="USERNAME", help="the admin who publishes")
        parser.add_argument("--check", action="store_true", help="only list what is not approved")

    def handle(self, *args: Any, **options: Any) -> None:
        period = Period.objects.filter(pk=options["period"]).first()
        if period is None:
            raise CommandError(f"No period with id {options['period']}.")
        levels = (
            [options["level"]]
            if options["level"]
            else list(period.frameworks.order_by("level").values_list("level", flat=True))
        )
        user = None
        if options["by"]:
            user = get_user_model().objects.filter(username=options["by"]).first()
            if user is None:
                raise CommandError(f"No user {options['by']!r}.")
        for level in levels:
            try:
                seen = services.check(period, level)
            except services.PublishError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"{period.name} · {level}: {seen.approved} approved, "
                f"{len(seen.not_approved)} not approved"
            )
            for sub in seen.not_approved:
                self.stdout.write(f"  not assessed: {sub.unit.code} {sub.unit.name} ({sub.status})")
            if options["check"]:
                continue
            try:
                snapshot = services.publish(period, level, user, reason=options["reason"])
            except services.PublishError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"Published {level} results version {snapshot.version} "
                f"(values sha256 {snapshot.values_sha256[:12]}…)"
            )
