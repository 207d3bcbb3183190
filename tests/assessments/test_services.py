"""The service layer is the gate: every refusal, asked of the services directly.

Whatever way a change arrives (the entry page, a correction, an Excel/CSV import, a
bulk action, later the API), it goes through chiso.assessments.services (and
workflow for transitions), which refuses it with one ServiceError carrying a stable
code. Chị Lan is the officer of Phường Hàm Rồng, Anh Minh of Phường Hạc Thành,
Chị Hoa the province's reviewer, Chị Dung the reviewer of Huyện Hoằng Hóa, Anh Tuấn
the admin and Bà Mai a leader.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chiso.accounts import access
from chiso.assessments import services, workflow
from chiso.assessments.models import Action, AuditEntry, Evidence, Provenance, Status
from chiso.assessments.services import ServiceError
from tests.people import fill, put, submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def refused(expected: str, call, *args, **kwargs) -> ServiceError:
    """Run a service call that must be refused with the code `expected`; returns the error."""
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == expected, caught.value.message
    assert caught.value.message
    return caught.value


def save(submission, user, provenance=Provenance.SELF_REPORTED, **figures):
    return services.save_values(
        submission,
        figures,
        user=user,
        expected_version=submission.version,
        provenance=provenance,
    )


def nothing_written(submission) -> bool:
    submission.refresh_from_db()
    return (
        not submission.values.exists()
        and not AuditEntry.objects.filter(submission=submission).exists()
    )


# Figures --------------------------------------------------------------------------


def test_anh_minh_may_not_enter_the_figures_of_chi_lans_ward(submission, minh):
    refused(ServiceError.FORBIDDEN, save, submission, minh, **{"XHS.1": 40})
    assert nothing_written(submission)


def test_ba_mai_the_leader_may_not_enter_figures(submission, mai):
    refused(ServiceError.FORBIDDEN, save, submission, mai, **{"XHS.1": 40})
    assert nothing_written(submission)


def test_chi_hoa_the_reviewer_may_not_change_self_reported_figures(submission, hoa):
    refused(ServiceError.FORBIDDEN, save, submission, hoa, **{"XHS.1": 40})
    assert nothing_written(submission)


def test_the_public_may_not_enter_figures(submission, public):
    refused(ServiceError.FORBIDDEN, save, submission, public, **{"XHS.1": 40})


def test_chi_lan_may_not_change_figures_once_submitted(submission, lan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    error = refused(ServiceError.LOCKED, save, sent, lan, **{"XHS.1": 40})
    assert sent.values.get(code="XHS.1").self_value == 35
    assert sent.get_status_display() in error.message


def test_chi_lan_may_not_change_figures_after_the_deadline(period, submission, lan):
    period.closes_on = timezone.localdate() - dt.timedelta(days=1)
    period.save()
    submission.refresh_from_db()
    refused(ServiceError.LOCKED, save, submission, lan, **{"XHS.1": 40})
    assert nothing_written(submission)


def test_chi_lan_may_not_enter_figures_before_entry_opens(period, submission, lan):
    period.opens_on = timezone.localdate() + dt.timedelta(days=1)
    period.save()
    submission.refresh_from_db()
    refused(ServiceError.LOCKED, save, submission, lan, **{"XHS.1": 40})


def test_a_save_on_an_old_version_is_refused_as_stale(submission, lan, thu):
    version = submission.version
    services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=version)
    error = refused(
        ServiceError.STALE,
        services.save_values,
        submission,
        {"XHS.1": 40},
        user=thu,
        expected_version=version,
    )
    assert error.submission is not None and error.submission.version == version + 1


def test_a_code_the_framework_does_not_have_is_refused(submission, lan):
    error = refused(ServiceError.UNKNOWN_CODE, save, submission, lan, **{"XYZ.9": 1})
    assert "XYZ.9" in error.fields
    assert nothing_written(submission)


def test_figures_that_break_the_frameworks_rule_are_refused_naming_both_fields(submission, lan):
    error = refused(ServiceError.RULE_BROKEN, save, submission, lan, hs_tt=50, hs_tong=10)
    assert set(error.fields) == {"hs_tt", "hs_tong"}
    assert "Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ" in error.fields["hs_tt"]
    assert nothing_written(submission)


def test_a_rule_is_checked_against_the_figures_already_stored(submission, lan):
    saved = fill(submission, lan, hs_tong=10)
    refused(ServiceError.RULE_BROKEN, save, saved, lan, hs_tt=50)
    assert saved.values.get(code="hs_tong").self_value == 10
    assert not saved.values.filter(code="hs_tt").exists()


def test_a_figure_that_is_not_finite_is_refused(submission, lan):
    error = refused(ServiceError.INVALID, save, submission, lan, **{"XHS.1": math.inf})
    assert "XHS.1" in error.fields


def test_anh_tuan_the_admin_may_import_but_not_type_a_units_figures(submission, tuan):
    refused(ServiceError.FORBIDDEN, save, submission, tuan, **{"XHS.1": 40})
    saved, changed = save(submission, tuan, Provenance.IMPORTED, **{"XHS.1": 40})
    assert changed == 1
    assert saved.values.get(code="XHS.1").provenance == Provenance.IMPORTED


def test_a_system_account_writes_through_the_same_gate_with_its_own_provenance(submission, tuan):
    saved, _changed = save(submission, tuan, Provenance.SYSTEM, **{"XHS.1": 40})
    value = saved.values.get(code="XHS.1")
    assert value.provenance == Provenance.SYSTEM
    assert value.get_provenance_display() == "Nhập từ hệ thống"
    entry = AuditEntry.objects.get(submission=saved, code="XHS.1")
    assert entry.action == Action.VALUE_IMPORTED


def test_a_system_account_is_refused_like_anyone_else_after_submission(submission, lan, tuan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.LOCKED, save, sent, tuan, Provenance.SYSTEM, **{"XHS.1": 40})


# Corrections ----------------------------------------------------------------------


def correct(submission, user, code="XHS.1", value=30.0, reason="Đối chiếu hệ thống"):
    return services.verify_value(
        submission, code, value, user=user, reason=reason, expected_version=submission.version
    )


def test_chi_lan_may_not_correct_her_own_figures(submission, lan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.FORBIDDEN, correct, sent, lan)


def test_chi_hoa_may_not_correct_a_draft(submission, lan, hoa):
    saved = fill(submission, lan, **{"XHS.1": 35})
    refused(ServiceError.LOCKED, correct, saved, hoa)


def test_chi_dung_may_not_correct_a_ward_outside_her_district(submission, lan, dung):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.FORBIDDEN, correct, sent, dung)


def test_a_correction_without_a_reason_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    error = refused(ServiceError.REASON_REQUIRED, correct, sent, hoa, reason="  ")
    assert "reason" in error.fields


def test_a_correction_that_breaks_a_rule_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, hs_tt=5, hs_tong=10), lan)
    error = refused(ServiceError.RULE_BROKEN, correct, sent, hoa, code="hs_tt", value=50.0)
    assert "hs_tt" in error.fields
    assert sent.values.get(code="hs_tt").verified_value is None


def test_a_correction_of_a_code_the_framework_does_not_have_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.UNKNOWN_CODE, correct, sent, hoa, code="XYZ.9")


def test_a_correction_on_an_old_version_is_refused(submission, lan, hoa, tuan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    correct(sent, tuan)
    refused(ServiceError.STALE, correct, sent, hoa, value=20.0)


def test_a_nul_byte_in_a_reason_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    error = refused(ServiceError.INVALID, correct, sent, hoa, reason="Sai\x00 số")
    assert "reason" in error.fields


# Comments -------------------------------------------------------------------------


def comment(submission, user, code="XHS.1", text="Đề nghị bổ sung tài liệu."):
    return services.add_comment(submission, code, text, user=user)


def test_an_empty_comment_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.EMPTY, comment, sent, hoa, text="   ")


def test_a_comment_with_a_nul_byte_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    error = refused(ServiceError.INVALID, comment, sent, hoa, text="a\x00b")
    assert "text" in error.fields
    assert not sent.comments.exists()


def test_a_comment_on_a_code_the_framework_does_not_have_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.UNKNOWN_CODE, comment, sent, hoa, code="XYZ.9")


def test_ba_mai_the_leader_may_not_comment(submission, lan, mai):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.FORBIDDEN, comment, sent, mai)


def test_chi_hoa_may_not_comment_on_a_draft(submission, lan, hoa):
    refused(ServiceError.LOCKED, comment, fill(submission, lan, **{"XHS.1": 35}), hoa)


# Transitions ----------------------------------------------------------------------


def test_chi_lan_may_not_approve_her_own_submission(submission, lan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.FORBIDDEN, workflow.transition, sent, "approve", lan)
    assert sent.status == Status.SUBMITTED


def test_a_draft_cannot_be_approved(submission, hoa):
    refused(ServiceError.NOT_ALLOWED, workflow.transition, submission, "approve", hoa)


def test_an_unknown_transition_is_refused(submission, hoa):
    refused(ServiceError.NOT_ALLOWED, workflow.transition, submission, "fly", hoa)


def test_reopening_without_a_reason_is_refused(submission, lan, tuan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.REASON_REQUIRED, workflow.transition, sent, "reopen", tuan)


def test_a_nul_byte_in_a_return_reason_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.INVALID, workflow.transition, sent, "return", hoa, reason="x\x00")
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED


def test_a_transition_on_an_old_version_is_refused(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(
        ServiceError.STALE,
        workflow.transition,
        sent,
        "approve",
        hoa,
        expected_version=sent.version - 1,
    )


# Evidence -------------------------------------------------------------------------


def pdf(name="bao-cao.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_anh_minh_may_not_add_evidence_to_chi_lans_ward(submission, minh):
    refused(
        ServiceError.FORBIDDEN, services.add_evidence, submission, [pdf()], ["XHS.1"], user=minh
    )
    assert not Evidence.objects.exists()


def test_chi_lan_may_not_add_evidence_once_submitted(submission, lan):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    refused(ServiceError.LOCKED, services.add_evidence, sent, [pdf()], ["XHS.1"], user=lan)


def test_uploading_no_file_is_refused(submission, lan):
    refused(ServiceError.EMPTY, services.add_evidence, submission, [], ["XHS.1"], user=lan)


def test_a_file_that_is_not_a_document_is_refused_and_no_file_of_the_batch_is_kept(submission, lan):
    page = SimpleUploadedFile("trang.pdf", b"<html><script>x</script></html>")
    error = refused(
        ServiceError.EVIDENCE_REFUSED,
        services.add_evidence,
        submission,
        [pdf(), page],
        ["XHS.1"],
        user=lan,
    )
    assert "trang.pdf" in error.message
    assert not Evidence.objects.exists()


def test_chi_lan_may_not_remove_evidence_once_submitted(submission, lan):
    (item,) = services.add_evidence(submission, [pdf()], ["XHS.1"], user=lan)
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    item.submission = sent
    refused(ServiceError.LOCKED, services.remove_evidence, item, user=lan)
    item.refresh_from_db()
    assert item.removed_at is None


# Access ---------------------------------------------------------------------------


def test_an_unknown_permission_is_an_error_not_a_silent_no(submission, lan):
    with pytest.raises(ValueError):
        access.can(lan, "fly", submission)


def test_returned_figures_may_be_changed_again_until_the_new_deadline(submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35}), lan)
    returned = workflow.transition(sent, "return", hoa, reason="Thiếu minh chứng")
    saved, changed = save(returned, lan, **{"XHS.1": 36})
    assert changed == 1
    put(saved, Status.RETURNED, deadline=timezone.localdate() - dt.timedelta(days=1))
    saved.period.closes_on = timezone.localdate() - dt.timedelta(days=2)
    saved.period.save()
    saved.refresh_from_db()
    refused(ServiceError.LOCKED, save, saved, lan, **{"XHS.1": 37})


# Bounds ---------------------------------------------------------------------------


@pytest.fixture
def counted(submission, mini_framework_text):
    """Chị Lan's submission: the mini framework's dossier counts carry `min: 0`."""
    assert mini_framework_text.count("    type: integer\n    min: 0\n") == 2
    return submission


def test_a_negative_count_is_refused_by_the_gate(counted, lan):
    error = refused(ServiceError.INVALID, save, counted, lan, hs_tt=-10, hs_tong=100)
    assert "hs_tt" in error.fields
    assert nothing_written(counted)


def test_a_count_too_large_to_be_exact_is_refused_by_the_gate(counted, lan):
    refused(ServiceError.INVALID, save, counted, lan, hs_tt=1e308, hs_tong=1e308)
    assert nothing_written(counted)


def test_a_negative_count_typed_in_a_correction_is_refused_naming_the_field(counted, lan, hoa):
    sent = submit(fill(counted, lan, hs_tt=5, hs_tong=10), lan)
    error = refused(
        ServiceError.INVALID,
        services.verify_value,
        sent,
        "hs_tt",
        "-5",
        user=hoa,
        reason="Đối chiếu",
        expected_version=None,
    )
    assert "hs_tt" in error.fields
    assert "0" in error.fields["hs_tt"][0]


# Loading history: services.as_of ---------------------------------------------------
#
# The demo loads a closed period (entry 1-30 November 2025) through the gate, as of the
# days it happened. Replaying a past moment moves the gate's today and dates the audit
# trail; it lets nobody do what they may not do.

ENTRY_DAY = timezone.make_aware(dt.datetime(2025, 11, 6, 9, 0))


@pytest.fixture
def closed(period, submission):
    """Chị Lan's submission in a period whose entry ran 1-30 November 2025."""
    period.opens_on, period.closes_on = dt.date(2025, 11, 1), dt.date(2025, 11, 30)
    period.save()
    submission.refresh_from_db()
    return submission


