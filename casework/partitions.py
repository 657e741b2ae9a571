"""The journal's monthly partitions on PostgreSQL (migration 0032, docs/operations.md).

The beat creates each month's partition ahead (``journal_partitions_create``), through the
database function ``binome_journal_month_partition``: the application's role runs no DDL, the
function runs as the owner and creates that one table. Months are UTC months. SQLite, the
first-look database, has no partition: every function here is a no-op there.
"""

import datetime
from dataclasses import dataclass

from django.db import connection

#: How many months after the current one have their partition ready.
MONTHS_AHEAD = 3
TABLE = "casework_informationshare"
DEFAULT_PARTITION = f"{TABLE}_default"


def partitioned() -> bool:
    """Whether the journal is partitioned here (PostgreSQL, migrated)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def journal_partitions_create(
    *, today: datetime.date, since: datetime.date | None = None, months_ahead: int = MONTHS_AHEAD
) -> list[str]:
    """Create the partitions of the months from ``since`` (default: ``today``'s month) to
    ``months_ahead`` months after ``today``'s; return those created. Idempotent: a month that
    has its partition is left alone, and so is a month whose rows already sit in the default
    partition (the database warns; docs/operations.md)."""
    if not partitioned():
        return []
    month, last = month_start(since or today), month_start(today)
    for _ in range(months_ahead):
        last = _next_month(last)
    created = []
    with connection.cursor() as cursor:
        while month <= last:
            cursor.execute("SELECT binome_journal_month_partition(%s)", [month])
            name = cursor.fetchone()[0]
            if name is not None:
                created.append(name)
            month = _next_month(month)
    return created


@dataclass(frozen=True)
class JournalPartition:
    name: str
    bounds: str  # PostgreSQL's own words: FOR VALUES FROM (…) TO (…), or DEFAULT


def journal_partitions() -> list[JournalPartition]:
    """The journal's partitions, in the order of their months, the default one last."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass "
            "ORDER BY c.relname = %s, c.relname",
            [TABLE, DEFAULT_PARTITION],
        )
        return [JournalPartition(name, bounds) for name, bounds in cursor.fetchall()]
