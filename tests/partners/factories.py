from typing import Any

import factory

from partners import services
from partners.enums import OrganisationKind, Role
from partners.models import Department, Organisation, Pair, Professional
from tests.clock import PAIR_STARTED, days_ago

TEST_PASSWORD = "mot-de-passe-de-test"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n % 95 + 1:02d}" if n < 95 else f"9{n:02d}"[-3:])
    name = factory.Sequence(lambda n: f"Département {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    department = factory.SubFactory(DepartmentFactory)
    kind = OrganisationKind.FRANCE_TRAVAIL
    name = factory.Sequence(lambda n: f"Organisation {n}")
    parent = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Organisation:
        return services.organisation_create(acting_user=None, **kwargs)


class ProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professional
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pro{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.ADVISOR
    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=factory.LazyAttribute(
            lambda o: (
                OrganisationKind.FRANCE_TRAVAIL
                if o.factory_parent.role == Role.ADVISOR
                else OrganisationKind.DEPARTMENT
            )
        ),
    )
    job_title = ""
    is_social_correspondent = False

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Professional:
        is_active = kwargs.pop("is_active", True)
        professional = services.professional_create_with_password(
            password=TEST_PASSWORD, acting_user=None, **kwargs
        )
        if not is_active:
            professional = services.professional_deactivate(
                professional=professional, acting_user=None
            )
        return professional


class PairFactory(factory.django.DjangoModelFactory):
    """A pair formed through pair_create: both members in the same department."""

    class Meta:
        model = Pair

    class Params:
        department = factory.SubFactory(DepartmentFactory)

    advisor = factory.SubFactory(
        ProfessionalFactory,
        role=Role.ADVISOR,
        organisation__department=factory.SelfAttribute("...department"),
    )
    social_worker = factory.SubFactory(
        ProfessionalFactory,
        role=Role.SOCIAL_WORKER,
        organisation__department=factory.SelfAttribute("...department"),
    )
    started_on = factory.LazyFunction(lambda: days_ago(PAIR_STARTED))

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Pair:
        return services.pair_create(acting_user=None, **kwargs)
