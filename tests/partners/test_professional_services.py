import pytest
from django.contrib.auth.models import Group

from partners import services
from partners.enums import Role
from partners.errors import InvalidTransition, ProfessionalStillInPair
from partners.models import Organisation
from partners.permissions import FUNCTIONAL_ADMIN_GROUP
from tests.partners.factories import DepartmentFactory, OrganisationFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def test_professional_create_lowercases_email_and_grants_admin_group():
    organisation = OrganisationFactory()

    admin = services.professional_create(
        email=" Julie.Girard@Exemple.TEST",
        first_name="Julie",
        last_name="Girard",
        organisation=organisation,
        role=Role.ADMIN,
        acting_user=None,
    )

    assert (admin.email, admin.is_staff) == ("julie.girard@exemple.test", True)
    assert list(admin.groups.values_list("name", flat=True)) == [FUNCTIONAL_ADMIN_GROUP]
    assert admin.has_perm("partners.add_pair")
    assert not admin.has_perm("partners.delete_pair")


def test_professional_create_correspondent_must_be_social_worker():
    with pytest.raises(InvalidTransition) as error:
        services.professional_create(
            email="a@exemple.test",
            first_name="A",
            last_name="B",
            organisation=OrganisationFactory(),
            role=Role.ADVISOR,
            is_social_correspondent=True,
            acting_user=None,
        )

    assert error.value.message == (
        "Seul·e un·e travailleur·se social·e peut être correspondant·e social·e."
    )


def test_professional_update_role_from_admin_revokes_admin_group():
    admin = ProfessionalFactory(role=Role.ADMIN)

    services.professional_update(
        professional=admin, fields={"role": Role.AUDITOR}, acting_user=None
    )

    admin.refresh_from_db()
    assert (admin.is_staff, list(admin.groups.all())) == (False, [])
    assert Group.objects.filter(name=FUNCTIONAL_ADMIN_GROUP).exists()


def test_professional_update_role_refused_while_in_active_pair(pair):
    with refused(
        ProfessionalStillInPair,
        f"{pair.advisor.full_name} est membre d'un binôme en cours : "
        "terminez-le avant de changer son rôle.",
    ):
        services.professional_update(
            professional=pair.advisor, fields={"role": Role.SUPERVISOR}, acting_user=None
        )


def test_professional_deactivate_refused_while_in_active_pair(pair):
    with pytest.raises(ProfessionalStillInPair) as error:
        services.professional_deactivate(professional=pair.social_worker, acting_user=None)

    assert error.value.message.endswith(
        "confiez d'abord ses accompagnements à un autre binôme, puis terminez le binôme."
    )
    pair.social_worker.refresh_from_db()
    assert pair.social_worker.is_active


def test_professional_deactivate_keeps_the_row():
    professional = ProfessionalFactory()

    services.professional_deactivate(professional=professional, acting_user=None)

    professional.refresh_from_db()
    assert professional.is_active is False


def test_organisation_subtree_of_contains_descendants_only():
    department = DepartmentFactory()
    root = services.organisation_create(
        department=department, kind="department", name="Direction", acting_user=None
    )
    unit = services.organisation_create(
        department=department, kind="department", name="MDS", parent=root, acting_user=None
    )
    team = services.organisation_create(
        department=department, kind="department", name="Équipe", parent=unit, acting_user=None
    )
    sibling = services.organisation_create(
        department=department, kind="department", name="Autre", acting_user=None
    )

    assert set(Organisation.objects.subtree_of(unit)) == {unit, team}
    assert set(Organisation.objects.subtree_of(root)) == {root, unit, team}
    assert set(Organisation.objects.subtree_of(sibling)) == {sibling}
    assert (root.depth, unit.depth, team.depth) == (0, 1, 2)


def test_organisation_create_refuses_parent_of_other_department():
    parent = OrganisationFactory()

    with refused(
        InvalidTransition,
        "Une organisation ne peut dépendre que d'une organisation du même département.",
    ):
        services.organisation_create(
            department=DepartmentFactory(),
            kind="ccas",
            name="CCAS",
            parent=parent,
            acting_user=None,
        )
