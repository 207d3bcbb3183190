"""On PostgreSQL a trigger refuses TRUNCATE of the audit trail too; the base manager is
the append-only one.

chiso runs as a role that does not own the tables (README, "On PostgreSQL"), which
cannot disable triggers and is not granted TRUNCATE. Should someone grant it, this
trigger still refuses. Only a role that owns the table (the one that migrates, which
could drop the trigger anyway) may truncate: Django's test flush and `demo --reset`
run as the owner.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION chiso_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user,
                   (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER chiso_audit_no_truncate
    BEFORE TRUNCATE ON assessments_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION chiso_audit_no_truncate();
"""

REVERSE = """
DROP TRIGGER IF EXISTS chiso_audit_no_truncate ON assessments_auditentry;
DROP FUNCTION IF EXISTS chiso_audit_no_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_audit_append_only")]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "base_manager_name": "objects",
                "ordering": ["at", "id"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit trail",
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
