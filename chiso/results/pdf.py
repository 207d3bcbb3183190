"""Printable PDFs of published results: the decision's annex and a unit's report card.

The builders are plain functions of plain data (`Annex`, `ReportCard`): no database,
no request, so the same bytes come out of a page, a command or a test. Text is
Vietnamese, written the Vietnamese way (0,7314; 23/11/2026), in DejaVu Sans embedded
from chiso/results/fonts/ (a subset of the glyphs used), so every letter prints on
any machine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from chiso.lib import numbers

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"

# A4 portrait, in millimetres.
MARGIN = 15.0
PAGE_WIDTH = 210.0
BODY = PAGE_WIDTH - 2 * MARGIN


# The PDFs are always Vietnamese; they write numbers as the pages do (chiso.lib.numbers).
VI = ","


def vi_number(value: float | None, digits: int = 4) -> str:
    """A 0..1 value with four decimals (0,7314), or another number with at most `digits`."""
    if digits == 4:
        return numbers.index(value, VI)
    return numbers.number(value, digits, VI)


def vi_points(value: float | None) -> str:
    """Points as on the pages: 60, 57,75, 95,30."""
    return numbers.points(value, VI)


def vi_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Pillar:
    """One top-level branch of the framework (a pillar), as a column or a chart bar."""

    code: str
    title: str


@dataclass(frozen=True)
class AnnexRow:
    """One ranked unit of the annex's table."""

    rank: int
    code: str
    name: str
    value: float
    points: float
    recognized: bool | None = None
    pillar_values: Sequence[float | None] = ()


@dataclass(frozen=True)
class Annex:
    """The annex of the Chairman's decision: ranking, recognized units, signature.

    `rows` are best first. `pillars` name the columns of `AnnexRow.pillar_values`
    (shown when there are at most four). `not_assessed` are the names of the units
    that had no approved figures when the period was published.
    """

    title: str  # e.g. "Kết quả đánh giá, xếp hạng mức độ chuyển đổi số cấp xã năm 2025"
    level_label: str  # e.g. "Xã, phường"
    max_points: float
    rows: Sequence[AnnexRow]
    issued_on: date
    province: str = "THANH HÓA"
    pillars: Sequence[Pillar] = ()
    not_assessed: Sequence[str] = ()
    provisional: bool = False
    version: int = 1
    framework: str = ""  # "thanhhoa-commune-2024 v1"
    values_sha256: str = ""
    decision: str = (
        "Kèm theo Quyết định số       /QĐ-UBND ngày     tháng     năm      của Chủ tịch UBND tỉnh"
    )
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    # Without a recognition rule nobody is recognized: no column, no list.
    has_recognition: bool = True


@dataclass(frozen=True)
class CardPillar:
    """A pillar on a report card: the unit's value against the level's median and best."""

    title: str
    value: float | None
    rank: int | None
    median: float | None
    best: float | None


@dataclass(frozen=True)
class CardIndicator:
    """One indicator on a report card (points earned and still available)."""

    code: str
    title: str
    value: float | None
    score: float | None
    points: float
    max_points: float
    mandatory: bool = False
    met: bool | None = None  # a mandatory criterion's pass/fail; None when not mandatory

    @property
    def points_left(self) -> float:
        return max(self.max_points - self.points, 0.0)


@dataclass(frozen=True)
class TrendPoint:
    label: str  # the period, e.g. "2025"
    value: float | None
    rank: int | None
    derived: bool = False  # computed from predecessors across the 2025 reform
    of: int | None = None  # how many units were ranked


@dataclass(frozen=True)
class ReportCard:
    """Everything the report card shows for one unit in one period and level."""

    unit_name: str
    unit_code: str
    period_label: str
    level_label: str
    value: float | None
    rank: int | None
    of: int
    points: float | None
    max_points: float
    recognized: bool | None
    pillars: Sequence[CardPillar]
    indicators: Sequence[CardIndicator]
    fix_first: Sequence[str] = ()  # indicator codes, most urgent first
    trend: Sequence[TrendPoint] = ()
    provisional: bool = False
    issued_on: date | None = None
    version: int = 1
    province: str = "THANH HÓA"
    notes: Sequence[str] = field(default_factory=tuple)
    units: int | None = None
    """The level's units, assessed or not (M); more than `of` in a partial ranking."""


