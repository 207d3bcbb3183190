"""Values in Excel and CSV: the entry template and reading a filled file back.

The template has two sheets. "Số liệu" holds the figures: a row of titles (what each
column means, with its unit), the header row (Mã đơn vị, Tên đơn vị, then one column
per input code of the framework: elements, then indicators without formula), then one
row per unit, pre-filled with the figures the unit reported so far. "Hướng dẫn"
explains the rules in Vietnamese and lists every code with its title, type, unit and
allowed values, and the framework's validation rules.

The long CSV (unit,code,value) of docs/framework-format.md is read the same way.
Everything here is pure: bytes in, rows or issues out. Which units a person may
import for and the saving itself are in chiso/assessments/imports.py.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

from chiso import engine
from chiso.lib import numbers
from chiso.lib import values_csv as long_values
from chiso.lib.csv_lines import shorten, sniff_delimiter
from chiso.lib.safe_cells import append_row, write_xlsx_cell
from chiso.lib.uploads import (
    CSV,
    MAX_COLUMNS,
    MAX_CSV_LINES,
    MAX_ROWS,
    SNIFF_BYTES,
    XLSX,
    ZIP_START,
    Issue,
    Sheet,
    TableError,
    capped,
    find_sheet,
    fold,
    limit_message,
    open_workbook,
    read_sheet,
    sniff,
)
from chiso.lib.values_csv import NOT_APPLICABLE_TEXT

SHEET_VALUES = "Số liệu"
SHEET_HELP = "Hướng dẫn"
YES, NO = "Có", "Không"
# The header row is found by its first cell; any of these (folded) will do.
UNIT_CODE_LABELS = frozenset(fold(text) for text in ("Mã đơn vị", "Unit code", "Unit", "Mã ĐV"))
UNIT_NAME_LABELS = frozenset(fold(text) for text in ("Tên đơn vị", "Unit name", "Name"))
# How the template's first two rows start ("Chỉ tiêu →" folds to "chi tieu"), but not
# "unit", the long CSV's first column.
WIDE_FIRST = (UNIT_CODE_LABELS | {"chi tieu", "indicator"}) - {"unit"}

GREY = PatternFill("solid", fgColor="E7E7E7")
HEADER = PatternFill("solid", fgColor="DCE6F1")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def type_label(type_: str) -> str:
    return {
        "integer": _("whole number"),
        "number": _("number"),
        "percent": _("percentage (0 to 100)"),
        "boolean": _("yes / no"),
    }[type_]


def allowed_values(type_: str) -> str:
    return {
        "integer": _("0, 1, 2, … (no decimals)"),
        "number": _("any number, e.g. 98,7"),
        "percent": _("0 to 100, e.g. 98,7"),
        "boolean": _("Có / Không (also 1 / 0, đạt / không đạt)"),
    }[type_]


def localized(titles: Mapping[str, str]) -> str:
    """A {vi, en} text in the active language (Vietnamese when there is no other)."""
    language = (get_language() or "vi")[:2]
    return titles.get(language) or titles.get("vi") or next(iter(titles.values()), "")


@dataclass(frozen=True)
class InputInfo:
    """What a template column holds: an element or an indicator without formula."""

    code: str
    title: str
    type: str
    unit: str


def inputs(framework: engine.Framework) -> list[InputInfo]:
    """The framework's input codes in file order, with their title, type and unit."""
    elements = {element.code: element for element in framework.elements}
    result = []
    for code in framework.input_codes:
        if code in elements:
            title, unit = localized(elements[code].title), ""
        else:
            node = framework.node(code)
            title, unit = localized(node.title), node.unit or ""
        result.append(InputInfo(code, title, framework.input_type(code), unit))
    return result


def percent_codes(framework: engine.Framework) -> frozenset[str]:
    """The inputs that are percentages from 0 to 100: of type percent, or measured in %."""
    return frozenset(
        item.code for item in inputs(framework) if item.type == "percent" or item.unit == "%"
    )


# ---------------------------------------------------------------------------
# Building the template


@dataclass(frozen=True)
class UnitFigures:
    """One row of a template: a unit and the figures it reported (None = not reported)."""

    unit: str
    name: str
    figures: Mapping[str, float | None]
    not_applicable: frozenset[str] = frozenset()
    """Indicators the DX office marked as not applying: their cells say so, locked."""


