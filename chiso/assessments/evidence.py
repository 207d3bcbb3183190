"""Evidence files (tài liệu kiểm chứng): checked by content, stored by hash, audited.

A file's type is decided from its bytes (magic numbers via `filetype`, and for
Office's zip-based formats the parts inside the zip), never from its name, so an
.exe or an HTML page renamed .pdf is refused. Files are stored under their SHA-256
and served only through a view that asks chiso.accounts.access first.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.assessments.models import Action, Evidence, Submission, evidence_path
from chiso.assessments.services import record
from chiso.lib.uploads import max_bytes, zip_members, zip_refusal

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"

# Types recognised from their first bytes by `filetype`.
BY_SIGNATURE = frozenset({PDF, "image/png", "image/jpeg", "image/webp", DOC, XLS})
# An OOXML document is a zip whose top folder names the application.
OOXML_FOLDERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
ZIP_SIGNATURE = b"PK\x03\x04"
HEAD_BYTES = 8192

log = logging.getLogger(__name__)

ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp,.doc,.docx,.xls,.xlsx,.pptx"


class EvidenceRejected(Exception):
    """An upload that is refused; the message names the file and says why, for the user."""


def clean_name(name: str) -> str:
    """The file name as shown and offered on download: no folders, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip(" .")
    return name[:255] or "file"


def _ooxml_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    members = zip_members(upload)
    upload.seek(0)
    names = [member.filename for member in members or []]
    if "[Content_Types].xml" not in names:
        return None
    for folder, mime in OOXML_FOLDERS.items():
        if any(entry.startswith(folder) for entry in names):
            return mime
    return None


def content_type_of(upload: UploadedFile) -> str | None:
    """The accepted type of an uploaded file, judged by its content; None if not accepted."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(ZIP_SIGNATURE):
        return _ooxml_type(upload)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in BY_SIGNATURE:
        return str(kind.mime)
    return None


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_upload(upload: UploadedFile) -> str:
    """The file's content type, or EvidenceRejected saying (in the user's language) why not."""
    name = clean_name(upload.name or "")
    if not upload.size:
        raise EvidenceRejected(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > max_bytes():
        raise EvidenceRejected(
            _("“%(name)s” is larger than %(limit)s MB.")
            % {"name": name, "limit": settings.CHISO_MAX_UPLOAD_MB}
        )
    content_type = content_type_of(upload)
    if content_type in OOXML_FOLDERS.values():
        # A document that inflates to gigabytes would exhaust whoever opens it.
        upload.seek(0)
        refusal = zip_refusal(zip_members(upload) or [], upload.size, name)
        upload.seek(0)
        if refusal is not None:
            raise EvidenceRejected(refusal)
    if content_type is None:
        raise EvidenceRejected(
            _(
                "“%(name)s” is not a PDF, an image (PNG, JPEG, WebP) or an Office document"
                " (Word, Excel, PowerPoint), judging by its content."
            )
            % {"name": name}
        )
    return content_type


@transaction.atomic
def _add_evidence(
    submission: Submission, upload: UploadedFile, codes: Iterable[str], *, user: Any
) -> Evidence:
    """Check, store and link one file to indicators of the submission; audited. Only the
    gate calls it (services.add_evidence: access, the submission's lock, its clock).

    `codes` must name at least one indicator of the submission's framework.
    Raises EvidenceRejected with a message naming the file; nothing is stored then.
    """
    name = clean_name(upload.name or "")
    leaves = {node.code for node in submission.framework.engine().leaves}
    chosen = list(dict.fromkeys(code for code in codes if code))
    unknown = [code for code in chosen if code not in leaves]
    if unknown:
        raise EvidenceRejected(
            _("“%(name)s”: %(codes)s is not an indicator of this framework.")
            % {"name": name, "codes": ", ".join(unknown)}
        )
    if not chosen:
        raise EvidenceRejected(
            _("“%(name)s”: choose at least one indicator the file supports.") % {"name": name}
        )
    content_type = check_upload(upload)
    evidence = Evidence(
        submission=submission,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        codes=chosen,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    path = evidence_path(evidence, name)
    _store(evidence, upload, path, name)
    evidence.save()
    record(
        submission,
        user,
        Action.EVIDENCE_ADDED,
        code=chosen[0] if len(chosen) == 1 else "",
        new=f"{name} sha256:{evidence.sha256}",
        reason=", ".join(chosen),
    )
    return evidence


def _store(evidence: Evidence, upload: UploadedFile, path: str, name: str) -> None:
    """The file in the storage under `path`, or EvidenceRejected (and no file there).

    A full disk, or object storage that stops answering, fails the upload with a
    message; a partly written file is removed, so that the same bytes uploaded later
    are not taken for it (files are found by their hash)."""
    writing = False
    try:
        # Same bytes, same path: a file uploaded twice (or by two units) is stored once.
        if default_storage.exists(path):
            evidence.file.name = path
            return
        writing = True
        evidence.file.save(name, upload, save=False)
    except Exception as error:  # OSError (disk full), the S3 client's errors, ...
        log.warning("Evidence %s could not be stored at %s: %r", name, path, error)
        if writing:
            with contextlib.suppress(Exception):
                default_storage.delete(path)
        raise EvidenceRejected(
            _(
                "“%(name)s” could not be stored: the file storage is full or does not"
                " answer. Try again later."
            )
            % {"name": name}
        ) from error


@transaction.atomic
def _remove_evidence(evidence: Evidence, *, user: Any, at: Any) -> Evidence:
    """Hide a file from its submission; the row (and the file) stay for the audit trail.
    Only the gate calls it (services.remove_evidence), with its clock's `at`."""
    if evidence.removed_at is not None:
        return evidence
    evidence.removed_at = at
    evidence.removed_by = user if user is not None and user.is_authenticated else None
    evidence.save(update_fields=["removed_at", "removed_by"])
    record(
        evidence.submission,
        user,
        Action.EVIDENCE_REMOVED,
        code=evidence.codes[0] if len(evidence.codes) == 1 else "",
        old=f"{evidence.original_name} sha256:{evidence.sha256}",
        reason=", ".join(evidence.codes),
    )
    return evidence
