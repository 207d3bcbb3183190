"""Fixtures and helpers shared by the Excel and CSV import tests.

Imported by the test modules (not a conftest, so it does not collide with the other
assessment tests). Pages are read in English here; test_excel_vietnamese.py reads
them in Vietnamese.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import openpyxl
import pytest
from django.conf import settings

from chiso.assessments.models import AuditEntry, Value


@pytest.fixture
def dung(ham_rong):
    """Anh Dũng: officer of Phường Hàm Rồng who also reviews every commune."""
    from chiso.accounts.models import Membership
    from tests.people import person as _person

    person = _person("dung", "Anh Dũng", "officer", ham_rong)
    Membership.objects.create(user=person, role="reviewer", level="commune")
    return person


@pytest.fixture
def in_english(client):
    """The test client reads pages in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def lans_template(login, lan, submission, in_english):
    """The value template chị Lan downloads for her submission."""
    return login(lan, in_english).get(f"/submissions/{submission.pk}/template.xlsx").content


@pytest.fixture
def lan_imports(login, lan, submission, in_english):
    """Chị Lan uploads a file on her submission's import page: post(content, name)."""
    client = login(lan, in_english)

    def post(content: bytes, name: str = "so-lieu.xlsx"):
        return upload(client, f"/submissions/{submission.pk}/import", content, name)

    return post


def figures(submission) -> dict[str, float | None]:
    """The submission's figures as the officer entered them, by code."""
    return dict(submission.values.values_list("code", "self_value"))


def counts() -> tuple[int, int]:
    """How many figures and audit entries exist: an import that fails changes neither."""
    return Value.objects.count(), AuditEntry.objects.count()


def workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fill(content: bytes, cells: Mapping[str, Any], sheet: str = "Số liệu") -> bytes:
    """The workbook with some cells changed, e.g. {"C3": 1240, "E3": "Có"}."""
    book = workbook(content)
    for ref, value in cells.items():
        book[sheet][ref] = value
    return save(book)


def upload(client, url: str, content: bytes, name: str = "so-lieu.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def issues(response) -> list[str]:
    """The problems listed on an import page, as the user reads them."""
    import html
    import re

    found = re.findall(
        r"<li>(.*?)</li>",
        response.content.decode().split("import-issues", 1)[-1].split("</ul>", 1)[0],
        flags=re.S,
    )
    return [html.unescape(item).strip() for item in found]


@pytest.fixture
def vietnamese():
    """The Vietnamese catalogue (chiso/locale, compiled by `make messages`), active for the test."""
    from django.utils import translation

    with translation.override("vi"):
        yield