def _cell_value(value: float | None, type_: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type_ == "boolean":
        return YES if value else NO
    if type_ == "integer" or float(value).is_integer():
        return int(value)
    return float(value)


def build_template(
    framework: engine.Framework,
    rows: Sequence[UnitFigures],
    *,
    heading: str,
    generated: dt.date | None = None,
) -> Workbook:
    """The entry workbook for some units of one framework (sheets Số liệu and Hướng dẫn)."""
    columns = inputs(framework)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_VALUES
    first = 3  # the first column of figures

    # Row 1: what each column means; row 2: the codes the import reads.
    # Titles and names come from administrators and units: written as text, never formulas.
    write_xlsx_cell(sheet, 1, 1, _("Indicator →"))
    write_xlsx_cell(sheet, 1, 2, heading)
    write_xlsx_cell(sheet, 2, 1, "Mã đơn vị")
    write_xlsx_cell(sheet, 2, 2, "Tên đơn vị")
    for offset, item in enumerate(columns):
        position = first + offset
        label = item.title + (f" ({item.unit})" if item.unit else "")
        if item.type == "boolean":
            label += " (Có/Không)"
        write_xlsx_cell(sheet, 1, position, label)
        code_cell = write_xlsx_cell(sheet, 2, position, item.code)
        code_cell.comment = Comment(
            f"{item.title}\n{type_label(item.type)}: {allowed_values(item.type)}", "chiso"
        )
        sheet.column_dimensions[get_column_letter(position)].width = 16
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 30
    sheet.row_dimensions[1].height = 75
    last_column = first + len(columns) - 1
    for row in sheet.iter_rows(min_row=1, max_row=2, max_col=max(last_column, 2)):
        for cell in row:
            cell.fill = GREY if cell.row == 1 else HEADER
            cell.font = BOLD if cell.row == 2 else Font(italic=True)
            cell.alignment = WRAP

    for index, unit in enumerate(rows):
        number = 3 + index
        write_xlsx_cell(sheet, number, 1, unit.unit).number_format = "@"
        write_xlsx_cell(sheet, number, 2, unit.name)
        for position in (1, 2):
            sheet.cell(row=number, column=position).fill = GREY
        for offset, item in enumerate(columns):
            if item.code in unit.not_applicable:
                cell = write_xlsx_cell(sheet, number, first + offset, NOT_APPLICABLE_TEXT)
                cell.fill = GREY
                continue
            cell = write_xlsx_cell(
                sheet,
                number,
                first + offset,
                _cell_value(unit.figures.get(item.code), item.type),
            )
            cell.protection = Protection(locked=False)
            if item.type == "percent":
                cell.number_format = "0.##"
    last_row = 2 + max(len(rows), 1)

    # Lists and checks Excel applies while typing; the import checks again anyway.
    for offset, item in enumerate(columns):
        letter = get_column_letter(first + offset)
        area = f"{letter}3:{letter}{last_row}"
        if item.type == "boolean":
            rule = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        elif item.type == "percent":
            rule = DataValidation(
                type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
            )
        elif item.type == "integer":
            rule = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
        else:
            continue
        rule.error = f"{type_label(item.type)}: {allowed_values(item.type)}"
        rule.errorTitle = item.code
        rule.showErrorMessage = True
        rule.add(area)
        sheet.add_data_validation(rule)

    # Unit codes, names and the two heading rows are locked; the figures are not.
    sheet.freeze_panes = f"{get_column_letter(first)}3"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.formatCells = False
    sheet.protection.sort = False
    sheet.protection.autoFilter = False

    _help_sheet(workbook, framework, columns, heading, generated or dt.date.today())
    return workbook


def _help_sheet(
    workbook: Workbook,
    framework: engine.Framework,
    columns: Sequence[InputInfo],
    heading: str,
    generated: dt.date,
) -> None:
    sheet = workbook.create_sheet(SHEET_HELP)
    widths = {"A": 16, "B": 60, "C": 22, "D": 14, "E": 36, "F": 10}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    append_row(sheet, [_("How to fill in the figures")])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [heading])
    append_row(sheet, [_("Template made on %(date)s") % {"date": generated.strftime("%d/%m/%Y")}])
    append_row(sheet, [])
    rules = [
        _(
            "1. Enter the figures in the sheet “Số liệu”: one row per unit, one column per code "
            "(the codes are in row 2, what they mean in row 1)."
        ),
        _(
            "2. Do not change the unit codes (column A), the unit names or the two heading rows: "
            "the file is read by these codes. Do not rename the sheet “Số liệu”."
        ),
        _(
            "3. Cells are pre-filled with the figures already reported. A cell left as it is "
            "keeps its figure; an emptied cell clears the figure (not reported); a new figure "
            "replaces the old one."
        ),
        _(
            "4. Write decimals with a comma or a point (98,7 or 98.7) and no thousands "
            "separator (1240, not 1.240)."
        ),
        _(
            "5. Yes/no columns: choose Có or Không from the list (1/0 and đạt/không đạt are "
            "read too). Percentages are numbers from 0 to 100 (98,7, not 0,987)."
        ),
        _(
            "6. The whole file is checked before anything is saved. If any cell is wrong, "
            "nothing is saved and the upload page lists every problem by sheet, row and "
            "column; correct them and upload the file again."
        ),
        _("7. The validation rules below are checked for every unit."),
        _(
            "8. A CSV file with the three columns unit,code,value (UTF-8) is accepted too: only "
            "the codes it lists change, and an empty value clears the figure."
        ),
        _(
            "9. Figures of a submission that has been submitted or approved cannot change: ask "
            "the reviewer to return it first."
        ),
    ]
    for line in rules:
        append_row(sheet, [line])
        sheet.merge_cells(
            start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=6
        )
        sheet.cell(row=sheet.max_row, column=1).alignment = WRAP
        sheet.row_dimensions[sheet.max_row].height = 32
    append_row(sheet, [])
    append_row(
        sheet,
        [
            _("Code"),
            _("Title"),
            _("Type"),
            _("Unit of measure"),
            _("Allowed values"),
            _("Column"),
        ],
    )
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.fill = HEADER
    for offset, item in enumerate(columns):
        append_row(
            sheet,
            [
                item.code,
                item.title,
                type_label(item.type),
                item.unit,
                allowed_values(item.type),
                get_column_letter(3 + offset),
            ],
        )
        sheet.cell(row=sheet.max_row, column=2).alignment = WRAP
    append_row(sheet, [])
    append_row(sheet, [_("Validation rules")])
    sheet.cell(row=sheet.max_row, column=1).font = BOLD
    if framework.validation:
        append_row(sheet, [_("Rule"), _("Meaning")])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
            cell.fill = HEADER
        for rule in framework.validation:
            append_row(sheet, [rule.rule, localized(rule.message) if rule.message else ""])
            sheet.cell(row=sheet.max_row, column=2).alignment = WRAP
    else:
        append_row(sheet, [_("This framework has no validation rules.")])


