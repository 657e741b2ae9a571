"""The journal partitioned by month on PostgreSQL (migration 0033): rows land in their month,
every partition refuses changes, no fork across months, the beat creates months ahead, and the
migration converts a journal that holds rows with its chain intact."""

import datetime
import threading

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from casework import heads, journal, partitions, tasks
from casework.enums import FileStage, JournalChannel
from casework.models import InformationShare
from tests.casework.factories import BeneficiaryFactory
from tests.casework.test_journal_postgres import _verify
from tests.partners.factories import DepartmentFactory

pytestmark = pytest.mark.postgres

TABLE = "casework_informationshare"
BEFORE, PARTITIONED = "0032_journal_detached_months", "0034_audit_trail_partitioned_by_month"
AUDIT = "auditlog_logentry"


def _far_month(today: datetime.date, years: int) -> datetime.date:
    """A month no other test writes in, so that its partition is this test's own."""
    return today.replace(year=today.year + years, day=1)


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _record(department, purpose: str = "Consultation") -> InformationShare:  # type: ignore[no-untyped-def]
    return journal.record(
        department=department, actor=None, channel=JournalChannel.VIEW, purpose=purpose
    )


def _partition_of(share: InformationShare) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [share.pk])  # noqa: S608 — a table named by the test
        return cursor.fetchone()[0]


def _assert_refused(*attempts: tuple[str, str]) -> None:
    """Each statement is refused by the database with its message."""
    for statement, refusal in attempts:
        with (
            pytest.raises(DatabaseError, match=refusal),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


@pytest.mark.django_db
def test_journal_partitions_create_makes_this_month_and_next_ones_once(today):
    month = _far_month(today, 20)
    months = [month]
    for _ in range(4):
        months.append((months[-1] + datetime.timedelta(days=32)).replace(day=1))
    names = [f"{TABLE}_{each:%Y_%m}" for each in months[:4]]

    assert partitions.journal_partitions_create(today=month) == names
    assert partitions.journal_partitions_create(today=month) == []
    bounds = {p.name: p.bounds for p in partitions.journal_partitions()}
    assert bounds[names[0]] == (
        f"FOR VALUES FROM ('{months[0]} 00:00:00+00') TO ('{months[1]} 00:00:00+00')"
    )
    assert bounds[partitions.DEFAULT_PARTITION] == "DEFAULT"


@pytest.mark.django_db
def test_a_new_month_has_the_journals_indexes_and_none_on_a_lone_foreign_key(today):
    month = _far_month(today, 21)
    (name, *_) = partitions.journal_partitions_create(today=month)

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [name])
        indexes = [row[0].split(" USING btree ", 1)[1] for row in cursor.fetchall()]
    columns = sorted(index.split(" WHERE ")[0] for index in indexes)

    # migration 0035: the (x, at) indexes serve the foreign keys read with « at »
    assert columns == [
        "(actor_id, at)",
        "(basis_agreement_id)",
        "(beneficiary_id, at)",
        "(case_id, at)",
        "(department_id, at)",
        "(department_id, at)",  # the rights' changes only (partial)
        "(department_id, prev_hash)",
        "(department_id, seq)",
        "(id, at)",
    ]


@pytest.mark.django_db
def test_create_journal_partitions_task_prepares_the_months_ahead(today):
    month = _far_month(today, 21)
    with time_machine.travel(_noon(month), tick=False):
        created = tasks.create_journal_partitions()
        again = tasks.create_journal_partitions()

    assert (len(created), created[0], created[4], again) == (
        8,
        f"{TABLE}_{month:%Y_%m}",
        f"{AUDIT}_{month:%Y_%m}",
        [],
    )
    assert settings.CELERY_BEAT_SCHEDULE["create-journal-partitions"]["task"] == (
        tasks.create_journal_partitions.name
    )


