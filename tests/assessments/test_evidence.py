"""Evidence files on the entry page: checked by content, stored by hash, audited, guarded.

Chị Lan uploads her ward's documents; Anh Minh (another ward) must get a 404 on
them; Chị Hoa, the reviewer, may open them, even after Chị Lan removed one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from chiso.assessments.models import Action, AuditEntry, Evidence

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image: grey pixels, each chunk with its CRC."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def ooxml_bytes(folder: str, part: str) -> bytes:
    """A minimal Office Open XML package (docx, xlsx, pptx) built with zipfile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(f"{folder}{part}", '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def legacy_word_bytes() -> bytes:
    """The start of a Word 97-2003 file: the compound-file header, then Word's marker."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * (512 - 8)
    return header + b"\xec\xa5\xc1\x00" + b"\x00" * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, submission, *files: tuple[str, bytes], codes=("CQS.1",)):
    data = {
        "file": [SimpleUploadedFile(name, content) for name, content in files],
        "codes": list(codes),
    }
    return client.post(reverse("evidence_upload", args=[submission.pk]), data, follow=True)


def active(submission) -> list[Evidence]:
    return list(Evidence.objects.filter(submission=submission, removed_at__isnull=True))


def test_chi_lan_uploads_a_pdf_for_an_indicator(client, login, lan, submission, media):
    login(lan)

    response = upload(client, submission, ("Báo cáo TTHC.pdf", PDF), codes=("CQS.1", "CQS.2"))

    [stored] = active(submission)
    assert stored.original_name == "Báo cáo TTHC.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.codes == ["CQS.1", "CQS.2"]
    assert stored.file.name == f"evidence/{stored.sha256[:2]}/{stored.sha256}"
    assert (media / stored.file.name).read_bytes() == PDF
    html = response.content.decode()
    assert _("Evidence saved: %(names)s.") % {"names": "Báo cáo TTHC.pdf"} in html
    # Listed under each indicator it supports, and in the evidence section.
    assert html.count(f'href="{reverse("evidence_file", args=[stored.pk])}"') == 3
    entry = AuditEntry.objects.get(submission=submission, action=Action.EVIDENCE_ADDED)
    assert entry.actor == lan
    assert "Báo cáo TTHC.pdf" in entry.new and stored.sha256 in entry.new


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("anh-cong.png", png_bytes(), "image/png"),
        (
            "ke-hoach.docx",
            ooxml_bytes("word/", "document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "so-lieu.xlsx",
            ooxml_bytes("xl/", "workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "trinh-bay.pptx",
            ooxml_bytes("ppt/", "presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("cu.doc", legacy_word_bytes(), "application/msword"),
    ],
)
def test_images_and_office_documents_are_recognised_by_their_content(
    client, login, lan, submission, name, content, content_type
):
    login(lan)

    upload(client, submission, (name, content))

    [stored] = active(submission)
    assert stored.content_type == content_type
    assert stored.sha256 == hashlib.sha256(content).hexdigest()


def test_the_type_comes_from_the_content_not_the_name(client, login, lan, submission):
    login(lan)

    upload(client, submission, ("scan.jpg", PDF))

    assert active(submission)[0].content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),
        ("anh.png", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("ghi-chu.pdf", "Báo cáo viết tay".encode()),
        ("nen.docx", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    client, login, lan, submission, name, content, media
):
    login(lan)

    response = upload(client, submission, (name, content))

    assert active(submission) == []
    assert list(media.rglob("*.*")) == [] and not (media / "evidence").exists()
    html = response.content.decode()
    assert escape(name) in html
    assert not AuditEntry.objects.filter(action=Action.EVIDENCE_ADDED).exists()


def test_a_plain_zip_is_not_an_office_document(client, login, lan, submission):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    login(lan)

    upload(client, submission, ("tai-lieu.docx", buffer.getvalue()))

    assert active(submission) == []


def zip_bomb(folder: str, part: str, inflated_mb: int) -> bytes:
    """An Office package one part of which inflates to `inflated_mb` megabytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open(f"{folder}{part}", "w", force_zip64=True) as member:
            zeros = b"0" * (1024 * 1024)
            for _ in range(inflated_mb):
                member.write(zeros)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "folder", "part"),
    [
        ("ke-hoach.docx", "word/", "document.xml"),
        ("so-lieu.xlsx", "xl/", "worksheets/sheet1.xml"),
    ],
)
def test_an_office_file_that_inflates_far_beyond_the_limit_is_refused(
    client, login, lan, submission, settings, name, folder, part
):
    settings.CHISO_MAX_UPLOAD_MB = 10
    bomb = zip_bomb(folder, part, 120)
    assert len(bomb) < 1024 * 1024
    login(lan)

    response = upload(client, submission, (name, bomb))

    assert active(submission) == []
    expected = _(
        "“%(name)s” unpacks to far more than its size (over %(limit)s MB): it is refused."
    ) % {"name": name, "limit": 100}
    assert escape(expected) in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(client, login, lan, submission, settings):
    settings.CHISO_MAX_UPLOAD_MB = 1
    just_over = PDF + b"0" * (1024 * 1024 + 1 - len(PDF))
    login(lan)

    response = upload(client, submission, ("lon.pdf", just_over))

    assert active(submission) == []
    expected = _("“%(name)s” is larger than %(limit)s MB.") % {"name": "lon.pdf", "limit": 1}
    assert escape(expected) in response.content.decode()


