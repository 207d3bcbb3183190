"""Anh Tuấn records or imports the province's DTI and reads the answer beside the form he
used, with the fields named in words and what he typed still in the form."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chiso.leadership.models import DtiYear


@pytest.fixture
def tuan_in_english(login, tuan):
    client = login(tuan)
    client.cookies["django_language"] = "en"
    return client


def section(page: str, anchor: str) -> str:
    found = page[page.index(f'id="{anchor}"') :]
    return html.unescape(found[: found.index("</section>")])


def before_the_content(page: str) -> str:
    return page[: page.index("<h1>")]


def test_a_recorded_year_is_confirmed_beside_the_record_form(tuan_in_english):
    response = tuan_in_english.post(
        "/province/record/", {"year": "2025", "rank": "4", "of": "34"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/province/#record")
    assert "DTI 2025 recorded." in section(page, "record")
    assert "DTI 2025 recorded." not in before_the_content(page)


def test_a_refused_year_names_its_fields_in_words_and_keeps_what_was_typed(tuan_in_english):
    response = tuan_in_english.post(
        "/province/record/",
        {"year": "2025", "value": "1,5", "rank": "40", "of": "34", "note": "ước tính"},
    )
    assert response.status_code == 400
    form = section(response.content.decode(), "record")
    assert "DTI value: the DTI is between 0 and 1" in form
    assert "Rank: a rank from 1 to the number of provinces" in form
    assert "<li>value:" not in form and "<li>rank:" not in form
    assert 'name="rank" inputmode="numeric" value="40"' in form
    assert 'name="note" value="ước tính"' in form
    assert not DtiYear.objects.filter(year=2025).exists()


def test_an_unreadable_figure_in_the_form_is_named_in_words(tuan_in_english):
    response = tuan_in_english.post("/province/record/", {"year": "2025", "rank": "bốn"})
    form = section(response.content.decode(), "record")
    assert "Rank: 'bốn' is not a number" in form


def test_an_import_is_answered_beside_the_import_form(tuan_in_english):
    text = "year,rank,of\n2025,4,34\n2026,3,34\n"
    upload = SimpleUploadedFile("dti.csv", text.encode(), content_type="text/csv")
    response = tuan_in_english.post("/province/import/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/province/#import")
    assert "2 years imported from dti.csv." in section(page, "import")
    assert "imported" not in before_the_content(page)

    broken = SimpleUploadedFile("dti.csv", b"year,rank\n2027,x\n", content_type="text/csv")
    page = tuan_in_english.post("/province/import/", {"file": broken}, follow=True)
    assert "dti.csv, line 2, column rank: 'x' is not a number" in section(
        page.content.decode(), "import"
    )
