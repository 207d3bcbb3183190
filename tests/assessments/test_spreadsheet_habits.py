"""Figures typed the spreadsheet way: percent cells, Vietnamese Windows CSV, the wrong file.

Chị Lan fills her template in Excel or LibreOffice the way she always does; what the
program makes of it is what she meant, or a message telling her what to upload instead.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from tests.assessments import excel_support as support
from tests.assessments.excel_support import counts, figures, issues, workbook

in_english = support.in_english
lan_imports = support.lan_imports
lans_template = support.lans_template


def test_a_share_typed_as_98_7_percent_is_saved_as_98_7(lans_template, lan_imports, submission):
    # Typing "98,7 %" into a cell makes it a percentage cell holding 0.987.
    book = workbook(lans_template)
    cell = book["Số liệu"]["F3"]
    cell.value = 0.987
    cell.number_format = "0.0%"
    response = lan_imports(support.save(book))
    assert response.status_code == 200
    assert figures(submission)["XHS.1"] == 98.7


def test_a_share_typed_as_98_7_in_a_plain_cell_stays_98_7(lans_template, lan_imports, submission):
    response = lan_imports(support.fill(lans_template, {"F3": 98.7}))
    assert response.status_code == 200
    assert figures(submission)["XHS.1"] == 98.7


def test_a_count_in_a_percent_formatted_cell_is_not_multiplied(
    lans_template, lan_imports, submission
):
    # hs_tt is a number of dossiers, not a share: its cell's format says nothing of it.
    book = workbook(lans_template)
    cell = book["Số liệu"]["C3"]
    cell.value = 12
    cell.number_format = "0%"
    book["Số liệu"]["D3"] = 20
    assert lan_imports(support.save(book)).status_code == 200
    assert figures(submission)["hs_tt"] == 12


def test_a_csv_saved_by_excel_on_vietnamese_windows_is_read(lan_imports, submission):
    # "CSV (Comma delimited)" on a Vietnamese Windows writes Windows-1258, with semicolons.
    text = "unit;code;value\r\n14758;CQS.2;Không\r\n14758;XHS.1;35,5\r\n"
    content = text.encode("cp1258")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    response = lan_imports(content, "so-lieu.csv")
    assert response.status_code == 200, issues(response)
    assert figures(submission) == {"CQS.2": 0.0, "XHS.1": 35.5}


def test_the_template_sheet_saved_as_csv_is_answered_in_one_line(lans_template, lan_imports):
    rows = list(workbook(lans_template)["Số liệu"].iter_rows(values_only=True))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(["" if v is None else v for v in row] for row in rows)
    before = counts()
    response = lan_imports(buffer.getvalue().encode("utf-8"), "so-lieu.csv")
    assert response.status_code == 400
    assert issues(response) == [
        "so-lieu.csv is the sheet “Số liệu” saved as CSV: upload the Excel workbook (.xlsx) "
        "itself, or a CSV of three columns unit,code,value."
    ]
    assert counts() == before


def test_a_libreoffice_ods_file_is_named(lan_imports):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    response = lan_imports(buffer.getvalue(), "so-lieu.ods")
    assert response.status_code == 400
    assert issues(response) == [
        "so-lieu.ods is an OpenDocument spreadsheet (.ods): in LibreOffice, save it as "
        "“Excel 2007-365 (.xlsx)” and upload that."
    ]