@pytest.mark.django_db
def test_journal_rows_land_in_their_month_partition_or_the_default_one(today):
    department = DepartmentFactory()
    month, unprepared = _far_month(today, 22), _far_month(today, 23)
    partitions.journal_partitions_create(today=month, months_ahead=0)
    with time_machine.travel(_noon(month), tick=False):
        first = _record(department)
    with time_machine.travel(_noon(unprepared), tick=False):
        second = _record(department)

    assert [_partition_of(first), _partition_of(second)] == [
        f"{TABLE}_{month:%Y_%m}",
        partitions.DEFAULT_PARTITION,
    ]
    # The month whose rows sit in the default partition does not get a partition later.
    assert partitions.journal_partitions_create(today=unprepared, months_ahead=0) == []
    assert journal.verify(department).problem == ""


@pytest.mark.django_db
def test_every_partition_refuses_update_delete_and_truncate(today):
    department = DepartmentFactory()
    month = _far_month(today, 24)
    partitions.journal_partitions_create(today=month, months_ahead=0)
    with time_machine.travel(_noon(month), tick=False):
        row = _record(department)
    part = _partition_of(row)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no pending check

    _assert_refused(
        (f"UPDATE {part} SET purpose = 'x'", f"Le journal {part} ne se modifie pas"),  # noqa: S608 — a table named by the test
        (f"DELETE FROM {part}", f"Le journal {part} ne se modifie pas"),  # noqa: S608 — a table named by the test
        (f"TRUNCATE {part}", f"Le journal {part} ne se vide pas"),
        (f"TRUNCATE {TABLE}", f"Le journal {TABLE} ne se vide pas"),
    )
    assert InformationShare.objects.filter(department=department).count() == 1


@pytest.mark.django_db
def test_a_fork_into_another_month_is_refused(today):
    """The unique indexes hold within a partition; a row that repeats a ``seq`` or a
    ``prev_hash`` of its department in another month is refused by the insert trigger."""
    department = DepartmentFactory()
    month, later = _far_month(today, 25), _far_month(today, 26)
    partitions.journal_partitions_create(today=month, months_ahead=0)
    partitions.journal_partitions_create(today=later, months_ahead=0)
    with time_machine.travel(_noon(month), tick=False):
        first, second = _record(department, "Consultation 1"), _record(department, "Vue 2")

    for seq, prev_hash in ((second.seq, "f" * 64), (second.seq + 1, second.prev_hash)):
        with (
            pytest.raises(DatabaseError, match="fourche refusée") as refusal,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"INSERT INTO {TABLE} (department_id, seq, prev_hash, hash, at, "  # noqa: S608 — a table named by the test
                "actor_organisation, actor_job_title, object_type, object_id, category, "
                "recipient, basis, purpose, channel, request_id) "
                "VALUES (%s, %s, %s, %s, %s, '', '', '', '', '', '', 'legal', 'Fourche', "
                "'view', '')",
                [department.pk, seq, prev_hash, "e" * 64, _noon(later)],
            )
        assert f"Le journal du département {department.pk} a déjà une ligne n°{seq}" in str(
            refusal.value
        )
    assert first.seq == 1
    assert journal.verify(department).problem == ""


@pytest.mark.django_db(transaction=True)
def test_migration_converts_a_journal_with_rows_and_keeps_its_chain(today):
    """Back to plain tables and forward again, with journal rows of two departments over three
    months (one in the default partition) and audit rows: every row kept, same ids, chains
    intact, ids continue."""
    departments = [DepartmentFactory(code="21"), DepartmentFactory(code="58")]
    for days_ago in (70, 35, 0):
        with time_machine.travel(_noon(today - datetime.timedelta(days=days_ago)), tick=False):
            for department in departments:
                _record(department, f"Consultation à J-{days_ago}")
    rows = list(InformationShare.objects.order_by("id").values_list("id", "department", "seq"))
    entries = _entries()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("casework", BEFORE)])
        assert (_relkind(), _relkind(AUDIT)) == ("r", "r")
        assert (_rows(), _entries()) == (rows, entries)
        assert _verify()[0] == 0
    finally:
        executor.loader.build_graph()
        executor.migrate([("casework", PARTITIONED)])

    assert (_relkind(), _relkind(AUDIT)) == ("p", "p")
    assert (_rows(), _entries()) == (rows, entries)
    assert len(entries) >= 2  # the departments' creations at least
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partitions.DEFAULT_PARTITION}")  # noqa: S608 — a table named by the test
        assert cursor.fetchone() == (0,)  # every month present got its partition
    assert _verify() == (
        0,
        "Département 21 : 3 lignes, intact.\nDépartement 58 : 3 lignes, intact.\n"
        "6 lignes vérifiées.\n",
    )
    after = _record(departments[0])
    assert (after.pk > rows[-1][0], after.seq) == (True, 4)
    DepartmentFactory(code="89")
    assert LogEntry.objects.order_by("id").last().pk > entries[-1][0]


