"""Officers read the template and the import errors in Vietnamese."""

from __future__ import annotations

from tests.assessments import excel_support as support
from tests.assessments.excel_support import fill, issues, upload, workbook

# Fixtures shared by the Excel and CSV import tests.
vietnamese = support.vietnamese


def test_lan_reads_her_errors_in_vietnamese(vietnamese, login, lan, submission):
    client = login(lan)
    content = client.get(f"/submissions/{submission.pk}/template.xlsx").content
    response = upload(
        client,
        f"/submissions/{submission.pk}/import",
        fill(content, {"C3": 10, "D3": 20, "E3": "chưa rõ", "F3": "abc"}),
    )
    assert issues(response) == [
        "Trang tính Số liệu, dòng 3, cột E (CQS.2): “chưa rõ” không phải là câu trả lời "
        "có/không (Có/Không).",
        "Trang tính Số liệu, dòng 3, cột F (XHS.1): “abc” không phải là số.",
    ]
    assert "Chưa nhập số liệu nào: tệp có 2 lỗi." in response.content.decode()


def test_a_broken_rule_is_explained_in_vietnamese(vietnamese, login, lan, submission):
    client = login(lan)
    content = client.get(f"/submissions/{submission.pk}/template.xlsx").content
    response = upload(
        client, f"/submissions/{submission.pk}/import", fill(content, {"C3": 30, "D3": 20})
    )
    assert issues(response) == [
        "Trang tính Số liệu, dòng 3: đơn vị 14758 (Phường Hàm Rồng): Số hồ sơ trực tuyến "
        "không thể lớn hơn tổng số hồ sơ (hs_tt = 30, hs_tong = 20)"
    ]


def test_the_instructions_sheet_is_in_vietnamese(vietnamese, login, lan, submission):
    book = workbook(login(lan).get(f"/submissions/{submission.pk}/template.xlsx").content)
    lines = [row[0] for row in book["Hướng dẫn"].iter_rows(values_only=True) if row and row[0]]
    assert lines[0] == "Hướng dẫn nhập số liệu"
    assert any("ô bị xóa trống thì số liệu đó bị xóa" in str(line) for line in lines)
    assert book["Số liệu"]["A1"].value == "Chỉ tiêu →"


def test_the_success_summary_is_in_vietnamese(vietnamese, login, lan, submission):
    response = upload(
        login(lan),
        f"/submissions/{submission.pk}/import",
        b'unit,code,value\n14758,XHS.1,"98,7"\n',
        "a.csv",
    )
    assert "1 số liệu được cập nhật ở 1 đơn vị." in response.content.decode()
