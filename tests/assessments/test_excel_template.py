"""Downloading the entry template: one unit, many units, and the long CSV."""

from __future__ import annotations

import csv
import io

from chiso.assessments.models import Provenance, Value
from tests.assessments.excel_support import workbook


def give(submission, **figures):
    for code, value in figures.items():
        Value.objects.create(
            submission=submission,
            code=code,
            self_value=value,
            provenance=Provenance.SELF_REPORTED,
        )


def test_lan_downloads_a_template_prefilled_with_her_figures(login, lan, submission):
    give(submission, hs_tt=1240, hs_tong=1302, **{"CQS.2": 1.0, "XHS.1": 98.7})
    response = login(lan).get(f"/submissions/{submission.pk}/template.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "chiso-" in response["Content-Disposition"]
    book = workbook(response.content)
    assert book.sheetnames == ["Số liệu", "Hướng dẫn"]
    sheet = book["Số liệu"]
    assert [cell.value for cell in sheet[2]] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "hs_tt",
        "hs_tong",
        "CQS.2",
        "XHS.1",
    ]
    assert [cell.value for cell in sheet[3]] == ["14758", "Phường Hàm Rồng", 1240, 1302, "Có", 98.7]
    # Titles with their unit above the codes.
    assert sheet["F1"].value == "Tỷ lệ người trưởng thành có chữ ký số (%)"
    assert sheet["C1"].value == "Số hồ sơ TTHC tiếp nhận trực tuyến"


def test_the_unit_columns_are_locked_and_the_figures_are_not(login, lan, submission):
    sheet = workbook(login(lan).get(f"/submissions/{submission.pk}/template.xlsx").content)[
        "Số liệu"
    ]
    assert sheet.protection.sheet
    assert sheet["A3"].protection.locked and sheet["B3"].protection.locked
    assert sheet["A3"].fill.fgColor.rgb.endswith("E7E7E7")
    assert not sheet["C3"].protection.locked
    assert not sheet["F3"].protection.locked


def test_yes_no_columns_offer_co_and_khong(login, lan, submission):
    sheet = workbook(login(lan).get(f"/submissions/{submission.pk}/template.xlsx").content)[
        "Số liệu"
    ]
    lists = [rule for rule in sheet.data_validations.dataValidation if rule.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"Có,Không"'
    assert str(lists[0].sqref) == "E3"


def test_an_unreported_figure_is_an_empty_cell(login, lan, submission):
    give(submission, hs_tt=5)
    sheet = workbook(login(lan).get(f"/submissions/{submission.pk}/template.xlsx").content)[
        "Số liệu"
    ]
    assert sheet["C3"].value == 5
    assert sheet["D3"].value is None
    assert sheet["E3"].value is None


def test_the_instructions_sheet_lists_every_code_and_rule(login, lan, submission):
    sheet = workbook(login(lan).get(f"/submissions/{submission.pk}/template.xlsx").content)[
        "Hướng dẫn"
    ]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    codes = {
        row[0]: row for row in rows if row and row[0] in ("hs_tt", "hs_tong", "CQS.2", "XHS.1")
    }
    assert set(codes) == {"hs_tt", "hs_tong", "CQS.2", "XHS.1"}
    # Code, title, type, unit, allowed values, column of the sheet Số liệu.
    assert codes["XHS.1"][1] == "Tỷ lệ người trưởng thành có chữ ký số"
    assert codes["XHS.1"][3] == "%"
    assert codes["XHS.1"][5] == "F"
    assert "Có / Không" in codes["CQS.2"][4]
    assert rows[-1][:2] == [
        "hs_tt <= hs_tong",
        "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ",
    ]
    text = " ".join(str(value) for row in rows for value in row if value)
    # The rule for empty cells is stated.
    assert "an emptied cell clears the figure" in text or "xóa" in text


def test_minh_cannot_download_lans_template(login, minh, submission):
    client = login(minh)
    assert client.get(f"/submissions/{submission.pk}/template.xlsx").status_code == 404
    assert client.get(f"/submissions/{submission.pk}/values.csv").status_code == 404


def test_the_public_is_sent_to_log_in(client, submission):
    response = client.get(f"/submissions/{submission.pk}/template.xlsx")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_admin_gets_one_row_per_commune_of_the_period(login, tuan, period):
    response = login(tuan).get(f"/periods/{period.pk}/template.xlsx?level=commune")
    assert response.status_code == 200
    sheet = workbook(response.content)["Số liệu"]
    units = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert units == ["14758", "14797"]


def test_lans_period_template_has_only_her_ward(login, lan, period):
    sheet = workbook(login(lan).get(f"/periods/{period.pk}/template.xlsx").content)["Số liệu"]
    assert [row[:2] for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        ("14758", "Phường Hàm Rồng")
    ]


def test_a_period_with_nothing_to_see_is_not_found(login, lan, period):
    from chiso.assessments.models import Period

    other = Period.objects.create(
        year=2030,
        name="Khác",
        opens_on=period.opens_on,
        closes_on=period.closes_on,
        reference_date=period.reference_date,
    )
    assert login(lan).get(f"/periods/{other.pk}/template.xlsx").status_code == 404
    assert login(lan).get(f"/periods/{period.pk}/template.xlsx?level=district").status_code == 404


def test_the_long_csv_lists_every_code_of_every_unit(login, tuan, period, submission):
    give(submission, hs_tt=1240, **{"XHS.1": 98.7, "CQS.2": 0.0})
    response = login(tuan).get(f"/periods/{period.pk}/values.csv?level=commune")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == ["unit", "code", "value"]
    assert rows[1:5] == [
        ["14758", "hs_tt", "1240"],
        ["14758", "hs_tong", ""],
        ["14758", "CQS.2", "0"],
        ["14758", "XHS.1", "98.7"],
    ]
    assert len(rows) == 1 + 2 * 4


def test_lan_downloads_her_own_csv(login, lan, submission):
    response = login(lan).get(f"/submissions/{submission.pk}/values.csv")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[1] == "14758,hs_tt,"
