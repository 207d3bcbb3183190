"""Frameworks from an Excel criteria table laid out like a decision's appendix."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from chiso import engine
from chiso.frameworks.excel import (
    TableError,
    blank_workbook,
    framework_to_workbook,
    parse_method,
    workbook_bytes,
    workbook_to_yaml,
)
from chiso.frameworks.models import Framework, Source

SHIPPED = Path(settings.BASE_DIR) / "chiso" / "frameworks" / "shipped"


def appendix(criteria_rows, *, info=None, headings=None, elements=None, rules=None) -> bytes:
    """A criteria table the way a province office would type it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Thông tin"
    for key, value in (
        info
        or {
            "Mã bộ tiêu chí": "nongcong-xa-2026",
            "Tên bộ tiêu chí": "Bộ tiêu chí chuyển đổi số cấp xã 2026",
            "Cấp": "Cấp xã",
            "Năm": 2026,
            "Số điểm tối thiểu để công nhận": 60,
            "Phải đạt tất cả chỉ tiêu bắt buộc": "x",
        }
    ).items():
        sheet.append([key, value])
    table = book.create_sheet("Tiêu chí")
    # A title row above the header, as in a decision's appendix.
    table.append(["PHỤ LỤC: BỘ TIÊU CHÍ CHUYỂN ĐỔI SỐ CẤP XÃ"])
    table.append(
        headings
        or [
            "STT",
            "TIÊU CHÍ",
            "Don vi tinh",
            "Điểm tối đa",
            "Cách tính điểm",
            "Tài liệu kiểm chứng",
            "Nguồn dữ liệu",
            "Đơn vị thẩm định",
            "Bắt buộc",
            "Công thức",
        ]
    )
    for row in criteria_rows:
        table.append(row)
    if elements:
        sheet = book.create_sheet("Thành phần")
        sheet.append(["Mã", "Tên", "Kiểu dữ liệu"])
        for row in elements:
            sheet.append(row)
    if rules:
        sheet = book.create_sheet("Quy tắc kiểm tra")
        sheet.append(["Quy tắc", "Thông báo"])
        for row in rules:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [
    ["CQS", "Chính quyền số", None, 60],
    [
        "CQS.1",
        "Tỷ lệ hồ sơ trực tuyến",
        "%",
        30,
        "linear 0-90",
        "Báo cáo thống kê",
        "Hệ thống một cửa",
        "Văn phòng UBND tỉnh",
        "x",
        "100 * hs_tt / hs_tong",
    ],
    ["CQS.2", "Có trang thông tin điện tử", None, 10, "boolean"],
    ["CQS.3", "Số cuộc họp Ban chỉ đạo", "cuộc", 20, "steps 1:0,25; 2:0.5; 3:0.75; 4:1"],
    ["XHS", "Xã hội số", None, None],
    [
        "XHS.1",
        "Tỷ lệ người trưởng thành có chữ ký số",
        "%",
        30,
        "threshold ≥ 30",
        None,
        None,
        None,
        "có",
    ],
    ["XHS.2", "Số vụ mất an toàn thông tin", "vụ", 10, "Threshold <= 5"],
]
ELEMENTS = [
    ["hs_tt", "Số hồ sơ trực tuyến", "số nguyên"],
    ["hs_tong", "Tổng số hồ sơ", "số nguyên"],
]
RULES = [["hs_tt <= hs_tong", "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ"]]


