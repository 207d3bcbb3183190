"""Writing a framework as a criteria table, and the blank table to start from.

`framework_to_workbook` lays a framework out like a decision's appendix, with every
column `chiso.frameworks.excel_build` reads back; every text is written as text, never
as a live formula (chiso.lib.safe_cells).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chiso import engine
from chiso.frameworks.excel_columns import (
    SHEET_CRITERIA,
    SHEET_ELEMENTS,
    SHEET_HELP,
    SHEET_INFO,
    SHEET_RULES,
    TYPE_LABELS,
    plain,
)
from chiso.frameworks.excel_scoring import method_text
from chiso.lib.safe_cells import append_row
from chiso.lib.uploads import workbook_bytes

__all__ = ["blank_workbook", "framework_to_workbook", "workbook_bytes"]

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
GREY_FILL = PatternFill("solid", fgColor="EEEEEE")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

CRITERIA_HEADINGS: tuple[tuple[str, str, int], ...] = (
    ("code", "Mã", 10),
    ("title", "Tiêu chí", 48),
    ("title_en", "Tên tiếng Anh", 30),
    ("unit", "Đơn vị tính", 10),
    ("points", "Điểm tối đa", 10),
    ("method", "Cách tính điểm", 22),
    ("formula", "Công thức", 22),
    ("type", "Kiểu dữ liệu", 12),
    ("pass", "Ngưỡng đạt", 10),
    ("mandatory", "Bắt buộc", 9),
    ("may_not_apply", "Có thể không áp dụng", 11),
    ("evidence", "Tài liệu kiểm chứng", 36),
    ("data_source", "Nguồn dữ liệu", 28),
    ("verified_by", "Đơn vị thẩm định", 28),
    ("description", "Mô tả", 40),
    ("help", "Hướng dẫn", 40),
    ("reconstructed", "Tái dựng", 9),
)
INFO_LABELS = {
    "code": "Mã bộ tiêu chí",
    "title": "Tên bộ tiêu chí",
    "title_en": "Tên tiếng Anh",
    "level": "Cấp",
    "year": "Năm",
    "min_points": "Số điểm tối thiểu để công nhận",
    "min_value": "Tỷ lệ điểm tối thiểu để công nhận",
    "all_mandatory": "Phải đạt tất cả chỉ tiêu bắt buộc",
    "source": "Căn cứ",
    "description": "Mô tả",
}
LEVEL_LABELS = {"province": "tỉnh", "department": "sở", "district": "huyện", "commune": "xã"}


def _vi(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        text = value.get("vi") or value.get("en")
        return str(text) if text else None
    return str(value)


def _heading_row(sheet: Any, headings: Sequence[tuple[str, int]], row: int = 1) -> None:
    for position, (label, width) in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=position, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = f"A{row + 1}"


def _info_sheet(workbook: Workbook, values: Mapping[str, Any]) -> None:
    sheet = workbook.create_sheet(SHEET_INFO)
    _heading_row(sheet, (("Mục", 36), ("Giá trị", 60)))
    for key, label in INFO_LABELS.items():
        append_row(sheet, [label, values.get(key)])
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].fill = GREY_FILL


def _help_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(SHEET_HELP)
    sheet.column_dimensions["A"].width = 110
    lines = [
        _("How to fill in a criteria table"),
        _(
            "Sheet “Thông tin”: the framework's code (a-z, 0-9 and -), title, level (tỉnh, sở, "
            "huyện or xã), year and, if units are recognised, the minimum points (or share of "
            "the maximum) and whether every mandatory indicator must be met (x)."
        ),
        _(
            "Sheet “Tiêu chí”: one row per group or indicator. A row's group is its code up to "
            "the last dot (CQS.1.2 belongs to CQS.1); fill the column “Thuộc” only when codes do "
            "not follow that rule. A group lists its rows below it and has no scoring rule."
        ),
        _("An indicator has maximum points and a scoring rule (Cách tính điểm):"),
        _(
            "  linear 0-90: 0 points at 0, full points from 90, in proportion between "
            "(linear 90-0 when lower is better)"
        ),
        _("  threshold >= 60: full points from 60; threshold <= 5: full points up to 5"),
        _("  boolean: full points for yes (có / đạt)"),
        _("  steps 1:0.25; 2:0.5; 3:0.75; 4:1: the share of the points reached at each value"),
        _("  relative: in proportion between the lowest and the highest unit"),
        _("  relative lower: the same, the lowest figure scoring full points"),
        _(
            "Có thể không áp dụng: x for an indicator the DX office may mark as not applying "
            "to some units (left out of their maximum)."
        ),
        _(
            "Công thức: the indicator's value computed from the elements of the sheet "
            "“Thành phần”, e.g. 100 * hs_tt / hs_tong; leave it empty when units enter the "
            "value of the indicator itself."
        ),
        _(
            "Kiểu dữ liệu: số nguyên, số, tỷ lệ phần trăm or có/không. Bắt buộc: x for a mandatory "
            "indicator. Ngưỡng đạt: the score (0 to 1) at which a mandatory indicator is met."
        ),
        _(
            "Sheet “Quy tắc kiểm tra”: checks on the figures a unit enters, e.g. "
            "hs_tt <= hs_tong, with the message shown when a check fails."
        ),
        _(
            "Headings may be written in Vietnamese or English, with or without diacritics; "
            "other columns are ignored."
        ),
    ]
    for line in lines:
        append_row(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=13)
    for row in sheet.iter_rows(min_row=2):
        row[0].alignment = WRAP


def _criteria_sheet(workbook: Workbook, with_parent: bool) -> Any:
    sheet = workbook.create_sheet(SHEET_CRITERIA)
    headings = list(CRITERIA_HEADINGS)
    if with_parent:
        headings.insert(1, ("parent", "Thuộc", 10))
    _heading_row(sheet, [(label, width) for _key, label, width in headings])
    return sheet, [key for key, _label, _width in headings]


def _elements_sheet(workbook: Workbook) -> Any:
    sheet = workbook.create_sheet(SHEET_ELEMENTS)
    _heading_row(sheet, (("Mã", 16), ("Tên", 60), ("Tên tiếng Anh", 40), ("Kiểu dữ liệu", 14)))
    return sheet


def _rules_sheet(workbook: Workbook) -> Any:
    sheet = workbook.create_sheet(SHEET_RULES)
    _heading_row(sheet, (("Quy tắc", 30), ("Thông báo", 60), ("Thông báo tiếng Anh", 50)))
    return sheet


def blank_workbook() -> Workbook:
    """The empty criteria table an administrator fills in."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _info_sheet(workbook, {})
    _criteria_sheet(workbook, with_parent=False)
    _elements_sheet(workbook)
    _rules_sheet(workbook)
    _help_sheet(workbook)
    return workbook


