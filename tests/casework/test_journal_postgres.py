"""The journal under concurrent writers, and the database triggers that keep it append-only."""

import threading
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from casework import journal
from casework.enums import JournalChannel
from casework.models import InformationShare, LedgerHead
from tests.casework.test_journal import tamper
from tests.partners.factories import DepartmentFactory, ProfessionalFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS, ROWS_EACH = 4, 50


def _verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_concurrent_writers_make_one_gapless_chain():
    department = DepartmentFactory()
    actors = [ProfessionalFactory(organisation__department=department) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def write(actor) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            for index in range(ROWS_EACH):
                journal.record(
                    department=department,
                    actor=actor,
                    channel=JournalChannel.VIEW,
                    purpose=f"Consultation {index}",
                )
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(
        InformationShare.objects.filter(department=department)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    # the actors' account creations, then the threads' rows
    assert seqs == list(range(1, THREADS + THREADS * ROWS_EACH + 1))
    assert _verify() == (
        0,
        f"Département {department.code} : 204 lignes, intact.\n204 lignes vérifiées.\n",
    )


def test_database_refuses_update_and_delete_on_journal_and_audit():
    department = DepartmentFactory()
    row = journal.record(
        department=department, actor=None, channel=JournalChannel.VIEW, purpose="Consultation"
    )
    entry = LogEntry.objects.first()
    assert entry is not None

    for statement, params in (
        ("UPDATE casework_informationshare SET purpose = 'x' WHERE id = %s", [row.pk]),
        ("DELETE FROM casework_informationshare WHERE id = %s", [row.pk]),
        ("UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s", [entry.pk]),
        ("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk]),
    ):
        with (
            pytest.raises(DatabaseError, match="ne se modifie pas"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)


def test_database_refuses_truncate_on_journal_audit_and_heads():
    department = DepartmentFactory()
    journal.record(
        department=department, actor=None, channel=JournalChannel.VIEW, purpose="Consultation"
    )
    ProfessionalFactory(organisation__department=department)  # an audit row, a journal row
    counts = (
        InformationShare.objects.count(),
        LedgerHead.objects.count(),
        LogEntry.objects.count(),
    )

    for statement, table in (
        ("TRUNCATE casework_informationshare", "casework_informationshare"),
        ("TRUNCATE auditlog_logentry", "auditlog_logentry"),
        ("TRUNCATE casework_ledgerhead CASCADE", "casework_ledgerhead"),
        # The cascade reaches the three tables: whichever trigger fires first refuses.
        (
            "TRUNCATE partners_department CASCADE",
            "(casework_informationshare|casework_ledgerhead|auditlog_logentry)",
        ),
    ):
        with (
            pytest.raises(
                DatabaseError, match=f"Le journal {table} ne se vide pas \\(TRUNCATE refusé\\)"
            ),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    assert counts[:2] == (2, 1)
    assert counts[2] > 0
    assert (
        InformationShare.objects.count(),
        LedgerHead.objects.count(),
        LogEntry.objects.count(),
    ) == counts


def test_row_altered_with_trigger_disabled_is_named_by_audit_verify():
    department = DepartmentFactory()
    rows = [
        journal.record(
            department=department, actor=None, channel=JournalChannel.VIEW, purpose=f"n°{i}"
        )
        for i in range(5)
    ]
    tamper("UPDATE casework_informationshare SET channel = 'export' WHERE id = %s", [rows[3].pk])

    code, output = _verify()

    assert code == 1
    assert f"ligne n°4 (id {rows[3].pk}) : contenu modifié" in output