def test_a_closed_period_is_locked_today_but_open_as_of_a_day_of_its_entry(closed, lan):
    refused(ServiceError.LOCKED, save, closed, lan, **{"XHS.1": 35})
    assert nothing_written(closed)
    with services.as_of(ENTRY_DAY):
        saved, changed = save(closed, lan, **{"XHS.1": 35})
    assert changed == 1
    [entry] = AuditEntry.objects.filter(submission=closed)
    assert (entry.at, entry.actor, entry.action, entry.code, entry.new) == (
        ENTRY_DAY,
        lan,
        Action.VALUE_SET,
        "XHS.1",
        "35",
    )
    # Outside the context the gate's clock is the real one again.
    assert services.now() > ENTRY_DAY
    refused(ServiceError.LOCKED, save, saved, lan, **{"XHS.1": 36})


@pytest.mark.parametrize("day", [dt.datetime(2025, 10, 31, 23, 0), dt.datetime(2025, 12, 1, 8)])
def test_as_of_a_day_outside_the_entry_window_the_gate_still_refuses(closed, lan, day):
    with services.as_of(timezone.make_aware(day)):
        refused(ServiceError.LOCKED, save, closed, lan, **{"XHS.1": 35})
        refused(ServiceError.NOT_ALLOWED, workflow.transition, closed, "submit", lan)
    assert nothing_written(closed)


