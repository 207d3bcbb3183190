"""The province's trust for the signed annex in tests: a TEST authority made once per
module (standing in for Ban Cơ yếu's), the Chairman's certificate it issues, and its
PEM file named as the trust roots. Test modules import the fixtures they use."""

from __future__ import annotations

import io

import pytest

from chiso.lib import testca

CHAIRMAN = "Nguyễn Văn Chủ Tịch (TEST)"


@pytest.fixture(scope="module")
def authority():
    return testca.make_authority()


@pytest.fixture(scope="module")
def chairman(authority):
    return authority.issue(CHAIRMAN, "UBND tỉnh Thanh Hóa (TEST)")


@pytest.fixture
def roots_file(settings, tmp_path, authority):
    """The province's trust roots: the test authority's certificate, in a PEM file."""
    roots = tmp_path / "roots.pem"
    roots.write_bytes(authority.pem())
    settings.CHISO_SIGNING_ROOTS = str(roots)
    return roots


def _first_page_replaced(pdf: bytes):  # type: ignore[no-untyped-def]
    """A pyHanko writer over `pdf` whose pending update replaces the first page's text."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 12 Tf 50 700 Td (Hang 1: xa khac) Tj ET")
    )
    writer.mark_update(page_ref)
    return writer


def changed_after_signing(signed: bytes) -> bytes:
    """The signed copy with its first page's content replaced in a later update."""
    writer = _first_page_replaced(signed)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def changed_while_signing(annex: bytes, signer) -> bytes:  # type: ignore[no-untyped-def]
    """The annex with its first page replaced in the very revision that signs it."""
    return signer.sign(_first_page_replaced(annex))
