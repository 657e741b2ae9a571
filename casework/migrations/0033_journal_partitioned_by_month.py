"""On PostgreSQL, the journal of accesses and shares becomes a table partitioned by month
(declarative RANGE partitioning on ``at``, months in UTC), converted in place, in this
migration's transaction: the rows are copied into the partitioned table, whose identity
sequence continues the old one, then the old table is dropped. SQLite (the first-look
database) keeps its plain table: nothing happens there.

- One partition per month from the oldest row's month to three months ahead, and a DEFAULT
  partition: a journal write is part of the business transaction and must never fail because
  the beat task that creates months ahead (``casework.tasks.create_journal_partitions``) did not
  run. A month whose rows already sit in the default partition is not created afterwards (the
  function warns; docs/deployment.md § 3 says how to move them).
- ``binome_journal_month_partition(date)`` creates a month's partition (idempotent); it is
  SECURITY DEFINER so that the application's role, which owns nothing and runs no DDL, can
  call it from the beat task and nothing else.
- Every partition carries UNIQUE (department_id, seq) and UNIQUE (department_id, prev_hash)
  (a unique constraint on the parent would have to include ``at``, which would let a fork
  through) and the TRUNCATE trigger, which PostgreSQL does not clone to partitions; the row
  trigger that refuses UPDATE and DELETE is created on the parent and cloned to each partition.
- Across months, ``binome_journal_refuse_fork`` (BEFORE INSERT, per row) takes a transaction
  lock on the department's chain and refuses a row whose ``seq`` or ``prev_hash`` the department
  already has in any partition: what the old table-wide unique constraints did
  (docs/architecture.md, « The journal partitioned by month »). Its probes always use the
  partitions' unique indexes (``enable_seqscan`` off in the function): its plan is made once,
  maybe while the partitions are still empty.
"""

from django.db import migrations

TABLE = "casework_informationshare"
OLD = "casework_informationshare_unpartitioned"
DEFAULT = "casework_informationshare_default"
MONTHS_AHEAD = 3

GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION binome_journal_guard_partition(part text) RETURNS void AS $$
BEGIN
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (department_id, seq)',
                   part || '_seq', part);
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (department_id, prev_hash)',
                   part || '_prev_hash', part);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', part || '_no_truncate', part);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                   'EXECUTE FUNCTION binome_refuse_truncate()', part || '_no_truncate', part);
END;
$$ LANGUAGE plpgsql SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION binome_journal_guard_partition(text) FROM PUBLIC;
"""

MONTH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION binome_journal_month_partition(month date) RETURNS text AS $$
DECLARE
    lo timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
    hi timestamptz := (date_trunc('month', month::timestamp) + interval '1 month')
                      AT TIME ZONE 'UTC';
    part text := '{TABLE}_' || to_char(month, 'YYYY_MM');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM {DEFAULT} WHERE at >= lo AND at < hi) THEN
        RAISE WARNING 'Le mois % du journal est dans sa partition par défaut : partition non '
                      'créée (docs/deployment.md § 3).', to_char(month, 'YYYY-MM');
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF {TABLE} FOR VALUES FROM (%L) TO (%L)',
                   part, lo, hi);
    PERFORM binome_journal_guard_partition(part);
    RETURN part;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION binome_journal_month_partition(date) FROM PUBLIC;
"""

FORK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION binome_journal_refuse_fork() RETURNS trigger AS $$
BEGIN
    -- One chain per department: inserts of a department wait for each other here, as the
    -- application's writers already do on the department's LedgerHead row.
    PERFORM pg_advisory_xact_lock(26, NEW.department_id::integer);
    IF EXISTS (SELECT 1 FROM {TABLE}
               WHERE department_id = NEW.department_id AND seq = NEW.seq)
       OR EXISTS (SELECT 1 FROM {TABLE}
                  WHERE department_id = NEW.department_id AND prev_hash = NEW.prev_hash) THEN
        RAISE EXCEPTION 'Le journal du département % a déjà une ligne n°% ou une ligne qui '
                        'suit la même (fourche refusée).', NEW.department_id, NEW.seq
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql SET search_path = public, pg_temp SET enable_seqscan = off;
"""


def _definitions(cursor, table):
    """The table's plain indexes and foreign keys, as SQL that recreates them on ``table``."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        [table],
    )
    statements = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY 1",
        [table],
    )
    statements += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for name, definition in cursor.fetchall()
    ]
    return statements


def _move_aside(cursor):
    """Lock the journal, keep what recreates its indexes, rename it and its sequence aside."""
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    statements = _definitions(cursor, TABLE)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD}_id_seq")
    return statements


def _copy_back(cursor, statements):
    """Copy the rows, continue the sequence, drop the old table, recreate indexes and keys."""
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), last_value, is_called) "
        f"FROM {OLD}_id_seq"
    )
    cursor.execute(f"DROP TABLE {OLD}")
    for statement in statements:
        cursor.execute(statement)


def _append_only_triggers(cursor):
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION binome_refuse_change()"
    )
    cursor.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION binome_refuse_truncate()"
    )


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        statements = _move_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS) PARTITION BY RANGE (at)"
        )
        cursor.execute(GUARD_FUNCTION)
        cursor.execute(MONTH_FUNCTION)
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        cursor.execute("SELECT binome_journal_guard_partition(%s)", [DEFAULT])
        cursor.execute(
            "SELECT binome_journal_month_partition(month::date) FROM generate_series("
            f"  date_trunc('month', LEAST(now(), (SELECT min(at) FROM {OLD})) AT TIME ZONE 'UTC'),"
            f"  date_trunc('month', GREATEST(now(), (SELECT max(at) FROM {OLD})) AT TIME ZONE "
            f"'UTC') + interval '{MONTHS_AHEAD} months', interval '1 month') AS month"
        )
        _copy_back(cursor, statements)
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)")
        _append_only_triggers(cursor)
        cursor.execute(FORK_FUNCTION)
        cursor.execute(
            f"CREATE TRIGGER {TABLE}_refuse_fork BEFORE INSERT ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION binome_journal_refuse_fork()"
        )
        cursor.execute(f"ANALYZE {TABLE}")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        statements = _move_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS)"
        )
        _copy_back(cursor, statements)
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT journal_unique_seq UNIQUE (department_id, seq)"
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT journal_unique_prev_hash "
            "UNIQUE (department_id, prev_hash)"
        )
        _append_only_triggers(cursor)
        cursor.execute("DROP FUNCTION binome_journal_refuse_fork()")
        cursor.execute("DROP FUNCTION binome_journal_month_partition(date)")
        cursor.execute("DROP FUNCTION binome_journal_guard_partition(text)")


class Migration(migrations.Migration):
    # The conversion holds the journal's ACCESS EXCLUSIVE lock until it commits.
    atomic = True

    dependencies = [("casework", "0032_journal_detached_months")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
