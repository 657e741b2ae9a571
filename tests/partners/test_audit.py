import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from partners import services
from partners.audit import MASK, BulkWriteRefused, audited_bulk
from partners.enums import Role
from partners.models import Department, Pair, Professional
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def test_queryset_update_refused_on_audited_models(pair):
    with pytest.raises(BulkWriteRefused):
        Pair.objects.filter(pk=pair.pk).update(started_on="2020-01-01")
    with pytest.raises(BulkWriteRefused):
        Professional.objects.filter(pk=pair.advisor.pk).update(is_active=False)


def test_queryset_delete_and_bulk_create_refused_on_audited_models(pair):
    with pytest.raises(BulkWriteRefused):
        Department.objects.all().delete()
    with pytest.raises(BulkWriteRefused):
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
    with pytest.raises(BulkWriteRefused):
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
