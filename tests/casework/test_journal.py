import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import journal
from casework.enums import JournalBasis, JournalChannel
from casework.models import InformationShare
from partners.audit import BulkWriteRefused
from tests.casework.factories import CaseFactory
from tests.partners.factories import DepartmentFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _write(department, count: int, actor=None) -> list[InformationShare]:  # type: ignore[no-untyped-def]
    """``count`` rows after the actor's account creation (row 1 of a new department's chain)."""
    actor = actor or ProfessionalFactory(
        organisation__department=department, job_title="Conseillère"
    )
    return [
        journal.record(
            department=department,
            actor=actor,
            channel=JournalChannel.VIEW,
            purpose=f"Consultation {index}",
            categories=["social_notes"],
        )
        for index in range(count)
    ]


def tamper(sql: str, params: list[object]) -> None:
    """Change the journal behind the application's back, as an intruder with SQL access would
    (on PostgreSQL, after disabling the append-only trigger)."""
    trigger = "casework_informationshare_append_only"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
            cursor.execute(f"ALTER TABLE casework_informationshare DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE casework_informationshare ENABLE TRIGGER {trigger}")


def _verify_command(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_record_chains_rows_per_department():
    first, second = DepartmentFactory(), DepartmentFactory()

    rows = _write(first, 3) + _write(second, 2)

    assert [(r.department_id, r.seq) for r in rows] == [
        (first.pk, 2),
        (first.pk, 3),
        (first.pk, 4),
        (second.pk, 2),
        (second.pk, 3),
    ]
    creations = InformationShare.objects.filter(seq=1).order_by("department_id")
    assert [(c.department_id, c.channel, c.prev_hash) for c in creations] == [
        (first.pk, JournalChannel.GRANT, "0" * 64),
        (second.pk, JournalChannel.GRANT, "0" * 64),
    ]
    assert rows[1].prev_hash == rows[0].hash
    assert rows[0].prev_hash == creations[0].hash
    assert rows[3].prev_hash == creations[1].hash
    assert (rows[0].basis, rows[0].actor_job_title) == (JournalBasis.LEGAL, "Conseillère")


def test_canonical_json_sorted_utc_microseconds():
    row = dict.fromkeys(journal.HASHED_FIELDS)
    row.update(
        seq=1,
        prev_hash="0" * 64,
        at=datetime.datetime(
            2026, 11, 23, 10, 0, 0, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
        ),
        purpose="Accès",
    )

    text = journal.canonical_json(row)

    assert json.loads(text)["at"] == "2026-11-23T09:00:00.000005Z"
    assert list(json.loads(text)) == sorted(journal.HASHED_FIELDS)
    assert " " not in text.replace("Accès", "")


def test_record_takes_three_statements():
    department = DepartmentFactory()
    actor = ProfessionalFactory(organisation__department=department)  # the chain's head exists

    with CaptureQueriesContext(connection) as queries:
        _write(department, 1, actor)

    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    journal_statements = [s for s in statements if "ledgerhead" in s or "informationshare" in s]
    assert len(journal_statements) == 3
    assert "FOR UPDATE" in journal_statements[0] or connection.vendor == "sqlite"


def test_journal_refuses_update_delete_and_bulk():
    rows = _write(DepartmentFactory(), 1)

    for attempt in (
        lambda: InformationShare.objects.filter(pk=rows[0].pk).update(purpose="x"),
        lambda: InformationShare.objects.all().delete(),
        lambda: InformationShare._base_manager.all().delete(),
        lambda: InformationShare.objects.bulk_create([InformationShare()]),
    ):
        with refused(BulkWriteRefused, "Le journal des accès et des partages ne se modifie pas."):
            attempt()


def test_audit_verify_intact_exits_zero_and_counts():
    _write(DepartmentFactory(code="21"), 4)
    _write(DepartmentFactory(code="71"), 3)

    code, output = _verify_command()

    assert code == 0
    assert "9 lignes vérifiées." in output  # and the two actors' account creations


def test_audit_verify_names_modified_row():
    department = DepartmentFactory(code="21")
    rows = _write(department, 4)
    tamper(
        "UPDATE casework_informationshare SET purpose = %s WHERE id = %s",
        ["Rien à signaler", rows[2].pk],
    )

    code, output = _verify_command()

    assert code == 1
    assert f"ligne n°4 (id {rows[2].pk}) : contenu modifié" in output


def test_audit_verify_detects_missing_row():
    rows = _write(DepartmentFactory(code="21"), 4)
    tamper("DELETE FROM casework_informationshare WHERE id = %s", [rows[1].pk])

    code, output = _verify_command()

    assert code == 1
    assert f"ligne n°4 (id {rows[2].pk}) : numéro attendu 3" in output


def test_audit_verify_detects_truncated_end():
    rows = _write(DepartmentFactory(code="21"), 3)
    tamper("DELETE FROM casework_informationshare WHERE id = %s", [rows[2].pk])

    code, output = _verify_command()

    assert code == 1
    assert "la tête indique la ligne n°4, le journal s'arrête à la ligne n°3" in output


def test_case_services_journal_grants():
    case = CaseFactory()

    rows = list(InformationShare.objects.filter(case=case).values_list("channel", "recipient"))

    assert [channel for channel, _ in rows] == ["grant"]
    assert rows[0][1].startswith(f"Binôme n°{case.pair_id}")


def test_journal_categories_read_in_french():
    row = InformationShare(category="obstacles:housing,social_summary")

    assert row.category_labels_for_social_side == "Difficultés : logement, Synthèse sociale"


def test_journal_names_secret_categories_only_for_the_social_side_or_when_shared():
    """The social side's own reads name their categories to its social workers only; a row
    of what crossed under an accord de partage names what crossed."""
    own = InformationShare(category="obstacles:health,professional_situation,social_notes")
    shared = InformationShare(category="obstacles:housing", basis_agreement_id=1)

    assert own.category_labels == "Éléments du côté social, Situation professionnelle"
    assert own.category_labels_for_social_side == (
        "Difficultés : santé, Situation professionnelle, Notes sociales"
    )
    assert shared.category_labels == "Difficultés : logement"
