"""The audit trail can be added to, never changed or deleted: not by a save, a delete,
a queryset update or delete, nor through the admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from chiso.assessments import services
from chiso.assessments.models import AuditEntry


@pytest.fixture
def entry(submission, lan):
    services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=None)
    return AuditEntry.objects.get()


def test_an_entry_cannot_be_saved_again(entry):
    entry.new = "99"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditEntry.objects.get().new == "35"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.count() == 1


def test_the_trail_cannot_be_updated_or_emptied_in_bulk(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(new="99")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_update([entry], ["new"])
    assert AuditEntry.objects.get().new == "35"


def test_the_admin_shows_the_trail_read_only(entry, client):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = root
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    client.force_login(root)
    listing = client.get(reverse("admin:assessments_auditentry_changelist"))
    assert listing.status_code == 200
    assert client.get(reverse("admin:assessments_auditentry_add")).status_code == 403
    client.post(reverse("admin:assessments_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    client.post(reverse("admin:assessments_auditentry_change", args=[entry.pk]), {"new": "99"})
    assert AuditEntry.objects.get().new == "35"


def test_the_database_refuses_a_stray_sql_update_or_delete(entry):
    """On PostgreSQL a trigger (migration 0002) refuses it; elsewhere the model does."""
    if connection.vendor == "postgresql":
        for statement in (
            "UPDATE assessments_auditentry SET new = '99'",
            "DELETE FROM assessments_auditentry",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(statement)
    else:
        with pytest.raises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).update(new="99")
        with pytest.raises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).new == entry.new
