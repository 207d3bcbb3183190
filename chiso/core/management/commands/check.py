"""`chiso check --deploy`: Django's checks with the deployment ones and chiso's own
(chiso/core/checks.py); with --deploy a warning fails too (exit status 1)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import check


class Command(check.Command):
    help = "Checks chiso for problems; --deploy: is it ready for production (exit 1 if not)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(fail_level=None)

    def handle(self, *app_labels: str, **options: Any) -> None:
        if options["fail_level"] is None:
            options["fail_level"] = "WARNING" if options["deploy"] else "ERROR"
        super().handle(*app_labels, **options)
        if options["deploy"]:
            self.stdout.write(self.style.SUCCESS("Ready for production."))
