"""Is a signed PDF exactly a given annex, signed by a trusted certificate? (no Django)

The e-office system signs the annex chiso made by appending an incremental update
(the signature) to its bytes. So a signed copy is chiso's annex when:

- every signature in it is sound (its digest and its cryptography check: pyHanko);
- each signer's certificate chains to one of the trust roots (Ban Cơ yếu's in
  production; the demo's test authority in the demo), when roots are given;
- the first signature's byte range begins at 0 and covers the whole annex, and the
  file begins with exactly the annex's bytes;
- the update that signs changes none of the annex's objects beyond what signing adds
  (the form in the catalog, a signature widget in a page's annotations, the document
  information): the revision signed is the annex plus the signature, nothing else;
- nothing appended after a signature changes the content (pyHanko's difference
  analysis: only more signatures, form filling or validation data allowed).

`check` raises `Refused` with a stable `code` (and English `detail`) for the first
check that fails; the web app words the reason for people, `chiso verify` prints it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import io
import logging
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

UNREADABLE = "unreadable"  # not a PDF pyHanko can read
NOT_SIGNED = "not_signed"  # a PDF without a signature
BROKEN = "broken"  # a signature whose digest or cryptography does not check
UNTRUSTED = "untrusted"  # a signer's certificate does not chain to a trust root
WRONG_VERSION = "wrong_version"  # the annex of another published version
CHANGED = "changed"  # the signed pages differ from the annex, or changed after signing
CODES = (UNREADABLE, NOT_SIGNED, BROKEN, UNTRUSTED, WRONG_VERSION, CHANGED)


class Refused(Exception):
    """The signed copy fails a check: `code` is one of CODES, `detail` says more."""

    def __init__(self, code: str, detail: str = "", *, other: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.other = other  # for WRONG_VERSION: the label of the version it belongs to


@dataclass(frozen=True)
class Signed:
    """What a signed copy that passed says about its (first) signer."""

    signer: str  # the certificate's common name
    organisation: str
    issuer: str  # the issuing authority's common name
    serial: str  # the certificate's serial number, in hex
    signed_at: dt.datetime | None  # the time the signer's system wrote in the signature
    signatures: int  # how many signatures the copy carries
    trusted: bool | None  # None: no trust roots were given, trust was not checked


def load_roots(pem: bytes) -> list[Any]:
    """The certificates of a PEM (or DER) file, as pyHanko's validation wants them."""
    from asn1crypto import pem as pem_armor
    from asn1crypto import x509

    if not pem_armor.detect(pem):
        return [x509.Certificate.load(pem)]
    return [x509.Certificate.load(der) for _kind, _headers, der in pem_armor.unarmor(pem, True)]


def _names(name: Any) -> Mapping[str, str]:
    native = name.native
    return {key: str(value) for key, value in native.items()} if isinstance(native, dict) else {}


def check(
    data: bytes,
    annex: bytes,
    roots: Iterable[Any] | None,
    others: Mapping[str, tuple[int, str]] | None = None,
) -> Signed:
    """Check `data` (the signed copy) against `annex` (chiso's bytes); raise Refused.

    `roots`: trust roots (see load_roots); None checks everything but trust.
    `others`: the other published annexes' (size, sha256) by a label ("2024, cấp xã,
    version 1"), to name the version a wrong copy belongs to without reading them.
    """
    # pyHanko logs a traceback for every certificate path it fails to build, and
    # imports DSA support (a deprecation warning): the verdict says it, not the log.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    def run() -> Signed:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _check(data, annex, None if roots is None else list(roots), others or {})

    return outside_event_loop(run)


