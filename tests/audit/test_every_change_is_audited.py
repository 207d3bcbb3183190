"""Every change of state that matters leaves one audit entry, written through the gate.

Each of chiso's models is either audited, with the gate's calls that change it below
(each must write the action named), or says why it is not. A new model without either
fails `test_every_model_is_audited_or_says_why`; a change through the gate that saves
an audited model without an entry fails `test_each_change_through_the_gate_is_audited`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.signals import post_save
from django.urls import reverse

from chiso.assessments.models import Action, AuditEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Models whose rows the audit trail does not follow, and why.
NOT_AUDITED = {
    "units.Unit": "the official list of units, loaded from the files chiso ships",
    "units.Lineage": "the reform's lineage, loaded with the units",
    "accounts.Membership": "people's roles, set in the back office (Django's admin log)",
    "leadership.Target": "the province's targets, set in the back office (Django's admin log)",
    "accounts.SentNotice": "a log itself: which notice went to whom",
    "api.TokenUse": "a log itself: each request made with a token",
    "assessments.AuditEntry": "the trail itself",
}

# Models the gate audits: the actions that may record a change of one of their rows.
AUDITED = {
    "frameworks.Framework": {Action.FRAMEWORK_STORED},
    "assessments.Period": {Action.PERIOD_CREATED, Action.PERIOD_CHANGED, Action.RESULTS_PUBLISHED},
    "assessments.PeriodFramework": {Action.PERIOD_CREATED, Action.PERIOD_CHANGED},
    "assessments.Submission": {
        Action.UNITS_ADDED,
        Action.VALUE_SET,
        Action.VALUE_VERIFIED,
        Action.VALUE_IMPORTED,
        Action.SUBMITTED,
        Action.DISTRICT_APPROVED,
        Action.RETURNED,
        Action.APPROVED,
        Action.REOPENED,
        Action.PUBLISHED,
    },
    "assessments.Value": {Action.VALUE_SET, Action.VALUE_VERIFIED, Action.VALUE_IMPORTED},
    "assessments.Evidence": {Action.EVIDENCE_ADDED, Action.EVIDENCE_REMOVED},
    "assessments.Comment": {Action.COMMENTED},
    # services.mark_not_applicable (tests/assessments/test_not_applicable.py)
    "assessments.NotApplicable": {Action.NOT_APPLICABLE, Action.APPLIES_AGAIN},
    "results.Snapshot": {Action.RESULTS_PUBLISHED},
    "results.UnitRow": {Action.RESULTS_PUBLISHED},
    "results.Annex": {Action.RESULTS_PUBLISHED},
    "results.SignedAnnex": {Action.ANNEX_SIGNED},
    "leadership.DtiYear": {Action.VALUE_SET, Action.VALUE_IMPORTED},
    "api.ApiToken": {Action.TOKEN_ISSUED, Action.TOKEN_REVOKED},
}


def test_every_model_is_audited_or_says_why():
    labels = {m._meta.label for m in apps.get_models() if m.__module__.startswith("chiso.")}
    assert labels == set(AUDITED) | set(NOT_AUDITED)
    assert not set(AUDITED) & set(NOT_AUDITED)


# --- the changes, through the gate ----------------------------------------------------


def create_period(w: dict[str, Any]) -> None:
    from chiso.assessments import periods

    periods.create_period(
        2027,
        "Năm 2027",
        dt.date(2027, 10, 1),
        dt.date(2027, 11, 30),
        dt.date(2027, 9, 30),
        {"commune": w["framework"]},
        [w["ham_rong"]],
        actor=w["tuan"],
    )


def redate_period(w: dict[str, Any]) -> None:
    from chiso.assessments import periods

    period = w["period"]
    periods.change_period(period, w["tuan"], closes_on=period.closes_on + dt.timedelta(days=7))


def redate_period_in_the_admin(w: dict[str, Any], framework: Any = None, days: int = 3) -> None:
    period, client, tuan = w["period"], w["client"], w["tuan"]
    tuan.is_staff = tuan.is_superuser = True  # the back office is for Django's staff
    tuan.save()
    client.force_login(tuan)
    url = reverse("admin:assessments_period_change", args=[period.pk])
    links = list(period.frameworks.all())
    data = {
        "year": period.year,
        "name": period.name,
        "opens_on": period.opens_on.isoformat(),
        "closes_on": (period.closes_on + dt.timedelta(days=days)).isoformat(),
        "reference_date": period.reference_date.isoformat(),
        "frameworks-TOTAL_FORMS": len(links),
        "frameworks-INITIAL_FORMS": len(links),
        "frameworks-MIN_NUM_FORMS": 0,
        "frameworks-MAX_NUM_FORMS": 1000,
    }
    for index, link in enumerate(links):
        data[f"frameworks-{index}-id"] = link.pk
        data[f"frameworks-{index}-period"] = period.pk
        data[f"frameworks-{index}-level"] = link.level
        data[f"frameworks-{index}-framework"] = (framework or link.framework).pk
    response = client.post(url, data)
    assert response.status_code == 302 and "/login/" not in response["Location"]


def change_a_levels_framework_in_the_admin(w: dict[str, Any]) -> None:
    from chiso.assessments.services import store_framework

    other = store_framework(
        w["framework"].text.replace("test-commune-mini", "test-commune-other"), user=w["tuan"]
    )
    redate_period_in_the_admin(w, framework=other, days=0)


def add_units(w: dict[str, Any]) -> None:
    from chiso.assessments import periods

    w["submission"].delete()
    periods.add_submissions(w["period"], [w["ham_rong"]], actor=w["tuan"])


def store_framework(w: dict[str, Any]) -> None:
    from chiso.assessments.services import store_framework

    text = w["framework"].text.replace("test-commune-mini", "test-commune-2027")
    store_framework(text, user=w["tuan"])


def save_figures(w: dict[str, Any]) -> None:
    from chiso.assessments import services

    services.save_values(w["submission"], {"XHS.1": 35}, user=w["lan"], expected_version=None)


def add_and_remove_evidence(w: dict[str, Any]) -> None:
    from chiso.assessments import services

    upload = SimpleUploadedFile("danh-sach.pdf", PDF, content_type="application/pdf")
    (item,) = services.add_evidence(w["submission"], [upload], ["XHS.1"], user=w["lan"])
    services.remove_evidence(item, user=w["lan"])


def submit_comment_correct_approve_publish(w: dict[str, Any]) -> None:
    from chiso.assessments import services, workflow
    from chiso.results import services as publishing

    submission, lan, hoa = w["submission"], w["lan"], w["hoa"]
    services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=None)
    submission = workflow.transition(submission, "submit", lan)
    services.add_comment(submission, "XHS.1", "Số liệu khớp báo cáo.", user=hoa)
    submission.refresh_from_db()
    submission = services.verify_value(
        submission,
        "XHS.1",
        36,
        user=hoa,
        reason="Theo danh sách kèm theo",
        expected_version=submission.version,
    )
    submission = workflow.transition(submission, "approve", hoa)
    publishing.publish(submission.period, "commune", w["tuan"])


def record_dti_year(w: dict[str, Any]) -> None:
    from chiso.leadership.services import DtiFigures, record_year

    record_year(DtiFigures(year=2024, published=2025, rank=5, of=34), actor=w["tuan"])


def issue_and_revoke_a_token(w: dict[str, Any]) -> None:
    from chiso.api.services import create_token, revoke_token

    token, _secret = create_token("lgsp", [w["ham_rong"].code], "LGSP", created_by=w["tuan"])
    revoke_token(token, w["tuan"])


CHANGES: list[Callable[[dict[str, Any]], None]] = [
    create_period,
    redate_period,
    redate_period_in_the_admin,
    change_a_levels_framework_in_the_admin,
    add_units,
    store_framework,
    save_figures,
    add_and_remove_evidence,
    submit_comment_correct_approve_publish,
    record_dti_year,
    issue_and_revoke_a_token,
]


@pytest.fixture
def world(client, period, framework, submission, ham_rong, lan, hoa, tuan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return {
        "client": client,
        "period": period,
        "framework": framework,
        "submission": submission,
        "ham_rong": ham_rong,
        "lan": lan,
        "hoa": hoa,
        "tuan": tuan,
    }


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_each_change_through_the_gate_is_audited(world, change):
    saved: set[str] = set()

    def seen(sender: Any, **kwargs: Any) -> None:
        saved.add(sender._meta.label)

    before = set(AuditEntry.objects.values_list("pk", flat=True))
    post_save.connect(seen, weak=False, dispatch_uid="audit-walk")
    try:
        change(world)
    finally:
        post_save.disconnect(dispatch_uid="audit-walk")
    actions = set(AuditEntry.objects.exclude(pk__in=before).values_list("action", flat=True))
    audited = saved & set(AUDITED)
    # Bulk writes send no post_save: what they change is checked by its action below.
    assert actions, f"{change.__name__} wrote no audit entry"
    for label in audited:
        assert actions & AUDITED[label], (change.__name__, label, actions)
