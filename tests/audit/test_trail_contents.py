"""What the audit trail records: who, when, the old and the new value and the reason,
for a value change, a correction, an evidence upload and removal, a comment, each
transition."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chiso.assessments import services, workflow
from chiso.assessments.models import Action, AuditEntry
from tests.people import put, submit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def last(action):
    return AuditEntry.objects.filter(action=action).latest("id")


def test_a_value_change_records_who_when_old_and_new(submission, lan):
    before = timezone.now()
    services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=None)
    services.save_values(submission, {"XHS.1": 37.5}, user=lan, expected_version=None)
    entry = last(Action.VALUE_SET)
    assert (entry.actor, entry.code, entry.old, entry.new) == (lan, "XHS.1", "35", "37.5")
    assert (entry.unit, entry.period, entry.submission) == (
        submission.unit,
        submission.period,
        submission,
    )
    assert before <= entry.at <= timezone.now()


def test_a_correction_records_old_new_and_reason(submission, lan, hoa):
    services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=None)
    sent = submit(submission, lan)
    services.verify_value(
        sent, "XHS.1", 28, user=hoa, reason="Số liệu Công an tỉnh", expected_version=None
    )
    entry = last(Action.VALUE_VERIFIED)
    assert (entry.actor, entry.code, entry.old, entry.new, entry.reason) == (
        hoa,
        "XHS.1",
        "35",
        "28",
        "Số liệu Công an tỉnh",
    )


def test_an_evidence_upload_and_removal_are_recorded(submission, lan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("danh-sach.pdf", PDF, content_type="application/pdf")
    (item,) = services.add_evidence(submission, [upload], ["XHS.1"], user=lan)
    added = last(Action.EVIDENCE_ADDED)
    assert (added.actor, added.code) == (lan, "XHS.1")
    assert added.new.startswith("danh-sach.pdf")
    assert item.sha256 in added.new
    services.remove_evidence(item, user=lan)
    removed = last(Action.EVIDENCE_REMOVED)
    assert (removed.actor, removed.code) == (lan, "XHS.1")
    assert removed.old.startswith("danh-sach.pdf")


def test_a_comment_is_recorded(submission, lan, hoa):
    put(submission, "submitted")
    services.add_comment(submission, "CQS.2", "Cổng chưa có chuyên mục CĐS", user=hoa)
    entry = last(Action.COMMENTED)
    assert (entry.actor, entry.code, entry.new) == (hoa, "CQS.2", "Cổng chưa có chuyên mục CĐS")


@pytest.mark.parametrize(
    ("name", "start", "who", "action", "old", "new"),
    [
        ("submit", "draft", "lan", Action.SUBMITTED, "draft", "submitted"),
        ("return", "submitted", "hoa", Action.RETURNED, "submitted", "returned; deadline="),
        ("approve", "submitted", "hoa", Action.APPROVED, "submitted", "approved"),
        ("reopen", "approved", "tuan", Action.REOPENED, "approved", "returned; deadline="),
        ("publish", "approved", "tuan", Action.PUBLISHED, "approved", "published"),
    ],
)
def test_each_transition_records_who_the_old_and_new_status_and_the_reason(
    request, submission, name, start, who, action, old, new
):
    person = request.getfixturevalue(who)
    put(submission, start)
    workflow.transition(submission, name, person, reason="Lý do ghi nhận")
    entry = last(action)
    assert (entry.actor, entry.old, entry.reason) == (person, old, "Lý do ghi nhận")
    assert entry.new.startswith(new)
    if new.endswith("deadline="):
        submission.refresh_from_db()
        assert entry.new == f"returned; deadline={submission.deadline.isoformat()}"


def test_the_district_approval_is_recorded(hoang_quy_2024, dung):
    put(hoang_quy_2024, "submitted")
    workflow.transition(hoang_quy_2024, "district_approve", dung)
    entry = last(Action.DISTRICT_APPROVED)
    assert (entry.actor, entry.old, entry.new) == (dung, "submitted", "district_approved")
