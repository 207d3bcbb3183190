"""Fixtures and helpers shared by the Excel and CSV import tests.

Imported by the test modules (not a conftest, so it does not collide with the other
assessment tests). Pages are read in English so the asserted messages do not depend
on the Vietnamese catalogue being compiled; test_excel_vietnamese.py checks that one.
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
    from tests.conftest import _person

    person = _person("dung", "Anh Dũng", "officer", ham_rong)
    Membership.objects.create(user=person, role="reviewer", level="commune")
    return person


@pytest.fixture
def in_english(client):
    """The test client reads pages in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


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


FRAGMENT = settings.BASE_DIR / "chiso" / "locale" / "vi" / "parts" / "excel-io.po"
# The file-handling messages added later (bounded reading, encodings) have their own part.
FILES_FRAGMENT = settings.BASE_DIR / "chiso" / "locale" / "vi" / "parts" / "files.po"


def read_po(path) -> dict[str, str]:
    """msgid (with \\0 msgid_plural) -> msgstr (plural forms joined by \\0) of a .po file."""
    import ast

    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    key = None

    def flush() -> None:
        if "msgid" in current and current["msgid"]:
            msgid = current["msgid"]
            if "msgid_plural" in current:
                msgid += "\0" + current["msgid_plural"]
                forms = sorted(k for k in current if k.startswith("msgstr["))
                entries[msgid] = "\0".join(current[k] for k in forms)
            else:
                entries[msgid] = current.get("msgstr", "")
        current.clear()

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
            continue
        if line.startswith('"'):
            current[key] += ast.literal_eval(line)
            continue
        key, _, rest = line.partition(" ")
        if key == "msgid" and "msgstr" in current:
            flush()
        current[key] = ast.literal_eval(rest)
    return entries


def write_mo(entries: Mapping[str, str], path) -> None:
    """A GNU .mo catalogue (what msgfmt writes), so tests need no gettext tools."""
    import struct

    catalogue = {
        "": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n"
    }
    catalogue.update(entries)
    keys = sorted(catalogue)
    ids = b"".join(key.encode() + b"\0" for key in keys)
    strs = b"".join(catalogue[key].encode() + b"\0" for key in keys)
    start = 7 * 4 + 16 * len(keys)
    offsets_ids, offsets_strs, position = [], [], 0
    for key in keys:
        offsets_ids.append((len(key.encode()), start + position))
        position += len(key.encode()) + 1
    position = 0
    for key in keys:
        value = catalogue[key].encode()
        offsets_strs.append((len(value), start + len(ids) + position))
        position += len(value) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    table = b"".join(struct.pack("ii", *pair) for pair in offsets_ids + offsets_strs)
    path.write_bytes(header + table + ids + strs)


@pytest.fixture
def vietnamese(tmp_path, settings):
    """The Vietnamese catalogue with this area's fragment compiled in, active for the test."""
    from django.utils import translation

    folder = tmp_path / "locale" / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    write_mo({**read_po(FILES_FRAGMENT), **read_po(FRAGMENT)}, folder / "django.mo")
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    with translation.override("vi"):
        yield
