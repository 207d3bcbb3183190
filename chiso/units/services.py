"""Load the shipped unit lists (chiso/units/data/*.csv) into the database.

The CSV files are the product's copy of the official lists (see data/README.md); this
module is the only code that reads them. Loading is idempotent: a unit is found again
by its natural key (code, level, valid_from), only changed fields are written, and
nothing is ever deleted, because assessments refer to units.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.db import transaction

from .columns import LINEAGE_COLUMNS, UNIT_COLUMNS
from .models import KINDS_BY_LEVEL, Level, Lineage, Unit

DATA_DIR = Path(__file__).resolve().parent / "data"
# Parents come before their children: provinces, then districts, communes, departments.
UNIT_FILES = (
    "provinces.csv",
    "thanhhoa-districts.csv",
    "thanhhoa-communes.csv",
    "thanhhoa-departments.csv",
)
LINEAGE_FILES = ("provinces-lineage.csv", "thanhhoa-lineage.csv")
LEVEL_ORDER = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.DEPARTMENT)
# The fields a reload may change; (code, level, valid_from) is the unit's identity.
UPDATABLE = (
    "name",
    "kind",
    "parent",
    "province_code",
    "valid_to",
    "latitude",
    "longitude",
    "area_km2",
)


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


class UnitDataError(ValueError):
    """A shipped data file is inconsistent; the message names the file and line."""


@dataclass(frozen=True)
class UnitRecord:
    where: str
    code: str
    name: str
    level: str
    kind: str
    parent_level: str
    parent_code: str
    province_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    latitude: float | None
    longitude: float | None
    area_km2: float | None


@dataclass(frozen=True)
class LineageRecord:
    where: str
    date: dt.date
    level: str
    new_code: str
    old_code: str
    whole: bool


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise UnitDataError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        for row in reader:
            yield f"{path.name}:{reader.line_num}", row


def _date(where: str, text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise UnitDataError(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from None


def _float(where: str, text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        raise UnitDataError(f"{where}: {text!r} is not a number") from None


def read_units(data_dir: Path = DATA_DIR) -> list[UnitRecord]:
    """Every unit row of the shipped files, checked, in load order (parents first)."""
    records = []
    seen: set[tuple[str, str, dt.date | None]] = set()
    for name in UNIT_FILES:
        for where, row in _rows(data_dir / name, UNIT_COLUMNS):
            level, kind = row["level"], row["kind"]
            if level not in KINDS_BY_LEVEL:
                raise UnitDataError(f"{where}: unknown level {level!r}")
            if kind not in KINDS_BY_LEVEL[level]:
                raise UnitDataError(f"{where}: kind {kind!r} does not belong to {level}")
            if not row["code"] or not row["name"] or not row["province_code"]:
                raise UnitDataError(f"{where}: code, name and province_code are required")
            record = UnitRecord(
                where=where,
                code=row["code"],
                name=row["name"],
                level=level,
                kind=kind,
                parent_level=row["parent_level"],
                parent_code=row["parent_code"],
                province_code=row["province_code"],
                valid_from=_date(where, row["valid_from"]),
                valid_to=_date(where, row["valid_to"]),
                latitude=_float(where, row["latitude"]),
                longitude=_float(where, row["longitude"]),
                area_km2=_float(where, row["area_km2"]),
            )
            key = (record.code, record.level, record.valid_from)
            if key in seen:
                raise UnitDataError(f"{where}: {level} {record.code} is listed twice")
            seen.add(key)
            records.append(record)
    return sorted(records, key=lambda r: LEVEL_ORDER.index(Level(r.level)))


def read_lineage(data_dir: Path = DATA_DIR) -> list[LineageRecord]:
    records = []
    for name in LINEAGE_FILES:
        for where, row in _rows(data_dir / name, LINEAGE_COLUMNS):
            day = _date(where, row["date"])
            if day is None or row["whole"] not in {"0", "1"}:
                raise UnitDataError(f"{where}: a date and whole = 0 or 1 are required")
            records.append(
                LineageRecord(
                    where=where,
                    date=day,
                    level=row["level"],
                    new_code=row["new_code"],
                    old_code=row["old_code"],
                    whole=row["whole"] == "1",
                )
            )
    return records


class _Index:
    """Units by (level, code), to find the one in force on a day."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: defaultdict[tuple[str, str], list[Unit]] = defaultdict(list)
        self.add(units)

    def add(self, units: Iterable[Unit]) -> None:
        for unit in units:
            self._units[(unit.level, unit.code)].append(unit)

    def exact(self, level: str, code: str, valid_from: dt.date | None) -> Unit | None:
        return next((u for u in self._units[(level, code)] if u.valid_from == valid_from), None)

    def in_force(self, where: str, level: str, code: str, day: dt.date | None) -> Unit:
        """The unit in force on `day`; with no day, the one that has not ended."""
        if day is None:
            found = [u for u in self._units[(level, code)] if u.valid_to is None]
        else:
            found = [
                u
                for u in self._units[(level, code)]
                if (u.valid_from is None or u.valid_from <= day)
                and (u.valid_to is None or u.valid_to >= day)
            ]
        if len(found) != 1:
            when = f"on {day}" if day else "still in force"
            raise UnitDataError(f"{where}: {len(found)} units {level} {code} {when}, expected 1")
        return found[0]


