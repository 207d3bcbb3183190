"""The annex of the Chairman's decision: fixed bytes per published version, and its
signed copy, which Anh Tuấn (the province admin) uploads after the e-office system
signed it. The province trusts one authority here: a test authority made for the
test, standing in for Ban Cơ yếu's; Chị Lan is a commune officer.
"""

from __future__ import annotations

import hashlib
import io
import time

import pytest
from django.urls import reverse

from chiso.assessments import workflow
from chiso.assessments.models import Action, AuditEntry
from chiso.lib import signed_pdf, testca
from chiso.results import annex, services
from chiso.results.models import Annex, SignedAnnex
from tests.results.conftest import approve
from tests.signing import CHAIRMAN, changed_after_signing, changed_while_signing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def trusted(roots_file):
    return roots_file


@pytest.fixture
def published(period, tuan, ham_rong_approved):
    return services.publish(period, "commune", tuan)


def annex_url(period, name="annex.pdf", query=""):
    return reverse("results:annex", args=[period.pk, "commune"]).replace("annex.pdf", name) + query


def upload(client, period, body, query=""):
    url = reverse("results:annex_sign", args=[period.pk, "commune"]) + query
    return client.post(url, {"signed": io.BytesIO(body)}, follow=True)


def page_text(response):
    return response.content.decode()


def test_a_published_annex_is_stored_once_and_every_download_is_those_bytes(
    client, period, published
):
    first = client.get(annex_url(period)).content
    time.sleep(1.1)  # the PDF library stamps the clock's second when it draws a file
    second = client.get(annex_url(period)).content
    assert first == second
    stored = Annex.objects.get(snapshot=published)
    assert bytes(stored.pdf) == first
    assert stored.sha256 == hashlib.sha256(first).hexdigest()


def test_the_open_data_checksums_list_the_annex_and_its_signed_copy(
    client, period, published, chairman
):
    dataset = f"/data/{period.pk}/commune/"
    sums = client.get(dataset + "SHA256SUMS").content.decode()
    stored = Annex.objects.get(snapshot=published)
    assert f"{stored.sha256}  annex.pdf\n" in sums
    assert "annex-signed.pdf" not in sums
    assert client.get(dataset + "annex.pdf").content == bytes(stored.pdf)

    signed = chairman.sign(bytes(stored.pdf))
    annex.upload_signed(published, signed, None)
    sums = client.get(dataset + "SHA256SUMS").content.decode()
    assert f"{hashlib.sha256(signed).hexdigest()}  annex-signed.pdf\n" in sums
    assert client.get(dataset + "annex-signed.pdf").content == signed


def test_the_admin_uploads_the_signed_copy_and_the_public_sees_it_signed(
    client, login, tuan, period, published, chairman
):
    signed = chairman.sign(client.get(annex_url(period)).content)
    admin = login(tuan)
    ranking = reverse("results:ranking", args=[period.pk, "commune"])
    assert 'id="annex-sign"' in page_text(admin.get(ranking))
    page = upload(admin, period, signed)
    assert page.status_code == 200
    assert 'id="signed-note"' in page_text(page)

    client.logout()
    public_page = page_text(client.get(ranking))
    assert CHAIRMAN in public_page
    assert "annex-signed.pdf" in public_page
    assert 'id="annex-sign"' not in public_page
    kept = SignedAnnex.objects.get(snapshot=published)
    assert kept.signer == CHAIRMAN
    assert kept.issuer == testca.TEST_AUTHORITY
    assert kept.signed_at is not None
    assert client.get(annex_url(period, "annex-signed.pdf")).content == signed
    entry = AuditEntry.objects.get(action=Action.ANNEX_SIGNED)
    assert (entry.actor, entry.period) == (tuan, period)
    assert kept.sha256 in entry.new


def refusal(snapshot, body):
    with pytest.raises(annex.AnnexError) as refused:
        annex.upload_signed(snapshot, body, None)
    assert not SignedAnnex.objects.exists()
    return refused.value


