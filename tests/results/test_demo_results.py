"""The demo's published 2025 results: every figure on the page and in the files is the
engine's, and anyone can recompute the ranking with `chiso score`."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chiso.assessments.models import Period
from chiso.core.management.commands.demo import DEMO_CLOSED, DEMO_OPEN
from chiso.frameworks.display import show_value
from chiso.lib import numbers
from chiso.results.models import Snapshot
from chiso.results.scoring import score_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_module, db):
    return Period.objects.get(name=DEMO_CLOSED)


class Rows(HTMLParser):
    """The cells' texts of the rankings table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = self._in_body = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":  # the rankings table only, not the tables beside the charts
            self._in_table = ("id", "ranking") in attrs
        elif tag == "tbody" and self._in_table:
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.rows[-1][-1] += data


def table_rows(html: str) -> list[list[str]]:
    parser = Rows()
    parser.feed(html)
    return [[" ".join(cell.split()) for cell in row] for row in parser.rows]


def same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or b == "" or (isinstance(b, float) and math.isnan(b))
    return float(b) == pytest.approx(float(a), rel=1e-9, abs=1e-12)


def test_the_demo_publishes_2025_for_communes_and_departments_and_keeps_2026_open(client, demo):
    assert set(Snapshot.objects.filter(period=demo).values_list("level", flat=True)) == {
        "commune",
        "department",
    }
    opened = Period.objects.get(name=DEMO_OPEN)
    today = timezone.localdate()
    assert opened.opens_on <= today <= opened.closes_on
    assert not Snapshot.objects.filter(period=opened).exists()
    assert client.get(reverse("results:ranking", args=[opened.pk, "commune"])).status_code == 404
    client.force_login(get_user_model().objects.get(username="thamdinh"))
    page = client.get(reverse("results:ranking", args=[opened.pk, "commune"]))
    assert page.status_code == 200 and 'id="provisional-note"' in page.content.decode()


def test_a_percentage_never_breaks_from_its_sign_on_a_phone(client, demo):
    """ "100 %" in a narrow column must not wrap into "100" and "%" on two lines."""
    page = client.get(reverse("results:ranking", args=[demo.pk, "commune"])).content.decode()
    assert "&nbsp;%</td>" in page
    assert " %</td>" not in page