def load_units(stdout: Writer | None = None, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Create or update the shipped units and lineage links in one transaction.

    Returns the number of rows in the files per level ("province", "district",
    "commune", "department") and of lineage links ("lineage"), plus how many units and
    links were "created", "updated" and "unchanged". Loading twice creates and updates
    nothing the second time.
    """
    units = read_units(data_dir)
    links = read_lineage(data_dir)
    counts = {level.value: 0 for level in LEVEL_ORDER}
    counts.update(lineage=len(links), created=0, updated=0, unchanged=0)

    with transaction.atomic():
        index = _Index(Unit.objects.all())
        for level in LEVEL_ORDER:
            created: list[Unit] = []
            updated: list[Unit] = []
            for record in (r for r in units if r.level == level):
                counts[level.value] += 1
                values = {
                    "name": record.name,
                    "kind": record.kind,
                    # A parent is the unit in force on the child's last day.
                    "parent_id": index.in_force(
                        record.where, record.parent_level, record.parent_code, record.valid_to
                    ).pk
                    if record.parent_code
                    else None,
                    "province_code": record.province_code,
                    "valid_to": record.valid_to,
                    "latitude": record.latitude,
                    "longitude": record.longitude,
                    "area_km2": record.area_km2,
                }
                unit = index.exact(level, record.code, record.valid_from)
                if unit is None:
                    created.append(
                        Unit(
                            code=record.code,
                            level=level,
                            valid_from=record.valid_from,
                            **values,
                        )
                    )
                elif any(getattr(unit, field) != value for field, value in values.items()):
                    for field, value in values.items():
                        setattr(unit, field, value)
                    updated.append(unit)
                else:
                    counts["unchanged"] += 1
            # Bulk writes keep a full load well under a second, also on PostgreSQL.
            Unit.objects.bulk_create(created)
            Unit.objects.bulk_update(updated, UPDATABLE)
            # Children need their parents' ids: SQLite >= 3.35 and PostgreSQL return them.
            if any(unit.pk is None for unit in created):
                index = _Index(Unit.objects.all())
            else:
                index.add(created)
            counts["created"] += len(created)
            counts["updated"] += len(updated)

        existing = {(link.new_id, link.old_id): link for link in Lineage.objects.all()}
        new_links: list[Lineage] = []
        changed_links: list[Lineage] = []
        seen: set[tuple[int, int]] = set()
        for rec in links:
            new = index.in_force(rec.where, rec.level, rec.new_code, rec.date)
            old = index.in_force(
                rec.where, rec.level, rec.old_code, rec.date - dt.timedelta(days=1)
            )
            if (new.pk, old.pk) in seen:
                raise UnitDataError(f"{rec.where}: {rec.old_code} -> {rec.new_code} is repeated")
            seen.add((new.pk, old.pk))
            link = existing.get((new.pk, old.pk))
            if link is None:
                new_links.append(Lineage(new=new, old=old, whole=rec.whole))
            elif link.whole != rec.whole:
                link.whole = rec.whole
                changed_links.append(link)
            else:
                counts["unchanged"] += 1
        Lineage.objects.bulk_create(new_links)
        Lineage.objects.bulk_update(changed_links, ["whole"])
        counts["created"] += len(new_links)
        counts["updated"] += len(changed_links)

    if stdout is not None:
        stdout.write(
            "Units: {province} provinces, {district} districts, {commune} communes, "
            "{department} departments; {lineage} lineage links. "
            "Created {created}, updated {updated}, unchanged {unchanged}.\n".format(**counts)
        )
    return counts