def _relkind(table: str = TABLE) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def _entries() -> list[tuple[int, str, int]]:
    return list(LogEntry.objects.order_by("id").values_list("id", "object_pk", "action"))


@pytest.mark.django_db
def test_audit_rows_land_in_their_month_and_every_partition_refuses_changes(today):
    month = _far_month(today, 27)
    assert partitions.audit_partitions_create(today=month, months_ahead=0) == [
        f"{AUDIT}_{month:%Y_%m}"
    ]
    with time_machine.travel(_noon(month), tick=False):
        DepartmentFactory()
    entry = LogEntry.objects.order_by("id").last()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {AUDIT} WHERE id = %s", [entry.pk])  # noqa: S608 — a table named by the test
        part = cursor.fetchone()[0]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no pending check
    assert part == f"{AUDIT}_{month:%Y_%m}"

    _assert_refused(
        (f"UPDATE {part} SET object_repr = 'x'", f"Le journal {part} ne se modifie pas"),  # noqa: S608 — a table named by the test
        (f"DELETE FROM {part}", f"Le journal {part} ne se modifie pas"),  # noqa: S608 — a table named by the test
        (f"TRUNCATE {part}", f"Le journal {part} ne se vide pas"),
    )


def _rows() -> list[tuple[int, int, int]]:
    return list(InformationShare.objects.order_by("id").values_list("id", "department", "seq"))


@pytest.mark.django_db
def test_journal_month_detach_refuses_until_the_month_may_go_then_keeps_the_chain(today):
    department = DepartmentFactory(code="21")  # kept 2 + 5 years (the defaults)
    month = _far_month(today, -9)
    older = _far_month(today, -10)
    partitions.journal_partitions_create(today=month, months_ahead=0)
    person = BeneficiaryFactory(department=department)
    with time_machine.travel(_noon(month), tick=False):
        first = _record(department, "Compte créé")
        journal.record(
            department=department,
            actor=None,
            channel=JournalChannel.VIEW,
            purpose="Consultation",
            beneficiary=person,
        )
    _record(department, "Aujourd'hui")

    def refusal(**kwargs: object) -> str:
        with pytest.raises(partitions.DetachRefused) as refused:
            partitions.journal_month_detach(**{"month": month, "today": today, **kwargs})
        return str(refused.value)

    assert refusal(month=month.replace(month=month.month % 12 + 1)) == (
        "Le journal n'a pas de partition pour le mois "
        f"{month.replace(month=month.month % 12 + 1):%m/%Y}."
    )
    assert refusal() == (
        "1 personne(s) nommée(s) dans ce mois ont encore un dossier (base active ou archive "
        "intermédiaire) : le mois est conservé."
    )
    person.file_stage = FileStage.DISPOSED
    person.save(update_fields=["file_stage"])
    assert refusal(today=month.replace(year=month.year + 2)).startswith(
        f"Le mois {month:%m/%Y} est encore dans la durée de conservation du journal"
    )
    partitions.journal_partitions_create(today=older, months_ahead=0)
    assert refusal() == f"Détacher d'abord le mois le plus ancien ({TABLE}_{older:%Y_%m})."

    assert partitions.journal_month_detach(month=older, today=today) == partitions.DetachedMonth(
        f"{TABLE}_{older:%Y_%m}", 0, {}
    )
    assert partitions.journal_month_detach(month=month, today=today) == partitions.DetachedMonth(
        f"{TABLE}_{month:%Y_%m}", 2, {"21": 2}
    )
    names = [p.name for p in partitions.journal_partitions()]
    assert (f"{TABLE}_{month:%Y_%m}" in names, InformationShare.objects.count()) == (False, 1)
    # The chain starts after the detached month's last row, and goes on.
    last = _record(department, "Demain")
    assert journal.verify(department) == journal.ChainReport("21", 2)
    assert _verify() == (0, "Département 21 : 2 lignes, intact.\n2 lignes vérifiées.\n")
    # A head published inside the detached month is no divergence.
    published = [("21", heads.Head(1, first.hash)), ("21", heads.Head(4, last.hash))]
    assert [c.ok for c in heads.verify_published(published)] == [True]
    forged = [("21", heads.Head(4, "0" * 64))]
    assert [c.ok for c in heads.verify_published(forged)] == [False]


