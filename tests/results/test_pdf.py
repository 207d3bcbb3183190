"""The printable annex and report card: what a reader of the PDF finds in it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from chiso.results.pdf import (
    Annex,
    AnnexRow,
    CardIndicator,
    CardPillar,
    Pillar,
    ReportCard,
    TrendPoint,
    annex_pdf,
    report_card_pdf,
    vi_number,
    vi_points,
)


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def an_annex(count: int = 3, **changes: object) -> Annex:
    rows = [
        AnnexRow(
            rank=i + 1,
            code=str(14755 + i),
            name=name,
            value=value,
            points=value * 100,
            recognized=value >= 0.8,
            pillar_values=(value, value / 2, None),
        )
        for i, (name, value) in enumerate(
            [("Phường Hàm Rồng", 0.9123), ("Xã Đông Tiến", 0.8), ("Xã Quảng Phú", 0.61)][:count]
        )
    ]
    fields: dict[str, object] = {
        "title": "Kết quả đánh giá, xếp hạng mức độ chuyển đổi số cấp xã năm 2025",
        "level_label": "Xã, phường",
        "max_points": 100,
        "rows": rows,
        "issued_on": date(2026, 3, 15),
        "pillars": [
            Pillar("cqs", "Chính quyền số"),
            Pillar("kts", "Kinh tế số"),
            Pillar("xhs", "Xã hội số"),
        ],
        "not_assessed": ["Xã Hoằng Hóa"],
        "framework": "thanhhoa-commune-2024 v1",
        "values_sha256": "0123456789abcdef" * 4,
    }
    fields.update(changes)
    return Annex(**fields)  # type: ignore[arg-type]


def test_figures_are_written_the_vietnamese_way():
    """As the pages write them (chiso.lib.numbers), whatever language is active."""
    assert vi_number(0.7314) == "0,7314"
    assert vi_number(1234.5, 1) == "1234,5"
    assert vi_number(None) == "—"
    assert vi_number(float("nan")) == "—"
    assert vi_points(57.75) == "57,75"
    assert vi_points(95.3) == "95,30"
    assert vi_points(60.0) == "60"


def test_the_annex_has_the_provincial_header_the_ranking_the_recognized_and_a_signature():
    pages = text_of(annex_pdf(an_annex()))
    first = pages[0]
    assert "ỦY BAN NHÂN DÂN" in first and "TỈNH THANH HÓA" in first
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ CHUYỂN ĐỔI SỐ CẤP XÃ NĂM 2025" in first
    whole = "\n".join(pages)
    # Every unit with its rank, value and points, Vietnamese-formatted.
    assert "Phường Hàm Rồng" in whole and "0,9123" in whole and "91,23" in whole
    assert "Xã Quảng Phú" in whole and "0,6100" in whole
    recognized = whole.split("II. DANH SÁCH ĐƠN VỊ ĐƯỢC CÔNG NHẬN")[1]
    assert "(2 đơn vị)" in recognized
    listed = recognized.split("III.")[0]
    assert "Phường Hàm Rồng" in listed and "Xã Đông Tiến" in listed
    assert "Xã Quảng Phú" not in listed
    assert "ĐƠN VỊ CHƯA ĐƯỢC ĐÁNH GIÁ" in whole and "Xã Hoằng Hóa" in whole
    assert "TM. ỦY BAN NHÂN DÂN" in whole and "CHỦ TỊCH" in whole
    assert "sha256 số liệu 0123456789abcdef" in whole


def test_the_annex_embeds_its_font():
    pdf = annex_pdf(an_annex())
    assert b"/FontFile2" in pdf
    assert b"DejaVu" in pdf


def test_a_provisional_annex_says_so_on_every_page():
    many = [
        AnnexRow(rank=i + 1, code=str(i), name=f"Xã {i}", value=0.5, points=50) for i in range(300)
    ]
    pages = text_of(annex_pdf(an_annex(rows=many, provisional=True, not_assessed=())))
    assert len(pages) > 3
    assert all("KẾT QUẢ TẠM THỜI" in page for page in pages)
    assert all(f"Trang {n}/{len(pages)}" in page for n, page in enumerate(pages, 1))
    published = text_of(annex_pdf(an_annex()))
    assert not any("TẠM THỜI" in page for page in published)


def test_an_annex_with_nobody_recognized_says_so():
    rows = [AnnexRow(rank=1, code="1", name="Xã Một", value=0.2, points=20, recognized=False)]
    whole = "\n".join(text_of(annex_pdf(an_annex(rows=rows))))
    assert "Không có đơn vị nào." in whole


@pytest.mark.parametrize(
    "name",
    ["(Xã) \\ Đặc biệt ) (", '=HYPERLINK("http://x")', "Xã " + "Rất Dài " * 40, "Phường 🏙"],
)
def test_odd_unit_names_neither_break_the_annex_nor_spill_out_of_their_cell(name):
    rows = [AnnexRow(rank=1, code="1", name=name, value=0.9, points=90, recognized=True)]
    whole = "\n".join(text_of(annex_pdf(an_annex(rows=rows))))
    assert "0,9000" in whole
    if len(name) > 100:
        # Wrapped inside its cell, line after line, and printed in full.
        assert " ".join(name.split()) in " ".join(whole.split())
        assert "…" not in whole


def a_card(**changes: object) -> ReportCard:
    fields: dict[str, object] = {
        "unit_name": "Phường Hàm Rồng",
        "unit_code": "14755",
        "period_label": "Năm 2025",
        "level_label": "Xã, phường",
        "value": 0.7314,
        "rank": 3,
        "of": 166,
        "points": 73.14,
        "max_points": 100,
        "recognized": False,
        "pillars": [
            CardPillar("Chính quyền số", 0.8, 2, 0.6, 0.95),
            CardPillar("Kinh tế số", None, None, 0.5, 0.9),
        ],
        "indicators": [
            CardIndicator("1.1", "Cổng thông tin điện tử", 1.0, 1.0, 2.0, 2.0, True, True),
            CardIndicator("1.2", "Hồ sơ trực tuyến toàn trình", 40.0, 0.25, 1.0, 4.0, True, False),
            CardIndicator("2.1", "Hộ có cáp quang", 87.5, 0.5, 1.5, 3.0),
        ],
        "fix_first": ["1.2", "2.1"],
        "trend": [TrendPoint("2024", 0.6, 10, derived=True), TrendPoint("2025", 0.7314, 3)],
        "issued_on": date(2026, 3, 15),
    }
    fields.update(changes)
    return ReportCard(**fields)  # type: ignore[arg-type]


def test_the_report_card_gives_the_result_the_pillars_what_to_fix_and_every_indicator():
    whole = "\n".join(text_of(report_card_pdf(a_card())))
    assert "PHIẾU KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ" in whole
    assert "Phường Hàm Rồng (14755)" in whole
    assert "0,7314" in whole and "3/166" in whole and "73,14/100" in whole and "Chưa đạt" in whole
    assert "Chính quyền số" in whole and "0,8000 (hạng 2/166)" in whole
    fix = whole.split("Cần khắc phục trước")[1].split("Các chỉ tiêu")[0]
    assert fix.index("1.2") < fix.index("2.1")
    assert "tiêu chí bắt buộc chưa đạt" in fix and "còn 1,50 điểm" in fix
    # 1.2 earned 1 of its 4 points (score 0,25) and has 3 left.
    assert "1/4" in whole and "0,25" in whole and " 3 " in whole
    assert "suy ra từ các đơn vị trước sáp nhập" in whole
    assert "TẠM THỜI" not in whole


def test_a_provisional_report_card_says_so():
    whole = "\n".join(text_of(report_card_pdf(a_card(provisional=True))))
    assert "KẾT QUẢ TẠM THỜI – CHƯA CÔNG BỐ" in whole


def test_a_unit_not_assessed_reads_dashes_not_zeros():
    card = a_card(value=None, rank=None, points=None, recognized=None, pillars=[], trend=[])
    whole = "\n".join(text_of(report_card_pdf(card)))
    assert "—" in whole and "không áp dụng" in whole


# Some of the longest names a Thanh Hóa document prints.
LONG_UNITS = [
    "Phường Nam Sầm Sơn",
    "Xã Hoằng Hóa Đông Nam Thành Phố Thanh Hóa",
    "Sở Khoa học và Công nghệ tỉnh Thanh Hóa",
    "Ban Quản lý Khu kinh tế Nghi Sơn và các Khu công nghiệp",
]
LONG_PILLARS = [
    Pillar("cqs", "Chính quyền số và dịch vụ công trực tuyến"),
    Pillar("kts", "Kinh tế số"),
    Pillar("xhs", "Xã hội số và kỹ năng số của người dân"),
]


def whole_text(pdf: bytes) -> str:
    """The PDF's text with every run of spaces and line breaks as one space."""
    return " ".join(" ".join(text_of(pdf)).split())


