"""Messages where Chị Lan looks: beside the upload form, beside the corrected figure,
under the score preview; and the preview gives no points to a figure that breaks a rule."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from chiso.assessments import services, workflow
from tests.people import fill, submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def test_an_accepted_upload_is_announced_beside_the_upload_form_not_at_the_top(
    client, login, lan, submission, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(lan)
    response = client.post(
        reverse("evidence_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile("bao-cao.pdf", PDF), "codes": ["XHS.1"]},
        follow=True,
    )
    html = response.content.decode()
    said = _("Evidence saved: %(names)s.") % {"names": "bao-cao.pdf"}
    assert html.count(said) == 1
    assert html.index('id="evidence"') < html.index(said) < html.index('id="upload-form"')


def test_a_refused_upload_is_explained_beside_the_upload_form(client, login, lan, submission):
    login(lan)
    response = client.post(
        reverse("evidence_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile("trang.pdf", b"<html></html>"), "codes": ["XHS.1"]},
        follow=True,
    )
    html = response.content.decode()
    assert html.index('id="evidence"') < html.index("trang.pdf") < html.index('id="upload-form"')


def test_chi_lan_sees_the_reason_of_each_correction_and_of_the_reopening_beside_her_figures(
    client, login, lan, hoa, tuan, submission
):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    services.verify_value(
        sent, "XHS.1", 28, user=hoa, reason="Số liệu Công an tỉnh", expected_version=None
    )
    workflow.transition(sent, "approve", hoa)
    workflow.transition(sent, "reopen", tuan, reason="Sai số hộ gia đình")
    login(lan)

    html = client.get(reverse("entry", args=[submission.pk])).content.decode()

    figure = html.index('id="in-XHS.1"')
    assert figure < html.index("Số liệu Công an tỉnh") < html.index("</div>", figure + 1) + 400
    assert "Sai số hộ gia đình" in html
    assert html.index("Sai số hộ gia đình") < html.index('id="n-CQS.1"')
    assert reverse("audit-submission", args=[submission.pk]) in html


def test_the_preview_gives_no_points_to_figures_that_break_a_rule(client, login, lan, submission):
    login(lan)
    preview = client.post(
        reverse("entry_preview", args=[submission.pk]), {"v-hs_tt": "500", "v-hs_tong": "10"}
    ).json()
    assert preview["nodes"]["CQS.1"]["earned"] == "0"
    assert preview["rules"]


def test_not_yet_recognised_lists_the_mandatory_indicators_not_met(client, login, lan, submission):
    login(lan)
    preview = client.post(
        reverse("entry_preview", args=[submission.pk]),
        {"v-hs_tt": "95", "v-hs_tong": "100", "v-CQS.2": "1", "v-XHS.1": "10"},
    ).json()
    assert preview["recognized"] is False
    assert "XHS.1" in preview["recognized_text"]
    assert "CQS.1" not in preview["recognized_text"]
