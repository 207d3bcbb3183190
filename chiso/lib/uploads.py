"""Reading uploaded files safely: the helpers every import shares.

Below both `frameworks/` (criteria tables) and `assessments/` (values files, evidence),
so neither imports the other for them:

- `Issue`, `TableError`: a problem with where it is (sheet, row, column or line);
- `fold`: a heading reduced for matching (no diacritics, lower case; chiso.lib.csv_lines);
- `max_bytes`, `too_large`: the upload size limit (settings.CHISO_MAX_UPLOAD_MB);
- `sniff`: an Excel workbook or a CSV file told by its content, not its name;
- `zip_refusal`: a ZIP (xlsx, docx, ...) that inflates far beyond its size;
- `open_workbook`, `find_sheet`, `read_sheet`, `sheet_rows`: a workbook's sheets read in
  bounded memory, with merged cells and formulas without a saved result reported;
  `workbook_bytes` for the way back out;
- `limit_message`: why a CSV was not read (chiso.lib.csv_lines, chiso.lib.values_csv:
  the first line beyond the limits, an encoding not recognised), in the person's language;
- `capped`: an error answer lists so many problems, then counts the rest (with
  `csv_lines.shorten` for the text it quotes, it stays small whatever the file).

Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import get_column_letter

from chiso.lib import csv_lines
from chiso.lib.csv_lines import fold

XLSX = "xlsx"
CSV = "csv"
_EXCEL_NAMES = (".xlsx", ".xlsm", ".xls")
# A file that inflates beyond this (or far beyond its own size) would tie up the server.
MAX_UNPACKED_MB = 100
MAX_RATIO = 200
RATIO_FLOOR_MB = 20
# The largest sheet read: Vietnam has about 3,300 communes and a framework some dozens
# of inputs; anything much larger is not an entry file.
MAX_ROWS = 10_000
MAX_COLUMNS = 1_000
MAX_CELLS = 500_000
# A long CSV (unit,code,value) carries one figure a line: 166 communes x 50 inputs is
# 8,300 lines, the 559 communes before the 2025 reform 28,000.
MAX_CSV_LINES = 100_000
# An error page lists this many problems, then says how many more there are.
MAX_ISSUES_SHOWN = 50

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in an uploaded file, with where it is (sheet, row, column or line)."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    code: str | None = None
    line: int | None = None

    def where(self) -> str:
        if self.line is not None:
            if self.code:
                code = csv_lines.shorten(self.code)
                return _("Line %(line)s (%(code)s)") % {"line": self.line, "code": code}
            return _("Line %(line)s") % {"line": self.line}
        if self.sheet is None:
            return ""
        code = csv_lines.shorten(self.code) if self.code else self.code
        parts = {"sheet": self.sheet, "row": self.row, "column": self.column, "code": code}
        if self.row is not None and self.column and self.code:
            return _("Sheet %(sheet)s, row %(row)s, column %(column)s (%(code)s)") % parts
        if self.row is not None and self.column:
            return _("Sheet %(sheet)s, row %(row)s, column %(column)s") % parts
        if self.row is not None:
            return _("Sheet %(sheet)s, row %(row)s") % parts
        if self.column:
            return _("Sheet %(sheet)s, column %(column)s") % parts
        return _("Sheet %(sheet)s") % parts

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class TableError(Exception):
    """A file that cannot be used, with every problem found in it."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def max_bytes() -> int:
    """The largest upload accepted (settings.CHISO_MAX_UPLOAD_MB)."""
    return int(settings.CHISO_MAX_UPLOAD_MB) * 1024 * 1024


def too_large(size: int, filename: str) -> Issue | None:
    """The problem of a file over the size limit, or None."""
    if size <= max_bytes():
        return None
    message = _("%(name)s is %(size)s MB; files up to %(limit)s MB are accepted.")
    size_mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
    return Issue(
        message % {"name": filename, "size": size_mb, "limit": settings.CHISO_MAX_UPLOAD_MB}
    )


# ---------------------------------------------------------------------------
# ZIP-based files (xlsx, docx, pptx)


