import datetime
import uuid
from typing import Any

import factory

from casework import services
from casework.enums import CaseState, InterviewChannel
from casework.models import Beneficiary, Case, Interview, Note, SocialNote, SocialRequest
from partners.enums import OrganisationKind, Role
from tests.clock import CASE_PROPOSED, CASE_STARTED, FIRST_INTERVIEW, days_ago
from tests.partners.factories import OrganisationFactory, PairFactory, ProfessionalFactory


def secret_token() -> str:
    """A canary: must appear only where secret content may be shown."""
    return f"SECRET-{uuid.uuid4()}"


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    department = factory.SubFactory("tests.partners.factories.DepartmentFactory")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = datetime.date(1985, 4, 12)
    france_travail_id = factory.Sequence(lambda n: f"FT{n:08d}")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Beneficiary:
        return services.beneficiary_create(acting_user=None, **kwargs)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case proposed through case_propose, then walked to ``state`` through the services."""

    class Meta:
        model = Case

    pair = factory.SubFactory(PairFactory)
    beneficiary = factory.SubFactory(
        BeneficiaryFactory, department=factory.SelfAttribute("..pair.department")
    )
    proposed_on = factory.LazyFunction(lambda: days_ago(CASE_PROPOSED))
    state = CaseState.PROPOSED  # reached through the services, in order
    #: used when ``state`` is past « diagnostic en cours »
    started_on = factory.LazyAttribute(lambda o: max(o.proposed_on, days_ago(CASE_STARTED)))

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Case:
        state = kwargs.pop("state")
        started_on = kwargs.pop("started_on")
        case = services.case_propose(acting_user=None, **kwargs)
        actor = case.pair.social_worker
        if state == CaseState.REFUSED:
            return services.case_record_refusal(case=case, acting_user=actor)
        if state == CaseState.PROPOSED:
            return case
        case = services.case_record_entry_agreement(case=case, acting_user=actor)
        if state == CaseState.DIAGNOSTIC:
            return case
        case = services.case_start(case=case, acting_user=actor, started_on=started_on)
        if state == CaseState.SUSPENDED:
            return services.case_suspend(case=case, reason="hospital", acting_user=actor)
        if state == CaseState.CLOSED:
            services.case_record_end_review(
                case=case, summary="Bilan fait avec la personne.", acting_user=actor
            )
            return services.case_close(case=case, exit_reason="durable_job", acting_user=actor)
        return case


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    case = factory.SubFactory(CaseFactory, state=CaseState.ACTIVE)
    author = factory.LazyAttribute(lambda o: o.case.referent)
    occurred_on = factory.LazyFunction(lambda: days_ago(FIRST_INTERVIEW))
    channel = InterviewChannel.IN_PERSON
    summary = factory.Faker("sentence", locale="fr_FR")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Interview:
        return services.interview_log(**kwargs)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    case = factory.SubFactory(CaseFactory, state=CaseState.ACTIVE)
    author = factory.LazyAttribute(lambda o: o.case.pair.lead)
    text = factory.Faker("sentence", locale="fr_FR")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Note:
        return services.note_add(**kwargs)


class SocialNoteFactory(factory.django.DjangoModelFactory):
    """A secret note carrying a canary token."""

    class Meta:
        model = SocialNote

    case = factory.SubFactory(CaseFactory, state=CaseState.ACTIVE)
    author = factory.LazyAttribute(lambda o: o.case.pair.social_worker)
    text = factory.LazyFunction(lambda: f"Dette de loyer, {secret_token()}")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> SocialNote:
        return services.social_note_add(**kwargs)


class SocialRequestFactory(factory.django.DjangoModelFactory):
    """A one-off request (axis 1) through the service, the person's agreement given.

    By default its territory is a new social-action unit with one correspondent.
    """

    class Meta:
        model = SocialRequest

    requester = factory.SubFactory(ProfessionalFactory, role=Role.ADVISOR)
    beneficiary = factory.SubFactory(
        BeneficiaryFactory,
        department=factory.SelfAttribute("..requester.organisation.department"),
    )
    territory = factory.LazyAttribute(
        lambda o: (
            ProfessionalFactory(
                role=Role.SOCIAL_WORKER,
                is_social_correspondent=True,
                organisation=OrganisationFactory(
                    department=o.requester.organisation.department, kind=OrganisationKind.DEPARTMENT
                ),
            ).organisation
        )
    )
    category = "housing"
    question = factory.Faker("sentence", locale="fr_FR")
    person_agreed = True
    agreement_method = "oral"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> SocialRequest:
        return services.social_request_create(**kwargs)
