"""The rights pages issue the same number of queries for few rows and many."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import retention, rights
from casework.enums import CaseState, FileStage
from casework.models import Beneficiary
from partners.audit import audited_bulk
from partners.enums import Role
from tests.casework.factories import CaseFactory, InterviewFactory
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

SIZES = [3, 10]


def cases_over_two_pairs(size: int, **kwargs):
    department = DepartmentFactory()
    pairs = [PairFactory(department=department) for _ in range(2)]
    cases = [
        CaseFactory(pair=pairs[index % 2], beneficiary__department=department, **kwargs)
        for index in range(size)
    ]
    return department, cases


def auditor_of(department):
    return ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)


@pytest.mark.parametrize("size", SIZES)
def test_person_requests_queries_constant(size, login_client, django_assert_num_queries):
    department, cases = cases_over_two_pairs(size, state=CaseState.ACTIVE)
    for case in cases:
        rights.person_request_record(
            case=case,
            acting_user=case.pair.advisor,
            kind="objection",
            text="Je m'oppose",
            received_on=timezone.localdate(),
        )
    client = login_client(auditor_of(department))

    # session, professional (+ organisation), second factor, count, page with each recorder and
    # organisation
    with django_assert_num_queries(5):
        response = client.get(reverse("person_requests"))

    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", SIZES)
def test_person_search_queries_constant(size, login_client, django_assert_num_queries):
    department, cases = cases_over_two_pairs(size, state=CaseState.CLOSED)
    with audited_bulk(model=Beneficiary, actor=None, description="test"):
        Beneficiary.objects.filter(department=department).update(last_name="Martin")
    client = login_client(auditor_of(department))

    client.post(reverse("person_search"), {"search": "martin"})  # kept in the session

    # session, professional (+ organisation), second factor, the people found
    with django_assert_num_queries(4):
        response = client.get(reverse("person_search"))

    assert len(response.context["results"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_disposal_page_queries_constant(size, login_client, django_assert_num_queries):
    department, cases = cases_over_two_pairs(size, state=CaseState.CLOSED)
    with audited_bulk(model=Beneficiary, actor=None, description="test"):
        Beneficiary.objects.filter(department=department).update(
            file_stage=FileStage.ARCHIVED, archived_on=datetime.date(2019, 1, 1)
        )
    client = login_client(auditor_of(department))

    # session, professional (+ organisation), second factor, the files waiting for a visa
    with django_assert_num_queries(4):
        response = client.get(reverse("disposal"))

    assert len(response.context["candidates"]) == size
    assert len(list(retention.disposal_candidates(department))) == size


@pytest.mark.parametrize("size", SIZES)
def test_case_rights_page_queries_constant(size, login_client, django_assert_num_queries):
    case = CaseFactory(state=CaseState.ACTIVE)
    for index in range(size):
        interview = InterviewFactory(case=case, summary=f"Compte rendu {index}")
        rights.interview_rectify(
            interview=interview,
            acting_user=case.pair.advisor if index % 2 else case.pair.social_worker,
            summary=f"Compte rendu corrigé {index}",
            reason="Erreur",
        )
        rights.person_request_record(
            case=case,
            acting_user=case.pair.advisor,
            kind="access",
            text="Je veux mes données",
            received_on=timezone.localdate(),
        )
    client = login_client(case.pair.advisor)

    # session, professional, case (+ person, pair), permission, interviews, rectifications
    # (+ recorders), requests
    with django_assert_num_queries(7):
        response = client.get(reverse("case_rights", kwargs={"pk": case.pk}))

    assert len(response.context["rectifications"]) == size
    assert len(response.context["person_requests"]) == size