@pytest.fixture
def tuan_imports(login, tuan, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login(tuan)

    def post(content: bytes, name: str = "phu-luc.xlsx"):
        return client.post("/frameworks/import-excel", {"file": SimpleUploadedFile(name, content)})

    return post


def listed(response) -> list[str]:
    import html
    import re

    part = response.content.decode().split("import-issues", 1)[-1].split("</ul>", 1)[0]
    return [html.unescape(item).strip() for item in re.findall(r"<li>(.*?)</li>", part, re.S)]


def test_tuan_imports_an_appendix_table(tuan_imports, tuan):
    response = tuan_imports(appendix(GOOD_ROWS, elements=ELEMENTS, rules=RULES))

    assert response.status_code == 200
    stored = Framework.objects.get(code="nongcong-xa-2026")
    assert "is stored as version 1" in response.content.decode()
    assert (stored.source, stored.version, stored.level, stored.year) == (
        Source.EXCEL,
        1,
        "commune",
        2026,
    )
    assert stored.created_by == tuan
    parsed = stored.engine()
    assert [node.code for node in parsed.nodes] == [
        "CQS",
        "CQS.1",
        "CQS.2",
        "CQS.3",
        "XHS",
        "XHS.1",
        "XHS.2",
    ]
    assert parsed.node("CQS.3").parent == "CQS"
    assert parsed.node("CQS.1").score == engine.ScoreRule(method="linear", zero=0.0, full=90.0)
    assert parsed.node("CQS.3").score.steps == ((1, 0.25), (2, 0.5), (3, 0.75), (4, 1))
    assert parsed.node("XHS.1").score.at_least == 30
    assert parsed.node("XHS.2").score.at_most == 5
    assert parsed.node("CQS.1").mandatory and parsed.node("XHS.1").mandatory
    assert not parsed.node("CQS.2").mandatory
    assert parsed.node("CQS.1").extra["evidence"] == {"vi": "Báo cáo thống kê"}
    assert parsed.node("CQS.1").extra["verified_by"] == {"vi": "Văn phòng UBND tỉnh"}
    assert parsed.input_codes == ("hs_tt", "hs_tong", "CQS.2", "CQS.3", "XHS.1", "XHS.2")
    assert parsed.recognition.min_points == 60 and parsed.recognition.all_mandatory
    assert parsed.max_points == 100
    assert [rule.rule for rule in parsed.validation] == ["hs_tt <= hs_tong"]


def test_the_same_table_twice_is_stored_once_and_a_change_is_a_new_version(tuan_imports):
    tuan_imports(appendix(GOOD_ROWS, elements=ELEMENTS))
    tuan_imports(appendix(GOOD_ROWS, elements=ELEMENTS))
    assert Framework.objects.filter(code="nongcong-xa-2026").count() == 1
    changed = [row[:] for row in GOOD_ROWS]
    changed[2][3] = 15
    changed[0][3] = 65
    tuan_imports(appendix(changed, elements=ELEMENTS))
    assert sorted(Framework.objects.values_list("version", flat=True)) == [1, 2]


def test_english_headings_are_recognised_too(tuan_imports):
    rows = [["A", "Group"], ["A.1", "Has a portal", None, 10, "boolean"]]
    headings = ["Code", "Indicator", "Unit", "Maximum points", "Scoring"]
    response = tuan_imports(appendix(rows, headings=headings))
    assert response.status_code == 200
    assert Framework.objects.get(code="nongcong-xa-2026").engine().max_points == 10


def test_the_thuoc_column_is_filled_only_where_codes_do_not_follow_the_dot_rule(tuan_imports):
    # As the blank table's instructions say: the other rows keep their group by the dot.
    headings = ["Mã", "Tiêu chí", "Điểm tối đa", "Cách tính điểm", "Thuộc"]
    rows = [
        ["CQS", "Chính quyền số"],
        ["CQS.1", "Có trang thông tin điện tử", 10, "boolean"],
        ["KN1", "Có kho dữ liệu dùng chung", 5, "boolean", "CQS"],
        ["HTS", "Hạ tầng số"],
        ["HTS.1", "Có mạng nội bộ", 5, "boolean", None],
    ]
    response = tuan_imports(appendix(rows, headings=headings))
    assert response.status_code == 200, listed(response)
    parsed = Framework.objects.get(code="nongcong-xa-2026").engine()
    assert [(node.code, node.parent) for node in parsed.nodes] == [
        ("CQS", None),
        ("CQS.1", "CQS"),
        ("KN1", "CQS"),
        ("HTS", None),
        ("HTS.1", "HTS"),
    ]


def test_a_bad_scoring_rule_names_sheet_row_and_column(tuan_imports):
    rows = [["CQS", "Chính quyền số"], ["CQS.1", "Cổng thông tin", None, 10, "tuyến tính 0 - 0"]]
    response = tuan_imports(appendix(rows))
    assert response.status_code == 400
    assert listed(response) == [
        "Sheet Tiêu chí, row 4, column E (CQS.1): “tuyến tính 0 - 0” is not a scoring rule: "
        "write for example “linear 0-90”, “threshold >= 60”, “threshold <= 5”, “boolean”, "
        "“steps 1:0.25; 2:0.5; 4:1” or “relative”."
    ]
    assert not Framework.objects.exists()


def test_every_problem_of_the_table_is_listed(tuan_imports):
    rows = [
        ["CQS", "Chính quyền số", None, 50],
        ["CQS.1", "Cổng thông tin", None, None, "boolean"],
        ["CQS.2", "Hồ sơ trực tuyến", "%", "mười", "linear 0-90", None, None, None, "có lẽ"],
        ["KTS.1", "Thanh toán không dùng tiền mặt", "%", 10, "threshold >= 60"],
        ["CQS.2", "Trùng mã", None, 5, "boolean"],
    ]
    response = tuan_imports(appendix(rows))
    assert listed(response) == [
        "Sheet Tiêu chí, row 4, column D (CQS.1): The indicator has no maximum points.",
        "Sheet Tiêu chí, row 5, column D (CQS.2): “mười” is not a number of points (0 or more).",
        "Sheet Tiêu chí, row 5, column I: “có lẽ” is not yes or no: write x (or có) for yes, "
        "leave empty for no.",
        "Sheet Tiêu chí, row 6, column A (KTS.1): The group KTS of KTS.1 is not listed above it.",
        "Sheet Tiêu chí, row 7, column A: Code CQS.2 appears twice (also row 5).",
    ]


def test_a_group_whose_points_do_not_add_up_is_refused(tuan_imports):
    rows = [["CQS", "Chính quyền số", None, 50], ["CQS.1", "Cổng", None, 10, "boolean"]]
    assert listed(tuan_imports(appendix(rows))) == [
        "Sheet Tiêu chí, row 3, column D (CQS): The group's 50 points differ from the sum of its "
        "indicators' points (10): leave the cell empty or correct it."
    ]


def test_the_engine_s_problems_are_placed_on_their_row(tuan_imports):
    rows = [
        ["CQS", "Chính quyền số"],
        ["CQS.1", "Tỷ lệ", "%", 10, "linear 0-90", None, None, None, None, "100 * a / b"],
    ]
    assert listed(tuan_imports(appendix(rows, rules=[["hs_tt <= 5", "Quá nhiều"]]))) == [
        "Sheet Tiêu chí, row 4, column J (CQS.1): "
        "The formula names a, which is not an element of the framework.",
        "Sheet Tiêu chí, row 4, column J (CQS.1): "
        "The formula names b, which is not an element of the framework.",
        "Sheet Quy tắc kiểm tra, row 2, column A: "
        "The rule names hs_tt, which is not an element of the framework.",
    ]


def test_on_a_vietnamese_page_the_engine_s_problems_read_in_vietnamese(tuan_imports, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    rows = [
        ["CQS", "Chính quyền số"],
        ["CQS.1", "Tỷ lệ", "%", 10, "linear 0-90", None, None, None, None, "100 * a / b"],
    ]
    assert listed(tuan_imports(appendix(rows)))[0] == (
        "Trang tính Tiêu chí, dòng 4, cột J (CQS.1): "
        "Công thức dùng a, không phải là thành phần của bộ tiêu chí."
    )


def test_the_information_sheet_is_required(tuan_imports):
    book = openpyxl.load_workbook(io.BytesIO(appendix(GOOD_ROWS, elements=ELEMENTS)))
    del book["Thông tin"]
    assert listed(tuan_imports(workbook_bytes(book))) == [
        "Sheet Thông tin: The workbook has no sheet “Thông tin” giving the framework's code, "
        "title, level and year."
    ]


def test_a_wrong_level_names_its_cell(tuan_imports):
    info = {"Mã bộ tiêu chí": "x-2026", "Tên bộ tiêu chí": "X", "Cấp": "thôn", "Năm": 2026}
    assert listed(tuan_imports(appendix(GOOD_ROWS, info=info, elements=ELEMENTS))) == [
        "Sheet Thông tin, row 3, column B: “thôn” is not a level: write tỉnh, sở, huyện or xã."
    ]


def test_a_pdf_is_not_a_criteria_table(tuan_imports):
    response = tuan_imports(b"%PDF-1.7\n%%EOF\n", "phu-luc.xlsx")
    assert listed(response) == [
        "phu-luc.xlsx is a PDF file (application/pdf), not an Excel workbook (.xlsx)."
    ]


def test_only_the_admin_imports_frameworks(login, lan, hoa, client):
    for person in (lan, hoa):
        login(person)
        assert client.get("/frameworks/import-excel").status_code == 403
        assert client.get("/frameworks/import-excel/template.xlsx").status_code == 403
        response = client.post(
            "/frameworks/import-excel",
            {"file": SimpleUploadedFile("a.xlsx", appendix(GOOD_ROWS, elements=ELEMENTS))},
        )
        assert response.status_code == 403
    assert not Framework.objects.exists()


def test_the_admin_downloads_the_blank_table(login, tuan, client):
    login(tuan)
    page = client.get("/frameworks/import-excel")
    assert page.status_code == 200
    assert "csrfmiddlewaretoken" in page.content.decode()
    response = client.get("/frameworks/import-excel/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Thông tin",
        "Tiêu chí",
        "Thành phần",
        "Quy tắc kiểm tra",
        "Hướng dẫn",
    ]
    headings = [cell.value for cell in book["Tiêu chí"][1]]
    assert headings[:6] == [
        "Mã",
        "Tiêu chí",
        "Tên tiếng Anh",
        "Đơn vị tính",
        "Điểm tối đa",
        "Cách tính điểm",
    ]
    assert {"Tài liệu kiểm chứng", "Nguồn dữ liệu", "Đơn vị thẩm định", "Bắt buộc"} <= set(headings)


def test_the_blank_table_as_it_is_is_refused_politely(tuan_imports):
    problems = listed(tuan_imports(workbook_bytes(blank_workbook())))
    assert "Sheet Thông tin, row 2: “Mã bộ tiêu chí” is missing: give it in column B." in problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("linear 0-90", {"method": "linear", "zero": 0, "full": 90}),
        ("Tuyến tính 90 - 0", {"method": "linear", "zero": 90, "full": 0}),
        ("linear -5..10,5", {"method": "linear", "zero": -5, "full": 10.5}),
        ("threshold >= 60", {"method": "threshold", "at_least": 60}),
        ("ngưỡng ≤ 5", {"method": "threshold", "at_most": 5}),
        ("boolean", {"method": "boolean"}),
        ("Có/Không", {"method": "boolean"}),
        (
            "steps 1:0.25; 2:0.5; 3:0.75; 4:1",
            {"method": "steps", "steps": [[1, 0.25], [2, 0.5], [3, 0.75], [4, 1]]},
        ),
        ("relative", {"method": "relative"}),
    ],
)
def test_the_scoring_syntax_reads_like_the_appendix(text, expected):
    assert parse_method(text) == expected


