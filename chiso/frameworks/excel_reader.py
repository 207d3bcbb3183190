"""Reading the sheets of a criteria table into the parts of a framework document.

"Thông tin" gives the code, title, level, year and recognition; "Tiêu chí" one row per
group or indicator (the parent is the code up to its last dot, or the "Thuộc" column
when given); "Thành phần" the raw inputs formulas use and "Quy tắc kiểm tra" the
validation rules. Every problem is collected with its sheet, row and column; merged
cells among the rows read are problems too (read as they are, only the first cell of a
range holds its value, so the other rows would silently lose it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, range_boundaries

from chiso.frameworks.excel_columns import (
    CRITERIA_COLUMNS,
    ELEMENT_COLUMNS,
    INFO_KEYS,
    LEVEL_WORDS,
    NO,
    RULE_COLUMNS,
    SHEET_CRITERIA,
    SHEET_ELEMENTS,
    SHEET_INFO,
    SHEET_RULES,
    TYPE_WORDS,
    YES,
    cell_at,
    find_header,
    match_heading,
    not_a_type,
    plain,
    read_number,
    shown,
    text_of,
)
from chiso.frameworks.excel_scoring import parse_method
from chiso.lib.uploads import Issue, Sheet, find_sheet, fold, number_text, read_sheet, sheet_rows

# The columns a criteria table's sheets are read in (as `sheet_rows` reads them).
WIDTH = 64


@dataclass
class _Row:
    number: int
    code: str
    parent: str | None
    values: dict[str, Any]
    columns: dict[str, str]
    children: list[str] = field(default_factory=list)


@dataclass
class Reader:
    """Collects the problems of one workbook while building the framework document."""

    issues: list[Issue] = field(default_factory=list)
    # Where each code, element and rule came from, to place the engine's problems.
    places: dict[str, Issue] = field(default_factory=dict)

    def add(self, message: str, sheet: str, row: int | None = None, **where: Any) -> None:
        self.issues.append(Issue(message, sheet, row, **where))

    def read(self, sheet: Any) -> tuple[list[tuple[Any, ...]], Sheet]:
        """A sheet's rows (row 1 first), and the sheet as read: its merged ranges
        ("H4:H6") and the formulas whose result the file does not carry."""
        cells = read_sheet(sheet)
        return cells.dense(WIDTH), cells

    def unreadable_cells(
        self, cells: Sheet, sheet: str, *, rows: Collection[int] = (), below: int = 0
    ) -> None:
        """A problem for each merged range, and each formula without a saved result, that
        reaches one of `rows`, or row `below` or any row under it (a title merged above
        the header row is harmless)."""
        for number, column in cells.uncomputed:
            if (below and number >= below) or number in rows:
                self.add(
                    _(
                        "The cell holds a formula whose result was not saved: type the value "
                        "itself, or open the file in Excel and save it again."
                    ),
                    sheet,
                    number,
                    column=get_column_letter(column),
                )
        for ref in cells.merged:
            first_column, first_row, _last_column, last_row = range_boundaries(ref)
            if first_row is None or last_row is None or first_column is None:
                continue  # a whole column or row: openpyxl does not write those
            reached = range(first_row, last_row + 1)
            if (below and last_row >= below) or any(row in reached for row in rows):
                self.add(
                    _(
                        "The cells %(cells)s are merged: unmerge them and fill in each cell "
                        "(a value shared by several rows goes on each of them)."
                    )
                    % {"cells": ref},
                    sheet,
                    first_row,
                    column=get_column_letter(first_column),
                )

    # -- Thông tin ------------------------------------------------------------

    def info(self, workbook: Any) -> dict[str, Any]:
        sheet = find_sheet(workbook, SHEET_INFO, "Thong tin", "Information", "Info")
        if sheet is None:
            self.add(
                _(
                    "The workbook has no sheet “%(sheet)s” giving the framework's code, title, "
                    "level and year."
                )
                % {"sheet": SHEET_INFO},
                SHEET_INFO,
            )
            return {}
        title = sheet.title
        found: dict[str, tuple[Any, int]] = {}
        rows, cells = self.read(sheet)
        for number, row in enumerate(rows, start=1):
            key = match_heading(cell_at(row, 0), INFO_KEYS)
            if key is not None and key not in found:
                found[key] = (cell_at(row, 1), number)
        self.unreadable_cells(cells, title, rows={number for _value, number in found.values()})
        result: dict[str, Any] = {}
        for key in ("code", "title", "level", "year"):
            if key not in found or found[key][0] is None:
                label = {"code": "Mã bộ tiêu chí", "title": "Tên bộ tiêu chí", "level": "Cấp"}
                label["year"] = "Năm"
                row = found[key][1] if key in found else None
                self.add(
                    _("“%(key)s” is missing: give it in column B.") % {"key": label[key]},
                    title,
                    row,
                )
        for key, (value, number) in found.items():
            self.places[key] = Issue("", title, number, "B")
            if value is None:
                continue
            if key in ("code", "title", "title_en", "source"):
                result[key] = text_of(value)
            elif key == "description":
                result[key] = str(value).strip()
            elif key == "level":
                level = LEVEL_WORDS.get(fold(value))
                if level is None:
                    self.add(
                        _("“%(value)s” is not a level: write tỉnh, sở, huyện or xã.")
                        % {"value": shown(value)},
                        title,
                        number,
                        column="B",
                    )
                result["level"] = level
            elif key == "year":
                try:
                    year = read_number(value)
                    if not year.is_integer():
                        raise ValueError(value)
                    result["year"] = int(year)
                except ValueError:
                    self.add(
                        _("“%(value)s” is not a year.") % {"value": shown(value)},
                        title,
                        number,
                        column="B",
                    )
            elif key in ("min_points", "min_value"):
                try:
                    result[key] = plain(read_number(value))
                except ValueError:
                    self.add(
                        _("“%(value)s” is not a number.") % {"value": shown(value)},
                        title,
                        number,
                        column="B",
                    )
            elif key == "all_mandatory":
                flag = self.flag(value, title, number, "B")
                if flag is not None:
                    result[key] = flag
        return result

    def flag(self, value: object, sheet: str, row: int, column: str) -> bool | None:
        folded = fold(value) if not isinstance(value, bool) else ("x" if value else "")
        if folded in YES:
            return True
        if folded in NO:
            return False
        self.add(
            _("“%(value)s” is not yes or no: write x (or có) for yes, leave empty for no.")
            % {"value": shown(value)},
            sheet,
            row,
            column=column,
        )
        return None

    # -- Tiêu chí -------------------------------------------------------------

    def criteria(self, workbook: Any) -> list[dict[str, Any]]:
        sheet = find_sheet(workbook, SHEET_CRITERIA, "Criteria", "Chỉ tiêu", "Chỉ số")
        if sheet is None:
            for candidate in workbook.worksheets:
                if find_header(sheet_rows(candidate), CRITERIA_COLUMNS, ("code", "title")):
                    sheet = candidate
                    break
        if sheet is None:
            self.add(
                _(
                    "The workbook has no sheet “%(sheet)s” with a header row naming at least "
                    "the columns Mã (code) and Tiêu chí (indicator)."
                )
                % {"sheet": SHEET_CRITERIA},
                SHEET_CRITERIA,
            )
            return []
        title = sheet.title
        rows, cells = self.read(sheet)
        header = find_header(rows, CRITERIA_COLUMNS, ("code", "title"))
        if header is None:
            self.add(
                _(
                    "No header row found: one of the first rows must name the columns Mã (code) "
                    "and Tiêu chí (indicator)."
                ),
                title,
            )
            return []
        header_index, columns = header
        self.unreadable_cells(cells, title, below=header_index + 1)
        for key, label in (("points", "Điểm tối đa"), ("method", "Cách tính điểm")):
            if key not in columns:
                self.add(
                    _("The header row has no column “%(label)s”.") % {"label": label},
                    title,
                    header_index + 1,
                )
        letters = {key: get_column_letter(position + 1) for key, position in columns.items()}
        parsed: dict[str, _Row] = {}
        order: list[str] = []
        for index in range(header_index + 1, len(rows)):
            row = rows[index]
            number = index + 1
            values = {key: cell_at(row, position) for key, position in columns.items()}
            if all(value is None for value in values.values()):
                continue
            code = text_of(values.get("code"))
            if not code:
                self.add(_("The code is empty."), title, number, column=letters["code"])
                continue
            if not re.fullmatch(r"[A-Za-z0-9._-]+", code):
                self.add(
                    _("“%(code)s” is not a valid code (letters, digits, dot, _ and - only).")
                    % {"code": code},
                    title,
                    number,
                    column=letters["code"],
                )
                continue
            if code in parsed:
                self.add(
                    _("Code %(code)s appears twice (also row %(other)s).")
                    % {"code": code, "other": parsed[code].number},
                    title,
                    number,
                    column=letters["code"],
                )
                continue
            parent = text_of(values.get("parent")) or None
            # An empty "Thuộc" follows the dot rule, as the instructions say; with the
            # column present, a dotted code whose group is not listed above is a root.
            if parent is None and "." in code:
                implied = code.rsplit(".", 1)[0]
                if "parent" not in columns or implied in parsed:
                    parent = implied
            parsed[code] = _Row(number, code, parent, values, letters)
            order.append(code)
            self.places[code] = Issue("", title, number, letters["code"], code)
            if "formula" in letters:
                self.places[f"{code}#formula"] = Issue("", title, number, letters["formula"], code)
        roots: list[str] = []
        for code in order:
            item = parsed[code]
            if item.parent is None:
                roots.append(code)
            elif item.parent not in parsed or order.index(item.parent) > order.index(code):
                column = letters.get("parent", letters["code"])
                self.add(
                    _("The group %(parent)s of %(code)s is not listed above it.")
                    % {"parent": item.parent, "code": code},
                    title,
                    item.number,
                    column=column,
                    code=code,
                )
            else:
                parsed[item.parent].children.append(code)
        if not roots and not self.issues:
            self.add(_("The table lists no indicator."), title, header_index + 1)
        return [self.node(parsed[code], parsed, title) for code in roots]

    def node(self, item: _Row, rows: Mapping[str, _Row], sheet: str) -> dict[str, Any]:
        values, letters = item.values, item.columns

        def problem(message: str, key: str) -> None:
            self.add(message, sheet, item.number, column=letters.get(key), code=item.code)

        node: dict[str, Any] = {"code": item.code, "title": {"vi": text_of(values.get("title"))}}
        if not node["title"]["vi"]:
            problem(_("The indicator has no title."), "title")
        if values.get("title_en") is not None:
            node["title"]["en"] = text_of(values["title_en"])
        if values.get("unit") is not None:
            node["unit"] = text_of(values["unit"])
        points = None
        if values.get("points") is not None:
            try:
                points = read_number(values["points"])
                if points < 0:
                    raise ValueError(points)
            except ValueError:
                problem(
                    _("“%(value)s” is not a number of points (0 or more).")
                    % {"value": shown(values["points"])},
                    "points",
                )
        if item.children:
            for key, label in (("method", "Cách tính điểm"), ("formula", "Công thức")):
                if values.get(key) is not None:
                    problem(
                        _(
                            "A group (a row with rows under it) has no “%(label)s”: only its "
                            "indicators are scored."
                        )
                        % {"label": label},
                        key,
                    )
            children = [self.node(rows[code], rows, sheet) for code in item.children]
            total = _leaf_points(item, rows)
            if (
                points is not None
                and total is not None
                and not math.isclose(points, total, abs_tol=1e-6)
            ):
                problem(
                    _(
                        "The group's %(points)s points differ from the sum of its indicators' "
                        "points (%(total)s): leave the cell empty or correct it."
                    )
                    % {"points": number_text(points), "total": number_text(total)},
                    "points",
                )
        else:
            children = []
            if values.get("points") is None:
                problem(_("The indicator has no maximum points."), "points")
            elif points is not None:
                node["points"] = plain(points)
        mandatory = values.get("mandatory")
        if mandatory is not None and self.flag(mandatory, sheet, item.number, letters["mandatory"]):
            node["mandatory"] = True
        may_not_apply = values.get("may_not_apply")
        if may_not_apply is not None and self.flag(
            may_not_apply, sheet, item.number, letters["may_not_apply"]
        ):
            node["may_not_apply"] = True
        reconstructed = values.get("reconstructed")
        if reconstructed is not None and self.flag(
            reconstructed, sheet, item.number, letters["reconstructed"]
        ):
            node["reconstructed"] = True
        if values.get("pass") is not None:
            try:
                node["pass"] = plain(read_number(values["pass"]))
            except ValueError:
                problem(
                    _("“%(value)s” is not a number between 0 and 1.")
                    % {"value": shown(values["pass"])},
                    "pass",
                )
        if values.get("type") is not None:
            type_ = TYPE_WORDS.get(fold(values["type"]))
            if type_ is None:
                problem(
                    not_a_type(values["type"]),
                    "type",
                )
            else:
                node["type"] = type_
        if not item.children:
            if values.get("formula") is not None:
                node["formula"] = text_of(values["formula"])
            if values.get("method") is None:
                problem(_("The indicator has no scoring rule (Cách tính điểm)."), "method")
            else:
                try:
                    node["score"] = parse_method(values["method"])
                except ValueError as error:
                    problem(str(error), "method")
        for key in ("description", "help", "evidence", "data_source", "verified_by"):
            if values.get(key) is not None:
                node[key] = {"vi": str(values[key]).strip()}
        if children:
            node["children"] = children
        return node

    # -- Thành phần, Quy tắc kiểm tra ----------------------------------------

    def elements(self, workbook: Any) -> list[dict[str, Any]]:
        sheet = find_sheet(workbook, SHEET_ELEMENTS, "Elements", "Số liệu thành phần")
        if sheet is None:
            return []
        rows, cells = self.read(sheet)
        header = find_header(rows, ELEMENT_COLUMNS, ("code", "title"))
        if header is None:
            self.add(
                _(
                    "No header row found: one of the first rows must name the columns Mã (code) "
                    "and Tên (title)."
                ),
                sheet.title,
            )
            return []
        header_index, columns = header
        self.unreadable_cells(cells, sheet.title, below=header_index + 1)
        letters = {key: get_column_letter(position + 1) for key, position in columns.items()}
        result = []
        for index in range(header_index + 1, len(rows)):
            values = {key: cell_at(rows[index], position) for key, position in columns.items()}
            if all(value is None for value in values.values()):
                continue
            code = text_of(values.get("code"))
            if not code:
                self.add(_("The code is empty."), sheet.title, index + 1, column=letters["code"])
                continue
            item: dict[str, Any] = {"code": code, "title": {"vi": text_of(values.get("title"))}}
            if values.get("title_en") is not None:
                item["title"]["en"] = text_of(values["title_en"])
            type_ = TYPE_WORDS.get(fold(values.get("type") or "số"))
            if type_ is None:
                self.add(
                    not_a_type(values["type"]),
                    sheet.title,
                    index + 1,
                    column=letters.get("type"),
                    code=code or None,
                )
                continue
            item["type"] = type_
            self.places[code] = Issue("", sheet.title, index + 1, letters["code"], code)
            result.append(item)
        return result

    def rules(self, workbook: Any) -> list[dict[str, Any]]:
        sheet = find_sheet(workbook, SHEET_RULES, "Validation", "Quy tắc")
        if sheet is None:
            return []
        rows, cells = self.read(sheet)
        header = find_header(rows, RULE_COLUMNS, ("rule",))
        if header is None:
            self.add(
                _("No header row found: one of the first rows must name the column Quy tắc."),
                sheet.title,
            )
            return []
        header_index, columns = header
        self.unreadable_cells(cells, sheet.title, below=header_index + 1)
        result = []
        for index in range(header_index + 1, len(rows)):
            values = {key: cell_at(rows[index], position) for key, position in columns.items()}
            if values.get("rule") is None:
                continue
            item: dict[str, Any] = {"rule": text_of(values["rule"])}
            if values.get("message") is not None:
                item["message"] = {"vi": text_of(values["message"])}
                if values.get("message_en") is not None:
                    item["message"]["en"] = text_of(values["message_en"])
            self.places[f"validation[{len(result)}]"] = Issue(
                "", sheet.title, index + 1, get_column_letter(columns["rule"] + 1)
            )
            result.append(item)
        return result


def _leaf_points(item: _Row, rows: Mapping[str, _Row]) -> float | None:
    """The points of the indicators under a row; None when one of them is unreadable."""
    if item.children:
        parts = [_leaf_points(rows[code], rows) for code in item.children]
        return None if any(part is None for part in parts) else sum(parts)  # type: ignore[misc]
    try:
        return read_number(item.values.get("points"))
    except (ValueError, TypeError):
        return None