def zip_members(source: bytes | IO[bytes]) -> list[zipfile.ZipInfo] | None:
    """The entries of a ZIP archive, or None when it is not one."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(stream) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def zip_refusal(members: Iterable[zipfile.ZipInfo], size: int, name: str) -> str | None:
    """Why a ZIP that inflates far beyond its size is refused, or None.

    The sizes are those the archive declares; Python's zipfile never inflates an entry
    beyond its declared size, so they bound what reading it can cost.
    """
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_UNPACKED_MB * 1024 * 1024:
        message = _(
            "“%(name)s” unpacks to far more than its size (over %(limit)s MB): it is refused."
        )
        return message % {"name": name, "limit": MAX_UNPACKED_MB}
    if inflated > RATIO_FLOOR_MB * 1024 * 1024 and inflated > MAX_RATIO * max(size, 1):
        message = _("“%(name)s” unpacks to over %(ratio)s times its size: it is refused.")
        return message % {"name": name, "ratio": MAX_RATIO}
    return None


# ---------------------------------------------------------------------------
# Telling file kinds apart


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
ZIP_START = b"PK\x03\x04"
# What telling a file's kind reads of it (all of it only for a ZIP).
SNIFF_BYTES = 8192


def _looks_like_text(head: bytes) -> bool:
    if head.startswith(_BOMS):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
    return controls <= len(head) // 100


ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def _opendocument(data: bytes, members: Sequence[zipfile.ZipInfo]) -> str:
    """The media type an OpenDocument file (LibreOffice's .ods, .odt) declares in its
    first member "mimetype", or "" when it is not one."""
    first = members[0] if members else None
    if first is None or first.filename != "mimetype" or first.file_size > 100:
        return ""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(first).decode("ascii", "replace").strip()


def sniff(data: bytes, filename: str, *, allow_csv: bool) -> str:
    """Tell an Excel workbook (or, when allowed, a CSV file) by its content, not its name.

    Returns XLSX or CSV; raises TableError naming the file when it is neither.
    """
    name = filename or _("the file")
    if not data or data.isspace():
        raise TableError([Issue(_("The file %(name)s is empty.") % {"name": name})])
    if allow_csv:
        wanted = _("an Excel workbook (.xlsx) or a CSV file")
    else:
        wanted = _("an Excel workbook (.xlsx)")
    if data[:4] == ZIP_START:
        members = zip_members(data) or []
        names = [member.filename for member in members]
        if "[Content_Types].xml" in names and any(item.startswith("xl/") for item in names):
            refusal = zip_refusal(members, len(data), name)
            if refusal is not None:
                raise TableError([Issue(refusal)])
            return XLSX
        if _opendocument(data, members) == ODS_MIMETYPE:
            message = _(
                "%(name)s is an OpenDocument spreadsheet (.ods): in LibreOffice, save it as "
                "“Excel 2007-365 (.xlsx)” and upload that."
            )
            raise TableError([Issue(message % {"name": name})])
        message = _("%(name)s is a ZIP archive or another document, not %(wanted)s.")
        raise TableError([Issue(message % {"name": name, "wanted": wanted})])
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        message = _(
            "%(name)s is an old Excel 97-2003 (.xls) file: open it in Excel and save it as .xlsx."
        )
        raise TableError([Issue(message % {"name": name})])
    kind = filetype.guess(data[:SNIFF_BYTES])
    if kind is not None:
        message = _("%(name)s is a %(kind)s file (%(mime)s), not %(wanted)s.")
        values = {"name": name, "kind": kind.extension.upper(), "mime": kind.mime}
        raise TableError([Issue(message % {**values, "wanted": wanted})])
    looks_like_text = _looks_like_text(data[:SNIFF_BYTES])
    if allow_csv and looks_like_text and not filename.lower().endswith(_EXCEL_NAMES):
        return CSV
    if looks_like_text:
        message = _("%(name)s is a text file, not %(wanted)s.")
    else:
        message = _("%(name)s is not %(wanted)s.")
    raise TableError([Issue(message % {"name": name, "wanted": wanted})])


def limit_message(limit: csv_lines.CsvLimit, filename: str) -> str:
    """Why a CSV was not read (chiso.lib.csv_lines.CsvLimit), in the person's language."""
    figure = {"limit": limit.limit}
    if limit.kind == csv_lines.TOO_LONG:
        return _("The line is longer than %(limit)s characters: it is not a line of figures.") % (
            figure
        )
    if limit.kind == csv_lines.TOO_MANY_FIELDS:
        return _("The line has more than %(limit)s fields.") % figure
    if limit.kind == csv_lines.TOO_MANY_LINES:
        return _("The file goes on beyond %(limit)s lines: it was not read further.") % figure
    if limit.kind == csv_lines.NOT_TEXT:
        message = _(
            "%(name)s is a text file in an encoding chiso does not recognise (not UTF-8): "
            "in Excel, save it as “CSV UTF-8”."
        )
        return message % {"name": filename or _("the file")}
    if limit.detail.startswith("field larger than field limit"):
        return _("A field is longer than %(limit)s characters.") % {"limit": csv.field_size_limit()}
    if "end of data" in limit.detail or "EOF" in limit.detail:
        return _("A quotation mark opened on this line is never closed.")
    return _("The line cannot be read as CSV (%(error)s).") % {"error": limit.detail}


def capped(items: Sequence[T], more: Callable[[str], T], limit: int = MAX_ISSUES_SHOWN) -> list[T]:
    """The first `limit` problems and, when there are more, one saying how many are not
    shown (`more` makes it from its text: Issue, str): an answer never grows with the file.
    """
    if len(items) <= limit:
        return list(items)
    rest = len(items) - limit
    message = ngettext(
        "… and %(count)s more problem, not shown: correct these and upload the file again.",
        "… and %(count)s more problems, not shown: correct these and upload the file again.",
        rest,
    )
    return [*items[:limit], more(message % {"count": rest})]


# ---------------------------------------------------------------------------
# Workbooks


def open_workbook(data: bytes, filename: str) -> Any:
    """The workbook read-only with cached values; TableError if it cannot be read."""
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        message = _("%(name)s could not be read as an Excel workbook (%(error)s).")
        raise TableError([Issue(message % {"name": filename, "error": error})]) from error


def find_sheet(workbook: Any, *names: str) -> Any | None:
    """The sheet whose name folds to one of `names`, or None."""
    wanted = {fold(name) for name in names}
    for title in workbook.sheetnames:
        if fold(title) in wanted:
            return workbook[title]
    return None


@dataclass
class Sheet:
    """The cells of one sheet that hold something, by row and column (both from 1)."""

    title: str
    rows: dict[int, dict[int, Any]] = field(default_factory=dict)
    # Formula cells whose result the file does not carry: (row, column).
    uncomputed: list[tuple[int, int]] = field(default_factory=list)
    # Merged ranges, e.g. "C3:D3".
    merged: list[str] = field(default_factory=list)
    # Numbers shown as a percentage ("98,7 %" holds 0.987): (row, column).
    percent: set[tuple[int, int]] = field(default_factory=set)

    def value(self, row: int, column: int) -> Any:
        return self.rows.get(row, {}).get(column)

    def dense(self, width: int) -> list[tuple[Any, ...]]:
        """Rows 1 to the last one holding something, each `width` cells wide."""
        last = max(self.rows, default=0)
        result = []
        for number in range(1, last + 1):
            cells = self.rows.get(number, {})
            result.append(tuple(cells.get(column) for column in range(1, width + 1)))
        return result


class _TooBig(Exception):
    def __init__(self, issue: Issue) -> None:
        self.issue = issue


def _cell_parser(title: str) -> type:
    # openpyxl's read-only sheets pad every row to its last cell, so one value at
    # column XFD costs 16,384 slots per row (20,000 such rows took 2.9 GB). The same
    # XML is read here with openpyxl's own parser, keeping only the cells that hold
    # something and stopping at the first cell beyond the limits.
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        cells = 0

        def parse_cell(self, element: Any) -> dict[str, Any]:
            self.cells += 1
            if self.cells > MAX_CELLS:
                message = _("The sheet has more than %(limit)s cells: it is not an entry file.")
                raise _TooBig(Issue(message % {"limit": MAX_CELLS}, title))
            cell: dict[str, Any] = super().parse_cell(element)
            cell["formula"] = element.find(FORMULA_TAG) is not None
            return cell

    return Parser


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def percent_styles(book: Any) -> frozenset[int]:
    """The workbook's cell styles whose number format shows a percentage ("0.0%"; a
    "%" in quotes, escaped or in brackets is only text)."""
    found = set()
    for index, style in enumerate(book._cell_styles):
        number = style.numFmtId
        if number < BUILTIN_FORMATS_MAX_SIZE:
            code = BUILTIN_FORMATS.get(number, "General")
        else:
            code = book._number_formats[number - BUILTIN_FORMATS_MAX_SIZE]
        if "%" in _QUOTED.sub("", code):
            found.add(index)
    return frozenset(found)


def read_sheet(sheet: Any) -> Sheet:
    """The cells of a read-only sheet that hold something, in bounded memory.

    TableError when the sheet holds something beyond row MAX_ROWS or column MAX_COLUMNS,
    or lists more than MAX_CELLS cells.
    """
    result = Sheet(sheet.title)
    book = sheet.parent
    parser_class = _cell_parser(sheet.title)
    percent = percent_styles(book)
    with sheet._get_source() as source:
        parser = parser_class(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        try:
            for number, cells in parser.parse():
                for cell in cells:
                    value, column = cell["value"], cell["column"]
                    if isinstance(value, str) and not value.strip():
                        value = None
                    if value is None and not cell["formula"]:
                        continue
                    if number > MAX_ROWS or column > MAX_COLUMNS:
                        message = _(
                            "The sheet goes beyond row %(rows)s or column %(column)s: an entry "
                            "sheet is far smaller. Delete what is beyond it."
                        ) % {"rows": MAX_ROWS, "column": get_column_letter(MAX_COLUMNS)}
                        raise _TooBig(
                            Issue(message, sheet.title, number, get_column_letter(column))
                        )
                    if value is None:
                        result.uncomputed.append((number, column))
                        continue
                    result.rows.setdefault(number, {})[column] = value
                    if cell["style_id"] in percent and isinstance(value, int | float):
                        result.percent.add((number, column))
        except _TooBig as too_big:
            raise TableError([too_big.issue]) from None
    if parser.merged_cells is not None:
        result.merged = [str(item.ref) for item in parser.merged_cells.mergeCell]
    return result


def workbook_bytes(workbook: Any) -> bytes:
    """A workbook as the bytes of an .xlsx file (for downloads)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(sheet: Any, width: int = 64) -> list[tuple[Any, ...]]:
    """Every row of a read-only sheet, row 1 first, empty rows kept (so numbers match),
    the first `width` columns of each."""
    return read_sheet(sheet).dense(width)
