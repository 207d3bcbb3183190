"""`manage.py units load` and `manage.py units list` (also `chiso units ...`)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> tuple[list[str], str]:
    """Run `units ARGS`; return stdout's lines and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("units", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


def test_list_prints_the_166_communes_in_force_on_1_july_2025(loaded):
    lines, err = run("list", "--province", "38", "--level", "commune", "--on", "2025-07-01")
    assert len(lines) == 166
    assert lines[0] == "14758\tPhường Hàm Rồng\tphuong"
    assert lines[1] == "14797\tPhường Hạc Thành\tphuong"
    codes = [line.split("\t")[0] for line in lines]
    assert codes == sorted(codes)
    assert all(line.count("\t") == 2 for line in lines)
    assert err.strip() == "166 commune units in province 38 on 2025-07-01"


def test_list_on_an_earlier_day_prints_the_legacy_communes(loaded):
    lines, err = run("list", "--province", "38", "--level", "commune", "--on", "2025-01-01")
    assert len(lines) == 547
    assert "14755\tPhường Hàm Rồng\tphuong" in lines
    assert "14758\tPhường Đông Thọ\tphuong" in lines
    assert "Thị trấn Ngọc Lặc\tthi_tran" in "\n".join(lines)
    assert err.startswith("547 ")


def test_without_a_day_list_gives_the_latest_communes(loaded):
    lines, _ = run("list", "--province", "38")
    assert len(lines) == 166


@pytest.mark.parametrize(("day", "count"), [("2025-06-30", 63), ("2025-07-01", 34)])
def test_list_of_provinces_depends_on_the_day(loaded, day, count):
    lines, err = run("list", "--level", "province", "--on", day)
    assert len(lines) == count
    assert "38\tTỉnh Thanh Hóa\ttinh" in lines
    assert err.startswith(f"{count} province units on {day}")


def test_list_of_districts_before_and_after_the_reform(loaded):
    before, _ = run("list", "--province", "38", "--level", "district", "--on", "2025-01-01")
    assert len(before) == 26
    assert before[0] == "380\tThành phố Thanh Hóa\tthanh_pho"
    after, err = run("list", "--province", "38", "--level", "district", "--on", "2025-07-01")
    assert after == []
    assert err.startswith("0 district units")


def test_list_as_csv_carries_every_field(loaded):
    lines, _ = run("list", "--province", "38", "--on", "2025-07-01", "--format", "csv")
    rows = list(csv.DictReader(lines))
    assert len(rows) == 166
    assert rows[0] == {
        "code": "14758",
        "name": "Phường Hàm Rồng",
        "level": "commune",
        "kind": "phuong",
        "parent_code": "38",
        "province_code": "38",
        "valid_from": "2025-07-01",
        "valid_to": "",
        "latitude": "19.8431",
        "longitude": "105.774",
        "area_km2": "20.88",
    }


def test_list_as_json(loaded):
    out = io.StringIO()
    call_command(
        "units",
        "list",
        "--level",
        "department",
        "--format",
        "json",
        stdout=out,
        stderr=io.StringIO(),
    )
    departments = json.loads(out.getvalue())
    assert len(departments) == 15
    khcn = next(d for d in departments if d["code"] == "SO-KHCN")
    assert khcn["name"] == "Sở Khoa học và Công nghệ"
    assert khcn["valid_from"] == "2025-03-01"


def test_load_prints_its_counts_and_a_second_load_changes_nothing(db):
    first, _ = run("load")
    assert first == [
        "Units: 97 provinces, 26 districts, 713 communes, 15 departments; 621 lineage links. "
        "Created 1472, updated 0, unchanged 0."
    ]
    second, _ = run("load")
    assert second[0].endswith("Created 0, updated 0, unchanged 1472.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ("list", "--on", "2025-13-01"),
        ("list", "--level", "village"),
        ("list", "--format", "xml"),
        ("bogus",),
        (),
    ],
)
def test_bad_arguments_are_refused_with_a_message(args):
    with pytest.raises(CommandError):
        call_command("units", *args, stdout=io.StringIO(), stderr=io.StringIO())
