"""On PostgreSQL, django-auditlog's table becomes partitioned by month too (RANGE on
``timestamp``, UTC months), converted like the journal in 0033: the rows copied in this
migration's transaction, the identity sequence continued, the indexes, foreign keys and
triggers recreated. The primary key becomes ``(id, timestamp)`` in SQL (it must contain the
partition key); the model keeps ``id``, which the one sequence keeps unique. No chain here, so
no unique index per partition; each partition gets the TRUNCATE trigger, which PostgreSQL does
not clone. ``binome_audit_month_partition(date)`` creates a month (SECURITY DEFINER, for the
beat under the application's role). SQLite: nothing happens.
"""

from django.db import migrations

TABLE = "auditlog_logentry"
OLD = "auditlog_logentry_unpartitioned"
DEFAULT = "auditlog_logentry_default"
MONTHS_AHEAD = 3

MONTH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION binome_audit_month_partition(month date) RETURNS text AS $$
DECLARE
    lo timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
    hi timestamptz := (date_trunc('month', month::timestamp) + interval '1 month')
                      AT TIME ZONE 'UTC';
    part text := '{TABLE}_' || to_char(month, 'YYYY_MM');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM {DEFAULT} WHERE "timestamp" >= lo AND "timestamp" < hi) THEN
        RAISE WARNING 'Le mois % de la piste d''audit est dans sa partition par défaut : '
                      'partition non créée.', to_char(month, 'YYYY-MM');
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF {TABLE} FOR VALUES FROM (%L) TO (%L)',
                   part, lo, hi);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                   'EXECUTE FUNCTION binome_refuse_truncate()', part || '_no_truncate', part);
    RETURN part;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION binome_audit_month_partition(date) FROM PUBLIC;
"""


def _move_aside(cursor):
    """Lock the table, keep what recreates its indexes and keys, rename it and its sequence."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        [TABLE],
    )
    statements = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY 1",
        [TABLE],
    )
    statements += [
        f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}'
        for name, definition in cursor.fetchall()
    ]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD}_id_seq")
    return statements


def _copy_back(cursor, statements, primary_key):
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), last_value, is_called) "
        f"FROM {OLD}_id_seq"
    )
    cursor.execute(f"DROP TABLE {OLD}")
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({primary_key})")
    for statement in statements:
        cursor.execute(statement)
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION binome_refuse_change()"
    )
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION binome_refuse_truncate()"
    )
    cursor.execute(f"ANALYZE {TABLE}")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        statements = _move_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            'INCLUDING CONSTRAINTS) PARTITION BY RANGE ("timestamp")'
        )
        cursor.execute(MONTH_FUNCTION)
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        cursor.execute(
            f"CREATE TRIGGER {DEFAULT}_no_truncate BEFORE TRUNCATE ON {DEFAULT} "
            "FOR EACH STATEMENT EXECUTE FUNCTION binome_refuse_truncate()"
        )
        cursor.execute(
            "SELECT binome_audit_month_partition(month::date) FROM generate_series("
            f"  date_trunc('month', LEAST(now(), (SELECT min(\"timestamp\") FROM {OLD})) "
            "AT TIME ZONE 'UTC'),"
            f"  date_trunc('month', GREATEST(now(), (SELECT max(\"timestamp\") FROM {OLD})) "
            f"AT TIME ZONE 'UTC') + interval '{MONTHS_AHEAD} months', interval '1 month') AS month"
        )
        _copy_back(cursor, statements, 'id, "timestamp"')


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        statements = _move_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS)"
        )
        _copy_back(cursor, statements, "id")
        cursor.execute("DROP FUNCTION binome_audit_month_partition(date)")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0033_journal_partitioned_by_month"),
        ("auditlog", "__latest__"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
