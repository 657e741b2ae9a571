"""Every list page issues the same number of queries for few rows and for many."""

import pytest
from django.urls import reverse

from partners import services
from partners.enums import OrganisationKind, Role
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

SIZES = [3, 10]


def _department_with_pairs(count: int):  # type: ignore[no-untyped-def]
    """``count`` pairs, each with its own members in their own organisations."""
    department = DepartmentFactory()
    agency = services.organisation_create(
        department=department,
        kind=OrganisationKind.FRANCE_TRAVAIL,
        name="Agence",
        acting_user=None,
    )
    pairs = [
        PairFactory(
            department=department,
            advisor=ProfessionalFactory(
                role=Role.ADVISOR,
                organisation=services.organisation_create(
                    department=department,
                    kind=OrganisationKind.FRANCE_TRAVAIL,
                    name=f"Antenne {index}",
                    parent=agency,
                    acting_user=None,
                ),
            ),
        )
        for index in range(count)
    ]
    return department, agency, pairs


@pytest.mark.parametrize("size", SIZES)
def test_my_pairs_queries_constant(size, login_client, django_assert_num_queries):
    department, _, pairs = _department_with_pairs(size)
    advisor = pairs[0].advisor
    for other in pairs[1:]:
        PairFactory(department=department, advisor=advisor, social_worker=other.social_worker)
    client = login_client(advisor)

    with django_assert_num_queries(3):  # session, professional, pairs with members
        response = client.get(reverse("my_pairs"))

    assert len(response.context["pairs"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_team_queries_constant(size, login_client, django_assert_num_queries):
    department, agency, _ = _department_with_pairs(size)
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=agency)
    client = login_client(supervisor)

    # session, professional, pairs (count, page), team (count, page)
    with django_assert_num_queries(6):
        response = client.get(reverse("team"))

    assert len(response.context["pairs"].object_list) == size
    assert len(response.context["team"].object_list) == size + 1


@pytest.mark.parametrize("size", SIZES)
def test_home_department_queries_constant(size, login_client, django_assert_num_queries):
    department, _, _ = _department_with_pairs(size)
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    client = login_client(admin)

    # session, professional, its TOTP device, organisations with counts, pairs (count, page)
    with django_assert_num_queries(6):
        response = client.get(reverse("home"))

    assert len(response.context["pairs"].object_list) == size
    assert len(response.context["organisations"]) == 2 * size + 2  # both members, agency, admin
