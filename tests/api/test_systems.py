"""Systems write figures and evidence with a token, through the pages' own gate."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.api.conftest import bearer, put_json

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def values_url(submission) -> str:
    return f"/api/v1/submissions/{submission.pk}/values"


def test_the_portal_sets_figures_recorded_as_imported_from_a_system(
    client, submission, portal_token
):
    from chiso.assessments.models import Action, AuditEntry, Provenance

    response = put_json(
        client,
        values_url(submission),
        {"version": 0, "values": {"hs_tt": 950, "hs_tong": 1000, "CQS.2": True, "XHS.1": "35,5"}},
        **bearer(portal_token),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changed"] == 4 and body["version"] == 1
    assert body["values"] == {"CQS.2": 1.0, "XHS.1": 35.5, "hs_tong": 1000.0, "hs_tt": 950.0}
    value = submission.values.get(code="hs_tt")
    assert value.provenance == Provenance.SYSTEM and value.updated_by.username == "cong-dvc"
    entries = AuditEntry.objects.filter(submission=submission, action=Action.VALUE_IMPORTED)
    assert entries.count() == 4 and {e.actor.username for e in entries} == {"cong-dvc"}


def test_figures_are_checked_like_the_entry_page_and_nothing_half_saves(
    client, submission, portal_token
):
    response = put_json(
        client,
        values_url(submission),
        {"values": {"hs_tt": "nhiều", "no_such_code": 1, "hs_tong": 10}},
        **bearer(portal_token),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {d["loc"][-1] for d in body["details"]} == {"hs_tt", "no_such_code"}
    assert submission.values.count() == 0


def test_a_broken_rule_of_the_framework_refuses_the_figures(client, submission, portal_token):
    response = put_json(
        client,
        values_url(submission),
        {"values": {"hs_tt": 20, "hs_tong": 10}},
        **bearer(portal_token),
    )
    assert response.status_code == 422
    (broken,) = response.json()["details"]
    assert broken["rule"] == 0 and "Online dossiers cannot exceed all dossiers" in broken["msg"]
    assert submission.values.count() == 0


def test_a_save_on_an_old_version_is_refused(client, submission, portal_token, lan):
    from chiso.assessments.services import save_values

    save_values(submission, {"hs_tong": 10}, user=lan, expected_version=0)
    response = put_json(
        client,
        values_url(submission),
        {"version": 0, "values": {"hs_tt": 5}},
        **bearer(portal_token),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["details"] == {"version": 1}


def test_a_submitted_submission_is_not_editable(client, submission, portal_token):
    submission.status = "submitted"
    submission.save()
    response = put_json(
        client, values_url(submission), {"values": {"hs_tt": 5}}, **bearer(portal_token)
    )
    assert response.status_code == 409 and response.json()["code"] == "not_editable"


def test_another_units_token_cannot_write_and_cannot_tell_the_submission_exists(
    client, submission, other_token
):
    response = put_json(
        client, values_url(submission), {"values": {"hs_tt": 5}}, **bearer(other_token)
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    missing = put_json(
        client, "/api/v1/submissions/999999/values", {"values": {}}, **bearer(other_token)
    )
    assert missing.status_code == 404


def test_a_wrong_or_revoked_token_is_refused(client, submission, portal_token):
    from chiso.api.models import ApiToken

    wrong = put_json(client, values_url(submission), {"values": {}}, **bearer("chiso_guess"))
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"
    ApiToken.objects.get(user__username="cong-dvc").revoke()
    revoked = put_json(client, values_url(submission), {"values": {}}, **bearer(portal_token))
    assert revoked.status_code == 401


def test_the_portal_uploads_evidence_for_an_indicator(client, submission, portal_token):
    from chiso.assessments.models import Action, AuditEntry

    upload = io.BytesIO(PDF)
    upload.name = "bao-cao.pdf"
    response = client.post(
        f"/api/v1/submissions/{submission.pk}/evidence",
        {"file": upload, "codes": ["CQS.1"]},
        **bearer(portal_token),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "bao-cao.pdf" and body["content_type"] == "application/pdf"
    assert body["codes"] == ["CQS.1"] and len(body["sha256"]) == 64
    assert submission.evidence.get().uploaded_by.username == "cong-dvc"
    assert AuditEntry.objects.filter(action=Action.EVIDENCE_ADDED, submission=submission).exists()


def test_an_upload_that_is_not_a_document_is_rejected(client, submission, portal_token):
    upload = io.BytesIO(b"<html><script>alert(1)</script></html>")
    upload.name = "trick.pdf"
    response = client.post(
        f"/api/v1/submissions/{submission.pk}/evidence",
        {"file": upload, "codes": ["CQS.1"]},
        **bearer(portal_token),
    )
    assert response.status_code == 422 and response.json()["code"] == "evidence_rejected"
    assert "trick.pdf" in response.json()["message"]
    assert submission.evidence.count() == 0


def test_every_use_of_a_token_is_recorded(client, submission, portal_token):
    from chiso.api.models import ApiToken, TokenUse

    put_json(client, values_url(submission), {"values": {"hs_tong": 3}}, **bearer(portal_token))
    put_json(client, values_url(submission), {"values": {"hs_tt": "x"}}, **bearer(portal_token))
    uses = list(TokenUse.objects.order_by("at", "pk"))
    assert [(u.method, u.path, u.status) for u in uses] == [
        ("PUT", values_url(submission), 200),
        ("PUT", values_url(submission), 422),
    ]
    assert ApiToken.objects.get(user__username="cong-dvc").last_used_at is not None


def test_token_create_shows_the_secret_once_and_stores_only_its_hash(ham_rong, hac_thanh):
    from chiso.accounts import access
    from chiso.accounts.access import Perm
    from chiso.api.models import ApiToken, hash_token

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "token", "create", "--user", "lgsp", "--units", "14758", "14797", stdout=out, stderr=err
    )
    secret = out.getvalue().strip()
    assert secret.startswith("chiso_") and len(secret) > 40
    assert "only time" in err.getvalue()
    token = ApiToken.objects.get()
    assert token.digest == hash_token(secret) and secret not in str(token.__dict__)
    assert not token.user.has_usable_password()
    assert access.can(token.user, Perm.EDIT, ham_rong)
    assert access.can(token.user, Perm.EDIT, hac_thanh)
    listing = io.StringIO()
    call_command("token", "list", stdout=listing)
    assert "lgsp" in listing.getvalue() and secret not in listing.getvalue()
    call_command("token", "revoke", str(token.pk), stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_create_names_an_unknown_unit(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No unit with code 99999"):
        call_command("token", "create", "--user", "x", "--units", "99999", stdout=io.StringIO())


def test_an_admin_creates_a_token_in_the_back_office_and_sees_it_once(
    client, login, tuan, ham_rong
):
    from django.contrib.auth import get_user_model

    from chiso.api.models import ApiToken, hash_token

    tuan.is_staff = tuan.is_superuser = True
    tuan.save()
    system = get_user_model().objects.create(username="cong-dvc")
    login(tuan)
    response = client.post(
        "/admin/api/apitoken/add/", {"user": system.pk, "name": "Cổng DVC"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.split(": ")[-1] for m in shown if "chiso_" in m)
    token = ApiToken.objects.get()
    assert token.digest == hash_token(secret) and token.created_by == tuan
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert secret not in page


def test_a_system_with_a_wrong_token_is_told_to_send_a_valid_token_not_about_csrf(
    submission, portal_token
):
    # A system is not a browser: Django's test client skips the CSRF check, a real one does not.
    from django.test import Client

    system = Client(enforce_csrf_checks=True)
    for token in ("chiso_guess", ""):
        wrong = put_json(system, values_url(submission), {"values": {}}, **bearer(token))
        assert wrong.status_code == 401, wrong.content
        assert wrong.json()["code"] == "unauthorized"
    right = put_json(system, values_url(submission), {"values": {}}, **bearer(portal_token))
    assert right.status_code == 200, right.content


def test_a_system_s_figures_are_read_once_by_the_gate(
    client, submission, portal_token, engine_readings
):
    # A JSON number the input takes is placed as it is; a text is read by the engine once.
    response = put_json(
        client,
        values_url(submission),
        {"version": 0, "values": {"hs_tt": 950, "hs_tong": 1000, "XHS.1": "35,5"}},
        **bearer(portal_token),
    )
    assert response.status_code == 200, response.content
    assert engine_readings["read"] == 1
    assert engine_readings["rules"] == 1


def test_a_system_s_unreadable_figure_is_refused_naming_its_field(client, submission, portal_token):
    response = put_json(
        client,
        values_url(submission),
        {"version": 0, "values": {"hs_tt": "12,5", "nope": None}},
        **bearer(portal_token),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [d["loc"] for d in body["details"]] == [
        ["body", "values", "hs_tt"],
        ["body", "values", "nope"],
    ]
    assert not submission.values.exists()
