"""The review page of one submission: self-assessed beside verified, evidence, comments,
and the decisions the reviewer may take now."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.assessments import services, workflow
from chiso.assessments.models import Comment, Status
from tests.people import fill, put, submit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def sent(submission, lan):
    """Hàm Rồng's figures, entered by Chị Lan and submitted."""
    filled = fill(submission, lan, hs_tt=900, hs_tong=1000, **{"CQS.2": 1, "XHS.1": 35})
    return submit(filled, lan)


def test_every_indicator_shows_the_self_assessed_and_the_verified_figure(client, login, sent, hoa):
    services.verify_value(
        sent, "XHS.1", 25, user=hoa, reason="Số liệu Công an tỉnh", expected_version=sent.version
    )
    login(hoa)
    page = client.get(reverse("review-detail", args=[sent.pk]))
    assert page.status_code == 200
    rows = {row.code: row for row in page.context["indicators"]}
    assert set(rows) == {"CQS.1", "CQS.2", "XHS.1"}
    assert rows["CQS.1"].self_value == pytest.approx(90.0)
    assert rows["XHS.1"].self_value == 35
    assert rows["XHS.1"].verified_value == 25
    # 35 % met the 30 % threshold (40 points); the verified 25 % does not.
    assert rows["XHS.1"].difference == -40
    html = page.content.decode()
    assert 'data-code="XHS.1" data-kind="self">35<' in html
    assert 'data-code="XHS.1" data-kind="verified">25<' in html
    assert page.context["mine"].points == 100
    assert page.context["checked"].points == 60


def test_decimals_are_written_with_a_comma(client, login, submission, lan, hoa):
    filled = fill(submission, lan, hs_tt=987, hs_tong=1000, **{"XHS.1": 98.7})
    submit(filled, lan)
    login(hoa)
    html = client.get(reverse("review-detail", args=[submission.pk])).content.decode()
    assert "98,7" in html
    assert "98.7" not in html


def test_the_evidence_of_each_indicator_is_listed_with_a_link(
    client, login, submission, lan, hoa, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("bien-ban-hop.pdf", PDF, content_type="application/pdf")
    (item,) = services.add_evidence(submission, [upload], ["XHS.1"], user=lan)
    submit(submission, lan)
    login(hoa)
    page = client.get(reverse("review-detail", args=[submission.pk]))
    rows = {row.code: row for row in page.context["indicators"]}
    assert [e.original_name for e in rows["XHS.1"].evidence] == ["bien-ban-hop.pdf"]
    assert rows["CQS.1"].evidence == []
    assert reverse("evidence_file", args=[item.pk]) in page.content.decode()


def test_the_reviewer_comments_on_a_single_indicator(client, login, sent, hoa):
    login(hoa)
    client.post(
        reverse("review-comment", args=[sent.pk]),
        {"code": "XHS.1", "text": "Đề nghị bổ sung danh sách người có chữ ký số."},
    )
    note = Comment.objects.get(submission=sent)
    assert (note.code, note.round, note.author) == ("XHS.1", 1, hoa)
    page = client.get(reverse("review-detail", args=[sent.pk]))
    rows = {row.code: row for row in page.context["indicators"]}
    assert [c.text for c in rows["XHS.1"].comments] == [
        "Đề nghị bổ sung danh sách người có chữ ký số."
    ]


def test_each_figure_has_one_comment_form_and_ids_are_unique(client, login, sent, hoa):
    # XHS.1 is both an indicator and a figure entered directly: one comment form, on
    # its indicator row; hs_tt (an element) has its own on its figure row.
    login(hoa)
    html = client.get(reverse("review-detail", args=[sent.pk])).content.decode()
    assert html.count('id="comment-XHS.1"') == 1
    assert html.count('id="comment-hs_tt"') == 1
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_a_comment_on_an_unknown_indicator_is_refused(client, login, sent, hoa):
    login(hoa)
    client.post(reverse("review-comment", args=[sent.pk]), {"code": "ZZZ", "text": "?"})
    assert not Comment.objects.exists()


def test_the_buttons_are_the_transitions_allowed_now(client, login, sent, hoa, tuan, mai):
    login(hoa)
    page = client.get(reverse("review-detail", args=[sent.pk]))
    assert [t.name for t in page.context["transitions"]] == ["return", "approve"]
    login(tuan)
    page = client.get(reverse("review-detail", args=[sent.pk]))
    assert [t.name for t in page.context["transitions"]] == ["return", "approve", "reopen"]
    login(mai)
    page = client.get(reverse("review-detail", args=[sent.pk]))
    assert page.context["transitions"] == []
    assert 'action="' + reverse("review-correct", args=[sent.pk]) not in page.content.decode()


def test_approving_from_the_page(client, login, sent, hoa):
    login(hoa)
    client.post(
        reverse("review-status", args=[sent.pk]),
        {"transition": "approve", "version": sent.version},
    )
    sent.refresh_from_db()
    assert sent.status == Status.APPROVED


def test_a_decision_taken_on_an_old_page_is_refused(client, login, sent, lan, hoa):
    login(hoa)
    old_version = sent.version
    services.add_comment(sent, "", "ghi chú", user=hoa)
    workflow.transition(sent, "return", hoa, reason="Thiếu minh chứng")
    submit(sent, lan)
    client.post(
        reverse("review-status", args=[sent.pk]),
        {"transition": "approve", "version": old_version},
    )
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED


def test_a_district_reviewer_approves_first_then_the_province(
    client, login, hoang_quy_2024, binh, dung, hoa
):
    submit(hoang_quy_2024, binh)
    login(dung)
    page = client.get(reverse("review-detail", args=[hoang_quy_2024.pk]))
    assert [t.name for t in page.context["transitions"]] == ["district_approve", "return"]
    client.post(
        reverse("review-status", args=[hoang_quy_2024.pk]), {"transition": "district_approve"}
    )
    hoang_quy_2024.refresh_from_db()
    assert hoang_quy_2024.status == Status.DISTRICT_APPROVED
    login(hoa)
    client.post(reverse("review-status", args=[hoang_quy_2024.pk]), {"transition": "approve"})
    hoang_quy_2024.refresh_from_db()
    assert hoang_quy_2024.status == Status.APPROVED


def test_an_officer_has_no_review_page_not_even_for_her_own_unit(client, login, sent, lan):
    login(lan)
    assert client.get(reverse("review-detail", args=[sent.pk])).status_code == 404


def test_a_draft_cannot_be_commented_on_or_corrected(client, login, submission, hoa):
    put(submission, Status.DRAFT)
    login(hoa)
    client.post(reverse("review-comment", args=[submission.pk]), {"code": "", "text": "Sớm"})
    client.post(
        reverse("review-correct", args=[submission.pk]),
        {"code": "XHS.1", "value": "20", "reason": "Sớm", "version": submission.version},
    )
    assert not Comment.objects.exists()
    assert not submission.values.exists()