def test_a_file_at_the_size_limit_is_accepted(client, login, lan, submission, settings):
    settings.CHISO_MAX_UPLOAD_MB = 1
    login(lan)

    upload(client, submission, ("vua.pdf", PDF + b"0" * (1024 * 1024 - len(PDF))))

    assert len(active(submission)) == 1


def test_an_empty_file_is_refused(client, login, lan, submission):
    login(lan)

    response = upload(client, submission, ("trong.pdf", b""))

    assert active(submission) == []
    assert escape(_("“%(name)s” is empty.") % {"name": "trong.pdf"}) in response.content.decode()


def test_a_file_must_support_at_least_one_indicator(client, login, lan, submission):
    login(lan)

    response = upload(client, submission, ("bao-cao.pdf", PDF), codes=())

    assert active(submission) == []
    expected = _("“%(name)s”: choose at least one indicator the file supports.") % {
        "name": "bao-cao.pdf"
    }
    assert escape(expected) in response.content.decode()


def test_a_file_cannot_name_an_element_or_an_unknown_code(client, login, lan, submission):
    login(lan)

    upload(client, submission, ("bao-cao.pdf", PDF), codes=("hs_tt",))
    upload(client, submission, ("bao-cao.pdf", PDF), codes=("XYZ.9",))

    assert active(submission) == []


def test_one_bad_file_among_several_stores_none_of_them(client, login, lan, submission):
    login(lan)

    upload(client, submission, ("a.pdf", PDF), ("b.png", b"<html></html>"))

    assert active(submission) == []


def test_the_same_file_twice_is_stored_once_on_disk(client, login, lan, submission, media):
    login(lan)

    upload(client, submission, ("lan-1.pdf", PDF))
    upload(client, submission, ("lan-2.pdf", PDF), codes=("CQS.2",))

    first, second = active(submission)
    assert first.file.name == second.file.name
    assert len([path for path in media.rglob("*") if path.is_file()]) == 1


def test_the_file_is_served_as_a_download_to_those_who_may_see_the_unit(
    client, login, lan, hoa, mai, submission
):
    login(lan)
    upload(client, submission, ("Báo cáo.pdf", PDF))
    [stored] = active(submission)
    url = reverse("evidence_file", args=[stored.pk])

    for person in (lan, hoa, mai):
        login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_anh_minh_gets_404_on_lan_s_evidence(client, login, lan, minh, submission):
    login(lan)
    upload(client, submission, ("bao-cao.pdf", PDF))
    [stored] = active(submission)
    login(minh)

    assert client.get(reverse("evidence_file", args=[stored.pk])).status_code == 404
    assert client.get(reverse("evidence_file", args=[stored.pk + 100])).status_code == 404
    assert client.post(reverse("evidence_remove", args=[stored.pk])).status_code == 404
    assert upload(client, submission, ("x.pdf", PDF)).status_code == 404
    assert len(active(submission)) == 1


def test_the_public_is_sent_to_log_in_for_a_file(client, login, lan, submission):
    login(lan)
    upload(client, submission, ("bao-cao.pdf", PDF))
    [stored] = active(submission)
    client.logout()

    response = client.get(reverse("evidence_file", args=[stored.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_reviewer_cannot_upload_or_remove(client, login, lan, hoa, submission):
    login(lan)
    upload(client, submission, ("bao-cao.pdf", PDF))
    [stored] = active(submission)
    login(hoa)

    refused_upload = client.post(
        reverse("evidence_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile("x.pdf", PDF), "codes": ["CQS.1"]},
    )
    refused_removal = client.post(reverse("evidence_remove", args=[stored.pk]))

    assert refused_upload.status_code == 403
    assert refused_removal.status_code == 403
    assert len(active(submission)) == 1


def test_chi_lan_removes_a_file_which_is_kept_for_the_audit_trail(
    client, login, lan, hoa, submission
):
    login(lan)
    upload(client, submission, ("sai.pdf", PDF))
    [stored] = active(submission)

    response = client.post(reverse("evidence_remove", args=[stored.pk]), follow=True)

    stored.refresh_from_db()
    assert stored.removed_at is not None and stored.removed_by == lan
    assert active(submission) == []
    assert reverse("evidence_file", args=[stored.pk]) not in response.content.decode()
    entry = AuditEntry.objects.get(submission=submission, action=Action.EVIDENCE_REMOVED)
    assert "sai.pdf" in entry.old and stored.sha256 in entry.old
    # The officer no longer sees it; the reviewer still can, for the record.
    assert client.get(reverse("evidence_file", args=[stored.pk])).status_code == 404
    login(hoa)
    assert client.get(reverse("evidence_file", args=[stored.pk])).status_code == 200


def test_no_evidence_changes_after_the_close_date(client, login, lan, submission, period):
    login(lan)
    upload(client, submission, ("bao-cao.pdf", PDF))
    [stored] = active(submission)
    period.closes_on = timezone.localdate() - dt.timedelta(days=1)
    period.save()

    upload(client, submission, ("muon.pdf", PDF + b" "))
    client.post(reverse("evidence_remove", args=[stored.pk]))

    assert [e.original_name for e in active(submission)] == ["bao-cao.pdf"]


def test_the_upload_form_lists_the_indicators_as_checkboxes(client, login, lan, submission):
    login(lan)

    html = client.get(reverse("entry", args=[submission.pk]) + "?evidence_for=CQS.2").content
    html = html.decode()

    assert 'enctype="multipart/form-data"' in html
    for code in ("CQS.1", "CQS.2", "XHS.1"):
        assert f'name="codes" value="{code}"' in html
    assert 'name="codes" value="CQS.2" checked' in html
    assert 'name="codes" value="hs_tt"' not in html