@pytest.mark.parametrize("level", ["commune", "department"])
def test_the_rankings_page_csv_and_xlsx_show_the_engines_figures(client, demo, level):
    results = score_period(demo, level)
    records = results.to_records()
    order = results.order()
    pillars = [node.code for node in demo.framework_for(level).engine().tree]

    response = client.get(reverse("results:csv", args=[demo.pk, level]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["unit"] for row in rows] == [record["unit"] for record in records]
    for row, record in zip(rows, records, strict=True):
        assert int(row["rank"]) == record["rank"]
        for column in ("value", "points", *results.node_codes):
            assert same(record[column], row[column]), (record["unit"], column)
        recognized = record["recognized"]
        assert row["recognized"] == {None: "", True: "true", False: "false"}[recognized]
        assert row["name"]

    book = load_workbook(
        io.BytesIO(client.get(reverse("results:xlsx", args=[demo.pk, level])).content),
        read_only=True,
    )
    sheet = book.active
    header, *cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[: 5 + len(results.node_codes)] == [
        "unit",
        "value",
        "points",
        "rank",
        "recognized",
        *results.node_codes,
    ]
    pillar_ranks = [f"rank_{code}" for code in pillars]
    assert header[5 + len(results.node_codes) :] == ["name", "out_of", *pillar_ranks, "units"]
    for cell_row, record in zip(cells, records, strict=True):
        assert cell_row[0] == record["unit"] and cell_row[3] == record["rank"]
        # Spreadsheets keep 15 significant digits.
        assert cell_row[1] == pytest.approx(record["value"], rel=1e-14)
        assert cell_row[2] == pytest.approx(record["points"], rel=1e-14)
        assert cell_row[4] is record["recognized"]
        assert not any(isinstance(c, str) and c.startswith("=") for c in cell_row)

    page = client.get(reverse("results:ranking", args=[demo.pk, level])).content.decode()
    shown = table_rows(page)
    assert len(shown) == len(records)
    pillar_column = [results.node_codes.index(code) for code in pillars]
    for cells, row_index in zip(shown, order.tolist(), strict=True):
        assert cells[0] == str(results.rank[row_index])
        assert cells[2] == show_value(results.value[row_index])
        assert cells[3] == numbers.points(results.points[row_index])
        for offset, column in enumerate(pillar_column):
            value = results.node_values[row_index, column]
            rank = results.node_rank[row_index, column]
            assert cells[4 + offset] == f"{show_value(value)} #{rank}"


def test_the_published_ranking_csv_is_what_chiso_score_gives_on_the_published_files(
    client, demo, tmp_path: Path
):
    args = [demo.pk, "commune"]
    (tmp_path / "values.csv").write_bytes(client.get(reverse("results:values", args=args)).content)
    (tmp_path / "framework.yaml").write_bytes(
        client.get(reverse("results:framework", args=args)).content
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "chiso.cli",
            "score",
            "framework.yaml",
            "values.csv",
            "-o",
            "recomputed.csv",
        ],
        cwd=tmp_path,
        check=True,
    )
    published = client.get(reverse("results:csv", args=args)).content.decode()
    # `chiso score`'s columns come first; the name and what each rank is out of follow.
    header = published.splitlines()[0].split(",")
    after = len(header) - header.index("name")
    without_name = [line.rsplit(",", after)[0] for line in published.splitlines()]
    # A name never holds a comma in Thanh Hóa's units, so dropping the last fields is exact.
    assert all(
        line.count(",") == published.splitlines()[0].count(",") for line in published.splitlines()
    )
    assert without_name == (tmp_path / "recomputed.csv").read_text().splitlines()


