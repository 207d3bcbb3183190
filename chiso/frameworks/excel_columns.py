"""The headings a criteria table may use, and reading its cells.

Headings are recognised in Vietnamese or English, with or without diacritics, in any
case ("Điểm tối đa (điểm)" and "DIEM TOI DA" both name the points column).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from chiso.lib.uploads import fold, number_text

FORMAT = "chiso-framework/1"
SHEET_INFO = "Thông tin"
SHEET_CRITERIA = "Tiêu chí"
SHEET_ELEMENTS = "Thành phần"
SHEET_RULES = "Quy tắc kiểm tra"
SHEET_HELP = "Hướng dẫn"


def _without_brackets(text: object) -> str:
    return re.sub(r"\([^)]*\)", " ", str(text or ""))


def read_number(raw: object) -> float:
    """A number from a cell: a number, or text with a decimal point or comma."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        if not math.isfinite(float(raw)):
            raise ValueError(raw)
        return float(raw)
    text = str(raw).strip().replace(" ", "")
    if not re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", text):
        raise ValueError(raw)
    return float(text.replace(",", "."))


def shown(raw: object) -> str:
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        return number_text(raw)
    return str(raw)


def text_of(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return " ".join(str(raw).split())


def plain(value: float) -> int | float:
    """10.0 -> 10 so the YAML reads like a person wrote it."""
    return int(value) if float(value).is_integer() else float(value)


def labels(*texts: str) -> frozenset[str]:
    return frozenset(fold(text) for text in texts)


CRITERIA_COLUMNS: dict[str, frozenset[str]] = {
    "code": labels("Mã", "STT", "Mã số", "Mã chỉ tiêu", "Mã tiêu chí", "Code"),
    "title": labels(
        "Tiêu chí",
        "Chỉ số",
        "Chỉ tiêu",
        "Tên chỉ tiêu",
        "Tên tiêu chí",
        "Tên chỉ số",
        "Nội dung",
        "Indicator",
        "Criterion",
        "Title",
    ),
    "title_en": labels("Tên tiếng Anh", "Tiêu chí tiếng Anh", "English title", "Title en"),
    "parent": labels("Thuộc", "Thuộc nhóm", "Mã cha", "Parent", "Parent code"),
    "unit": labels("Đơn vị tính", "ĐVT", "Unit"),
    "points": labels("Điểm tối đa", "Điểm", "Số điểm", "Thang điểm", "Maximum points", "Points"),
    "method": labels(
        "Cách tính điểm",
        "Phương pháp",
        "Phương pháp tính điểm",
        "Cách chấm điểm",
        "Scoring",
        "How it is scored",
        "Method",
    ),
    "formula": labels("Công thức", "Công thức tính", "Formula"),
    "type": labels("Kiểu dữ liệu", "Loại dữ liệu", "Type", "Data type"),
    "pass": labels("Ngưỡng đạt", "Mức đạt", "Pass"),
    "mandatory": labels("Bắt buộc", "Chỉ tiêu bắt buộc", "Mandatory", "Required"),
    "may_not_apply": labels("Có thể không áp dụng", "May not apply"),
    "evidence": labels("Tài liệu kiểm chứng", "Minh chứng", "Tài liệu minh chứng", "Evidence"),
    "data_source": labels("Nguồn dữ liệu", "Nguồn số liệu", "Data source"),
    "verified_by": labels("Đơn vị thẩm định", "Cơ quan thẩm định", "Verifying unit", "Verified by"),
    "description": labels("Mô tả", "Giải thích", "Description"),
    "help": labels("Hướng dẫn", "Hướng dẫn nhập", "Help"),
    "reconstructed": labels("Tái dựng", "Reconstructed"),
}

ELEMENT_COLUMNS: dict[str, frozenset[str]] = {
    "code": labels("Mã", "Mã thành phần", "Code"),
    "title": labels("Tên", "Tên thành phần", "Nội dung", "Title", "Name"),
    "title_en": labels("Tên tiếng Anh", "English title", "Title en"),
    "type": labels("Kiểu dữ liệu", "Loại dữ liệu", "Type", "Data type"),
}

RULE_COLUMNS: dict[str, frozenset[str]] = {
    "rule": labels("Quy tắc", "Điều kiện", "Rule"),
    "message": labels("Thông báo", "Thông báo khi sai", "Message"),
    "message_en": labels("Thông báo tiếng Anh", "English message", "Message en"),
}

INFO_KEYS: dict[str, frozenset[str]] = {
    "code": labels("Mã bộ tiêu chí", "Mã", "Code", "Framework code"),
    "title": labels("Tên bộ tiêu chí", "Tên", "Tiêu đề", "Title"),
    "title_en": labels("Tên tiếng Anh", "English title", "Title en"),
    "level": labels("Cấp", "Cấp đơn vị", "Cấp đánh giá", "Level"),
    "year": labels("Năm", "Năm áp dụng", "Năm đánh giá", "Year"),
    "min_points": labels(
        "Điểm công nhận", "Số điểm tối thiểu để công nhận", "Điểm tối thiểu", "Min points"
    ),
    "min_value": labels("Tỷ lệ điểm tối thiểu để công nhận", "Tỷ lệ công nhận", "Min value"),
    "all_mandatory": labels(
        "Phải đạt tất cả chỉ tiêu bắt buộc", "Đạt tất cả chỉ tiêu bắt buộc", "All mandatory"
    ),
    "source": labels("Căn cứ", "Văn bản ban hành", "Source"),
    "description": labels("Mô tả", "Description"),
}

LEVEL_WORDS: dict[str, str] = {
    **dict.fromkeys(labels("tỉnh", "cấp tỉnh", "province"), "province"),
    **dict.fromkeys(labels("sở", "sở, ban, ngành", "sở ban ngành", "department"), "department"),
    **dict.fromkeys(labels("huyện", "cấp huyện", "district"), "district"),
    **dict.fromkeys(labels("xã", "cấp xã", "xã, phường, thị trấn", "commune"), "commune"),
}

TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(labels("số nguyên", "integer"), "integer"),
    **dict.fromkeys(labels("số", "số thực", "number"), "number"),
    **dict.fromkeys(
        labels("tỷ lệ %", "tỷ lệ", "tỷ lệ phần trăm", "phần trăm", "percent"), "percent"
    ),
    **dict.fromkeys(labels("có/không", "đạt/không đạt", "boolean", "yes/no"), "boolean"),
}
TYPE_LABELS = {"integer": "số nguyên", "number": "số", "percent": "tỷ lệ %", "boolean": "có/không"}