@pytest.mark.parametrize("text", ["linear", "threshold 60", "steps 1-0.5", "boolean 1", "điểm"])
def test_an_unreadable_scoring_rule_is_an_error(text):
    with translation.override("en"), pytest.raises(ValueError, match="is not a scoring rule"):
        parse_method(text)


def random_values(framework: engine.Framework, units: int = 40) -> engine.Values:
    rng = np.random.default_rng(2024)
    mapping = {}
    for number in range(units):
        figures = {}
        for code in framework.input_codes:
            kind = framework.input_type(code)
            if kind == "boolean":
                figures[code] = float(rng.integers(0, 2))
            elif kind == "integer":
                figures[code] = float(rng.integers(50, 1000))
            else:
                figures[code] = float(rng.uniform(0, 100))
        mapping[f"u{number:03d}"] = figures
    return engine.Values.from_mapping(framework, mapping)


def test_the_shipped_commune_framework_goes_to_excel_and_back_scoring_the_same(tuan_imports):
    original = engine.parse_framework(
        (SHIPPED / "thanhhoa-commune-2024.yaml").read_text(encoding="utf-8")
    )
    table = workbook_bytes(framework_to_workbook(original))

    response = tuan_imports(table, "thanhhoa-commune-2024.xlsx")
    assert response.status_code == 200
    back = Framework.objects.get(code="thanhhoa-commune-2024", source=Source.EXCEL).engine()

    assert back.input_codes == original.input_codes
    assert [node.code for node in back.nodes] == [node.code for node in original.nodes]
    values = random_values(original)
    before, after = engine.score(original, values), engine.score(back, values)
    assert np.array_equal(before.points, after.points)
    assert np.array_equal(before.node_values, after.node_values, equal_nan=True)
    assert np.array_equal(before.rank, after.rank)
    assert np.array_equal(before.recognized, after.recognized)
    assert before.unmet_mandatory == after.unmet_mandatory
    assert back.validation == original.validation


