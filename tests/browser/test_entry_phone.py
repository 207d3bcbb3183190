"""Chị Lan enters her ward's figures on a 360-pixel-wide phone, in a real browser."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from playwright.sync_api import expect

from chiso.assessments.models import Value
from tests.browser.conftest import horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULE_VI = "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ"


def field(page, code: str):
    # Codes such as XHS.1 contain dots: select by attribute, not by #id.
    return page.locator(f'[id="f-{code}"]')


def test_chi_lan_fills_in_her_figures_on_a_phone(phone, log_in, lan, submission, tmp_path):
    with override("vi"):
        save_label = _("Save draft")
        saved_message = _("Draft saved: %(count)s figures changed.") % {"count": 4}
    console_errors: list[str] = []
    phone.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    log_in(phone, lan)

    phone.goto(reverse("entry", args=[submission.pk]))
    assert horizontal_overflow(phone) == 0
    assert phone.locator("#pv-points").inner_text() == "0"

    field(phone, "hs_tong").fill("100")
    field(phone, "hs_tt").fill("200")
    # The framework's rule is checked in the browser as she types.
    assert RULE_VI in phone.locator("#err-hs_tt").inner_text()
    field(phone, "hs_tt").fill("47")
    assert phone.locator("#err-hs_tt").inner_text() == ""
    field(phone, "CQS.2").select_option("1")
    field(phone, "XHS.1").fill("31,5")

    # 47% of dossiers online (full points at 90%): 20,89 of 40; the portal 20; signatures 40.
    expect(phone.locator("#pv-points")).to_have_text("80,89")
    assert phone.locator("#pv-value").inner_text() == "0,8089"
    assert phone.locator('[id="earned-CQS.1"]').inner_text() == "20,89"
    assert phone.locator('[id="raw-CQS.1"]').inner_text() == "47%"

    phone.get_by_role("button", name=save_label).click()
    phone.wait_for_load_state()
    assert saved_message in phone.locator(".messages").inner_text()

    phone.reload()
    assert field(phone, "hs_tt").input_value() == "47"
    assert field(phone, "hs_tong").input_value() == "100"
    assert field(phone, "XHS.1").input_value() == "31,5"
    assert field(phone, "CQS.2").input_value() == "1"
    assert horizontal_overflow(phone) == 0
    saved = dict(Value.objects.filter(submission=submission).values_list("code", "self_value"))
    assert saved == {"hs_tt": 47, "hs_tong": 100, "CQS.2": 1, "XHS.1": 31.5}
    # The save buttons stay within reach at the bottom of the screen.
    box = phone.get_by_role("button", name=save_label).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360

    # The page works under the content security policy: no inline script, no eval.
    assert not [error for error in console_errors if "Content Security Policy" in error]

    phone.screenshot(path=str(tmp_path / "entry-phone.png"), full_page=True)
    assert (tmp_path / "entry-phone.png").stat().st_size > 10_000


def test_the_home_page_and_the_framework_fit_a_phone(phone, log_in, lan, submission):
    log_in(phone, lan)

    assert horizontal_overflow(phone) == 0
    phone.goto(reverse("framework_detail", args=[submission.framework.code, 1]))
    assert horizontal_overflow(phone) == 0


def test_the_reviewer_reads_the_page_on_a_phone(phone, log_in, hoa, submission):
    log_in(phone, hoa)

    phone.goto(reverse("entry", args=[submission.pk]))

    assert phone.locator("#entry-form").count() == 0
    assert phone.locator("#lock").is_visible()
    assert horizontal_overflow(phone) == 0


def test_a_thousands_separator_is_flagged_as_she_types(phone, log_in, lan, submission):
    with override("vi"):
        integer_message = _("This is not a whole number (do not separate thousands).")
    log_in(phone, lan)
    phone.goto(reverse("entry", args=[submission.pk]))

    # "1.000" is one thousand to her, not 1: the page says so instead of scoring 1.
    field(phone, "hs_tong").fill("1.000")
    assert phone.locator("#err-hs_tong").inner_text() == integer_message
    field(phone, "hs_tong").fill("1000")
    assert phone.locator("#err-hs_tong").inner_text() == ""


def test_on_a_phone_the_home_page_says_what_the_date_and_count_are(phone, log_in, lan, submission):
    with override("vi"):
        deadline = _("Deadline")
    log_in(phone, lan)
    phone.goto(reverse("home"))

    cell = phone.locator(".my-submissions td[data-label]").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert deadline in label
    assert horizontal_overflow(phone) == 0


def test_removing_evidence_asks_first_and_cancelling_keeps_the_file(
    phone, log_in, lan, submission, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from chiso.assessments.models import Evidence

    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    stored = Evidence(
        submission=submission,
        original_name="Kế hoạch CĐS.pdf",
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        codes=["CQS.1"],
        uploaded_by=lan,
    )
    stored.file.save("x", ContentFile(pdf), save=True)
    with override("vi"):
        question = _("Remove this evidence file? Reviewers will no longer see it.")
        remove_label = _("Remove")
    log_in(phone, lan)
    phone.goto(reverse("entry", args=[submission.pk]))
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    phone.once("dialog", lambda dialog: answer(dialog, accept=False))
    phone.get_by_role("button", name=remove_label).first.click()
    assert asked == [question]
    stored.refresh_from_db()
    assert stored.removed_at is None

    phone.once("dialog", lambda dialog: answer(dialog, accept=True))
    with phone.expect_navigation():
        phone.get_by_role("button", name=remove_label).first.click()
    stored.refresh_from_db()
    assert stored.removed_at is not None


def test_a_count_below_its_minimum_is_flagged_in_the_servers_words(
    phone, log_in, lan, submission, framework
):
    from chiso.assessments.services import read_figures

    with override("vi"):
        _figures, read = read_figures(
            framework.engine(), submission.unit.code, {"hs_tong": "-5", "hs_tt": "1e308"}
        )
    server = {code: texts[0] for code, texts in read.items()}
    log_in(phone, lan)
    phone.goto(reverse("entry", args=[submission.pk]))

    # hs_tong has min: 0, and no count is above 2**53: refused as she types, in the
    # words the server uses when it refuses them on saving.
    field(phone, "hs_tong").fill("-5")
    assert phone.locator("#err-hs_tong").inner_text() == server["hs_tong"]
    field(phone, "hs_tt").fill("1e308")
    assert phone.locator("#err-hs_tt").inner_text() == server["hs_tt"]
    field(phone, "hs_tong").fill("5")
    assert phone.locator("#err-hs_tong").inner_text() == ""