@pytest.mark.django_db
def test_journal_detach_month_command_says_why_it_refuses():
    for argument, message in (
        ("1990-01", "Le journal n'a pas de partition pour le mois 01/1990."),
        ("janvier", "Mois attendu sous la forme AAAA-MM : janvier"),
    ):
        with pytest.raises(CommandError) as refused:
            call_command("journal_detach_month", argument)
        assert str(refused.value) == message


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_forks_into_two_months_one_is_refused(today):
    """Two writers that bypass the head's lock insert the same next ``seq`` into two months at
    once: the trigger's lock on the department makes the second see the first, and refuse."""
    department = DepartmentFactory()
    first = _record(department)
    months = [_far_month(today, 28), _far_month(today, 29)]
    for month in months:
        partitions.journal_partitions_create(today=month, months_ahead=0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def fork(month: datetime.date) -> None:
        try:
            barrier.wait()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (department_id, seq, prev_hash, hash, at, "  # noqa: S608 — a table named by the test
                    "actor_organisation, actor_job_title, object_type, object_id, category, "
                    "recipient, basis, purpose, channel, request_id) "
                    "VALUES (%s, %s, %s, %s, %s, '', '', '', '', '', '', 'legal', 'Fourche', "
                    "'view', '')",
                    [department.pk, first.seq + 1, first.hash, month.isoformat() * 6, _noon(month)],
                )
                cursor.execute("SELECT pg_sleep(0.2)")  # the other one waits meanwhile
            outcomes.append("inserted")
        except DatabaseError as error:
            outcomes.append("refused" if "fourche refusée" in str(error) else str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fork, args=(month,)) for month in months]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        forks = InformationShare.objects.filter(department=department, seq=first.seq + 1).count()
    finally:  # the partitions were committed: not left to the next tests
        with connection.cursor() as cursor:
            for month in months:
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}_{month:%Y_%m}")

    assert (sorted(outcomes), forks) == (["inserted", "refused"], 1)


@pytest.mark.django_db
def test_a_case_journal_reads_the_months_from_the_case_on_and_every_row_of_it(today):
    from casework import selectors
    from tests.casework.factories import CaseFactory

    months = [_far_month(today, 24), _far_month(today, 25)]
    for month in months:
        partitions.journal_partitions_create(today=month, months_ahead=0)
    with time_machine.travel(_noon(months[0]), tick=False):
        older = CaseFactory(proposed_on=months[0])
    with time_machine.travel(_noon(months[1]), tick=False):
        case = CaseFactory(proposed_on=months[1])
        rows = [journal.record_person_act(case=c, purpose="Accord") for c in (older, case)]

    plan = "\n".join(row[0] for row in _explain(selectors.case_journal(case)))

    assert f"{TABLE}_{months[1]:%Y_%m}" in plan
    assert f"{TABLE}_{months[0]:%Y_%m}" not in plan
    for each, row in zip((older, case), rows, strict=True):
        read = list(selectors.case_journal(each))
        assert row in read
        assert set(read) == set(InformationShare.objects.filter(case=each))


def _explain(queryset) -> list[tuple[str]]:  # type: ignore[no-untyped-def]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return cursor.fetchall()
