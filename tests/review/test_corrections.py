"""A reviewer changes a unit's figures only by a recorded correction: the verified value
beside the unit's own, with a reason, in the audit trail. There is no other way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessments import services
from chiso.assessments.models import Action, AuditEntry, Status
from tests.people import fill, messages_of, submit


@pytest.fixture
def sent(submission, lan):
    filled = fill(submission, lan, hs_tt=900, hs_tong=1000, **{"CQS.2": 1, "XHS.1": 35})
    return submit(filled, lan)


def correct(client, sent, code, value, reason, version=None):
    return client.post(
        reverse("review-correct", args=[sent.pk]),
        {
            "code": code,
            "value": value,
            "reason": reason,
            "version": sent.version if version is None else version,
        },
        follow=True,
    )


def test_a_correction_keeps_the_units_figure_and_records_old_new_and_reason(
    client, login, sent, hoa
):
    login(hoa)
    correct(client, sent, "XHS.1", "28,5", "Theo số liệu của Công an tỉnh")
    value = sent.values.get(code="XHS.1")
    assert (value.self_value, value.verified_value) == (35, 28.5)
    entry = AuditEntry.objects.get(action=Action.VALUE_VERIFIED)
    assert (entry.actor, entry.code, entry.old, entry.new) == (hoa, "XHS.1", "35", "28.5")
    assert entry.reason == "Theo số liệu của Công an tỉnh"


def test_a_correction_without_a_reason_changes_nothing(client, login, sent, hoa):
    login(hoa)
    page = correct(client, sent, "XHS.1", "20", "  ")
    assert sent.values.get(code="XHS.1").verified_value is None
    assert not AuditEntry.objects.filter(action=Action.VALUE_VERIFIED).exists()
    assert any("XHS.1" in m for m in messages_of(page))


def test_an_unreadable_correction_is_refused_naming_the_field(client, login, sent, hoa):
    login(hoa)
    page = correct(client, sent, "hs_tt", "chín trăm", "Nhập lại")
    assert sent.values.get(code="hs_tt").verified_value is None
    # In the page's language, like the entry page says it, not the engine's English.
    assert "hs_tt: “chín trăm” không phải là số." in messages_of(page)


def test_a_correction_that_breaks_a_rule_of_the_framework_is_refused(client, login, sent, hoa):
    login(hoa)
    page = correct(client, sent, "hs_tt", "1200", "Theo cổng dịch vụ công")
    assert sent.values.get(code="hs_tt").verified_value is None
    # The framework's own message for the rule, in Vietnamese.
    assert "hs_tt: Số hồ sơ trực tuyến không thể lớn hơn tổng số hồ sơ" in messages_of(page)


def test_clearing_a_correction_goes_back_to_the_units_figure(client, login, sent, hoa):
    login(hoa)
    correct(client, sent, "XHS.1", "20", "Sai")
    sent.refresh_from_db()
    correct(client, sent, "XHS.1", "", "Đơn vị đã giải trình")
    value = sent.values.get(code="XHS.1")
    assert value.verified_value is None
    assert value.effective == 35


def test_a_reviewers_post_on_the_entry_page_does_not_change_the_figures(
    client, login, sent, hoa, tuan
):
    for reviewer in (hoa, tuan):
        login(reviewer)
        response = client.post(
            reverse("entry", args=[sent.pk]),
            {"expected_version": sent.version, "v-XHS.1": "10", "v-hs_tt": "1"},
        )
        assert response.status_code in (403, 404)
    value = sent.values.get(code="XHS.1")
    assert (value.self_value, value.verified_value) == (35, None)
    assert sent.values.get(code="hs_tt").self_value == 900


def test_while_under_review_even_the_units_officer_cannot_change_the_figures(
    client, login, sent, lan
):
    login(lan)
    client.post(
        reverse("entry", args=[sent.pk]),
        {"expected_version": sent.version, "v-XHS.1": "99"},
    )
    assert sent.values.get(code="XHS.1").self_value == 35


def test_officers_and_leaders_cannot_correct(client, login, sent, lan, minh, mai):
    for person in (lan, minh, mai):
        login(person)
        response = client.post(
            reverse("review-correct", args=[sent.pk]),
            {"code": "XHS.1", "value": "0", "reason": "x", "version": sent.version},
        )
        assert response.status_code == 404, person
    assert sent.values.get(code="XHS.1").verified_value is None


def test_an_approved_submission_is_no_longer_corrected(client, login, sent, hoa):
    from chiso.assessments import workflow

    workflow.transition(sent, "approve", hoa)
    login(hoa)
    correct(client, sent, "XHS.1", "20", "Muộn")
    assert sent.values.get(code="XHS.1").verified_value is None
    sent.refresh_from_db()
    assert sent.status == Status.APPROVED


def test_the_service_refuses_a_correction_without_a_reason(sent, hoa):
    with pytest.raises(services.ServiceError, match="lý do"):
        services.verify_value(sent, "XHS.1", 10, user=hoa, reason="", expected_version=None)


@pytest.mark.parametrize("typed", ["-10", "1e308", "99999999999999999999"])
def test_a_correction_to_a_negative_or_absurd_count_is_refused(client, login, sent, hoa, typed):
    login(hoa)
    page = correct(client, sent, "hs_tt", typed, "Theo sổ tiếp nhận")
    assert sent.values.get(code="hs_tt").verified_value is None
    assert not AuditEntry.objects.filter(action=Action.VALUE_VERIFIED).exists()
    assert (
        f"hs_tt: “{typed}” nằm ngoài khoảng cho phép (từ 0 đến 9007199254740992)."
        in messages_of(page)
    )