def values_csv(framework: engine.Framework, rows: Sequence[UnitFigures]) -> str:
    """The long CSV (unit,code,value) of some units: every input code, empty if not reported."""
    return long_values.write(
        (unit.unit, code, _entered(unit, code)) for unit in rows for code in framework.input_codes
    )


def _entered(unit: UnitFigures, code: str) -> str:
    """A figure as entered ("" when not reported), or the words of one that does not apply."""
    if code in unit.not_applicable:
        return NOT_APPLICABLE_TEXT
    return numbers.plain(unit.figures.get(code))


# ---------------------------------------------------------------------------
# Reading a filled file


@dataclass(slots=True)
class Cell:
    """One figure as found in the file, with where it was."""

    raw: Any
    row: int
    column: str | None = None
    # The cell shows its number as a percentage (0.987 as "98,7 %").
    percent: bool = False


@dataclass
class UnitRows:
    """Everything a file says about one unit."""

    unit: str
    row: int
    column: str | None
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class ValuesFile:
    """A values file read into rows; `issues` are problems of its structure."""

    kind: str
    sheet: str | None
    header_row: int | None
    # (column letter, code written in the header), xlsx only
    columns: list[tuple[str, str]]
    units: list[UnitRows]
    issues: list[Issue]
    # What the person should know although nothing is wrong (a sheet that was not read).
    notes: list[str] = field(default_factory=list)

    def issue(
        self,
        message: str,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
    ) -> Issue:
        if self.kind == CSV:
            return Issue(message, line=row, code=code)
        return Issue(message, self.sheet, row, column, code)


def _unit_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def read_values_file(data: bytes | IO[bytes], filename: str) -> ValuesFile:
    """Read a values workbook or long CSV (its bytes, or a seekable binary stream such as
    an upload); TableError when the file cannot be read at all.

    A CSV is read from the stream as it comes; only a workbook is read whole."""
    if not isinstance(data, bytes):
        head = data.read(SNIFF_BYTES)
        data.seek(0)
        if head[:4] != ZIP_START:
            # Only a ZIP can be a workbook: anything else is a CSV or refused here.
            sniff(head, filename, allow_csv=True)
            return _read_csv(data, filename)
        data = data.read()
    if sniff(data, filename, allow_csv=True) == CSV:
        return _read_csv(data, filename)
    return _read_xlsx(data, filename)


