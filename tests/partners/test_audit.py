import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection

from partners import services
from partners.audit import MASK, BulkWriteRefused, audited_bulk, audited_copy
from partners.enums import Role
from partners.models import Department, Organisation, Pair, Professional
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def bypass(model: str, operation: str) -> str:
    return (
        f"{model}: {operation}() contourne la piste d'audit ; "
        "passez par un service, ou par partners.audit.audited_bulk pour un lot."
    )


def test_queryset_update_refused_on_audited_models(pair):
    with refused(BulkWriteRefused, bypass("Pair", "update")):
        Pair.objects.filter(pk=pair.pk).update(started_on="2020-01-01")
    with refused(BulkWriteRefused, bypass("Professional", "update")):
        Professional.objects.filter(pk=pair.advisor.pk).update(is_active=False)


def test_queryset_delete_and_bulk_create_refused_on_audited_models(pair):
    with refused(BulkWriteRefused, bypass("Department", "delete")):
        Department.objects.all().delete()
    with refused(BulkWriteRefused, bypass("Department", "bulk_create")):
        Department.objects.bulk_create([Department(code="98", name="Autre")])


def test_audited_bulk_allows_the_batch_and_writes_one_audit_row():
    actor = ProfessionalFactory(role=Role.ADMIN)
    before = LogEntry.objects.count()

    with audited_bulk(model=Department, actor=actor, description="import de 2 départements"):
        Department.objects.bulk_create(
            [Department(code="97", name="Un"), Department(code="98", name="Deux")]
        )

    entry = LogEntry.objects.latest("pk")
    assert LogEntry.objects.count() == before + 1
    assert (entry.content_type, entry.actor, entry.object_repr) == (
        ContentType.objects.get_for_model(Department),
        actor,
        "Lot : import de 2 départements",
    )


def test_audited_bulk_writes_no_row_when_the_batch_fails():
    before = LogEntry.objects.count()

    with (
        pytest.raises(ZeroDivisionError),
        audited_bulk(model=Department, actor=None, description="échec"),
    ):
        _ = 1 / 0

    assert LogEntry.objects.count() == before
    with refused(BulkWriteRefused, bypass("Department", "update")):
        Department.objects.all().update(name="x")


def test_free_text_masked_in_audit_trail():
    department = DepartmentFactory()

    services.department_update(
        department=department,
        fields={"legal_basis_text": "Texte confidentiel de la base légale"},
        acting_user=None,
    )

    entry = LogEntry.objects.get_for_object(department).latest("pk")
    assert entry.changes_dict["legal_basis_text"] == [MASK, MASK]


def test_pair_end_audit_row_names_the_actor():
    pair = PairFactory()
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)

    services.pair_end(pair=pair, acting_user=admin)

    entry = LogEntry.objects.get_for_object(pair).latest("pk")
    assert (entry.action, entry.actor, entry.changes_dict["end_reason"]) == (
        LogEntry.Action.UPDATE,
        admin,
        ["", "other"],
    )


COPY_COLUMNS = ("department_id", "kind", "name", "path")


def _organisation_rows(department: Department, *paths: str) -> list[tuple[int, str, str, str]]:
    return [(department.pk, "other", f"Organisation {path}", path) for path in paths]


@pytest.mark.postgres
def test_audited_copy_writes_the_batch_and_one_audit_row():
    department = DepartmentFactory()
    before = LogEntry.objects.count()

    count = audited_copy(
        model=Organisation,
        actor=None,
        description="deux organisations",
        columns=COPY_COLUMNS,
        rows=_organisation_rows(department, "copie-a/", "copie-b/"),
    )

    assert count == 2
    assert sorted(
        Organisation.objects.filter(department=department).values_list("path", flat=True)
    ) == [
        "copie-a/",
        "copie-b/",
    ]
    entry = LogEntry.objects.latest("pk")
    assert LogEntry.objects.count() == before + 1
    assert (entry.content_type, entry.object_pk, entry.changes_text) == (
        ContentType.objects.get_for_model(Organisation),
        "*",
        "deux organisations : 2 ligne(s) chargée(s) par COPY",
    )


@pytest.mark.postgres
def test_audited_copy_writes_nothing_when_the_batch_fails():
    department = DepartmentFactory()
    before = LogEntry.objects.count()

    with pytest.raises(DatabaseError):
        audited_copy(
            model=Organisation,
            actor=None,
            description="doublon",
            columns=COPY_COLUMNS,
            rows=_organisation_rows(department, "copie-c/", "copie-c/"),  # the path is unique
        )

    assert LogEntry.objects.count() == before
    assert not Organisation.objects.filter(department=department).exists()


def test_audited_copy_refused_outside_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(BulkWriteRefused, match="PostgreSQL"):
        audited_copy(model=Organisation, actor=None, description="x", columns=COPY_COLUMNS, rows=[])
