"""The portefeuille and the case page issue the same number of queries for few rows and many."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import CaseState
from partners.enums import Role
from tests.casework.factories import (
    CaseFactory,
    InterviewFactory,
    NoteFactory,
    SocialNoteFactory,
)
from tests.clock import FIRST_INTERVIEW, days_ago
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

SIZES = [3, 10]


@pytest.mark.parametrize("size", SIZES)
def test_caseload_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    pairs = [PairFactory(department=department, advisor=advisor) for _ in range(2)]
    for index in range(size):
        pair = pairs[index % 2]
        case = CaseFactory(pair=pair, beneficiary__department=department, state=CaseState.ACTIVE)
        InterviewFactory(
            case=case,
            author=pair.social_worker,
            next_appointment_on=days_ago(FIRST_INTERVIEW - 30),
        )
    client = login_client(advisor)

    # session, professional, count, page of cases with person, referent and last interviewer
    with django_assert_num_queries(4):
        response = client.get(reverse("caseload"))

    rows = response.context["page"].object_list
    assert len(rows) == size
    assert {row.pair_id for row in rows} == {p.pk for p in pairs}


@pytest.mark.parametrize("size", SIZES)
def test_case_page_queries_constant(size, login_client, django_assert_num_queries):
    case = CaseFactory(state=CaseState.ACTIVE)
    first_pair = case.pair
    for _ in range(size):
        InterviewFactory(case=case, author=first_pair.advisor)
        NoteFactory(case=case, author=first_pair.advisor)
    new_pair = PairFactory(department=first_pair.department)
    case = services.case_reassign(case=case, new_pair=new_pair, reason="Départ", acting_user=None)
    for _ in range(size):
        SocialNoteFactory(case=case, author=new_pair.social_worker)
        services.pair_contact_record(
            pair=new_pair,
            author=new_pair.advisor,
            occurred_on=days_ago(FIRST_INTERVIEW),
            channel="phone",
            cases=[case],
        )
        services.appointment_plan(
            case=case,
            acting_user=new_pair.advisor,
            planned_at=timezone.now() + datetime.timedelta(days=2),
            place="Agence",
            with_whom=new_pair.advisor,
        )
        services.breach_report(case=case, acting_user=new_pair.advisor, reason="Trois absences")
        programme = services.programme_create(
            department=new_pair.department,
            acting_user=None,
            name="Club",
            organiser=new_pair.advisor.organisation,
            target_group="Tous publics",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + datetime.timedelta(days=30),
            capacity=5,
        )
        services.enrolment_create(
            programme=programme,
            case=case,
            acting_user=new_pair.advisor,
            person_agreed=True,
            agreement_method="oral",
        )
    client = login_client(new_pair.social_worker)

    # session, professional, case, grants (change, social), pair periods, agreement in force,
    # interviews, notes, points binôme, collective actions, social notes, upcoming
    # appointments, breach reports, the one-off requests it came from, the actions open for
    # enrolment; then the journal row for the social notes shown: savepoint, head FOR UPDATE,
    # insert, head update, release
    with django_assert_num_queries(21):
        response = client.get(reverse("case_detail", args=[case.pk]))

    assert len(response.context["timeline"]) == 5 * size
    assert len(response.context["pair_periods"]) == 2
    assert len(response.context["upcoming"]) == 3  # the next three
    assert len(response.context["breach_reports"]) == size
