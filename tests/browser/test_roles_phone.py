"""Each role on a 360-pixel phone, in a real browser: Chị Lan's messages are where she
looks, Chị Hoa works from her queue, Bà Mai reads the progress view.

Screenshots go to $CHISO_SHOTS when set (to look at them), else to a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from chiso.assessments import workflow
from tests.browser.conftest import horizontal_overflow
from tests.people import fill, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, tmp_path: Path, name: str, *, full_page: bool = True) -> None:
    folder = Path(os.environ.get("CHISO_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740


def test_chi_lan_reads_a_refused_upload_beside_the_upload_form(
    phone, log_in, lan, submission, tmp_path
):
    log_in(phone, lan)
    phone.goto(reverse("entry", args=[submission.pk]))
    bad = tmp_path / "trang.pdf"
    bad.write_bytes(b"<html><body>not a pdf</body></html>")
    phone.set_input_files("#evidence-file", str(bad))
    phone.locator('#upload-form input[value="XHS.1"]').check()
    phone.locator("#upload-form button[type=submit]").click()
    phone.wait_for_load_state()

    message = phone.locator("#evidence .messages li").first
    assert "trang.pdf" in message.inner_text()
    # The browser lands on #evidence: the message is on screen, not 21,000 px above.
    assert in_view(phone, message)
    assert phone.locator("main > .messages").count() == 0
    assert horizontal_overflow(phone) == 0
    shot(phone, tmp_path, "officer-upload-refused")


def test_submitting_with_empty_figures_names_them_first(phone, log_in, lan, submission, tmp_path):
    with override("vi"):
        submit_label = _("Submit for review")
    log_in(phone, lan)
    phone.goto(reverse("entry", args=[submission.pk]))
    phone.locator('[id="f-hs_tt"]').fill("5")
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    phone.on("dialog", answer)
    with phone.expect_navigation():
        phone.get_by_role("button", name=submit_label).click()

    # Named in the page, beside the submit button, by the figures' titles: no dialog.
    assert asked == []
    check = phone.locator("#submit-check")
    links = check.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "#in-hs_tong" in links and "#in-XHS.1" in links and "#in-hs_tt" not in links
    assert "XHS.1" not in check.inner_text()
    submission.refresh_from_db()
    assert submission.status == "draft"


def test_chi_hoa_selects_all_in_her_queue_and_keeps_a_refused_correction(
    phone, log_in, lan, minh, hoa, submission, hac_thanh, period, tmp_path
):
    submit(fill(submission, lan, hs_tt=5, hs_tong=10, **{"XHS.1": 35}), lan)
    other = period.submissions.get(unit=hac_thanh)
    submit(fill(other, minh, **{"XHS.1": 20}), minh)
    log_in(phone, hoa)

    phone.goto("/")
    assert phone.url.endswith(reverse("review-queue"))
    phone.locator("#select-all").check()
    boxes = phone.locator('input[name="submission"]')
    assert boxes.count() == 2
    assert all(boxes.nth(i).is_checked() for i in range(2))
    assert horizontal_overflow(phone) == 0
    shot(phone, tmp_path, "reviewer-queue")

    phone.locator(f'a[href="{reverse("review-detail", args=[submission.pk])}"]').click()
    phone.wait_for_load_state()
    phone.locator('[id="value-hs_tt"]').fill("50")
    phone.locator('[id="reason-hs_tt"]').fill("Theo hệ thống một cửa")
    phone.locator('[id="v-hs_tt"] form.correction button').click()
    phone.wait_for_load_state()

    error = phone.locator('[id="correct-error-hs_tt"]')
    assert "hs_tt" in error.inner_text()
    assert phone.locator('[id="value-hs_tt"]').input_value() == "50"
    assert phone.locator('[id="reason-hs_tt"]').input_value() == "Theo hệ thống một cửa"
    assert horizontal_overflow(phone) == 0
    error.scroll_into_view_if_needed()
    assert in_view(phone, error)
    shot(phone, tmp_path, "reviewer-correction-refused", full_page=False)


def test_ba_mai_reads_the_progress_view(phone, log_in, lan, mai, hoa, submission, tmp_path):
    with override("vi"):
        title = _("Progress (read only)")
    workflow.transition(submit(fill(submission, lan, **{"XHS.1": 35}), lan), "approve", hoa)
    log_in(phone, mai)

    phone.goto("/")
    assert phone.locator("h1").inner_text() == title
    assert phone.locator('input[type="checkbox"]').count() == 0
    assert horizontal_overflow(phone) == 0
    shot(phone, tmp_path, "leader-progress")
