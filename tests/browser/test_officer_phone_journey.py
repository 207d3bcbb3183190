"""Chị Lan's returned submission on a 360-pixel phone, in a real browser: the badge takes
her to what the reviewer asked, she attaches evidence there and stays there, and what
she submits empty is named in the page, never in a browser dialog."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from chiso.assessments import services, workflow
from chiso.assessments.models import Evidence, Status
from tests.browser.conftest import horizontal_overflow
from tests.people import fill, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def shot(page, folder: Path, name: str) -> None:
    """A screenshot, to look at: in $CHISO_SHOTS when set, else in the test's own folder."""
    target = Path(os.environ.get("CHISO_SHOTS") or folder)
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=False)


def test_chi_lan_finds_the_comment_adds_evidence_there_and_submits_on_a_phone(
    phone, log_in, lan, hoa, submission, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    sent = submit(fill(submission, lan, hs_tt=90, hs_tong=100), lan)
    services.add_comment(sent, "XHS.1", "Thiếu minh chứng chữ ký số", user=hoa)
    workflow.transition(sent, "return", hoa, reason="Bổ sung minh chứng")
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(phone, lan)
    phone.goto(reverse("entry", args=[submission.pk]))
    shot(phone, tmp_path, "entry-returned-phone")

    # The status badge leads to the indicator the reviewer commented on.
    phone.locator("a.badge-link").click()
    phone.wait_for_url("**#n-XHS.1")
    card = phone.locator('[id="n-XHS.1"]')
    assert card.locator(".comment").first.is_visible()
    assert "Thiếu minh chứng chữ ký số" in card.inner_text()

    # Evidence is attached there, and the page comes back there after the upload.
    card.locator("details.add-evidence summary").click()
    pdf = tmp_path / "chu-ky-so.pdf"
    pdf.write_bytes(PDF)
    card.locator('input[type="file"]').set_input_files(str(pdf))
    with phone.expect_navigation():
        card.locator('button[type="submit"]').click()
    assert phone.url.endswith("#n-XHS.1")
    assert Evidence.objects.get().codes == ["XHS.1"]
    top = phone.locator('[id="n-XHS.1"]').bounding_box()
    assert top is not None and 0 <= top["y"] < 200
    assert "chu-ky-so.pdf" in phone.locator('[id="n-XHS.1"] .messages').inner_text()
    shot(phone, tmp_path, "entry-evidence-at-indicator-phone")

    # Submitting with empty figures: the page names them, by their titles, at the button.
    phone.locator("button[value=submit]").click()
    phone.wait_for_url("**?check=submit#submit-check")
    check = phone.locator("#submit-check")
    assert check.is_visible()
    assert "Có cổng thông tin điện tử" in check.inner_text()
    assert horizontal_overflow(phone) == 0
    shot(phone, tmp_path, "entry-submit-check-phone")
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED

    with phone.expect_navigation():
        check.locator("button[value=submit_empty]").click()
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert dialogs == []
