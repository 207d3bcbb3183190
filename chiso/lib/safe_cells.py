"""Writing text into spreadsheets so that it stays text (no live formulas in exports).

A spreadsheet runs a cell that begins with =, +, - or @ (and some also one that begins
with a tab or a carriage return) as a formula: a framework title
`=HYPERLINK("http://evil.example", "…")` in an export would become a live link.
Every export goes through the helpers here:

- `cell_text(value: str) -> str`: for CSV. Text that would run gets an apostrophe in
  front (the convention spreadsheets show as text). A plain number such as "-3.5" is
  data, not a formula, and stays as it is, so figures read back unchanged.
- `set_text_cell(cell, value)`: for openpyxl. Sets a cell's value; a string is always
  stored as a string (data type "s"), never as a formula, and text that would run
  when retyped is marked with Excel's quote prefix.
- `xlsx_value(sheet, value)`: the same as a cell for `sheet.append([...])`;
  `text_cell(sheet, value)` likewise for a write-only sheet, and
  `write_xlsx_cell(sheet, row, column, value)` for one cell of an ordinary sheet.

- `csv_cell(value)`: one value of a CSV file (numbers plainly, booleans true/false,
  nothing for a missing figure); `table_csv` and `table_xlsx` write a whole table.

No Django here: `chiso score` writes its CSV and XLSX with these helpers too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import Cell, WriteOnlyCell

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def runs_as_formula(text: str) -> bool:
    """True when a spreadsheet would compute the text instead of showing it."""
    return text.startswith(DANGEROUS_START) and not _PLAIN_NUMBER.fullmatch(text)


def cell_text(value: str) -> str:
    """The text for a CSV cell: prefixed with an apostrophe when it would run as a formula."""
    return "'" + value if runs_as_formula(value) else value


def set_text_cell(cell: Any, value: Any) -> Any:
    """Set a cell's value so that a string is stored as a string, never as a formula."""
    cell.value = value
    if isinstance(value, str):
        # openpyxl turns any string starting with "=" into a formula; undo that.
        cell.data_type = "s"
        if runs_as_formula(value):
            cell.quotePrefix = True
    return cell


def xlsx_value(sheet: Any, value: Any) -> Any:
    """A cell for `sheet.append([...])` holding `value` as `set_text_cell` would."""
    if not isinstance(value, str):
        return value
    return set_text_cell(Cell(sheet), value)


def append_row(sheet: Any, values: list[Any] | tuple[Any, ...]) -> None:
    """`sheet.append(values)` with every string kept as text."""
    sheet.append([xlsx_value(sheet, value) for value in values])


def text_cell(sheet: Any, value: Any) -> Any:
    """A value for a write-only sheet's `append([...])`: text is kept as text."""
    if not isinstance(value, str):
        return value
    return set_text_cell(WriteOnlyCell(sheet), value)


def write_xlsx_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Set one cell of an ordinary worksheet; text is stored as text, never a formula."""
    return set_text_cell(sheet.cell(row=row, column=column), value)


def csv_cell(value: Any) -> str:
    """One value as a CSV file writes it: plain decimals, true/false, "" for no figure."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else format(value, ".10g")
    if isinstance(value, str):
        return cell_text(value)
    return str(value)


def table_csv(header: Sequence[str], table: Sequence[Sequence[Any]]) -> str:
    """A header and rows as CSV text, every cell through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows([csv_cell(value) for value in row] for row in table)
    return out.getvalue()


def table_xlsx(
    header: Sequence[str], table: Sequence[Sequence[Any]], sheet_name: str, when: Any = None
) -> bytes:
    """A header and rows as one sheet of an XLSX workbook, text kept as text.

    `when` (an aware datetime), when given, dates the workbook wherever a zip or a
    document keeps a time: the same table is then the same bytes every time."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    if when is not None:
        book.properties.created = book.properties.modified = when.replace(tzinfo=None)
    sheet = book.create_sheet(sheet_name)
    sheet.append([text_cell(sheet, value) for value in header])
    for row in table:
        sheet.append([text_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue() if when is None else _fixed_zip(out.getvalue(), when)


DOC_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_zip(data: bytes, when: Any) -> bytes:
    """The same zip with every member, and the document's own times, dated `when`
    (openpyxl stamps the save time in docProps/core.xml)."""
    stamp = when.timetuple()[:6]
    iso = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            body = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                body = DOC_TIMES.sub(rb"\g<1>" + iso + rb"\g<2>", body)
            target.writestr(info, body)
    return out.getvalue()