def _read_xlsx(data: bytes, filename: str) -> ValuesFile:
    workbook = open_workbook(data, filename)
    try:
        sheet = find_sheet(workbook, SHEET_VALUES)
        if sheet is None:
            message = _(
                "The workbook has no sheet “%(sheet)s” (its sheets: %(sheets)s). Download the "
                "template again and enter the figures in the sheet “%(sheet)s”."
            ) % {"sheet": SHEET_VALUES, "sheets": shorten(", ".join(workbook.sheetnames), 300)}
            raise TableError([Issue(message)])
        title = sheet.title
        others = [
            name for name in workbook.sheetnames if name != title and fold(name) != fold(SHEET_HELP)
        ]
        cells = read_sheet(sheet)
    finally:
        workbook.close()
    header_row = next(
        (number for number in range(1, 11) if fold(cells.value(number, 1)) in UNIT_CODE_LABELS),
        None,
    )
    if header_row is None:
        message = _(
            "No header row: column A of the header row must read “Mã đơn vị” (unit code), "
            "followed by “Tên đơn vị” and the codes."
        )
        raise TableError([Issue(message, title)])
    result = ValuesFile(XLSX, title, header_row, [], [], [])
    notes = [
        _("The sheet “%(sheet)s” was not read: only the sheet “%(values)s” holds figures.")
        % {"sheet": name, "values": SHEET_VALUES}
        for name in others
    ]
    result.notes.extend(capped(notes, str))
    result.issues.extend(_hidden_figures(result, cells))
    header = cells.rows.get(header_row, {})
    positions: list[tuple[int, str]] = []
    for column in sorted(header):
        text = _unit_text(header[column])
        if column == 1 or not text or (column == 2 and fold(text) in UNIT_NAME_LABELS):
            continue
        letter = get_column_letter(column)
        result.columns.append((letter, text))
        positions.append((column, text))
    seen: dict[str, int] = {}
    for number in sorted(row for row in cells.rows if row > header_row):
        row = cells.rows[number]
        unit = _unit_text(row.get(1))
        found = {
            code: Cell(
                row.get(column),
                number,
                get_column_letter(column),
                (number, column) in cells.percent,
            )
            for column, code in positions
        }
        if not unit:
            if any(_filled(cell.raw) for cell in found.values()):
                result.issues.append(
                    result.issue(_("The unit code is empty, but the row has figures."), number, "A")
                )
            continue
        if unit in seen:
            result.issues.append(
                result.issue(
                    _("Unit %(unit)s appears twice (also row %(other)s).")
                    % {"unit": shorten(unit), "other": seen[unit]},
                    number,
                    "A",
                )
            )
            continue
        seen[unit] = number
        result.units.append(UnitRows(unit, number, "A", found))
    return result


def _hidden_figures(result: ValuesFile, cells: Sheet) -> list[Issue]:
    """Merged cells and formulas without their result from the header row down: read as
    they are, they would silently clear figures."""
    assert result.header_row is not None
    issues = []
    for ref in cells.merged:
        first_column, first_row, _last_column, last_row = range_boundaries(ref)
        if last_row is not None and last_row >= result.header_row:
            message = _(
                "The cells %(cells)s are merged: unmerge them and give each figure its own cell."
            )
            issues.append(
                result.issue(message % {"cells": ref}, first_row, get_column_letter(first_column))
            )
    for row, column in cells.uncomputed:
        if row >= result.header_row:
            message = _(
                "The cell holds a formula whose result was not saved: type the figure itself, "
                "or open the file in Excel and save it again."
            )
            issues.append(result.issue(message, row, get_column_letter(column)))
    return issues


def _filled(raw: Any) -> bool:
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


def _beyond_sheet(line: int) -> Issue:
    """A long CSV holds what an entry sheet may: MAX_ROWS units and MAX_COLUMNS codes."""
    message = _(
        "The file names more than %(units)s units or %(codes)s codes: an entry file is far "
        "smaller. It was not read further."
    )
    return Issue(message % {"units": MAX_ROWS, "codes": MAX_COLUMNS}, line=line)


