"""Text in exported spreadsheets stays text: never a live formula.

A spreadsheet program runs a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and some also after a leading tab or carriage return) as a formula, so a unit
code, a title or a comment typed as ``=HYPERLINK(...)`` would turn into a live
link or worse in the file someone downloads ("CSV injection"). Every export
writes its text through these functions:

- CSV: `cell_text` puts an apostrophe in front of such text (the OWASP
  convention; spreadsheets show the apostrophe-less text and never evaluate it).
- XLSX: `text_cell` / `write_xlsx_cell` store text as a string cell, so the
  workbook shows exactly the text and nothing is evaluated; numbers, dates and
  booleans stay what they are.

No Django and no I/O here: the CLI, the engine's callers and the web exports
all import it.
"""

from __future__ import annotations

from typing import Any, Final

from openpyxl.cell.cell import Cell, WriteOnlyCell

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """`value` as a CSV field a spreadsheet shows as text: ``'=1+2`` for ``=1+2``."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _as_string(cell: Cell, value: Any) -> Cell:
    # openpyxl reads a str starting with "=" as a formula (data type "f"); a string
    # cell ("s") keeps it as the very text, which Excel and LibreOffice display.
    if isinstance(value, str) and cell.data_type != "s":
        cell.data_type = "s"
    return cell


def text_cell(sheet: Any, value: Any) -> Any:
    """A value for `sheet.append([...])` (also a write-only sheet): text never a formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    return _as_string(cell, value)


def write_xlsx_cell(sheet: Any, row: int, column: int, value: Any) -> Cell:
    """Set one cell of an ordinary worksheet; text is stored as text, never a formula."""
    cell: Cell = sheet.cell(row=row, column=column)
    cell.value = value
    return _as_string(cell, value)
