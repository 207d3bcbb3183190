"""Every rank says out of how many (#20): the overall rank and each pillar's rank, on the
rankings page, the report card and its PDF, the CSV and XLSX downloads and the API; a
ranking of only some of the level's units says "N of M units assessed" there too.

Hàm Rồng is approved and Hạc Thành is not when Anh Tuấn publishes: the ranking is of
1 unit of the 2.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from chiso.results import services

PILLARS = ("CQS", "XHS")


@pytest.fixture
def partial(tuan, period, ham_rong_approved):
    services.publish(period, "commune", tuan)
    return period


def _url(name, period, *more):
    return reverse(f"results:{name}", args=[period.pk, "commune", *more])


def test_the_csv_download_gives_every_rank_out_of_how_many(client, partial):
    body = client.get(_url("csv", partial)).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["unit"], row["rank"], row["out_of"], row["units"]) == ("14758", "1", "1", "2")
    for pillar in PILLARS:
        assert row[f"rank_{pillar}"] == "1"


def test_the_xlsx_download_gives_every_rank_out_of_how_many(client, partial):
    book = load_workbook(io.BytesIO(client.get(_url("xlsx", partial)).content), read_only=True)
    header, *cells = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert len(cells) == 1
    row = dict(zip(header, cells[0], strict=True))
    assert (row["unit"], row["rank"], row["out_of"], row["units"]) == ("14758", 1, 1, 2)
    for pillar in PILLARS:
        assert row[f"rank_{pillar}"] == 1


def test_the_api_gives_every_rank_out_of_how_many(client, partial):
    data = client.get(f"/api/v1/results/{partial.pk}/commune").json()
    assert (data["ranked"], data["units"]) == (1, 2)
    assessed = [item for item in data["items"] if item["assessed"]]
    assert [item["unit"]["code"] for item in assessed] == ["14758"]
    assert (assessed[0]["rank"], assessed[0]["out_of"]) == (1, 1)
    assert {p["code"]: (p["rank"], p["out_of"]) for p in assessed[0]["pillars"]} == {
        "CQS": (1, 1),
        "XHS": (1, 1),
    }
    # A unit not assessed has no rank, so nothing it is out of.
    other = next(item for item in data["items"] if not item["assessed"])
    assert other["rank"] is None and other["out_of"] is None


def test_the_rankings_page_heads_its_rank_columns_with_out_of_how_many(client, partial):
    page = client.get(_url("ranking", partial)).content.decode()
    assert 'id="partial"' in page
    head = page[page.index('id="ranking"') :]
    head = head[: head.index("</thead>")]
    # The overall rank and the two pillars' ranks: "/ 1" each.
    assert head.count('class="out-of"') == 1 + len(PILLARS)
    assert head.count("/ 1<") == 1 + len(PILLARS)


def test_the_report_card_gives_its_pillar_ranks_out_of_how_many(client, partial):
    page = client.get(_url("card", partial, "14758")).content.decode()
    assert 'id="partial"' in page
    pillars = page[page.index('id="pillars"') :]
    pillars = pillars[: pillars.index("</section>")]
    assert pillars.count('class="num pillar-rank">1/1<') == len(PILLARS)


def test_the_report_card_pdf_gives_its_pillar_ranks_out_of_how_many(client, partial):
    pdf = client.get(_url("report_pdf", partial, "14758")).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "1/1" in text  # the overall rank
    assert text.count("(hạng 1/1)") == len(PILLARS)
    assert "1/2 đơn vị được đánh giá" in text
