"""Workbooks that are odd or hostile: read in bounded memory, every problem named.

Chị Lan's template comes back from many hands: someone merged cells, someone's
program wrote formulas without their results, someone added a sheet of notes, and an
attacker sends 20,000 rows that each reach column XFD.
"""

from __future__ import annotations

import io
import tracemalloc

import pytest

from chiso.assessments import imports
from tests.assessments import excel_support as support
from tests.assessments.excel_support import counts, figures, fill, issues, save, workbook

in_english = support.in_english
lans_template = support.lans_template
lan_imports = support.lan_imports


def wide_rows(template: bytes, rows: int = 20_000) -> bytes:
    """The template plus `rows` rows, each with one cell at the last column (XFD)."""
    book = workbook(template)
    sheet = book["Số liệu"]
    for number in range(4, 4 + rows):
        sheet.cell(row=number, column=16_384, value=1)
    return save(book)


def test_twenty_thousand_rows_reaching_column_xfd_are_refused_in_bounded_memory(
    lans_template, lan, period, submission
):
    content = wide_rows(lans_template)
    assert len(content) < 200_000
    before = counts()
    tracemalloc.start()
    try:
        with pytest.raises(imports.ImportRefused) as refused:
            imports.import_values(content, "rong.xlsx", user=lan, period=period)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024
    [problem] = refused.value.issues
    assert problem.sheet == "Số liệu" and problem.row == 4 and problem.column == "XFD"
    assert counts() == before


def test_merged_figure_cells_are_an_error_naming_the_cells(lans_template, lan_imports, submission):
    book = workbook(fill(lans_template, {"C3": 10, "D3": 20}))
    book["Số liệu"].merge_cells("C3:D3")
    response = lan_imports(save(book))
    assert response.status_code == 400
    assert issues(response) == [
        "Sheet Số liệu, row 3, column C: The cells C3:D3 are merged: unmerge them and give "
        "each figure its own cell."
    ]
    assert figures(submission) == {}


def formula_without_result(template: bytes, ref: str, formula: str) -> bytes:
    """The template with a formula whose result was never computed (as some programs save)."""
    book = workbook(template)
    book["Số liệu"][ref] = formula
    return save(book)  # openpyxl writes the formula and no cached value


def test_a_formula_without_its_result_is_an_error_naming_the_cell(
    lans_template, lan_imports, submission
):
    content = formula_without_result(fill(lans_template, {"C3": 10}), "D3", "=C3*2")
    response = lan_imports(content)
    assert response.status_code == 400
    assert issues(response) == [
        "Sheet Số liệu, row 3, column D: The cell holds a formula whose result was not saved: "
        "type the figure itself, or open the file in Excel and save it again."
    ]
    assert figures(submission) == {}


def test_a_sheet_of_notes_is_mentioned_in_the_result(lans_template, lan_imports, submission):
    book = workbook(fill(lans_template, {"C3": 10, "D3": 20}))
    book.create_sheet("Ghi chú")["A1"] = "Số liệu lấy từ hệ thống một cửa"
    response = lan_imports(save(book))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 figures changed in 1 unit." in page
    assert "The sheet “Ghi chú” was not read: only the sheet “Số liệu” holds figures." in page


def test_an_untouched_template_still_reads_back(lans_template, lan_imports, submission):
    response = lan_imports(fill(lans_template, {"C3": 10, "D3": 20, "E3": "Có"}))
    assert response.status_code == 200
    assert figures(submission) == {"hs_tt": 10, "hs_tong": 20, "CQS.2": 1.0}


def with_cached_result(content: bytes, formula: str, result: str) -> bytes:
    """The file as Excel saves it: the formula and, next to it, its computed result."""
    import re
    import zipfile

    source, target = io.BytesIO(content), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                text = re.sub(
                    rf"<f>{re.escape(formula)}</f>(<v\s*/>|<v></v>)?",
                    f"<f>{formula}</f><v>{result}</v>",
                    text,
                )
                data = text.encode()
            new.writestr(item, data)
    return target.getvalue()


def test_a_formula_whose_result_excel_saved_is_read_as_its_result(
    lans_template, lan_imports, submission
):
    content = formula_without_result(fill(lans_template, {"C3": 10}), "D3", "=C3*2")
    response = lan_imports(with_cached_result(content, "C3*2", "20"))
    assert response.status_code == 200
    assert figures(submission) == {"hs_tt": 10, "hs_tong": 20}


def test_the_import_command_mentions_a_sheet_it_did_not_read(lans_template, tuan, period, tmp_path):
    from django.core.management import call_command
    from django.utils import translation

    book = workbook(fill(lans_template, {"C3": 10, "D3": 20}))
    book.create_sheet("Ghi chú")
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(save(book))
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_values", str(period.pk), str(path), user="tuan", stdout=out)
    assert "The sheet “Ghi chú” was not read" in out.getvalue()