def test_as_of_the_past_nobody_else_may_change_chi_lans_figures(
    closed, minh, hoa, mai, tuan, public
):
    with services.as_of(ENTRY_DAY):
        for person in (minh, hoa, mai, tuan, public):
            refused(ServiceError.FORBIDDEN, save, closed, person, **{"XHS.1": 40})
            refused(ServiceError.FORBIDDEN, workflow.transition, closed, "submit", person)
    assert nothing_written(closed)


def test_as_of_the_past_bounds_rules_and_versions_are_checked_as_always(closed, lan, thu):
    with services.as_of(ENTRY_DAY):
        refused(ServiceError.INVALID, save, closed, lan, hs_tt=-10, hs_tong=100)
        refused(ServiceError.RULE_BROKEN, save, closed, lan, hs_tt=50, hs_tong=10)
        refused(ServiceError.UNKNOWN_CODE, save, closed, lan, **{"XYZ.9": 1})
        assert nothing_written(closed)
        save(closed, lan, **{"XHS.1": 35})
        # Chị Thu still has the page as it was before Chị Lan's save.
        refused(ServiceError.STALE, save, closed, thu, **{"XHS.1": 40})
    assert closed.values.get(code="XHS.1").self_value == 35


def test_as_of_the_past_an_officer_may_not_review_nor_a_reviewer_submit(closed, lan, hoa):
    with services.as_of(ENTRY_DAY):
        filled = fill(closed, lan, **{"XHS.1": 35})
        refused(ServiceError.FORBIDDEN, workflow.transition, filled, "submit", hoa)
        sent = workflow.transition(filled, "submit", lan)
        refused(ServiceError.FORBIDDEN, workflow.transition, sent, "approve", lan)
        refused(
            ServiceError.FORBIDDEN,
            services.verify_value,
            sent,
            "XHS.1",
            30.0,
            user=lan,
            reason="Đối chiếu",
            expected_version=None,
        )
        refused(ServiceError.FORBIDDEN, services.add_comment, sent, "XHS.1", "Bổ sung", user=lan)
    sent.refresh_from_db()
    assert sent.status == Status.SUBMITTED
    assert sent.values.get(code="XHS.1").verified_value is None


