"""The annex of the Chairman's decision: its fixed bytes and its signed copy.

    store(snapshot)                        made once, by publish(), in its transaction
    annex_bytes(snapshot)                  what annex.pdf serves for a published version
    upload_signed(snapshot, data, user)    the one way a signed copy is stored (admins)

A published version's annex is made when it is published and stored with its
SHA-256: every download, the open-data dataset and SHA256SUMS give those bytes.
After the Chairman signs it in the province's e-office system, an admin uploads the
signed copy; it is kept only if `chiso.lib.signed_pdf.check` finds it is exactly this
version's annex, signed by a certificate of the configured trust roots
(settings.CHISO_SIGNING_ROOTS, a PEM file), and unchanged since. Each refusal is an
`AnnexError` with a stable code and a message saying why; each copy kept writes an
audit entry.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.assessments import audit
from chiso.assessments.models import Action
from chiso.lib import signed_pdf
from chiso.results import cards, pdf, read
from chiso.results.models import Annex, SignedAnnex, Snapshot

FORBIDDEN = "forbidden"
NO_ROOTS = "no_roots"
ALREADY = "already_signed"
TOO_LARGE = "too_large"


class AnnexError(Exception):
    """A signed copy refused: `code` (signed_pdf.CODES or the ones above), `message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def make(snapshot: Snapshot) -> bytes:
    """The annex PDF of a published version, drawn from its stored rows (the brief
    ones the rankings page reads: the annex prints nothing else of a row)."""
    ranking = read.ranking(snapshot.period, snapshot.level, snapshot.version, brief=True)
    assert ranking is not None
    return pdf.annex_pdf(cards.annex_of(ranking))


def store(snapshot: Snapshot) -> Annex:
    body = make(snapshot)
    return Annex.objects.create(
        snapshot=snapshot, pdf=body, sha256=hashlib.sha256(body).hexdigest()
    )


def annex_bytes(snapshot: Snapshot) -> bytes:
    """The stored annex; for a version published before annexes were stored, drawn now
    (the same bytes each time: the PDF is dated with the publication day)."""
    stored = Annex.objects.filter(snapshot=snapshot).values_list("pdf", flat=True).first()
    return bytes(stored) if stored is not None else make(snapshot)


def signed_of(snapshot: Snapshot) -> SignedAnnex | None:
    """The signed copy's record, without its bytes (pages show signer and time)."""
    return SignedAnnex.objects.filter(snapshot=snapshot).defer("pdf").first()


def signed_bytes(snapshot: Snapshot) -> bytes | None:
    found = SignedAnnex.objects.filter(snapshot=snapshot).values_list("pdf", flat=True).first()
    return None if found is None else bytes(found)


def configured_roots() -> list[Any]:
    """The trust roots named by settings.CHISO_SIGNING_ROOTS; AnnexError when unusable."""
    name = settings.CHISO_SIGNING_ROOTS
    if not name:
        raise AnnexError(
            NO_ROOTS,
            _("No trust roots are configured (CHISO_SIGNING_ROOTS): signatures cannot be checked."),
        )
    try:
        roots = signed_pdf.load_roots(Path(name).read_bytes())
    except (OSError, ValueError):
        roots = []
    if not roots:
        raise AnnexError(
            NO_ROOTS,
            _("The trust roots file %(name)s cannot be read as PEM certificates.") % {"name": name},
        )
    return roots


def _label(snapshot: Snapshot) -> str:
    return _("%(period)s, %(level)s, version %(version)s") % {
        "period": snapshot.period.name,
        "level": snapshot.get_level_display(),
        "version": snapshot.version,
    }


def _refusal(refused: signed_pdf.Refused, snapshot: Snapshot) -> AnnexError:
    messages = {
        signed_pdf.UNREADABLE: _("The file is not a PDF that can be read."),
        signed_pdf.NOT_SIGNED: _("The file carries no digital signature."),
        signed_pdf.BROKEN: _(
            "Broken signature: a signature in the file does not match its content or is damaged."
        ),
        signed_pdf.UNTRUSTED: _(
            "Unknown certificate: the signer's certificate was not issued by a trusted "
            "authority of the province."
        ),
        signed_pdf.WRONG_VERSION: _(
            "Wrong version: this is the annex of %(other)s, not of %(this)s."
        )
        % {"other": refused.other, "this": _label(snapshot)},
        signed_pdf.CHANGED: _(
            "A changed page: the signed document is not exactly the annex chiso published "
            "for this version, or its content was changed after signing."
        ),
    }
    return AnnexError(refused.code, messages[refused.code])


def upload_signed(
    snapshot: Snapshot, data: bytes, user: Any, *, roots: list[Any] | None = None
) -> SignedAnnex:
    """Check and keep the signed copy of a version's annex; AnnexError says why not.

    `user` None is a command (the demo); a person must be an admin. `roots` default to
    the configured trust roots (the demo passes its own test authority).
    """
    from chiso.accounts import access
    from chiso.accounts.access import Perm

    if user is not None and not access.can(user, Perm.PUBLISH):
        raise AnnexError(
            FORBIDDEN, _("Only the province's administrators upload the signed annex.")
        )
    limit = settings.CHISO_MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise AnnexError(
            TOO_LARGE,
            _("The file is larger than %(mb)s MB.") % {"mb": settings.CHISO_MAX_UPLOAD_MB},
        )
    if roots is None:
        roots = configured_roots()
    with transaction.atomic():
        # One upload at a time per version: lock the snapshot's row.
        Snapshot.objects.select_for_update().filter(pk=snapshot.pk).values("pk").first()
        if SignedAnnex.objects.filter(snapshot=snapshot).exists():
            raise AnnexError(ALREADY, _("A signed copy of this version is stored already."))
        # The other versions' annexes by size and hash, to name the one a wrong copy is.
        others = {
            _label(other.snapshot): (other.size, other.sha256)
            for other in Annex.objects.exclude(snapshot=snapshot)
            .annotate(size=Length("pdf"))
            .defer("pdf")
            .select_related("snapshot__period")
        }
        try:
            verdict = signed_pdf.check(data, annex_bytes(snapshot), roots, others)
        except signed_pdf.Refused as refused:
            raise _refusal(refused, snapshot) from None
        now = timezone.now()
        digest = hashlib.sha256(data).hexdigest()
        kept = SignedAnnex.objects.create(
            snapshot=snapshot,
            pdf=data,
            sha256=digest,
            signer=verdict.signer[:200],
            organisation=verdict.organisation[:200],
            issuer=verdict.issuer[:200],
            serial=verdict.serial[:80],
            signed_at=verdict.signed_at,
            uploaded_at=now,
            uploaded_by=user,
        )
        audit.write(
            Action.ANNEX_SIGNED,
            user,
            at=now,
            period=snapshot.period,
            code=f"{snapshot.level} v{snapshot.version}",
            new=f"annex-signed.pdf sha256 {digest}",
            reason=f"{verdict.signer}; {verdict.issuer}",
        )
    return kept