PROVISIONAL = "KẾT QUẢ TẠM THỜI – CHƯA CÔNG BỐ"


class _Document(FPDF):
    """A4 with chiso's font, a provisional banner and a page footer on every page."""

    def __init__(self, *, provisional: bool, footer: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.provisional = provisional
        self.footer_text = footer
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 5)
        self.set_title("chiso")
        self.set_creator("chiso")

    def header(self) -> None:
        if self.provisional:
            self.set_font(FONT, "B", 9)
            self.set_text_color(170, 30, 30)
            self.cell(0, 5, PROVISIONAL, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
            self.ln(1)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(MARGIN)
        self.cell(0, 4, f"Trang {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def line_text(self, text: str, size: float = 10, style: str = "", align: str = "L") -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(
    pdf: _Document,
    headings: Sequence[str],
    widths: Sequence[float],
    aligns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    size: float = 8,
) -> None:
    """A ruled table that repeats its headings on every page; a long cell wraps inside
    its column (the row grows), so every name prints in full.

    Rows are drawn as text and lines rather than with `cell()`: an annex of every
    commune of Vietnam has some 25,000 cells, and `cell()` (line breaking, styling)
    would take several seconds for them. Only a cell wider than its column is split,
    and each row's texts go to the page at once (`_texts`).
    """
    height = size * 0.55
    pad = pdf.c_margin
    lefts = [MARGIN + sum(widths[:i]) for i in range(len(widths))]
    right = MARGIN + sum(widths)

    def heading() -> None:
        pdf.set_font(FONT, "B", size)
        pdf.set_fill_color(225, 232, 240)
        cells = [_lines(pdf, text, width) for text, width in zip(headings, widths, strict=True)]
        tall = height * max(len(c) for c in cells) + 1
        y = pdf.get_y()
        for lines, left, width in zip(cells, lefts, widths, strict=True):
            pdf.rect(left, y, width, tall, style="DF")
            for k, line in enumerate(lines):
                x = left + (width - _width(pdf, line)) / 2
                pdf.text(x, y + 0.5 + height * (k + 0.72), line)
        pdf.set_y(y + tall)
        pdf.set_font(FONT, "", size)

    def rule(top: float, bottom: float) -> None:
        for x in [*lefts, right]:
            pdf.line(x, top, x, bottom)

    heading()
    top = pdf.get_y()
    y = top
    limit = pdf.h - pdf.b_margin
    for row in rows:
        cells = [_lines(pdf, text, width) for text, width in zip(row, widths, strict=True)]
        tall = height * max(len(c) for c in cells)
        if y + tall > limit:
            rule(top, y)
            pdf.add_page()
            heading()
            top = y = pdf.get_y()
        placed = []
        for lines, left, width, align in zip(cells, lefts, widths, aligns, strict=True):
            for k, text in enumerate(lines):
                if align == "L":
                    x = left + pad
                else:
                    room = width - _width(pdf, text)
                    x = left + (room / 2 if align == "C" else room - pad)
                placed.append((x, y + height * (k + 0.72), text))
        _texts(pdf, placed)
        y += tall
        pdf.line(MARGIN, y, right, y)
    rule(top, y)
    pdf.set_y(y)


def _texts(pdf: _Document, placed: Sequence[tuple[float, float, str]]) -> None:
    """Strings at (x, y) on the baseline, in the current font and text colour: what
    `text()` writes for each, as one text object. `text()` checks the font and colour
    again for every string, which for the 25,000 cells of an annex of every commune of
    Vietnam was a quarter of its time."""
    if not pdf.current_font_is_set_on_page:
        pdf.text(*placed[0])
        placed = placed[1:]
    font, k, top = pdf.current_font, pdf.k, pdf.h
    shown = " ".join(
        f"1 0 0 1 {x * k:.2f} {(top - y) * k:.2f} Tm {font.encode_text(text)}"
        for x, y, text in placed
        if text
    )
    if shown:
        assert pdf.text_color is not None
        pdf._out(f"q {pdf.text_color.serialize().lower()} BT {shown} ET Q")


def _width(pdf: _Document, text: str) -> float:
    """A string's width in mm in the current font, from the font's own glyph widths."""
    widths = pdf.current_font.cw
    return sum(map(widths.__getitem__, map(ord, text))) * pdf.font_size_pt * 0.001 / pdf.k


def _lines(pdf: _Document, text: str, width: float) -> list[str]:
    """The text broken into lines that fit a cell's width: at spaces, and inside a word
    only when the word alone is wider than the cell. Nothing is cut."""
    room = width - 2 * pdf.c_margin
    if _width(pdf, text) <= room:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _width(pdf, candidate) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        while _width(pdf, word) > room and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and _width(pdf, word[:cut]) > room:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def _state_header(pdf: _Document, province: str) -> None:
    """The two-column heading of a provincial document."""
    top = pdf.get_y()
    left = BODY * 0.42
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(left, 5, f"ỦY BAN NHÂN DÂN\nTỈNH {province}", align="C")
    after_left = pdf.get_y()
    pdf.set_xy(MARGIN + left, top)
    pdf.multi_cell(BODY - left, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_x(MARGIN + left)
    pdf.multi_cell(BODY - left, 5, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.set_y(max(after_left, pdf.get_y()) + 4)


def annex_pdf(annex: Annex) -> bytes:
    """The printable A4 annex of the Chairman's decision."""
    footer = f"chiso · {annex.framework} · phiên bản {annex.version} · {vi_date(annex.issued_on)}"
    if annex.values_sha256:
        footer += f" · sha256 số liệu {annex.values_sha256[:16]}"
    pdf = _Document(provisional=annex.provisional, footer=footer)
    pdf.set_title(annex.title)
    # Dated by the decision's day, not the clock: the same annex is the same bytes.
    pdf.set_creation_date(dt.datetime.combine(annex.issued_on, dt.time(), tzinfo=dt.UTC))
    pdf.add_page()
    _state_header(pdf, annex.province)
    pdf.line_text("PHỤ LỤC", 12, "B", "C")
    pdf.line_text(annex.title.upper(), 11, "B", "C")
    pdf.line_text(f"({annex.decision})", 9, "", "C")
    pdf.ln(4)

    pillars = list(annex.pillars) if len(annex.pillars) <= 4 else []
    assessed = f"{len(annex.rows)} đơn vị"
    if annex.not_assessed:  # a partial ranking says of how many units
        total = len(annex.rows) + len(annex.not_assessed)
        assessed = f"{len(annex.rows)}/{total} đơn vị được đánh giá"
    pdf.line_text(
        f"I. XẾP HẠNG ({assessed}, tối đa {vi_points(annex.max_points)} điểm)",
        10,
        "B",
    )
    pdf.ln(1)
    pillar_width = 16.0
    fixed = 12 + 20 + 18 + 16 + 20 + pillar_width * len(pillars)
    recognition = 1 if annex.has_recognition else 0
    fixed -= 20 * (1 - recognition)
    headings = (
        ["Hạng", "Mã", "Đơn vị", "Điểm", "Chỉ số"]
        + [p.title for p in pillars]
        + ["Công nhận"] * recognition
    )
    widths = [12, 20, BODY - fixed, 18, 16] + [pillar_width] * len(pillars) + [20] * recognition
    aligns = ["C", "C", "L", "R", "R"] + ["R"] * len(pillars) + ["C"] * recognition
    rows = [
        [
            str(row.rank),
            row.code,
            row.name,
            vi_points(row.points),
            vi_number(row.value),
            *(vi_number(v) for v in _padded(row.pillar_values, len(pillars))),
            *(["Đạt" if row.recognized else ""] * recognition),
        ]
        for row in annex.rows
    ]
    _table(pdf, headings, widths, aligns, rows)

    part = 2
    if annex.has_recognition:
        recognized = [row for row in annex.rows if row.recognized]
        pdf.ln(4)
        pdf.line_text(
            "II. DANH SÁCH ĐƠN VỊ ĐƯỢC CÔNG NHẬN HOÀN THÀNH CHUYỂN ĐỔI SỐ "
            f"({len(recognized)} đơn vị)",
            10,
            "B",
        )
        pdf.ln(1)
        if recognized:
            _table(
                pdf,
                ["STT", "Mã", "Đơn vị", "Chỉ số"],
                [12, 20, BODY - 12 - 20 - 20, 20],
                ["C", "C", "L", "R"],
                [[str(i), r.code, r.name, vi_number(r.value)] for i, r in enumerate(recognized, 1)],
            )
        else:
            pdf.line_text("Không có đơn vị nào.", 9)
        part = 3

    if annex.not_assessed:
        pdf.ln(4)
        pdf.line_text(
            f"{'II' if part == 2 else 'III'}. ĐƠN VỊ CHƯA ĐƯỢC ĐÁNH GIÁ "
            f"({len(annex.not_assessed)} đơn vị, "
            "chưa có số liệu được duyệt)",
            10,
            "B",
        )
        pdf.line_text("; ".join(annex.not_assessed) + ".", 9)

    _signature(pdf, annex.signer_title, annex.signer_name)
    return bytes(pdf.output())


def _padded(values: Sequence[float | None], count: int) -> list[float | None]:
    """A row's pillar values, one per pillar column (missing ones read "—")."""
    return [*list(values)[:count], *[None] * (count - len(values))]


def _signature(pdf: _Document, title: str, name: str) -> None:
    if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(8)
    left = BODY / 2
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 9)
    pdf.cell(left, 5, "Nơi nhận:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8)
    for line in ("- Các sở, ban, ngành;", "- UBND các xã, phường;", "- Lưu: VT."):
        pdf.cell(left, 4, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(MARGIN + left, top)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(left, 5, f"TM. ỦY BAN NHÂN DÂN\n{title}", align="C")
    pdf.ln(22)
    pdf.set_x(MARGIN + left)
    pdf.multi_cell(left, 5, name or " ", align="C")


def report_card_pdf(card: ReportCard) -> bytes:
    """A unit's report card on A4: result, pillars, what to fix first, every indicator."""
    issued = vi_date(card.issued_on) if card.issued_on else ""
    footer = f"chiso · {card.unit_name} · {card.period_label} · phiên bản {card.version} {issued}"
    pdf = _Document(provisional=card.provisional, footer=footer.strip())
    pdf.set_title(f"Phiếu kết quả: {card.unit_name}")
    if card.issued_on:
        # Dated by the publication's day, not the clock: the same card is the same bytes.
        pdf.set_creation_date(dt.datetime.combine(card.issued_on, dt.time(), tzinfo=dt.UTC))
    pdf.add_page()
    pdf.line_text(f"UBND TỈNH {card.province}", 9, "B")
    pdf.line_text("PHIẾU KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ", 13, "B", "C")
    pdf.line_text(
        f"{card.unit_name} ({card.unit_code}) · {card.level_label} · {card.period_label}",
        10,
        "",
        "C",
    )
    pdf.ln(4)

    if card.recognized is None:
        recognized = "không áp dụng"
    else:
        recognized = "Đạt" if card.recognized else "Chưa đạt"
    rank = f"{card.rank}/{card.of}" if card.rank is not None else numbers.MISSING
    summary = [
        ("Chỉ số", vi_number(card.value)),
        ("Xếp hạng", rank),
        ("Điểm", f"{vi_points(card.points)}/{vi_points(card.max_points)}"),
        ("Hoàn thành chuyển đổi số", recognized),
    ]
    width = BODY / len(summary)
    pdf.set_font(FONT, "", 8)
    for label, _value in summary:
        pdf.cell(width, 5, label, border="LTR", align="C")
    pdf.ln(5)
    pdf.set_font(FONT, "B", 13)
    for _label, value in summary:
        pdf.cell(width, 8, value, border="LBR", align="C")
    pdf.ln(8)
    if card.units is not None and card.units > card.of:  # a partial ranking says so
        pdf.line_text(f"Xếp hạng trong {card.of}/{card.units} đơn vị được đánh giá.", 8)
    pdf.ln(4)

    if card.pillars:
        pdf.line_text("Trụ cột (so với trung vị và đơn vị cao nhất cùng cấp)", 10, "B")
        pdf.ln(1)
        _pillar_bars(pdf, card.pillars, card.of)
        pdf.ln(3)

    by_code = {ind.code: ind for ind in card.indicators}
    if card.fix_first:
        pdf.line_text("Cần khắc phục trước", 10, "B")
        pdf.set_font(FONT, "", 9)
        for i, code in enumerate(card.fix_first, 1):
            ind = by_code.get(code)
            if ind is None:
                continue
            why = (
                "tiêu chí bắt buộc chưa đạt"
                if ind.mandatory and ind.met is False
                else (f"còn {vi_points(ind.points_left)} điểm")
            )
            pdf.multi_cell(
                0, 4.5, f"{i}. {ind.code} {ind.title}: {why}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        pdf.ln(3)

    pdf.line_text("Các chỉ tiêu", 10, "B")
    pdf.ln(1)
    fixed = 18 + 20 + 14 + 16 + 16 + 18
    _table(
        pdf,
        ["Mã", "Chỉ tiêu", "Giá trị", "Mức", "Điểm", "Còn lại", "Bắt buộc"],
        [18, BODY - fixed, 20, 14, 16, 16, 18],
        ["L", "L", "R", "R", "R", "R", "C"],
        [
            [
                ind.code,
                ind.title,
                numbers.figure(ind.value, VI),
                vi_number(ind.score, 2),
                f"{vi_points(ind.points)}/{vi_points(ind.max_points)}",
                vi_points(ind.points_left),
                ("Đạt" if ind.met else "Chưa đạt") if ind.mandatory else "",
            ]
            for ind in card.indicators
        ],
    )

    if card.trend:
        pdf.ln(4)
        pdf.line_text("Qua các kỳ đã công bố", 10, "B")
        pdf.ln(1)
        _table(
            pdf,
            ["Kỳ", "Chỉ số", "Hạng", "Ghi chú"],
            [30, 30, 20, BODY - 80],
            ["L", "R", "C", "L"],
            [
                [
                    t.label,
                    vi_number(t.value),
                    _rank_of(t.rank, t.of),
                    "suy ra từ các đơn vị trước sáp nhập" if t.derived else "",
                ]
                for t in card.trend
            ],
        )
    for note in card.notes:
        pdf.ln(2)
        pdf.line_text(note, 8)
    return bytes(pdf.output())


def _rank_of(rank: int | None, of: int | None) -> str:
    """A rank with how many were ranked: "5/166"."""
    if rank is None:
        return numbers.MISSING
    return f"{rank}/{of}" if of else str(rank)


def _pillar_bars(pdf: _Document, pillars: Sequence[CardPillar], of: int) -> None:
    """Horizontal bars 0..1: the unit's value, with ticks for the median and the best;
    its rank out of the `of` units ranked."""
    label_width = 62.0
    figure_width = 44.0
    bar_width = BODY - label_width - figure_width
    for pillar in pillars:
        pdf.set_font(FONT, "", 8)
        lines = _lines(pdf, pillar.title, label_width)
        if pdf.get_y() + 4 * len(lines) + 2 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        for k, line in enumerate(lines):
            pdf.text(MARGIN + pdf.c_margin, y + 4 + 4 * k, line)
        x = MARGIN + label_width
        pdf.set_fill_color(235, 235, 235)
        pdf.rect(x, y + 1.5, bar_width, 3, style="F")
        if pillar.value is not None and not math.isnan(pillar.value):
            pdf.set_fill_color(31, 119, 180)
            pdf.rect(x, y + 1.5, bar_width * max(0.0, min(pillar.value, 1.0)), 3, style="F")
        for mark, colour in ((pillar.median, (120, 120, 120)), (pillar.best, (214, 39, 40))):
            if mark is not None and not math.isnan(mark):
                pdf.set_draw_color(*colour)
                pdf.set_line_width(0.6)
                tick = x + bar_width * max(0.0, min(mark, 1.0))
                pdf.line(tick, y + 0.5, tick, y + 5.5)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.set_x(x + bar_width)
        rank = f" (hạng {_rank_of(pillar.rank, of)})" if pillar.rank is not None else ""
        pdf.cell(figure_width, 6, f"{vi_number(pillar.value)}{rank}", align="R")
        pdf.set_y(y + max(6.0, 4.0 * len(lines) + 2))
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 4, "Thanh xanh: đơn vị; vạch xám: trung vị; vạch đỏ: cao nhất.")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
