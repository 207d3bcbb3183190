"""`manage.py units load|list`: load the shipped units, or list those in force on a day.

One command with sub-commands, so that the `chiso` console script can pass
`chiso units ...` straight to Django.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chiso.units.models import Level, Unit
from chiso.units.services import UnitDataError, load_units

LIST_COLUMNS = (
    "code",
    "name",
    "level",
    "kind",
    "parent_code",
    "province_code",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
    "area_km2",
)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Administrative units: load the shipped lists, or list the units in force on a day."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,list}")
        actions.add_parser(
            "load",
            help="Create or update units and lineage from chiso/units/data (idempotent).",
        )
        listing = actions.add_parser(
            "list",
            help="Print the units in force, sorted by code; the count goes to stderr.",
        )
        listing.add_argument("--province", help="province code, e.g. 38 (default: all)")
        listing.add_argument(
            "--level",
            choices=Level.values,
            default=Level.COMMUNE,
            help="unit level (default: commune)",
        )
        listing.add_argument(
            "--on",
            type=iso_date,
            metavar="YYYY-MM-DD",
            help="units in force that day (default: the latest list, units with no end date)",
        )
        listing.add_argument(
            "--format",
            choices=("text", "csv", "json"),
            default="text",
            help="text: code<TAB>name<TAB>kind lines (default); csv or json: every field",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "load":
            try:
                load_units(stdout=self.stdout)
            except UnitDataError as exc:
                raise CommandError(str(exc)) from exc
        else:
            self.list_units(options["province"], options["level"], options["on"], options["format"])

    def list_units(
        self, province: str | None, level: str, on: dt.date | None, format_: str
    ) -> None:
        units = Unit.objects.level(level).select_related("parent")
        units = units.on(on) if on else units.current()
        if province:
            units = units.in_province(province)
        rows = list(units.order_by("code"))

        if format_ == "text":
            for unit in rows:
                self.stdout.write(f"{unit.code}\t{unit.name}\t{unit.kind}")
        elif format_ == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(LIST_COLUMNS)
            writer.writerows([_record(unit).values() for unit in rows])
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            self.stdout.write(json.dumps([_record(u) for u in rows], ensure_ascii=False, indent=2))

        # The count is for people; stdout stays clean for pipes. Not coloured as an error.
        self.stderr.style_func = None
        where = f" in province {province}" if province else ""
        when = f"on {on.isoformat()}" if on else "in force now (no end date)"
        self.stderr.write(f"{len(rows)} {level} units{where} {when}")


def _record(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "kind": unit.kind,
        "parent_code": unit.parent.code if unit.parent else None,
        "province_code": unit.province_code,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
        "area_km2": unit.area_km2,
    }
