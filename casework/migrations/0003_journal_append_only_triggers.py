"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the journal of accesses and
shares and on django-auditlog's table (SQLite, the first-look database, has no such trigger)."""

from django.db import migrations

TABLES = ("casework_informationshare", "auditlog_logentry")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION binome_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le journal % ne se modifie pas (% refusé).', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION binome_refuse_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS binome_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_journal_and_sharing_agreements"),
        ("auditlog", "__latest__"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
