"""On PostgreSQL, the database refuses TRUNCATE on the journal, on django-auditlog's table and on
the journal's heads: row triggers (0003) do not fire on TRUNCATE, which could empty a chain and
reset its head unnoticed. A statement-level trigger refuses a TRUNCATE that would remove rows; an
empty table may be truncated, which loses nothing (the test runner's flush between transactional
tests empties these tables first, as the owner would, with triggers off). SQLite has none."""

from django.db import migrations

TABLES = ("casework_informationshare", "auditlog_logentry", "casework_ledgerhead")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION binome_refuse_truncate() RETURNS trigger AS $$
DECLARE
    has_rows boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
        INTO has_rows;
    IF has_rows THEN
        RAISE EXCEPTION 'Le journal % ne se vide pas (TRUNCATE refusé).', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION binome_refuse_truncate()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS binome_refuse_truncate()")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0010_covering_indexes_for_supervision"),
        ("auditlog", "__latest__"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
