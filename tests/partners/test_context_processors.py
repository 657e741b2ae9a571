import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from partners.context_processors import binome_roles
from partners.enums import Role
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

NO_ROLE = {
    "is_advisor": False,
    "is_social_worker": False,
    "is_supervisor": False,
    "is_admin": False,
    "is_auditor": False,
    "in_pair": False,
    "is_social_correspondent": False,
}


def _flags(user, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(0):
        return binome_roles(request)["binome_roles"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADVISOR, {"is_advisor": True, "in_pair": True}),
        (Role.SOCIAL_WORKER, {"is_social_worker": True, "in_pair": True}),
        (Role.SUPERVISOR, {"is_supervisor": True}),
        (Role.ADMIN, {"is_admin": True}),
        (Role.AUDITOR, {"is_auditor": True}),
    ],
)
def test_binome_roles_one_flag_per_role(role, expected, django_assert_num_queries):
    user = ProfessionalFactory(role=role)

    assert _flags(user, django_assert_num_queries) == {**NO_ROLE, **expected}


def test_binome_roles_social_correspondent(django_assert_num_queries):
    user = ProfessionalFactory(role=Role.SOCIAL_WORKER, is_social_correspondent=True)

    assert _flags(user, django_assert_num_queries) == {
        **NO_ROLE,
        "is_social_worker": True,
        "in_pair": True,
        "is_social_correspondent": True,
    }


def test_binome_roles_anonymous_has_no_flag(django_assert_num_queries):
    assert _flags(AnonymousUser(), django_assert_num_queries) == NO_ROLE