def test_a_copy_with_a_page_changed_after_signing_is_refused(
    login, tuan, period, published, chairman
):
    signed = chairman.sign(annex.annex_bytes(published))
    error = refusal(published, changed_after_signing(signed))
    assert error.code == signed_pdf.CHANGED

    page = upload(login(tuan), period, changed_after_signing(signed))
    assert 'id="signed-note"' not in page_text(page)
    assert error.message in page_text(page)


def test_a_copy_whose_signing_revision_itself_changes_a_page_is_refused(published, chairman):
    # The signature is sound and covers the annex's bytes, but the same update that
    # signs also gives the first page other content.
    forged = changed_while_signing(annex.annex_bytes(published), chairman)
    assert forged.startswith(annex.annex_bytes(published))
    assert refusal(published, forged).code == signed_pdf.CHANGED


def test_a_copy_signed_with_a_certificate_the_province_does_not_trust_is_refused(
    published,
):
    stranger = testca.make_authority("Một CA lạ (TEST)").issue("Người lạ", "Không rõ")
    error = refusal(published, stranger.sign(annex.annex_bytes(published)))
    assert error.code == signed_pdf.UNTRUSTED


def test_a_broken_signature_is_refused(published, chairman):
    signed = bytearray(chairman.sign(annex.annex_bytes(published)))
    # One byte of the annex's drawing changed after signing: the digest no longer matches.
    at = signed.index(b"stream") + 20
    signed[at] ^= 0x01
    error = refusal(published, bytes(signed))
    assert error.code == signed_pdf.BROKEN


def test_the_signed_annex_of_another_version_is_refused_as_the_wrong_version(
    client, tuan, lan, hoa, period, published, ham_rong_approved, chairman
):
    reopened = workflow.transition(ham_rong_approved, "reopen", tuan, reason="Sai số liệu")
    approve(reopened, lan, hoa, hs_tt=100, **{"CQS.2": 0, "XHS.1": 10})
    second = services.publish(period, "commune", tuan)
    assert second.version == 2
    first_signed = chairman.sign(client.get(annex_url(period, query="?version=1")).content)

    error = refusal(second, first_signed)
    assert error.code == signed_pdf.WRONG_VERSION
    assert "1" in error.message
    # The same copy is the right one for version 1.
    annex.upload_signed(published, first_signed, tuan)
    assert SignedAnnex.objects.get().snapshot == published


def test_an_unsigned_annex_and_a_file_that_is_no_pdf_are_refused(published):
    assert refusal(published, annex.annex_bytes(published)).code == signed_pdf.NOT_SIGNED
    assert refusal(published, b"not a pdf at all").code == signed_pdf.UNREADABLE


def test_only_an_admin_uploads_a_signed_copy(login, lan, period, published, chairman):
    signed = chairman.sign(annex.annex_bytes(published))
    refused = login(lan).post(
        reverse("results:annex_sign", args=[period.pk, "commune"]), {"signed": io.BytesIO(signed)}
    )
    assert refused.status_code == 404
    with pytest.raises(annex.AnnexError) as error:
        annex.upload_signed(published, signed, lan)
    assert error.value.code == annex.FORBIDDEN
    assert not SignedAnnex.objects.exists()


def test_without_trust_roots_no_signed_copy_is_accepted(settings, published, chairman):
    settings.CHISO_SIGNING_ROOTS = ""
    error = refusal(published, chairman.sign(annex.annex_bytes(published)))
    assert error.code == annex.NO_ROOTS


def test_signing_and_checking_work_in_a_thread_that_runs_an_event_loop(published, chairman):
    """A browser session (Playwright) or an ASGI worker runs an event loop in its
    thread; pyHanko's own asyncio.run must not fail there (the demo signs the annexes
    after the browser tests ran in the same process)."""
    import asyncio

    pdf = annex.annex_bytes(published)

    async def in_a_loop():
        signed = chairman.sign(pdf)
        return signed_pdf.check(signed, pdf, None)

    assert asyncio.run(in_a_loop()).signer == CHAIRMAN