def test_a_transition_as_of_the_past_is_dated_then_and_emails_nobody(
    django_capture_on_commit_callbacks, closed, lan, hoa
):
    approved_on = ENTRY_DAY + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True) as emails:
        with services.as_of(ENTRY_DAY):
            sent = workflow.transition(fill(closed, lan, **{"XHS.1": 35}), "submit", lan)
        with services.as_of(approved_on):
            approved = workflow.transition(sent, "approve", hoa)
    assert emails == []
    assert (approved.submitted_at, approved.approved_at) == (ENTRY_DAY, approved_on)
    trail = AuditEntry.objects.filter(submission=closed).exclude(action=Action.VALUE_SET)
    assert [(e.action, e.actor, e.at) for e in trail] == [
        (Action.SUBMITTED, lan, ENTRY_DAY),
        (Action.APPROVED, hoa, approved_on),
    ]


def test_as_of_replays_the_past_only_and_needs_a_time_zone():
    with pytest.raises(ValueError), services.as_of(timezone.now() + dt.timedelta(minutes=1)):
        pass
    with pytest.raises(ValueError), services.as_of(dt.datetime(2025, 11, 6, 9, 0)):
        pass
    assert not services.backdated()


def test_only_the_demo_loader_replays_the_past():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "chiso"
    users = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "as_of(" in path.read_text(encoding="utf-8")
    )
    assert users == ["assessments/services.py", "core/management/commands/demo.py"]


def test_a_save_that_fails_after_writing_figures_keeps_none_of_them(submission, lan, monkeypatch):
    """A save is one transaction: when its audit entries cannot be written, the figures
    written just before are gone too (on PostgreSQL the row lock needs it as well)."""
    from chiso.assessments import audit
    from chiso.assessments.models import Value

    def broken(rows):
        raise RuntimeError("the audit trail is unavailable")

    # The trail's lowest writer: what a save's entries go through.
    monkeypatch.setattr(audit, "write_rows", broken)
    with pytest.raises(RuntimeError):
        services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=None)
    assert not Value.objects.filter(submission=submission, self_value__isnull=False).exists()
