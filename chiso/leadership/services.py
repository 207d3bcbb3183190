"""The one path by which the province's DTI history changes: entered or imported, audited.

Each change writes an audit entry (action "value entered" or "value imported", code
"DTI <year>", the old and new figures as JSON) in the same transaction. A CSV import
is all or nothing: a bad line refuses the whole file with messages naming line and
column.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from chiso.assessments import audit
from chiso.assessments.models import Action
from chiso.leadership.models import DtiYear
from chiso.lib import csv_lines
from chiso.lib.uploads import limit_message
from chiso.units.models import Unit

HISTORY = Path(__file__).parent / "data" / "thanhhoa-dti-history.csv"
COLUMNS = (
    "year",
    "published",
    "rank",
    "of",
    "value",
    "rank_cqs",
    "rank_kts",
    "rank_xhs",
    "note",
)
INTEGERS = ("year", "published", "rank", "of", "rank_cqs", "rank_kts", "rank_xhs")
# A year a line, 2000 to 2100: a longer file is not a DTI history.
MAX_LINES = 1_000


def column_label(column: str) -> str:
    """A column of the history as the form names it, in words."""
    labels = {
        "year": _("Year"),
        "rank": _("Rank"),
        "of": _("Provinces ranked"),
        "value": _("DTI value"),
        "rank_cqs": _("Digital government rank"),
        "rank_kts": _("Digital economy rank"),
        "rank_xhs": _("Digital society rank"),
        "note": _("Note"),
    }
    return str(labels.get(column, column))


class DtiImportError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DtiFigures:
    year: int
    published: int | None = None
    rank: int | None = None
    of: int | None = None
    value: float | None = None
    rank_cqs: int | None = None
    rank_kts: int | None = None
    rank_xhs: int | None = None
    note: str = ""

    def issues(self) -> list[tuple[str, str]]:
        """(column, what is wrong with it) for each problem."""
        found = []
        if not 2000 <= self.year <= 2100:
            found.append(("year", _("%(year)s is not a year") % {"year": self.year}))
        if self.published is not None and not self.year <= self.published <= 2100:
            found.append(("published", _("the year of publication comes after the year assessed")))
        if self.value is not None and not 0 <= self.value <= 1:
            found.append(("value", _("the DTI is between 0 and 1")))
        for column in ("rank", "rank_cqs", "rank_kts", "rank_xhs"):
            rank = getattr(self, column)
            if rank is not None and (rank < 1 or (self.of and rank > self.of)):
                found.append((column, _("a rank from 1 to the number of provinces")))
        return found

    def problems(self) -> list[str]:
        """What is wrong, each after its column as a file names it."""
        return [f"{column}: {text}" for column, text in self.issues()]


def _as_json(row: DtiYear | None) -> str:
    if row is None:
        return ""
    return json.dumps({c: getattr(row, c) for c in COLUMNS}, ensure_ascii=False)


def _province() -> Unit | None:
    return Unit.objects.filter(level="province", province_code="38").order_by("-valid_from").first()


def record_year(figures: DtiFigures, *, actor: Any, imported: bool = False) -> DtiYear:
    """Create or replace one year's national publication, with its audit entry."""
    problems = figures.problems()
    if problems:
        raise DtiImportError(problems)
    with transaction.atomic():
        before = DtiYear.objects.select_for_update().filter(year=figures.year).first()
        old = _as_json(before)
        row = before or DtiYear(year=figures.year)
        for column in COLUMNS:
            setattr(row, column, getattr(figures, column))
        row.save()
        audit.write(
            Action.VALUE_IMPORTED if imported else Action.VALUE_SET,
            actor,
            unit=_province(),
            code=f"DTI {figures.year}",
            old=old,
            new=_as_json(row),
            reason=_("National DTI publication"),
        )
    return row


def _cell(raw: str, column: str) -> int | float | str | None:
    raw = raw.strip()
    if column == "note":
        return raw
    if not raw:
        return None
    if column in INTEGERS:
        return int(raw)
    return float(raw.replace(",", "."))


