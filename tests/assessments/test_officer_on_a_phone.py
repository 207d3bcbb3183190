"""Chị Lan on her phone: what she submits empty is named in the page, what the reviewer
asked for is where she looks, and a file she attaches keeps her at its indicator."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.assessments import services, workflow
from chiso.assessments.models import Evidence, Status
from tests.people import fill, submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def lan_in_english(login, lan):
    client = login(lan)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def entry_url(submission) -> str:
    return reverse("entry", args=[submission.pk])


def typed(submission, action: str, **figures: str) -> dict[str, str]:
    data = {"expected_version": str(submission.version), "action": action}
    for code in submission.framework.engine().input_codes:
        data[f"v-{code}"] = figures.get(code.replace(".", "_"), "")
    return data


def article(page: str, code: str) -> str:
    found = page[page.index(f'id="n-{code}"') :]
    return found[: found.index("</article>")]


def test_submitting_with_empty_figures_names_them_in_the_page_and_waits(lan_in_english, submission):
    answer = lan_in_english.post(
        entry_url(submission), typed(submission, "submit", hs_tt="90", hs_tong="100")
    )

    submission.refresh_from_db()
    assert submission.status == Status.DRAFT
    assert answer.status_code == 302 and answer["Location"].endswith("?check=submit#submit-check")
    page = lan_in_english.get(answer["Location"]).content.decode()
    check = page[page.index('id="submit-check"') :]
    check = check[: check.index("</section>")]
    # By the indicators' names, linked to their fields, not by codes in a browser dialog.
    assert "Your figures were saved, not submitted: 2 figures are empty" in check
    assert '<a href="#in-CQS.2">Has a web portal</a>' in check
    assert '<a href="#in-XHS.1">Adults with a digital signature</a>' in check
    assert 'name="action" value="submit_empty"' in check
    assert "window.confirm(question)" not in open_entry_js()

    again = lan_in_english.post(
        entry_url(submission),
        typed(submission.__class__.objects.get(pk=submission.pk), "submit_empty", hs_tt="90",
              hs_tong="100"),
    )  # fmt: skip
    assert again.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_submitting_every_figure_submits_at_once(lan_in_english, submission):
    figures = {"hs_tt": "90", "hs_tong": "100", "CQS_2": "1", "XHS_1": "40"}
    lan_in_english.post(entry_url(submission), typed(submission, "submit", **figures))
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def open_entry_js() -> str:
    from pathlib import Path

    import chiso

    return (Path(chiso.__file__).parent / "static" / "chiso" / "entry.js").read_text()


def test_a_returned_submission_links_its_badge_to_the_first_commented_indicator(
    lan_in_english, submission, lan, hoa
):
    sent = submit(fill(submission, lan, hs_tt=90, hs_tong=100, **{"XHS.1": 35}), lan)
    # Commented on XHS.1 first, then on CQS.2, which comes first on the page.
    services.add_comment(sent, "XHS.1", "Thiếu minh chứng chữ ký số", user=hoa)
    services.add_comment(sent, "CQS.2", "Cổng chưa hoạt động", user=hoa)
    workflow.transition(sent, "return", hoa, reason="Bổ sung")

    page = lan_in_english.get(entry_url(submission)).content.decode()

    assert re.search(
        r'<a href="#n-CQS.2" class="badge-link"><span class="badge returned" id="status">', page
    )
    # Each comment sits at its indicator, before its fields, and the list of them comes
    # before the score preview.
    card = article(page, "XHS.1")
    assert card.index("Thiếu minh chứng chữ ký số") < card.index('id="in-XHS.1"')
    assert page.index('id="comments"') < page.index("entry-summary")


def test_evidence_is_added_at_its_indicator_and_the_page_returns_there(lan_in_english, submission):
    page = lan_in_english.get(entry_url(submission)).content.decode()
    card = article(page, "XHS.1")
    assert 'type="file" name="file" form="upload-XHS.1"' in card

    answer = lan_in_english.post(
        reverse("evidence_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile("chu-ky-so.pdf", PDF), "codes": "XHS.1", "at": "XHS.1"},
    )

    assert answer.status_code == 302 and answer["Location"].endswith("#n-XHS.1")
    assert Evidence.objects.get().codes == ["XHS.1"]
    card = article(lan_in_english.get(answer["Location"]).content.decode(), "XHS.1")
    assert "Evidence saved: chu-ky-so.pdf." in card
