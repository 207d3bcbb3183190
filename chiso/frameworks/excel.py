"""Criteria tables in Excel: a framework laid out like the appendix of a decision.

A province issues its criteria as a table (code, indicator, unit, maximum points, how
it is scored, evidence, data source, verifying unit, mandatory). `workbook_to_yaml`
reads such a table into a chiso-framework/1 file, `framework_to_workbook` writes a
framework back as one, and `blank_workbook` is the empty table to start from.

The workbook has a sheet "Thông tin" (code, title, level, year, recognition), a sheet
"Tiêu chí" (one row per group or indicator; the parent is the code up to its last dot,
or the "Thuộc" column when given), and optionally "Thành phần" (the raw inputs that
formulas use) and "Quy tắc kiểm tra" (validation rules). Headings are recognised in
Vietnamese or English, with or without diacritics, in any case.

Every problem names its sheet, row and column; nothing here touches the database.
The helpers at the top (`fold`, `Issue`, `sniff`) are shared with the values import.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chiso import engine
from chiso.frameworks.problems import problem_text

FORMAT = "chiso-framework/1"
SHEET_INFO = "Thông tin"
SHEET_CRITERIA = "Tiêu chí"
SHEET_ELEMENTS = "Thành phần"
SHEET_RULES = "Quy tắc kiểm tra"
SHEET_HELP = "Hướng dẫn"

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
GREY_FILL = PatternFill("solid", fgColor="EEEEEE")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

# ---------------------------------------------------------------------------
# Shared helpers: folding headings, located problems, telling file kinds apart


def fold(text: object) -> str:
    """A heading reduced for matching: no diacritics, đ -> d, lower case, words only.

    "Điểm tối đa" and "DIEM TOI DA" both fold to "diem toi da".
    """
    value = unicodedata.normalize("NFKD", str(text or ""))
    value = "".join(char for char in value if not unicodedata.combining(char))
    value = value.replace("đ", "d").replace("Đ", "D").casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


def _without_brackets(text: object) -> str:
    return re.sub(r"\([^)]*\)", " ", str(text or ""))


@dataclass(frozen=True)
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
                return _("Line %(line)s (%(code)s)") % {"line": self.line, "code": self.code}
            return _("Line %(line)s") % {"line": self.line}
        if self.sheet is None:
            return ""
        parts = {"sheet": self.sheet, "row": self.row, "column": self.column, "code": self.code}
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


XLSX = "xlsx"
MAX_UNPACKED_MB = 200
CSV = "csv"
_EXCEL_NAMES = (".xlsx", ".xlsm", ".xls")


def sniff(data: bytes, filename: str, *, allow_csv: bool) -> str:
    """Tell an Excel workbook (or, when allowed, a CSV file) by its content, not its name.

    Returns XLSX or CSV; raises TableError naming the file when it is neither.
    """
    name = filename or _("the file")
    if not data.strip():
        raise TableError([Issue(_("The file %(name)s is empty.") % {"name": name})])
    if allow_csv:
        wanted = _("an Excel workbook (.xlsx) or a CSV file")
    else:
        wanted = _("an Excel workbook (.xlsx)")
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError):
            members = []
        names = [member.filename for member in members]
        if "[Content_Types].xml" in names and any(item.startswith("xl/") for item in names):
            # A small file that unpacks to gigabytes would tie up the server.
            if sum(member.file_size for member in members) > MAX_UNPACKED_MB * 1024 * 1024:
                message = _("%(name)s unpacks to more than %(limit)s MB: it is not an entry file.")
                raise TableError([Issue(message % {"name": name, "limit": MAX_UNPACKED_MB})])
            return XLSX
        message = _("%(name)s is a ZIP archive or another document, not %(wanted)s.")
        raise TableError([Issue(message % {"name": name, "wanted": wanted})])
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        message = _(
            "%(name)s is an old Excel 97-2003 (.xls) file: open it in Excel and save it as .xlsx."
        )
        raise TableError([Issue(message % {"name": name})])
    kind = filetype.guess(data[:8192])
    if kind is not None:
        message = _("%(name)s is a %(kind)s file (%(mime)s), not %(wanted)s.")
        values = {"name": name, "kind": kind.extension.upper(), "mime": kind.mime}
        raise TableError([Issue(message % {**values, "wanted": wanted})])
    looks_like_text = b"\x00" not in data[:8192]
    if looks_like_text:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            looks_like_text = False
    if allow_csv and looks_like_text and not filename.lower().endswith(_EXCEL_NAMES):
        return CSV
    if looks_like_text:
        message = _("%(name)s is a text file, not %(wanted)s.")
    else:
        message = _("%(name)s is not %(wanted)s.")
    raise TableError([Issue(message % {"name": name, "wanted": wanted})])


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


def sheet_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """Every row of a read-only sheet, row 1 first, empty rows kept (so numbers match)."""
    if hasattr(sheet, "reset_dimensions"):
        # Some writers store a wrong size; read what is really there.
        sheet.reset_dimensions()
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def number_text(value: float | int) -> str:
    """A number the way the files carry it: 10, 0.25, -5."""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return format(number, ".10g")


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


def _shown(raw: object) -> str:
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        return number_text(raw)
    return str(raw)


def _text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return " ".join(str(raw).split())


def _plain(value: float) -> int | float:
    """10.0 -> 10 so the YAML reads like a person wrote it."""
    return int(value) if float(value).is_integer() else float(value)


# ---------------------------------------------------------------------------
# Headings


def _labels(*texts: str) -> frozenset[str]:
    return frozenset(fold(text) for text in texts)


CRITERIA_COLUMNS: dict[str, frozenset[str]] = {
    "code": _labels("Mã", "STT", "Mã số", "Mã chỉ tiêu", "Mã tiêu chí", "Code"),
    "title": _labels(
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
    "title_en": _labels("Tên tiếng Anh", "Tiêu chí tiếng Anh", "English title", "Title en"),
    "parent": _labels("Thuộc", "Thuộc nhóm", "Mã cha", "Parent", "Parent code"),
    "unit": _labels("Đơn vị tính", "ĐVT", "Unit"),
    "points": _labels("Điểm tối đa", "Điểm", "Số điểm", "Thang điểm", "Maximum points", "Points"),
    "method": _labels(
        "Cách tính điểm",
        "Phương pháp",
        "Phương pháp tính điểm",
        "Cách chấm điểm",
        "Scoring",
        "How it is scored",
        "Method",
    ),
    "formula": _labels("Công thức", "Công thức tính", "Formula"),
    "type": _labels("Kiểu dữ liệu", "Loại dữ liệu", "Type", "Data type"),
    "pass": _labels("Ngưỡng đạt", "Mức đạt", "Pass"),
    "mandatory": _labels("Bắt buộc", "Chỉ tiêu bắt buộc", "Mandatory", "Required"),
    "evidence": _labels("Tài liệu kiểm chứng", "Minh chứng", "Tài liệu minh chứng", "Evidence"),
    "data_source": _labels("Nguồn dữ liệu", "Nguồn số liệu", "Data source"),
    "verified_by": _labels(
        "Đơn vị thẩm định", "Cơ quan thẩm định", "Verifying unit", "Verified by"
    ),
    "description": _labels("Mô tả", "Giải thích", "Description"),
    "help": _labels("Hướng dẫn", "Hướng dẫn nhập", "Help"),
}

ELEMENT_COLUMNS: dict[str, frozenset[str]] = {
    "code": _labels("Mã", "Mã thành phần", "Code"),
    "title": _labels("Tên", "Tên thành phần", "Nội dung", "Title", "Name"),
    "title_en": _labels("Tên tiếng Anh", "English title", "Title en"),
    "type": _labels("Kiểu dữ liệu", "Loại dữ liệu", "Type", "Data type"),
}

RULE_COLUMNS: dict[str, frozenset[str]] = {
    "rule": _labels("Quy tắc", "Điều kiện", "Rule"),
    "message": _labels("Thông báo", "Thông báo khi sai", "Message"),
    "message_en": _labels("Thông báo tiếng Anh", "English message", "Message en"),
}

INFO_KEYS: dict[str, frozenset[str]] = {
    "code": _labels("Mã bộ tiêu chí", "Mã", "Code", "Framework code"),
    "title": _labels("Tên bộ tiêu chí", "Tên", "Tiêu đề", "Title"),
    "title_en": _labels("Tên tiếng Anh", "English title", "Title en"),
    "level": _labels("Cấp", "Cấp đơn vị", "Cấp đánh giá", "Level"),
    "year": _labels("Năm", "Năm áp dụng", "Năm đánh giá", "Year"),
    "min_points": _labels(
        "Điểm công nhận", "Số điểm tối thiểu để công nhận", "Điểm tối thiểu", "Min points"
    ),
    "min_value": _labels("Tỷ lệ điểm tối thiểu để công nhận", "Tỷ lệ công nhận", "Min value"),
    "all_mandatory": _labels(
        "Phải đạt tất cả chỉ tiêu bắt buộc", "Đạt tất cả chỉ tiêu bắt buộc", "All mandatory"
    ),
    "source": _labels("Căn cứ", "Văn bản ban hành", "Source"),
}

LEVEL_WORDS: dict[str, str] = {
    **dict.fromkeys(_labels("tỉnh", "cấp tỉnh", "province"), "province"),
    **dict.fromkeys(_labels("sở", "sở, ban, ngành", "sở ban ngành", "department"), "department"),
    **dict.fromkeys(_labels("huyện", "cấp huyện", "district"), "district"),
    **dict.fromkeys(_labels("xã", "cấp xã", "xã, phường, thị trấn", "commune"), "commune"),
}

TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(_labels("số nguyên", "integer"), "integer"),
    **dict.fromkeys(_labels("số", "số thực", "number"), "number"),
    **dict.fromkeys(
        _labels("tỷ lệ %", "tỷ lệ", "tỷ lệ phần trăm", "phần trăm", "percent"), "percent"
    ),
    **dict.fromkeys(_labels("có/không", "đạt/không đạt", "boolean", "yes/no"), "boolean"),
}
TYPE_LABELS = {"integer": "số nguyên", "number": "số", "percent": "tỷ lệ %", "boolean": "có/không"}

_YES = _labels("x", "có", "co", "yes", "true", "1", "bắt buộc", "đạt")
_NO = _labels("", "không", "no", "false", "0")


def _not_a_type(value: object) -> str:
    message = _("“%(value)s” is not a data type: write số nguyên, số, tỷ lệ phần trăm or có/không.")
    return message % {"value": _shown(value)}


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


def _find_header(
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


def _cell(row: tuple[Any, ...], position: int | None) -> Any:
    if position is None or position >= len(row):
        return None
    value = row[position]
    if isinstance(value, str) and not value.strip():
        return None
    return value


# ---------------------------------------------------------------------------
# Scoring rules in a readable syntax


_NUM = r"[+-]?\d+(?:[.,]\d+)?"
METHOD_WORDS: dict[str, str] = {
    **dict.fromkeys(_labels("linear", "tuyến tính"), "linear"),
    **dict.fromkeys(_labels("threshold", "ngưỡng"), "threshold"),
    **dict.fromkeys(_labels("steps", "bậc", "bậc thang", "mức"), "steps"),
    **dict.fromkeys(_labels("boolean", "có/không", "đạt/không đạt", "yes/no"), "boolean"),
    **dict.fromkeys(_labels("relative", "tương đối"), "relative"),
}


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def parse_method(raw: object) -> dict[str, Any]:
    """A `score` mapping from text such as "linear 0-90" or "steps 1:0.25; 2:1".

    Raises ValueError with a message for the user when the text is not a rule.
    """
    text = " ".join(str(raw or "").split())
    text = text.replace("≥", ">=").replace("≤", "<=").replace("–", "-").replace("→", "-")
    match = re.match(r"^([^\d<>=+\-.,:;]*)(.*)$", text)
    assert match is not None  # the pattern matches any text
    method = METHOD_WORDS.get(fold(match.group(1)))
    rest = match.group(2).strip()
    if method in ("boolean", "relative") and not rest:
        return {"method": method}
    if method == "linear":
        found = re.fullmatch(rf"({_NUM})\s*(?:-|\.\.|to|đến|den)\s*({_NUM})", rest)
        if found and _float(found.group(1)) != _float(found.group(2)):
            return {
                "method": "linear",
                "zero": _plain(_float(found.group(1))),
                "full": _plain(_float(found.group(2))),
            }
    if method == "threshold":
        found = re.fullmatch(rf"(>=|<=)\s*({_NUM})", rest)
        if found:
            key = "at_least" if found.group(1) == ">=" else "at_most"
            return {"method": "threshold", key: _plain(_float(found.group(2)))}
    if method == "steps":
        pairs = []
        for part in [item.strip() for item in rest.split(";") if item.strip()]:
            found = re.fullmatch(rf"({_NUM})\s*[:=]\s*({_NUM})", part)
            if not found:
                pairs = []
                break
            pairs.append([_plain(_float(found.group(1))), _plain(_float(found.group(2)))])
        if pairs:
            return {"method": "steps", "steps": pairs}
    raise ValueError(
        _(
            "“%(text)s” is not a scoring rule: write for example “linear 0-90”, "
            "“threshold >= 60”, “threshold <= 5”, “boolean”, “steps 1:0.25; 2:0.5; 4:1” "
            "or “relative”."
        )
        % {"text": text}
    )


def method_text(rule: engine.ScoreRule) -> str:
    """The readable form of a scoring rule, the inverse of `parse_method`."""
    if rule.method == "linear":
        zero, full = rule.zero or 0.0, rule.full or 0.0
        sep = "-" if zero >= 0 and full >= 0 else ".."
        return f"linear {number_text(zero)}{sep}{number_text(full)}"
    if rule.method == "threshold":
        if rule.at_least is not None:
            return f"threshold >= {number_text(rule.at_least)}"
        return f"threshold <= {number_text(rule.at_most or 0.0)}"
    if rule.method == "steps":
        return "steps " + "; ".join(f"{number_text(x)}:{number_text(s)}" for x, s in rule.steps)
    return rule.method


# ---------------------------------------------------------------------------
# Reading a criteria table


@dataclass
class _Row:
    number: int
    code: str
    parent: str | None
    values: dict[str, Any]
    columns: dict[str, str]
    children: list[str] = field(default_factory=list)


@dataclass
class _Reader:
    """Collects the problems of one workbook while building the framework document."""

    issues: list[Issue] = field(default_factory=list)
    # Where each code, element and rule came from, to place the engine's problems.
    places: dict[str, Issue] = field(default_factory=dict)

    def add(self, message: str, sheet: str, row: int | None = None, **where: Any) -> None:
        self.issues.append(Issue(message, sheet, row, **where))

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
        for number, row in enumerate(sheet_rows(sheet), start=1):
            key = match_heading(_cell(row, 0), INFO_KEYS)
            if key is not None and key not in found:
                found[key] = (_cell(row, 1), number)
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
                result[key] = _text(value)
            elif key == "level":
                level = LEVEL_WORDS.get(fold(value))
                if level is None:
                    self.add(
                        _("“%(value)s” is not a level: write tỉnh, sở, huyện or xã.")
                        % {"value": _shown(value)},
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
                        _("“%(value)s” is not a year.") % {"value": _shown(value)},
                        title,
                        number,
                        column="B",
                    )
            elif key in ("min_points", "min_value"):
                try:
                    result[key] = _plain(read_number(value))
                except ValueError:
                    self.add(
                        _("“%(value)s” is not a number.") % {"value": _shown(value)},
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
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        self.add(
            _("“%(value)s” is not yes or no: write x (or có) for yes, leave empty for no.")
            % {"value": _shown(value)},
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
                if _find_header(sheet_rows(candidate), CRITERIA_COLUMNS, ("code", "title")):
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
        rows = sheet_rows(sheet)
        header = _find_header(rows, CRITERIA_COLUMNS, ("code", "title"))
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
            values = {key: _cell(row, position) for key, position in columns.items()}
            if all(value is None for value in values.values()):
                continue
            code = _text(values.get("code"))
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
            parent = _text(values.get("parent")) or None
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

        node: dict[str, Any] = {"code": item.code, "title": {"vi": _text(values.get("title"))}}
        if not node["title"]["vi"]:
            problem(_("The indicator has no title."), "title")
        if values.get("title_en") is not None:
            node["title"]["en"] = _text(values["title_en"])
        if values.get("unit") is not None:
            node["unit"] = _text(values["unit"])
        points = None
        if values.get("points") is not None:
            try:
                points = read_number(values["points"])
                if points < 0:
                    raise ValueError(points)
            except ValueError:
                problem(
                    _("“%(value)s” is not a number of points (0 or more).")
                    % {"value": _shown(values["points"])},
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
                node["points"] = _plain(points)
        mandatory = values.get("mandatory")
        if mandatory is not None and self.flag(mandatory, sheet, item.number, letters["mandatory"]):
            node["mandatory"] = True
        if values.get("pass") is not None:
            try:
                node["pass"] = _plain(read_number(values["pass"]))
            except ValueError:
                problem(
                    _("“%(value)s” is not a number between 0 and 1.")
                    % {"value": _shown(values["pass"])},
                    "pass",
                )
        if values.get("type") is not None:
            type_ = TYPE_WORDS.get(fold(values["type"]))
            if type_ is None:
                problem(
                    _not_a_type(values["type"]),
                    "type",
                )
            else:
                node["type"] = type_
        if not item.children:
            if values.get("formula") is not None:
                node["formula"] = _text(values["formula"])
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
        rows = sheet_rows(sheet)
        header = _find_header(rows, ELEMENT_COLUMNS, ("code", "title"))
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
        letters = {key: get_column_letter(position + 1) for key, position in columns.items()}
        result = []
        for index in range(header_index + 1, len(rows)):
            values = {key: _cell(rows[index], position) for key, position in columns.items()}
            if all(value is None for value in values.values()):
                continue
            code = _text(values.get("code"))
            if not code:
                self.add(_("The code is empty."), sheet.title, index + 1, column=letters["code"])
                continue
            item: dict[str, Any] = {"code": code, "title": {"vi": _text(values.get("title"))}}
            if values.get("title_en") is not None:
                item["title"]["en"] = _text(values["title_en"])
            type_ = TYPE_WORDS.get(fold(values.get("type") or "số"))
            if type_ is None:
                self.add(
                    _not_a_type(values["type"]),
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
        rows = sheet_rows(sheet)
        header = _find_header(rows, RULE_COLUMNS, ("rule",))
        if header is None:
            self.add(
                _("No header row found: one of the first rows must name the column Quy tắc."),
                sheet.title,
            )
            return []
        header_index, columns = header
        result = []
        for index in range(header_index + 1, len(rows)):
            values = {key: _cell(rows[index], position) for key, position in columns.items()}
            if values.get("rule") is None:
                continue
            item: dict[str, Any] = {"rule": _text(values["rule"])}
            if values.get("message") is not None:
                item["message"] = {"vi": _text(values["message"])}
                if values.get("message_en") is not None:
                    item["message"]["en"] = _text(values["message_en"])
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


def workbook_to_dict(data: bytes, filename: str = "criteria.xlsx") -> dict[str, Any]:
    """The framework document read from a criteria table; TableError lists every problem."""
    sniff(data, filename, allow_csv=False)
    workbook = open_workbook(data, filename)
    reader = _Reader()
    try:
        info = reader.info(workbook)
        elements = reader.elements(workbook)
        rules = reader.rules(workbook)
        tree = reader.criteria(workbook)
    finally:
        workbook.close()
    if reader.issues:
        raise TableError(_in_file_order(reader.issues))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "code": info.get("code"),
        "title": {"vi": info.get("title")},
        "level": info.get("level"),
        "year": info.get("year"),
        "missing": "zero",
    }
    if info.get("title_en"):
        doc["title"]["en"] = info["title_en"]
    if info.get("source"):
        doc["source"] = info["source"]
    if "min_points" in info or "min_value" in info:
        recognition = {key: info[key] for key in ("min_points", "min_value") if key in info}
        recognition["all_mandatory"] = bool(info.get("all_mandatory", False))
        doc["recognition"] = recognition
    if elements:
        doc["elements"] = elements
    if rules:
        doc["validation"] = rules
    doc["tree"] = tree
    # The engine has the last word; its problems are placed on the row they came from.
    try:
        engine.framework_from_dict(doc, source=filename)
    except engine.EngineError as error:
        raise TableError(
            _in_file_order([_place(problem, reader.places) for problem in error.problems])
        ) from error
    return doc


def _in_file_order(issues: list[Issue]) -> list[Issue]:
    """Sheet by sheet (in the order first met), then by row and column."""
    sheets: dict[str | None, int] = {}
    for issue in issues:
        sheets.setdefault(issue.sheet, len(sheets))
    return sorted(
        issues,
        key=lambda issue: (
            sheets[issue.sheet],
            issue.row or 0,
            len(issue.column or ""),
            issue.column or "",
        ),
    )


def _place(problem: engine.Problem, places: Mapping[str, Issue]) -> Issue:
    place = places.get(problem.where or "")
    if problem.params.get("key") == "formula":
        place = places.get(f"{problem.where}#formula", place)
    message = problem_text(problem)
    if place is None:
        where = f"{problem.where}: " if problem.where else ""
        return Issue(f"{where}{message}")
    return Issue(message, place.sheet, place.row, place.column, place.code)


def dump_yaml(doc: Mapping[str, Any]) -> str:
    """The framework document as the YAML text chiso stores and hashes."""
    return engine.dump_framework(doc)


def workbook_to_yaml(data: bytes, filename: str = "criteria.xlsx") -> str:
    """A chiso-framework/1 YAML text from an Excel criteria table (see `workbook_to_dict`)."""
    return dump_yaml(workbook_to_dict(data, filename))


# ---------------------------------------------------------------------------
# Writing a criteria table

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
    ("evidence", "Tài liệu kiểm chứng", 36),
    ("data_source", "Nguồn dữ liệu", 28),
    ("verified_by", "Đơn vị thẩm định", 28),
    ("description", "Mô tả", 40),
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
        sheet.append([label, values.get(key)])
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
        sheet.append([line])
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
    }
    if recognition is not None:
        info["min_points"] = (
            _plain(recognition.min_points) if recognition.min_points is not None else None
        )
        info["min_value"] = (
            _plain(recognition.min_value) if recognition.min_value is not None else None
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
            "points": _plain(
                node.points if node.is_leaf and node.points is not None else node.max_points
            ),
            "method": method_text(node.score) if node.score is not None else None,
            "formula": node.formula,
            "type": TYPE_LABELS[node.type] if node.type else None,
            "pass": _plain(node.pass_) if node.pass_ is not None else None,
            "mandatory": "x" if node.mandatory else None,
            "evidence": _vi(node.extra.get("evidence")),
            "data_source": _vi(node.extra.get("data_source")),
            "verified_by": _vi(node.extra.get("verified_by")),
            "description": _vi(node.description),
        }
        sheet.append([row.get(key) for key in keys])
        if not node.is_leaf:
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = WRAP

    elements = _elements_sheet(workbook)
    for element in framework.elements:
        elements.append(
            [
                element.code,
                element.title.get("vi"),
                element.title.get("en"),
                TYPE_LABELS[element.type],
            ]
        )
    rules = _rules_sheet(workbook)
    for rule in framework.validation:
        message = rule.message or {}
        rules.append([rule.rule, message.get("vi"), message.get("en")])
    _help_sheet(workbook)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