def test_a_report_card_shows_the_engines_figures_and_what_to_fix_first(client, demo):
    results = score_period(demo, "commune")
    code = "14758"
    mine = results.unit(code)
    response = client.get(reverse("results:card", args=[demo.pk, "commune", code]))
    assert response.status_code == 200
    context = response.context
    assert context["value"] == show_value(mine.value)
    assert context["row"].rank == mine.rank
    assert context["points"] == numbers.points(mine.points)
    by_code = {i["code"]: i for i in context["indicators"]}
    for leaf, earned in mine.leaf_points.items():
        assert by_code[leaf]["points"] == numbers.points(earned)
        assert by_code[leaf]["left"] == numbers.points(mine.gap[leaf])
    fix = [i["code"] for i in context["fix_first"]]
    unmet = list(mine.unmet_mandatory)
    assert fix[: len(unmet)] == sorted(unmet, key=lambda c: -mine.gap[c])[: len(fix)]
    others = [c for c in fix if c not in unmet]
    assert [mine.gap[c] for c in others] == sorted((mine.gap[c] for c in others), reverse=True)
    column = {c: i for i, c in enumerate(results.node_codes)}
    assessed = results.node_values[:, column["CQS"]]
    pillar = next(p for p in context["pillars"] if p["code"] == "CQS")
    assert pillar["median"] == pytest.approx(float(np.nanmedian(assessed)))
    assert pillar["best"] == pytest.approx(float(np.nanmax(assessed)))


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_annex_and_a_report_card_pdf_carry_the_engines_figures(client, demo):
    from chiso.results.pdf import vi_number, vi_points

    results = score_period(demo, "commune")
    response = client.get(reverse("results:annex", args=[demo.pk, "commune"]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "ỦY BAN NHÂN DÂN TỈNH THANH HÓA" in text
    for row in results.order().tolist()[:20]:
        assert vi_number(float(results.value[row])) in text
    mine = results.unit("14758")
    card = client.get(reverse("results:report_pdf", args=[demo.pk, "commune", "14758"]))
    card_text = " ".join(pdf_text(card.content).split())
    assert "Phường Hàm Rồng" in card_text
    assert vi_number(mine.value) in card_text
    assert f"{mine.rank}/{len(results.units)}" in card_text
    assert vi_points(mine.points) in card_text


def test_the_demo_audit_is_a_short_list_a_reviewer_can_work_through(demo):
    """At most 5 % of the figures of each period are flagged, none with |z| in the hundreds."""
    from chiso.assessments.models import Value
    from chiso.results import analysis

    for period in Period.objects.all():
        for level in ("commune", "department"):
            framework = period.framework_for(level)
            if framework is None:
                continue
            audit = analysis.audit_for_period(period, level)
            figures = Value.objects.filter(
                submission__period=period, submission__framework=framework
            )
            reported = figures.exclude(self_value=None).count()
            flags = audit["outliers"]
            assert len(flags) <= 0.05 * reported, (period.year, level, len(flags), reported)
            assert all(abs(flag["z"]) < 100 for flag in flags), (period.year, level)


@pytest.mark.parametrize("level", ["commune", "department"])
def test_every_reader_shows_the_stored_snapshot_rows(client, demo, level):
    """The rows publishing stored are what the rankings page, the CSV and XLSX, the API,
    the report card and its PDF, the annex PDF, the map and the dashboard (its page and
    its API answer) show: rank, out of how many, value, points and recognition."""
    from chiso.assessments.models import Value
    from chiso.results.models import UnitRow

    # Figures changed since publishing (not published again) are shown nowhere.
    Value.objects.filter(submission__period=demo).update(self_value=0, verified_value=None)
    stored = {
        row.code: row
        for row in UnitRow.objects.filter(snapshot__period=demo, snapshot__level=level).filter(
            snapshot__in=Snapshot.objects.filter(period=demo, level=level).order_by("-version")[:1]
        )
    }
    assessed = sorted((r for r in stored.values() if r.assessed), key=lambda r: (r.rank, r.code))
    out_of = len(assessed)
    assert out_of > 0

    args = [demo.pk, level]
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("results:csv", args=args)).text)))
    for row in rows:
        kept = stored[row["unit"]]
        assert int(row["rank"]) == kept.rank and int(row["out_of"]) == out_of
        assert same(kept.value, row["value"]) and same(kept.points, row["points"])
        assert row["recognized"] == {None: "", True: "true", False: "false"}[kept.recognized]

    book = load_workbook(io.BytesIO(client.get(reverse("results:xlsx", args=args)).content))
    header, *cells = [list(row) for row in book.active.iter_rows(values_only=True)]
    for cell_row in cells:
        row = dict(zip(header, cell_row, strict=True))
        kept = stored[row["unit"]]
        assert (row["rank"], row["out_of"], row["recognized"]) == (
            kept.rank,
            out_of,
            kept.recognized,
        )
        assert row["value"] == pytest.approx(kept.value, rel=1e-14)

    api = client.get(f"/api/v1/results/{demo.pk}/{level}", {"page_size": 5000}).json()
    for item in api["items"]:
        kept = stored[item["unit"]["code"]]
        assert (item["rank"], item["recognized"]) == (kept.rank, kept.recognized)
        assert same(kept.value, item["value"]) and same(kept.points, item["points"])
        if kept.assessed:
            assert item["out_of"] == out_of

    shown = table_rows(client.get(reverse("results:ranking", args=args)).content.decode())
    assert [cells[0] for cells in shown] == [str(r.rank) for r in assessed]
    assert [cells[2] for cells in shown] == [show_value(r.value) for r in assessed]
    assert [cells[3] for cells in shown] == [numbers.points(r.points) for r in assessed]

    for kept in assessed[:3]:
        card = client.get(reverse("results:card", args=[*args, kept.code])).content.decode()
        assert show_value(kept.value) in card and numbers.points(kept.points) in card
        assert f"{kept.rank}/{out_of}" in card or f"{kept.rank} / {out_of}" in card

    # The PDFs write the figures the Vietnamese way (0,7314; 57,75 points).
    from chiso.results.pdf import vi_number, vi_points

    annex = " ".join(pdf_text(client.get(reverse("results:annex", args=args)).content).split())
    for kept in assessed:
        # A line of the annex's table: rank, code, name, points, value.
        line = rf"(?<![\d,]){kept.rank} {kept.code} .{{1,80}}? {vi_points(kept.points)} "
        assert re.search(line + re.escape(vi_number(kept.value)), annex), kept.code
    for kept in assessed[:3] + assessed[-3:]:
        pdf = client.get(reverse("results:report_pdf", args=[*args, kept.code])).content
        card_text = " ".join(pdf_text(pdf).split())
        # Under its labels: value, rank out of how many, points of the maximum, recognition.
        figures = re.search(
            rf"{re.escape(vi_number(kept.value))} {kept.rank}/{out_of} "
            rf"{re.escape(vi_points(kept.points))}/[\d,]+ (Đạt|Chưa đạt|không áp dụng)",
            card_text,
        )
        assert figures is not None, (kept.code, card_text[:400])
        word = {True: "Đạt", False: "Chưa đạt", None: "không áp dụng"}[kept.recognized]
        assert figures.group(1) == word

    # The map's values (public once published): every unit, assessed or not.
    if level == "commune":
        shown = client.get(f"/api/v1/results/{demo.pk}/{level}/map").json()["units"]
        assert set(shown) == set(stored)
        for code, unit in shown.items():
            kept = stored[code]
            if kept.assessed:
                assert (unit["rank"], unit["recognized"]) == (kept.rank, kept.recognized)
                assert same(kept.value, unit["value"])
            else:
                assert "value" not in unit and "rank" not in unit

    # The dashboard (leaders), its page and its API answer.
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    board = client.get(f"/api/v1/dashboard/{demo.pk}/{level}").json()
    page = client.get(reverse("dashboard"), {"period": demo.pk, "level": level})
    assert board == json.loads(json.dumps(page.context["data"]))
    values = np.array([r.value for r in assessed])
    recognized = sum(1 for r in assessed if r.recognized)
    assert board["source"]["published"] is True
    assert board["recognition"]["scored"] == out_of
    assert board["recognition"]["recognized"] == (
        recognized if board["recognition"]["rule"] else None
    )
    assert (
        board["distribution"]["counts"] == np.histogram(values, bins=10, range=(0, 1))[0].tolist()
    )
    assert board["distribution"]["median"] == pytest.approx(float(np.median(values)), abs=1e-15)
    lowest = sorted(assessed, key=lambda r: (r.rank, r.code), reverse=True)[:10]
    assert [u["code"] for u in board["lagging"]] == [r.code for r in lowest]
    listed = board["lagging"] + board["nearest"]
    listed += board["change"].get("most_improved", []) + board["change"].get("most_declined", [])
    assert listed
    for unit in listed:
        kept = stored[unit["code"]]
        assert unit["name"] == kept.name
        assert unit.get("value", unit.get("after")) == kept.value
        if "rank" in unit:
            assert (unit["rank"], unit["points"]) == (kept.rank, kept.points)
    for unit in board["nearest"]:
        assert stored[unit["code"]].recognized is False
        assert unit["mandatory_missing"] == stored[unit["code"]].data["unmet"]
    html = page.content.decode()
    lagging = re.findall(
        rf'<li><a href="/results/{demo.pk}/{level}/([^/"]+)/">[^<]*</a> '
        r'<span class="num">([^<]*)</span> <span class="muted">\(\w+ (\d+)\)',
        html[html.index('id="lagging"') :],
    )[:10]
    assert lagging == [(r.code, numbers.index(r.value), str(r.rank)) for r in lowest]
    median = re.search(r'id="kpi-median">([^<]*)<', html)
    assert median is not None and median.group(1) == numbers.index(float(np.median(values)))
    if board["recognition"]["rule"]:
        kpi = re.search(r'id="kpi-recognized">(\d+)', html)
        assert kpi is not None and int(kpi.group(1)) == recognized
