"""The long values CSV (unit,code,value): its one reader and its one writer.

Every values file chiso reads or writes goes through here: `chiso score` and `chiso
verify` read one, an upload of figures may be one, a published snapshot keeps one
(read back for its analysis and its cards), and the entry pages and publication write
one (docs/framework-format.md describes the file).

- `rows(source, ...)`: (line, unit, code, raw value) for each figure of the file, as
  written in it, read as it comes (chiso.lib.csv_lines, so in bounded memory and in
  any encoding csv_lines recognises). The header must fold to unit,code,value. A
  blank line, or one of blank fields only, is skipped. Reading stops at the first
  line beyond a limit with `ValuesCsvError`; a record of other than three fields is
  handed to `wrong` when given (reading goes on), else stops reading too.
- `write(rows)`: (unit, code, value text) rows as the file's text, after its header:
  lines end in "\\n" and text that would run as a formula in a spreadsheet gets an
  apostrophe in front (chiso.lib.safe_cells; a plain number such as -3.5 stays as it is).

`ValuesCsvError` is the one exception: a `csv_lines.CsvLimit` whose `kind` is one of
csv_lines' or of HEADER, FIELDS, TOO_MANY_UNITS, TOO_MANY_CODES, with the `line` it
is about. The callers word it: the CLI in English, an upload in the person's language.

No Django here: `chiso score` and `chiso verify` run without it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from chiso.lib import csv_lines
from chiso.lib.safe_cells import cell_text

HEADER = ("unit", "code", "value")
# How a values file (and the entry sheet, and the audit trail) says that an indicator
# does not apply to the unit (docs/framework-format.md).
NOT_APPLICABLE_TEXT = "không áp dụng"

# What a published values file and `chiso score` take (about 100 bytes a line): more
# lines than the 1.5 million of 10,000 units x 150 inputs of benchmarks/scoring.py,
# twice the 10,600 communes Vietnam had before 2025, and as many codes as an entry
# sheet has columns. An upload takes less (chiso.lib.uploads).
MAX_LINES = 2_000_000
MAX_UNITS = 20_000
MAX_CODES = 1_000

# The kinds of ValuesCsvError besides csv_lines' (TOO_LONG, TOO_MANY_FIELDS,
# TOO_MANY_LINES, NOT_TEXT, BROKEN).
HEADER_KIND = "header"
FIELDS = "fields"
TOO_MANY_UNITS = "too_many_units"
TOO_MANY_CODES = "too_many_codes"


class ValuesCsvError(csv_lines.CsvLimit):
    """What is wrong with a values file, at `line`.

    `kind` HEADER_KIND: the first line is not unit,code,value; `found` is its fields,
    `delimiter` the one the file was read with. FIELDS: a record of `len(found)`
    fields. TOO_MANY_UNITS, TOO_MANY_CODES: the line names one unit or code more than
    `limit`. Any other kind is csv_lines' (`limit`, `detail` as CsvLimit has them).
    """

    def __init__(
        self,
        kind: str,
        line: int,
        limit: int = 0,
        detail: str = "",
        found: list[str] | None = None,
        delimiter: str = ",",
    ) -> None:
        super().__init__(kind, line, limit, detail)
        self.found = found or []
        self.delimiter = delimiter


def _blank(text: str) -> bool:
    return not text or text.isspace()


def _first(seen: dict[str, str], trimmed: str) -> bool:
    """Whether a unit or code, trimmed, is seen for the first time (it is kept then)."""
    if trimmed in seen:
        return False
    seen[trimmed] = trimmed
    return True


def rows(
    source: IO[bytes] | IO[str],
    *,
    max_lines: int = MAX_LINES,
    max_units: int = MAX_UNITS,
    max_codes: int = MAX_CODES,
    max_fields: int = csv_lines.MAX_FIELDS,
    delimiter: str | Callable[[str], str] = ",",
    wrong: Callable[[ValuesCsvError], None] | None = None,
) -> Iterator[tuple[int, str, str, str]]:
    """(line, unit, code, raw value) for each figure of a values file, the fields as
    they are written (not trimmed).

    `max_lines` counts every line, header and blank ones included; `max_units` and
    `max_codes` the different units and codes (trimmed, blank ones not counted).
    `delimiter` may be a function choosing it from the first line. A record of other
    than three fields goes to `wrong`, or stops reading when there is none. A binary
    stream must be seekable; it is left open.
    """
    chosen: list[str] = []

    def pick(first: str) -> str:
        chosen.append(delimiter(first) if callable(delimiter) else delimiter)
        return chosen[0]

    records = csv_lines.records(source, max_lines=max_lines, max_fields=max_fields, delimiter=pick)
    # A few thousand units and a few hundred codes repeat over a million lines: one
    # string object of each is kept (less memory, quicker lookups later), and each is
    # trimmed and counted once, when first seen.
    units: dict[str, str] = {}
    codes: dict[str, str] = {}
    unit_count = code_count = 0
    # The blank units seen ("", " "): a line of blank fields only is a blank line.
    blank_units: set[str] = set()
    try:
        line, header = next(records, (1, []))
        if tuple(csv_lines.fold(item) for item in header) != HEADER:
            raise ValuesCsvError(HEADER_KIND, line, found=header, delimiter=(chosen or [","])[0])
        for line, record in records:
            try:
                raw_unit, raw_code, raw = record
            except ValueError:  # not three fields
                if record and not all(map(_blank, record)):
                    error = ValuesCsvError(FIELDS, line, found=record)
                    if wrong is None:
                        raise error from None
                    wrong(error)
                continue
            unit = units.get(raw_unit)
            if unit is None:
                if _blank(raw_unit):
                    blank_units.add(raw_unit)
                elif _first(units, raw_unit.strip()):
                    unit_count += 1
                    if unit_count > max_units:
                        raise ValuesCsvError(TOO_MANY_UNITS, line, max_units)
                unit = units[raw_unit] = raw_unit
            code = codes.get(raw_code)
            if code is None:
                if not _blank(raw_code) and _first(codes, raw_code.strip()):
                    code_count += 1
                    if code_count > max_codes:
                        raise ValuesCsvError(TOO_MANY_CODES, line, max_codes)
                code = codes[raw_code] = raw_code
            if blank_units and unit in blank_units and _blank(code) and _blank(raw):
                continue
            yield line, unit, code, raw
    except csv_lines.CsvLimit as limit:
        if isinstance(limit, ValuesCsvError):
            raise
        raise ValuesCsvError(limit.kind, limit.line, limit.limit, limit.detail) from None
    finally:
        records.close()


def write(figures: Iterable[tuple[str, str, str]]) -> str:
    """The values file of (unit, code, value text) rows, after its header unit,code,value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(
        (cell_text(unit), cell_text(code), cell_text(raw)) for unit, code, raw in figures
    )
    return out.getvalue()
