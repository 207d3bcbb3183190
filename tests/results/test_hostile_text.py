"""Kẻ xấu (an attacker) names a ward and a pillar with markup and spreadsheet formulas:
every page shows them as text and every file carries them as text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from chiso.results import services

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
FORMULA = '=HYPERLINK("http://evil.example/","Bấm")'


@pytest.fixture
def mini_framework_text(mini_framework_text):
    return mini_framework_text.replace(
        '"Chính quyền số"', '"Chính quyền số ' + SCRIPT.replace('"', '\\"') + '"'
    )


@pytest.fixture
def hostile_ranking(tuan, period, ham_rong, ham_rong_approved):
    ham_rong.name = FORMULA + SCRIPT
    ham_rong.save()
    services.publish(period, "commune", tuan)
    return period


def test_the_rankings_table_shows_a_hostile_unit_name_and_pillar_title_as_text(
    client, hostile_ranking
):
    page = client.get(reverse("results:ranking", args=[hostile_ranking.pk, "commune"]))
    html = page.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    )


def test_the_report_card_shows_a_hostile_unit_name_as_text(client, hostile_ranking):
    url = reverse("results:card", args=[hostile_ranking.pk, "commune", "14758"])
    html = client.get(url).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_the_ranking_files_carry_a_formula_looking_unit_name_as_text(client, hostile_ranking):
    rows = client.get(reverse("results:csv", args=[hostile_ranking.pk, "commune"]))
    [row] = list(csv.DictReader(io.StringIO(rows.content.decode())))
    assert not row["name"].startswith(("=", "+", "-", "@"))
    assert FORMULA in row["name"]
    book = client.get(reverse("results:xlsx", args=[hostile_ranking.pk, "commune"]))
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    named = [cell for cell in cells if FORMULA in cell.value]
    assert named and all(cell.data_type != "f" for cell in named)