@pytest.mark.parametrize("name", sorted(path.name for path in SHIPPED.glob("*.yaml")))
def test_every_shipped_framework_survives_the_round_trip(name):
    original = engine.parse_framework((SHIPPED / name).read_text(encoding="utf-8"))
    back = engine.parse_framework(workbook_to_yaml(workbook_bytes(framework_to_workbook(original))))
    values = random_values(original, 12)
    assert np.array_equal(engine.score(original, values).points, engine.score(back, values).points)
    assert [node.parent for node in back.nodes] == [node.parent for node in original.nodes]


@pytest.mark.parametrize("name", sorted(path.name for path in SHIPPED.glob("*.yaml")))
def test_a_shipped_framework_exported_and_imported_unchanged_is_the_same_framework(
    name, tuan_imports, login, tuan, client
):
    from chiso.assessments.services import load_shipped

    stored = {item.code: item for item in load_shipped()}
    original = next(item for item in stored.values() if item.text == (SHIPPED / name).read_text())
    table = client.get(f"/frameworks/{original.pk}/criteria.xlsx").content

    response = tuan_imports(table, f"{original.code}.xlsx")

    assert response.status_code == 200
    assert response.context["framework"] == original
    assert Framework.objects.filter(code=original.code).count() == 1
    assert Framework.objects.get(code=original.code).sha256 == original.sha256