def _read_csv(data: bytes | IO[bytes], filename: str) -> ValuesFile:
    result = ValuesFile(CSV, None, 1, [], [], [])

    def wrong(error: long_values.ValuesCsvError) -> None:
        message = _("%(count)s fields instead of 3 (unit,code,value).")
        result.issues.append(result.issue(message % {"count": len(error.found)}, error.line))

    # Read as it comes: a file beyond the limits stops at its first line beyond them.
    figures = long_values.rows(
        io.BytesIO(data) if isinstance(data, bytes) else data,
        max_lines=MAX_CSV_LINES,
        max_units=MAX_ROWS,
        max_codes=MAX_COLUMNS,
        max_fields=MAX_COLUMNS,
        delimiter=sniff_delimiter,
        wrong=wrong,
    )
    by_unit: dict[str, UnitRows] = {}
    # Codes repeat for every unit: one string of each is kept.
    codes: dict[str, str] = {}
    try:
        for line, unit_text, code_text, raw_text in figures:
            unit, raw = unit_text.strip(), raw_text.strip()
            code = codes.setdefault(code_text.strip(), code_text.strip())
            if not unit:
                result.issues.append(result.issue(_("The unit is empty."), line, code=code or None))
                continue
            if not code:
                result.issues.append(result.issue(_("The code is empty."), line))
                continue
            entry = by_unit.get(unit)
            if entry is None:
                entry = by_unit[unit] = UnitRows(unit, line, None)
                result.units.append(entry)
            if code in entry.cells:
                result.issues.append(
                    result.issue(
                        _("Unit %(unit)s: the value is given twice (also line %(other)s).")
                        % {"unit": shorten(unit), "other": entry.cells[code].row},
                        line,
                        code=code,
                    )
                )
                continue
            entry.cells[code] = Cell(raw, line)
    except long_values.ValuesCsvError as error:
        raise TableError([_csv_refusal(error, filename)]) from None
    return result


def _csv_refusal(error: long_values.ValuesCsvError, filename: str) -> Issue:
    """Why a long CSV was not read, in the person's language."""
    if error.kind == long_values.HEADER_KIND:
        if error.found and fold(error.found[0]) in WIDE_FIRST:
            # The template's sheet saved as CSV: its header is every code of the framework.
            message = _(
                "%(name)s is the sheet “%(sheet)s” saved as CSV: upload the Excel workbook "
                "(.xlsx) itself, or a CSV of three columns unit,code,value."
            ) % {"name": filename or _("the file"), "sheet": SHEET_VALUES}
            return Issue(message)
        shown = shorten(error.delimiter.join(error.found))
        message = _("The header must be unit,code,value, not “%(header)s”.") % {"header": shown}
        return Issue(message, line=error.line)
    if error.kind in (long_values.TOO_MANY_UNITS, long_values.TOO_MANY_CODES):
        return _beyond_sheet(error.line)
    return Issue(limit_message(error, filename), line=error.line)


def header_issues(values_file: ValuesFile, framework: engine.Framework) -> list[Issue]:
    """Problems of the header row: a code the framework lacks, repeated or missing columns."""
    if values_file.kind != XLSX:
        return []
    issues: list[Issue] = []
    known = set(framework.input_codes)
    computed = {node.code for node in framework.nodes}
    where: dict[str, str] = {}
    row = values_file.header_row
    for letter, code in values_file.columns:
        if code in where:
            message = _("Code %(code)s has two columns (also column %(other)s).")
            issues.append(
                values_file.issue(
                    message % {"code": shorten(code), "other": where[code]}, row, letter, code
                )
            )
        elif code in computed and code not in known:
            message = _(
                "%(code)s is computed by the framework from its elements: remove this column."
            )
            issues.append(values_file.issue(message % {"code": shorten(code)}, row, letter, code))
        elif code not in known:
            message = _("“%(code)s” is not a code of the framework %(framework)s.")
            issues.append(
                values_file.issue(
                    message % {"code": shorten(code), "framework": framework.code}, row, letter
                )
            )
        where.setdefault(code, letter)
    titles = {item.code: item.title for item in inputs(framework)}
    for code in framework.input_codes:
        if code not in where:
            message = _("The column for %(code)s (%(title)s) is missing.")
            issues.append(values_file.issue(message % {"code": code, "title": titles[code]}, row))
    return issues


def shown_figure(raw: Any, *, shown_as_percent: bool = False) -> Any:
    """What a cell holds, as the figure it shows, for the gate to read: a percentage
    (`percent_codes`) in a cell that shows its number as a percentage holds the share
    (0.987 for "98,7 %"), which is the percentage it shows (98.7); a date is its text (the
    gate refuses it: not a number); anything else is as the cell holds it."""
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        return raw.isoformat()
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if shown_as_percent and number and math.isfinite(raw):
        # Decimal, so 0.987 becomes 98.7 and not 98.69999999999999.
        return float(Decimal(repr(float(raw))) * 100)
    return raw
