"""The long values CSV (unit,code,value): the one reader and the one writer every
caller shares (`chiso score`, `chiso verify`, uploads, published snapshots). That
`chiso score` reads it without Django: tests/cli/test_commands.py."""

from __future__ import annotations

import codecs
import io

import pytest

from chiso.lib import csv_lines, values_csv
from chiso.lib.values_csv import ValuesCsvError


def read(text: str | bytes, **limits: object) -> list[tuple[int, str, str, str]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(values_csv.rows(io.BytesIO(data), **limits))  # type: ignore[arg-type]


def refusal(text: str | bytes, **limits: object) -> ValuesCsvError:
    with pytest.raises(ValuesCsvError) as caught:
        read(text, **limits)
    return caught.value


def test_each_figure_comes_with_its_line_as_written():
    text = "unit,code,value\n14758,hs_tt,12\n14758, dv_tt ,0.5\n"
    assert read(text) == [(2, "14758", "hs_tt", "12"), (3, "14758", " dv_tt ", "0.5")]


@pytest.mark.parametrize(
    "header", ["unit,code,value", "Unit,Code,Value", " UNIT , code,value ", "\ufeffunit,code,value"]
)
def test_a_header_that_reads_unit_code_value_is_accepted(header):
    assert read(header + "\n38,a,1\n") == [(2, "38", "a", "1")]


@pytest.mark.parametrize(
    "text, found", [("don_vi,ma,gia_tri\n38,a,1\n", ["don_vi", "ma", "gia_tri"]), ("", [])]
)
def test_another_header_is_refused_on_line_1_with_what_it_says(text, found):
    error = refusal(text)
    assert (error.kind, error.line, error.found, error.delimiter) == ("header", 1, found, ",")


def test_the_header_refused_says_which_delimiter_the_file_was_read_with():
    error = refusal("ma;don_vi\n", delimiter=csv_lines.sniff_delimiter)
    assert (error.found, error.delimiter) == (["ma", "don_vi"], ";")


def test_blank_lines_and_lines_of_blank_fields_only_are_skipped():
    text = "unit,code,value\n\n38,a,1\n,,\n  ,  , \n , \n38,b,2\n"
    assert read(text) == [(3, "38", "a", "1"), (7, "38", "b", "2")]


def test_a_figure_left_empty_is_still_a_line():
    assert read("unit,code,value\n38,a,\n") == [(2, "38", "a", "")]


def test_a_line_of_other_than_three_fields_goes_to_the_caller_and_reading_goes_on():
    wrong: list[tuple[str, int, int]] = []
    text = "unit,code,value\n38,a,1,2\n38,b\n38,c,3\n"
    found = read(text, wrong=lambda error: wrong.append((error.kind, error.line, len(error.found))))
    assert found == [(4, "38", "c", "3")]
    assert wrong == [("fields", 2, 4), ("fields", 3, 2)]


def test_without_a_caller_for_them_a_line_of_other_than_three_fields_stops_the_reading():
    error = refusal("unit,code,value\n38,a,1\n38,b\n38,c,3\n")
    assert (error.kind, error.line, error.found) == ("fields", 3, ["38", "b"])


def test_more_units_than_allowed_stop_at_the_line_of_the_first_beyond():
    # " 38" is unit 38 again (trimmed), and a blank unit is not a unit.
    text = "unit,code,value\n38,a,1\n 38,b,1\n,a,1\n39,a,1\n40,a,1\n"
    error = refusal(text, max_units=2)
    assert (error.kind, error.line, error.limit) == ("too_many_units", 6, 2)
    assert len(read(text, max_units=3)) == 5


def test_more_codes_than_allowed_stop_at_the_line_of_the_first_beyond():
    text = "unit,code,value\n38,a,1\n38,a ,1\n38,b,1\n38,c,1\n"
    error = refusal(text, max_codes=2)
    assert (error.kind, error.line, error.limit) == ("too_many_codes", 5, 2)


@pytest.mark.parametrize(
    "text, kind, line",
    [
        # the header and blank lines count
        ("unit,code,value\n38,a,1\n\n38,b,1\n", csv_lines.TOO_MANY_LINES, 4),
        ("unit,code,value\n38,a," + "9" * 20_000 + "\n", csv_lines.TOO_LONG, 2),
        ('unit,code,value\n38,a,"1\n', csv_lines.BROKEN, 2),
    ],
)
def test_the_limits_of_any_csv_stop_the_reading_with_their_line(text, kind, line):
    error = refusal(text, max_lines=3)
    assert (error.kind, error.line) == (kind, line)
    # The one exception is a CsvLimit: the upload's wording of those applies to it.
    assert isinstance(error, csv_lines.CsvLimit)


def test_a_byte_that_is_not_text_stops_the_reading_at_its_line():
    # UTF-8 from its first letter beyond ASCII, so a byte that is not UTF-8 is not text.
    error = refusal("unit,code,value\nHóa,a,1\n".encode() + b"38,b,\xff\xfe\n")
    assert (error.kind, error.line) == (csv_lines.NOT_TEXT, 3)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "unit,code,value\nThanh Hóa,a,1\n".encode(),
        "unit,code,value\nThanh Hóa,a,1\n".encode("utf-16"),
        # Excel's "CSV (Comma delimited)" on a Vietnamese Windows; CRLF line ends.
        "unit,code,value\r\nThanh Hóa,a,1\r\n".encode("cp1258"),
    ],
    ids=["utf-8 with its mark", "utf-16", "windows-1258"],
)
def test_the_encodings_excel_writes_are_read(data):
    assert read(data) == [(2, "Thanh Hóa", "a", "1")]


def test_what_is_written_reads_back_the_same_and_text_never_runs_as_a_formula():
    figures = [
        ("14758", "hs_tt", "12"),
        ("14758", "dv_tt", "-3.5"),
        ("Phường, Bến Thành", 'mã "q"', "không áp dụng"),
        ("=HYPERLINK(1)", "@x", ""),
    ]
    text = values_csv.write(figures)
    assert text.startswith("unit,code,value\n14758,hs_tt,12\n14758,dv_tt,-3.5\n")
    assert "\r" not in text and text.endswith("\n")
    back = [(unit, code, raw) for _line, unit, code, raw in values_csv.rows(io.StringIO(text))]
    assert back == [*figures[:3], ("'=HYPERLINK(1)", "'@x", "")]


def test_nothing_to_write_is_the_header_alone():
    assert values_csv.write([]) == "unit,code,value\n"
