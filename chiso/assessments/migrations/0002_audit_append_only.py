"""On PostgreSQL the database itself refuses to change or delete audit entries.

The application has no such path either (AuditEntry and its queryset refuse), but a
trigger also stops a stray SQL statement. TRUNCATE is left to the database owner:
Django's own test flush uses it. SQLite has no such triggers here: the model's
refusal is the guard there.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION chiso_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER chiso_audit_no_change
    BEFORE UPDATE OR DELETE ON assessments_auditentry
    FOR EACH ROW EXECUTE FUNCTION chiso_audit_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS chiso_audit_no_change ON assessments_auditentry;
DROP FUNCTION IF EXISTS chiso_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