def test_descriptions_help_and_reconstructed_flags_survive_the_table():
    original = engine.parse_framework(
        (SHIPPED / "thanhhoa-commune-2024.yaml").read_text(encoding="utf-8")
    )
    back = engine.parse_framework(workbook_to_yaml(workbook_bytes(framework_to_workbook(original))))
    for before, after in zip(original.nodes, back.nodes, strict=True):
        assert (after.description or {}).get("vi") == (before.description or {}).get("vi")
        assert after.extra.get("help", {}).get("vi") == before.extra.get("help", {}).get("vi")
        assert after.extra.get("reconstructed") == before.extra.get("reconstructed")
    assert any(node.extra.get("reconstructed") for node in back.nodes)


def test_an_edited_table_is_a_new_version_that_keeps_the_rest(tuan_imports):
    from chiso.assessments.services import load_shipped

    [original] = [item for item in load_shipped() if item.code == "thanhhoa-commune-2024"]
    book = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(framework_to_workbook(original.engine())))
    )
    sheet = book["Tiêu chí"]
    titles = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "CQS.01")
    row[titles.index("Tiêu chí")].value = "Tên mới"
    buffer = io.BytesIO()
    book.save(buffer)

    response = tuan_imports(buffer.getvalue(), "sua.xlsx")

    assert response.status_code == 200
    new = response.context["framework"]
    assert new.version == 2
    node = new.engine().node("CQS.01")
    assert node.title["vi"] == "Tên mới"
    assert node.extra.get("help") == {"vi": original.engine().node("CQS.01").extra["help"]["vi"]}


