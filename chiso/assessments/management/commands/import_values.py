"""`chiso import_values PERIOD_ID FILE --user NAME`: figures from another system, all or nothing.

For the DX office loading figures exported by a provincial system (the one-stop-shop,
the document system...). The person named must be an administrator; the figures are
recorded with provenance "imported" and every change goes to the audit trail, exactly
as an upload on the web page would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments.imports import ImportRefused, import_values
from chiso.assessments.models import Period, Provenance


class Command(BaseCommand):
    help = "Import figures (Excel template or unit,code,value CSV) into a period, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", type=int, help="the id of the period")
        parser.add_argument("file", type=Path, help="an .xlsx template or a long CSV")
        parser.add_argument("--user", required=True, help="user name of the administrator")

    def handle(self, *args: Any, **options: Any) -> None:
        period = Period.objects.filter(pk=options["period"]).first()
        if period is None:
            raise CommandError(f"No period {options['period']}.")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None or not access.can(user, Perm.ADMINISTER):
            raise CommandError(f"{options['user']} is not an administrator.")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            summary = import_values(
                data, path.name, user=user, period=period, provenance=Provenance.IMPORTED
            )
        except ImportRefused as refused:
            lines = "\n".join(str(issue) for issue in refused.issues)
            raise CommandError(f"Nothing was imported:\n{lines}") from refused
        for item in summary.units:
            self.stdout.write(f"{item.unit}\t{item.changed}")
        self.stdout.write(
            self.style.SUCCESS(f"{summary.changed} figures changed in {len(summary.units)} units.")
        )
        for note in summary.notes:
            self.stdout.write(note)
