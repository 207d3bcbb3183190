"""`chiso notify_deadlines`: remind officers whose submission is due in three days.

Run once a day (cron or a systemd timer); running it twice the same day sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiso.assessments.notifications import send_deadline_reminders


class Command(BaseCommand):
    help = "Email the officers of units whose submission is still open and due in three days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            help="Run as if today were this day (YYYY-MM-DD); for catching up or testing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(
                    f"--today: not a date (YYYY-MM-DD): {options['today']}"
                ) from error
        sent = send_deadline_reminders(today)
        self.stdout.write(f"{sent} reminder(s) sent.")