def test_a_stored_framework_is_exported_as_a_criteria_table(login, lan, framework, period, client):
    login(lan)
    response = client.get(f"/frameworks/{framework.pk}/criteria.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["Tiêu chí"].iter_rows(values_only=True))
    assert rows[2][:2] == ("CQS.1", "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến")
    assert "linear 0-90" in rows[2]


def test_a_table_error_lists_every_problem():
    with translation.override("en"), pytest.raises(TableError) as caught:
        workbook_to_yaml(b"", "trong.xlsx")
    assert [str(issue) for issue in caught.value.issues] == ["The file trong.xlsx is empty."]


def merged(content: bytes, merges: dict[str, list[str]]) -> bytes:
    """The table with cells merged, as a decision's appendix often has them."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet, ranges in merges.items():
        for cells in ranges:
            book[sheet].merge_cells(cells)
    return workbook_bytes(book)


def test_merged_cells_are_errors_naming_the_cells_and_nothing_is_stored(tuan_imports, client):
    # "Văn phòng UBND tỉnh" verifies CQS.1 to CQS.3 in one merged cell, and the key of the
    # last information row is merged with the one above: read as they are, both would
    # silently leave rows without their value.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    content = merged(
        appendix(GOOD_ROWS, elements=ELEMENTS, rules=RULES),
        {"Thông tin": ["A5:A6"], "Tiêu chí": ["H4:H6"], "Thành phần": ["C2:C3"]},
    )
    response = tuan_imports(content)
    assert response.status_code == 400
    assert listed(response) == [
        "Trang tính Thông tin, dòng 5, cột A: Các ô A5:A6 đang được gộp: hãy bỏ gộp ô và "
        "ghi giá trị vào từng ô (giá trị chung của nhiều dòng thì ghi lại ở mỗi dòng).",
        "Trang tính Thành phần, dòng 2, cột C: Các ô C2:C3 đang được gộp: hãy bỏ gộp ô và "
        "ghi giá trị vào từng ô (giá trị chung của nhiều dòng thì ghi lại ở mỗi dòng).",
        "Trang tính Tiêu chí, dòng 4, cột H: Các ô H4:H6 đang được gộp: hãy bỏ gộp ô và "
        "ghi giá trị vào từng ô (giá trị chung của nhiều dòng thì ghi lại ở mỗi dòng).",
    ]
    assert not Framework.objects.exists()


def test_a_title_merged_above_the_header_row_is_read_as_usual(tuan_imports):
    content = merged(appendix(GOOD_ROWS, elements=ELEMENTS), {"Tiêu chí": ["A1:J1"]})
    response = tuan_imports(content)
    assert response.status_code == 200, listed(response)
    assert Framework.objects.get(code="nongcong-xa-2026").engine().max_points == 100


def test_a_formula_without_its_saved_result_is_an_error_naming_the_cell(tuan_imports):
    # A program that writes formulas but not their results (openpyxl, some exports):
    # read as it is, the cell would be empty and the criterion would lose its points.
    book = openpyxl.load_workbook(io.BytesIO(appendix(GOOD_ROWS, elements=ELEMENTS)))
    column = "D"  # "Điểm tối đa" of CQS, on the first row under the header
    book["Tiêu chí"][f"{column}3"] = "=30+30"
    response = tuan_imports(workbook_bytes(book))
    assert response.status_code == 400
    assert (
        f"Sheet Tiêu chí, row 3, column {column}: The cell holds a formula whose result was "
        "not saved: type the value itself, or open the file in Excel and save it again."
    ) in listed(response)
    assert not Framework.objects.exists()