def framework_to_workbook(framework: engine.Framework) -> Workbook:
    """A framework as a criteria table that `workbook_to_yaml` reads back to the same scoring."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    recognition = framework.recognition
    info: dict[str, Any] = {
        "code": framework.code,
        "title": framework.title.get("vi"),
        "title_en": framework.title.get("en"),
        "level": LEVEL_LABELS.get(framework.level, framework.level),
        "year": framework.year,
        "source": _vi(framework.extra.get("source")),
        "description": _vi(framework.extra.get("description")),
    }
    if recognition is not None:
        info["min_points"] = (
            plain(recognition.min_points) if recognition.min_points is not None else None
        )
        info["min_value"] = (
            plain(recognition.min_value) if recognition.min_value is not None else None
        )
        info["all_mandatory"] = "x" if recognition.all_mandatory else None
    _info_sheet(workbook, info)

    # The "Thuộc" column is written only when some code does not follow the dot rule.
    with_parent = any(
        node.parent != (node.code.rsplit(".", 1)[0] if "." in node.code else None)
        for node in framework.nodes
    )
    sheet, keys = _criteria_sheet(workbook, with_parent)
    for node in framework.nodes:
        row = {
            "code": node.code,
            "parent": node.parent,
            "title": node.title.get("vi"),
            "title_en": node.title.get("en"),
            "unit": node.unit,
            "points": plain(
                node.points if node.is_leaf and node.points is not None else node.max_points
            ),
            "method": method_text(node.score) if node.score is not None else None,
            "formula": node.formula,
            "type": TYPE_LABELS[node.type] if node.type else None,
            "pass": plain(node.pass_) if node.pass_ is not None else None,
            "mandatory": "x" if node.mandatory else None,
            "may_not_apply": "x" if node.may_not_apply else None,
            "evidence": _vi(node.extra.get("evidence")),
            "data_source": _vi(node.extra.get("data_source")),
            "verified_by": _vi(node.extra.get("verified_by")),
            "description": _vi(node.description),
            "help": _vi(node.extra.get("help")),
            "reconstructed": "x" if node.extra.get("reconstructed") else None,
        }
        append_row(sheet, [row.get(key) for key in keys])
        if not node.is_leaf:
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = WRAP

    elements = _elements_sheet(workbook)
    for element in framework.elements:
        append_row(
            elements,
            [
                element.code,
                element.title.get("vi"),
                element.title.get("en"),
                TYPE_LABELS[element.type],
            ],
        )
    rules = _rules_sheet(workbook)
    for rule in framework.validation:
        message = rule.message or {}
        append_row(rules, [rule.rule, message.get("vi"), message.get("en")])
    _help_sheet(workbook)
    return workbook