def figures_from(raw: dict[str, str], where: str) -> tuple[DtiFigures | None, list[str]]:
    """One year's figures from a CSV line; problems start with `where` (file and line)."""
    values: dict[str, Any] = {}
    problems = []
    for column in COLUMNS:
        if column not in raw:
            continue
        try:
            values[column] = _cell(raw[column] or "", column)
        except ValueError:
            problems.append(
                _("%(where)s, column %(column)s: %(raw)r is not a number")
                % {"where": where, "column": column, "raw": csv_lines.shorten(raw[column])}
            )
    if problems:
        return None, problems
    if values.get("year") is None:
        return None, [_("%(where)s: no year") % {"where": where}]
    figures = DtiFigures(**values)
    return figures, [f"{where}: {problem}" for problem in figures.problems()]


def figures_from_form(raw: dict[str, str]) -> tuple[DtiFigures | None, dict[str, list[str]]]:
    """One year's figures from the form; problems by field, each naming it in words."""
    values: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for column in COLUMNS:
        try:
            values[column] = _cell(raw.get(column) or "", column)
        except ValueError:
            message = _("%(field)s: %(raw)r is not a number")
            shown = {"field": column_label(column), "raw": csv_lines.shorten(raw[column])}
            problems.setdefault(column, []).append(message % shown)
    if not problems and values.get("year") is None:
        problems["year"] = [_("%(field)s: no year") % {"field": column_label("year")}]
    if problems:
        return None, problems
    figures = DtiFigures(**values)
    for column, text in figures.issues():
        problems.setdefault(column, []).append(f"{column_label(column)}: {text}")
    return figures, problems


def parse_csv(data: str | IO[bytes], source: str = "CSV") -> list[DtiFigures]:
    """Rows of a CSV with the history's columns (year first); every problem, by line.

    Read as it comes: a file beyond MAX_LINES lines (or a line beyond the limits of
    chiso.lib.csv_lines) stops at that line, whatever its size."""
    stream = io.StringIO(data.lstrip("\ufeff")) if isinstance(data, str) else data
    lines = csv_lines.records(stream, max_lines=MAX_LINES, delimiter=csv_lines.sniff_delimiter)
    rows: list[DtiFigures] = []
    problems: list[str] = []
    try:
        _line, found = next(lines, (1, []))
        header = [column.strip().lower() for column in found]
        unknown = [c for c in header if c not in COLUMNS]
        if "year" not in header or unknown:
            message = _(
                "%(source)s: the first line must name the columns, year first, among "
                "%(columns)s (separated by commas or semicolons); this one reads “%(line)s”."
            )
            shown = {
                "source": source,
                "columns": ", ".join(COLUMNS),
                "line": csv_lines.shorten(",".join(found)),
            }
            raise DtiImportError([message % shown])
        years: set[int] = set()
        for line, record in lines:
            if not record:
                continue
            where = _("%(source)s, line %(line)s") % {"source": source, "line": line}
            figures, found = figures_from(dict(zip(header, record, strict=False)), where)
            problems += found
            if figures is None:
                continue
            if figures.year in years:
                problems.append(
                    _("%(where)s: year %(year)s twice") % {"where": where, "year": figures.year}
                )
            years.add(figures.year)
            rows.append(figures)
    except csv_lines.CsvLimit as limit:
        where = _("%(source)s, line %(line)s") % {"source": source, "line": limit.line}
        raise DtiImportError([f"{where}: {limit_message(limit, source)}"]) from None
    finally:
        lines.close()
    if problems:
        raise DtiImportError(problems)
    if not rows:
        raise DtiImportError([_("%(source)s: no rows") % {"source": source}])
    return rows


def import_csv(data: str | IO[bytes], *, actor: Any, source: str = "CSV") -> list[DtiYear]:
    """Every row of the file (its text or a binary stream), or none of them."""
    figures = parse_csv(data, source)
    with transaction.atomic():
        return [record_year(f, actor=actor, imported=True) for f in figures]
