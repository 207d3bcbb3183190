"""The audit trail can be added to, never changed or deleted: not by a save, a delete,
a queryset update or delete (of the default or the base manager), nor through the admin.

On PostgreSQL the database refuses too, and chiso runs as a role that does not own the
tables (README, "On PostgreSQL"): those tests run, as that role with the README's
grants, whenever the suite runs on PostgreSQL, and are not collected on SQLite.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from chiso.assessments import services
from chiso.assessments.models import Action, AuditEntry


@pytest.fixture
def entry(submission, lan):
    services.save_values(submission, {"XHS.1": 35}, user=lan, expected_version=None)
    return AuditEntry.objects.get(action=Action.VALUE_SET)


def test_an_entry_cannot_be_saved_again(entry):
    entry.new = "99"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditEntry.objects.get(action=Action.VALUE_SET).new == "35"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(action=Action.VALUE_SET).count() == 1


def test_the_trail_cannot_be_updated_or_emptied_in_bulk(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(new="99")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_update([entry], ["new"])
    assert AuditEntry.objects.get(action=Action.VALUE_SET).new == "35"


def test_the_base_manager_cannot_update_or_delete_either(entry):
    """Django uses the base manager for related objects and saves: it refuses as well."""
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.filter(pk=entry.pk).update(new="99")
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.bulk_update([entry], ["new"])
    assert AuditEntry._base_manager.get(pk=entry.pk).new == "35"


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
    assert AuditEntry.objects.get(action=Action.VALUE_SET).new == "35"


ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

if ON_POSTGRES:
    import psycopg

    from tests.grants import documented_grants

    @pytest.fixture
    def as_app_role(transactional_db):
        """A connection to the test database as a role that does not own the tables."""
        db = connection.settings_dict
        role = f"{db['NAME']}_app"[:60]
        with connection.cursor() as c:
            if role_exists(c, role):  # left over from an interrupted run
                c.execute(f'DROP OWNED BY "{role}"')
                c.execute(f'DROP ROLE "{role}"')
            c.execute(f'CREATE ROLE "{role}" LOGIN')
            for statement in documented_grants(f'"{role}"', f'"{db["USER"]}"'):
                c.execute(statement)
        conn = psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"], user=role, autocommit=True
        )
        try:
            yield conn
        finally:
            conn.close()
            with connection.cursor() as c:
                c.execute(f'DROP OWNED BY "{role}"')
                c.execute(f'DROP ROLE "{role}"')

    def role_exists(cursor, role: str) -> bool:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None

    def refused(conn, statement: str) -> str:
        with pytest.raises(psycopg.Error) as refusal:
            conn.execute(statement)
        return str(refusal.value)

    def test_the_app_role_writes_the_trail_with_the_documented_grants(as_app_role, entry):
        def count():
            return as_app_role.execute("SELECT count(*) FROM assessments_auditentry").fetchone()

        (before,) = count()
        as_app_role.execute(
            "INSERT INTO assessments_auditentry (at, action, code, old, new, "
            "reason) VALUES (now(), 'value_changed', 'XHS.1', '35', '36', '')"
        )
        assert count() == (before + 1,)

    def test_the_app_role_cannot_change_delete_or_empty_the_trail(as_app_role, entry):
        for statement in (
            "UPDATE assessments_auditentry SET new = '99'",
            "DELETE FROM assessments_auditentry",
        ):
            assert "append-only" in refused(as_app_role, statement), statement
        assert "permission denied" in refused(as_app_role, "TRUNCATE assessments_auditentry")
        assert AuditEntry.objects.get(pk=entry.pk).new == "35"

    def test_the_app_role_cannot_disable_the_trigger(as_app_role, entry):
        for statement in (
            "ALTER TABLE assessments_auditentry DISABLE TRIGGER chiso_audit_no_change",
            "ALTER TABLE assessments_auditentry DISABLE TRIGGER ALL",
            "DROP TRIGGER chiso_audit_no_change ON assessments_auditentry",
        ):
            assert "must be owner" in refused(as_app_role, statement), statement
        assert "append-only" in refused(as_app_role, "DELETE FROM assessments_auditentry")

    def test_a_truncate_is_refused_by_a_trigger_even_when_granted(as_app_role, entry):
        """Should someone grant TRUNCATE by mistake, the trigger still refuses it."""
        role = as_app_role.info.user
        with connection.cursor() as c:
            c.execute(f'GRANT TRUNCATE ON assessments_auditentry TO "{role}"')
        assert "append-only" in refused(as_app_role, "TRUNCATE assessments_auditentry")
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