def outside_event_loop(work: Callable[[], T]) -> T:
    """`work()`, in a thread of its own when this one runs an event loop.

    pyHanko's synchronous calls start an event loop of their own (asyncio.run), which
    fails in a thread already running one (a Playwright session, an ASGI worker)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _written(obj: Any) -> bytes:
    """An object as it is written in the file (a reference as "n g R")."""
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def _changed_while_signing(reader: Any, signed: int) -> str:
    """What the revisions from the annex (revision 0) to the signed one change in the
    annex's own objects, beyond what signing adds ("" when nothing): signing may only
    add keys to the catalog (the form), annotations to a page (a visible signature) and
    rewrite the document information; any other object of the annex written again, or
    a page's other keys, is a change."""
    before = reader.get_historical_resolver(0)
    trailer = before.trailer_view
    # The document information (producer, dates) is about the file, not its content.
    info = trailer.raw_get("/Info").reference if "/Info" in trailer else None
    for revision in range(1, signed + 1):
        after = reader.get_historical_resolver(revision)
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            if reader.xrefs.get_introducing_revision(ref) != 0 or ref == info:
                continue  # an object the signing added, or the information dictionary
            old, new = before.get_object(ref), after.get_object(ref)
            kind = old.get("/Type") if hasattr(old, "get") else None
            if kind not in ("/Catalog", "/Page") or not hasattr(new, "raw_get"):
                return f"object {ref.idnum}"
            for key in old:
                if kind == "/Page" and key == "/Annots":
                    continue
                if key not in new or _written(old.raw_get(key)) != _written(new.raw_get(key)):
                    return f"{key} of object {ref.idnum}"
            if kind == "/Page" and set(new) - set(old) - {"/Annots"}:
                return f"the page of object {ref.idnum}"
    return ""


def _check(
    data: bytes, annex: bytes, roots: list[Any] | None, others: Mapping[str, tuple[int, str]]
) -> Signed:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF-"):
        raise Refused(UNREADABLE, "not a PDF file")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as error:  # pyHanko raises many kinds on a damaged file
        raise Refused(UNREADABLE, str(error)[:200]) from None
    if not signatures:
        raise Refused(NOT_SIGNED, "the PDF carries no signature")
    context = ValidationContext(
        trust_roots=roots or [], allow_fetching=False, revocation_mode="soft-fail"
    )
    allowed = (
        ModificationLevel.NONE,
        ModificationLevel.LTA_UPDATES,
        ModificationLevel.FORM_FILLING,
    )
    statuses = []
    for signature in signatures:
        try:
            status = validate_pdf_signature(signature, context)
        except Exception as error:  # a malformed signature dictionary or CMS blob
            raise Refused(BROKEN, str(error)[:200]) from None
        if not (status.intact and status.valid):
            raise Refused(BROKEN, f"signature {signature.field_name} does not check")
        if roots is not None and not status.trusted:
            subject = status.signing_cert.subject.human_friendly
            raise Refused(UNTRUSTED, f"{subject} does not chain to a trust root")
        statuses.append((signature, status))
    first, first_status = min(statuses, key=lambda pair: pair[0].byte_range[1])
    byte_range = list(first.byte_range)
    if not data.startswith(annex) or byte_range[0] != 0 or byte_range[1] < len(annex):
        for label, (size, sha256) in others.items():
            if 0 < size <= len(data) and hashlib.sha256(data[:size]).hexdigest() == sha256:
                raise Refused(WRONG_VERSION, f"the annex of {label}", other=label)
        raise Refused(CHANGED, "the signed revision does not begin with the annex's bytes")
    try:
        changed = _changed_while_signing(reader, first.signed_revision)
    except Exception as error:  # a revision pyHanko cannot read back
        raise Refused(UNREADABLE, str(error)[:200]) from None
    if changed:
        raise Refused(CHANGED, f"the signed revision changes {changed} of the annex")
    for signature, status in statuses:
        if status.modification_level not in allowed or status.docmdp_ok is False:
            raise Refused(CHANGED, f"the content changed after signature {signature.field_name}")
    subject = _names(first_status.signing_cert.subject)
    issuer = _names(first_status.signing_cert.issuer)
    return Signed(
        signer=subject.get("common_name", first_status.signing_cert.subject.human_friendly),
        organisation=subject.get("organization_name", ""),
        issuer=issuer.get("common_name", first_status.signing_cert.issuer.human_friendly),
        serial=format(first_status.signing_cert.serial_number, "x"),
        signed_at=first_status.signer_reported_dt or first.self_reported_timestamp,
        signatures=len(statuses),
        trusted=None if roots is None else True,
    )