def test_the_annex_prints_every_unit_and_pillar_name_in_full():
    rows = [
        AnnexRow(rank=i, code=str(i), name=name, value=0.9, points=90, recognized=True,
                 pillar_values=(0.9, 0.8, 0.7))
        for i, name in enumerate(LONG_UNITS, 1)
    ]  # fmt: skip
    whole = whole_text(annex_pdf(an_annex(rows=rows, pillars=LONG_PILLARS)))
    assert "…" not in whole
    for name in LONG_UNITS + [p.title for p in LONG_PILLARS]:
        assert name in whole, name


def test_the_report_card_prints_every_indicator_and_pillar_name_in_full():
    titles = [
        "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và giải quyết trực tuyến toàn trình",
        "Tỷ lệ hộ gia đình có đường Internet cáp quang băng rộng và điện thoại thông minh",
    ]
    card = a_card(
        unit_name=LONG_UNITS[3],
        indicators=[
            CardIndicator(f"1.{i}", title, 1.0, 1.0, 2.0, 2.0) for i, title in enumerate(titles)
        ],
        fix_first=[],
        pillars=[CardPillar(p.title, 0.5, 1, 0.4, 0.9) for p in LONG_PILLARS],
    )
    whole = whole_text(report_card_pdf(card))
    assert "…" not in whole
    for name in titles + [p.title for p in LONG_PILLARS] + [LONG_UNITS[3]]:
        assert name in whole, name


def test_the_report_cards_history_says_out_of_how_many_and_marks_derived_figures():
    trend = [
        TrendPoint("2024", 0.6, 10, derived=True, of=547),
        TrendPoint("2025", 0.7314, 3, of=166),
    ]
    whole = whole_text(report_card_pdf(a_card(trend=trend)))
    assert "10/547 suy ra" in whole and "3/166" in whole
