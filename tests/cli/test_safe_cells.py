"""chiso.lib.safe_cells: text that a spreadsheet would run is written as text."""

from __future__ import annotations

import io

import openpyxl
import pytest

from chiso.lib.safe_cells import cell_text, text_cell, write_xlsx_cell

RISKY = ["=1+2", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("text", RISKY)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe_in_csv(text):
    assert cell_text(text) == "'" + text


# A plain number, negative too, is data: figures read back unchanged.
@pytest.mark.parametrize(
    "text", ["Phường Hàm Rồng", "14758", "", "a=b", " =1", "'=1", "-3.5", "-2"]
)
def test_other_text_is_left_as_it_is(text):
    assert cell_text(text) == text


# XML reads a carriage return back as a line feed: the text is otherwise the same.
STORED = [text.replace("\r", "\n") for text in RISKY]


def saved(book: openpyxl.Workbook) -> openpyxl.Workbook:
    stream = io.BytesIO()
    book.save(stream)
    return openpyxl.load_workbook(io.BytesIO(stream.getvalue()))


def test_an_ordinary_sheet_stores_risky_text_as_string_cells_and_numbers_as_numbers():
    book = openpyxl.Workbook()
    sheet = book.active
    for row, text in enumerate(RISKY, 1):
        write_xlsx_cell(sheet, row, 1, text)
        write_xlsx_cell(sheet, row, 2, row * 1.5)
    sheet = saved(book).active
    assert [sheet.cell(row=row, column=1).value for row in range(1, len(RISKY) + 1)] == STORED
    assert {sheet.cell(row=row, column=1).data_type for row in range(1, len(RISKY) + 1)} == {"s"}
    assert sheet.cell(row=2, column=2).value == 3.0


def test_a_write_only_sheet_stores_risky_text_as_string_cells():
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("x")
    for text in RISKY:
        sheet.append([text_cell(sheet, text), text_cell(sheet, 7)])
    sheet = saved(book)["x"]
    assert [row[0].value for row in sheet.iter_rows()] == STORED
    assert {row[0].data_type for row in sheet.iter_rows()} == {"s"}
    assert {row[1].value for row in sheet.iter_rows()} == {7}
