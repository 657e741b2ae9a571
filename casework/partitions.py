"""The monthly partitions of the journal (migration 0033) and of django-auditlog's table
(0034) on PostgreSQL (docs/deployment.md § 3).

The beat creates each month's partition ahead (``journal_partitions_create``), through the
database function ``binome_journal_month_partition``: the application's role runs no DDL, the
function runs as the owner and creates that one table. Months are UTC months. SQLite, the
first-look database, has no partition: every function here is a no-op there.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from casework.enums import FileStage
from casework.journal import verify
from casework.models import DetachedJournalMonth
from casework.retention import latest_start
from partners.models import Department

#: How many months after the current one have their partition ready.
MONTHS_AHEAD = 3
TABLE = "casework_informationshare"
DEFAULT_PARTITION = f"{TABLE}_default"
AUDIT_TABLE = "auditlog_logentry"


def partitioned(table: str = TABLE) -> bool:
    """Whether ``table`` (the journal, or the audit trail) is partitioned here (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def journal_partitions_create(
    *, today: datetime.date, since: datetime.date | None = None, months_ahead: int = MONTHS_AHEAD
) -> list[str]:
    """Create the journal's partitions of the months from ``since`` (default: ``today``'s
    month) to ``months_ahead`` months after ``today``'s; return those created. Idempotent: a
    month that has its partition is left alone, and so is a month whose rows already sit in the
    default partition (the database warns; docs/deployment.md § 3)."""
    return _create(TABLE, "binome_journal_month_partition", today, since, months_ahead)


def audit_partitions_create(
    *, today: datetime.date, since: datetime.date | None = None, months_ahead: int = MONTHS_AHEAD
) -> list[str]:
    """The same for django-auditlog's table (migration 0034)."""
    return _create(AUDIT_TABLE, "binome_audit_month_partition", today, since, months_ahead)


def _create(
    table: str,
    function: str,
    today: datetime.date,
    since: datetime.date | None,
    months_ahead: int,
) -> list[str]:
    if not partitioned(table):
        return []
    month, last = month_start(since or today), month_start(today)
    for _ in range(months_ahead):
        last = _next_month(last)
    created = []
    with connection.cursor() as cursor:
        while month <= last:
            cursor.execute(f"SELECT {function}(%s)", [month])  # noqa: S608 — a constant
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


class DetachRefused(Exception):
    """A month that may not leave the journal yet; the message says why, in French."""


@dataclass(frozen=True)
class DetachedMonth:
    table: str
    rows: int
    last_seqs: dict[str, int]  # department code -> the last row of its chain in the month


def retention_horizon(today: datetime.date) -> datetime.date:
    """The journal is kept as long as the longest archive of any department (docs/
    data-protection.md § 1): a month may leave it once it ended before this day. A partition
    holds every department's rows of its month, so the longest period decides."""
    longest = Department.objects.aggregate(
        years=Max(F("retention_active_years") + F("retention_archive_years"))
    )["years"]
    return latest_start(today, longest or 0)


@transaction.atomic
def journal_month_detach(*, month: datetime.date, today: datetime.date) -> DetachedMonth:
    """Detach the journal's oldest month (PostgreSQL, as the owner) once it is past the
    retention period of every department and no person it names still has a file (active or in
    the intermediate archive: the period of disputes); the chains it ends must be intact. Records
    where each department's chain stood at the month's end (``DetachedJournalMonth``), from
    which ``journal.verify`` starts. The detached table stays in the database, out of the
    journal, for the owner to dump to the archive and drop (docs/deployment.md § 3)."""
    month = month_start(month)
    table = f"{TABLE}_{month:%Y_%m}"
    months = [p.name for p in journal_partitions() if p.name != DEFAULT_PARTITION]
    if table not in months:
        raise DetachRefused(f"Le journal n'a pas de partition pour le mois {month:%m/%Y}.")
    if months[0] != table:
        raise DetachRefused(f"Détacher d'abord le mois le plus ancien ({months[0]}).")
    end = _next_month(month)
    if end > retention_horizon(today):
        raise DetachRefused(
            f"Le mois {month:%m/%Y} est encore dans la durée de conservation du journal "
            f"(détachable à partir du {_after_horizon(end, today):%d/%m/%Y})."
        )
    anchors, held, early = _month_facts(table, end)
    if early:
        raise DetachRefused(
            f"La partition par défaut contient {early} ligne(s) antérieure(s) au "
            f"{end:%d/%m/%Y} : les ranger d'abord dans leur mois (docs/deployment.md)."
        )
    if held:
        raise DetachRefused(
            f"{held} personne(s) nommée(s) dans ce mois ont encore un dossier (base active ou "
            "archive intermédiaire) : le mois est conservé."
        )
    departments = Department.objects.in_bulk([anchor[0] for anchor in anchors])
    for department_id, last_seq, _last_hash, _rows, straddling in anchors:
        department = departments[department_id]
        report = verify(department)
        if not report.intact:
            raise DetachRefused(f"Département {department.code} : {report.problem}")
        if straddling:
            raise DetachRefused(
                f"Département {department.code} : {straddling} ligne(s) d'un autre mois "
                f"précèdent la ligne n°{last_seq} ; le mois ne se détache pas seul."
            )
    now = timezone.now()
    for department_id, last_seq, last_hash, rows, _straddling in anchors:
        DetachedJournalMonth.objects.create(
            department=departments[department_id],
            month=month,
            rows=rows,
            last_seq=last_seq,
            last_hash=last_hash,
            table=table,
            detached_at=now,
        )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no check
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {table}")
    return DetachedMonth(
        table,
        sum(anchor[3] for anchor in anchors),
        {departments[anchor[0]].code: anchor[1] for anchor in anchors},
    )


def _after_horizon(end: datetime.date, today: datetime.date) -> datetime.date:
    day = today
    while end > retention_horizon(day):
        day = month_start(_next_month(day))
    return day


def _month_facts(
    table: str, end: datetime.date
) -> tuple[list[tuple[int, int, str, int, int]], int, int]:
    """Per department of the month: (id, last seq, its hash, rows, rows outside the month at
    or before that seq); how many people named still have a file; how many rows the default
    partition holds before ``end``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT last.department_id, last.seq, last.hash, counts.rows, "  # noqa: S608 — a partition's name
            f"  (SELECT count(*) FROM {TABLE} j WHERE j.department_id = last.department_id "
            f"   AND j.seq <= last.seq AND j.tableoid <> %s::regclass) "
            f"FROM (SELECT DISTINCT ON (department_id) department_id, seq, hash FROM {table} "
            f"      ORDER BY department_id, seq DESC) last "
            f"JOIN (SELECT department_id, count(*) AS rows FROM {table} GROUP BY 1) counts "
            f"  ON counts.department_id = last.department_id ORDER BY 1",
            [table],
        )
        anchors = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT count(DISTINCT b.id) FROM {table} j "  # noqa: S608 — a partition's name
            "JOIN casework_beneficiary b ON b.id = j.beneficiary_id WHERE b.file_stage <> %s",
            [FileStage.DISPOSED],
        )
        held = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE at < %s",  # noqa: S608 — constant
            [datetime.datetime.combine(end, datetime.time(), tzinfo=datetime.UTC)],
        )
        early = cursor.fetchone()[0]
    return anchors, held, early