YES = labels("x", "có", "co", "yes", "true", "1", "bắt buộc", "đạt")
NO = labels("", "không", "no", "false", "0")


def not_a_type(value: object) -> str:
    message = _("“%(value)s” is not a data type: write số nguyên, số, tỷ lệ phần trăm or có/không.")
    return message % {"value": shown(value)}


def match_heading(heading: object, columns: Mapping[str, frozenset[str]]) -> str | None:
    """Which column a heading names (e.g. "Điểm tối đa (điểm)" -> "points"), or None."""
    for text in (heading, _without_brackets(heading)):
        folded = fold(text)
        if not folded:
            continue
        for key, labels in columns.items():
            if folded in labels:
                return key
    return None


def find_header(
    rows: Sequence[tuple[Any, ...]], columns: Mapping[str, frozenset[str]], needed: Iterable[str]
) -> tuple[int, dict[str, int]] | None:
    """The first of the top rows naming every needed column: (row index, key -> column)."""
    needed = tuple(needed)
    for index, row in enumerate(rows[:20]):
        found: dict[str, int] = {}
        for position, heading in enumerate(row):
            key = match_heading(heading, columns)
            if key is not None and key not in found:
                found[key] = position
        if all(key in found for key in needed):
            return index, found
    return None


def cell_at(row: tuple[Any, ...], position: int | None) -> Any:
    if position is None or position >= len(row):
        return None
    value = row[position]
    if isinstance(value, str) and not value.strip():
        return None
    return value
