"""The portefeuille and the case page issue the same number of queries for few rows and many."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import journal, selectors, services
from casework.enums import CaseState
from casework.messages import services as message_services
from casework.space import messages as person_messages
from casework.space import services as space_services
from partners.enums import Role
from tests.casework.factories import (
    CaseFactory,
    InterviewFactory,
    NoteFactory,
    SocialNoteFactory,
    SocialRequestFactory,
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
    cases = []
    for index in range(size):
        pair = pairs[index % 2]
        case = CaseFactory(pair=pair, beneficiary__department=department, state=CaseState.ACTIVE)
        cases.append(case)
        InterviewFactory(
            case=case,
            author=pair.social_worker,
            next_appointment_on=days_ago(FIRST_INTERVIEW - 30),
        )
    client = login_client(advisor)

    # session, professional, the page of cases with the person and the last interviewer and the
    # list's total (COUNT(*) OVER ())
    with django_assert_num_queries(3):
        response = client.get(reverse("caseload"))

    rows = response.context["page"].object_list
    assert len(rows) == size
    assert {row.pk for row in rows} == {case.pk for case in cases}
    assert {row.interviewer_name for row in rows} == {p.social_worker.full_name for p in pairs}


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
        _enrol_in_a_new_programme(case, new_pair)
        journal.record_person_act(case=case, purpose="Message envoyé au binôme")
    # The person's messages, one to change an appointment, sent under each of the two pairs.
    access = space_services.space_invite(
        case=case, email="p@exemple.fr", acting_user=new_pair.advisor
    )
    for number, appointment in enumerate(case.appointments.all()):
        person_messages.appointment_change_ask(
            access=access, appointment=appointment, reason=f"{number}"
        )
    for channel, address in (("sms", "06 12 34 56 78"), ("email", "rosalie@exemple.fr")):
        message_services.consent_give(
            beneficiary=case.beneficiary,
            channel=channel,
            address=address,
            acting_user=new_pair.social_worker,
        )
    for _ in range(size):  # each with its convocation by SMS and by e-mail
        services.appointment_plan(
            case=case,
            acting_user=new_pair.advisor,
            planned_at=timezone.now() + datetime.timedelta(days=9),
            place="Agence",
            with_whom=new_pair.advisor,
        )
    client = login_client(new_pair.social_worker)

    # session, professional, case (its référent·e from its binôme), the last interviewer (of the
    # former binôme: not in the case's binôme), grants (change, social), which of the rarer parts
    # the case has (one statement of EXISTS: all but a one-off request, not read then), pair
    # periods, agreement in force, interviews and notes (their authors known by then), points
    # binôme, collective actions, the person's acts, the person's messages (with their
    # appointments), social notes, upcoming appointments, breach reports, the actions open for
    # enrolment, the person's access to their space, their yes to messages, the messages sent
    # (with their outbox rows: a subquery); then the journal row for the social notes
    # shown: savepoint, head FOR UPDATE, insert, head update, release
    with django_assert_num_queries(27):
        response = client.get(reverse("case_detail", args=[case.pk]))

    assert len(response.context["timeline"]) == 7 * size
    assert len(response.context["pair_periods"]) == 2
    assert [a.change_asked for a in response.context["upcoming"]] == [True] * 3  # the next three
    assert len(response.context["breach_reports"]) == size
    assert len(response.context["message_consents"]) == 2
    assert len(response.context["sent_messages"]) == 5  # the newest of 4 * size


def _interview(case, author, today):  # type: ignore[no-untyped-def]
    return services.interview_log(
        case=case, author=author, occurred_on=today, channel="phone", summary="Point."
    )


def test_interview_service_queries(django_assert_num_queries, today):
    """The référent's interview: savepoint, case FOR UPDATE, the interview validated (case,
    author, its constraint in a savepoint) and inserted with its audit row, then the case: the
    audit's re-read, its audit row, the UPDATE, release. The case's unchanged foreign keys and
    its constraints on unchanged fields are not checked again (casework.services._base.save);
    the dashboards' refresh asked for in one statement (casework/services/dashboards.py)."""
    case = CaseFactory(state=CaseState.ACTIVE)
    _interview(case, case.referent, today)  # content types now cached, as in a running worker
    case.refresh_from_db()
    seen, referent = case.version, case.referent

    with django_assert_num_queries(14):
        _interview(case, referent, today)

    case.refresh_from_db()
    assert (case.last_referent_interview_on, case.version) == (today, seen + 1)


def test_interview_service_queries_for_a_remplacant(django_assert_num_queries, today):
    """A remplaçant·e of the référent: the live remplacement (one query), and the case's last
    interviewer, which changes, checked."""
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = CaseFactory(pair__department=case.pair.department).pair.advisor
    services.delegation_give(
        replaced=case.referent,
        delegate=delegate,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        reason="Congés",
        acting_user=case.referent,
        cases=[case],
    )
    _interview(case, case.referent, today)

    with django_assert_num_queries(16):
        _interview(case, delegate, today)

    case.refresh_from_db()
    assert (case.last_referent_interview_on, case.last_interview_by) == (today, delegate)


@pytest.mark.parametrize("size", SIZES)
def test_interview_htmx_post_queries_constant(size, login_client, django_assert_num_queries, today):
    case = CaseFactory(state=CaseState.ACTIVE)
    pair = case.pair
    for _ in range(size):
        InterviewFactory(case=case, author=pair.social_worker)
        NoteFactory(case=case, author=pair.social_worker)
        services.pair_contact_record(
            pair=pair, author=pair.social_worker, occurred_on=today, channel="phone", cases=[case]
        )
    _interview(case, pair.advisor, today)
    case.refresh_from_db()
    client = login_client(pair.advisor)

    # session, professional, case, change grant; the form's check of the interview's constraint
    # (savepoint, query, release); the service (14, as above); then the activity panel's
    # rarer parts (one statement: here only points binôme, so no collective actions, person's
    # messages nor acts read: the person has no space), interviews, notes, points binôme, and the
    # appointments planned for « En bref » (the interview is now the last one): nothing else
    with django_assert_num_queries(26):
        response = client.post(
            reverse("interview_log", args=[case.pk]),
            {
                "occurred_on": today.isoformat(),
                "channel": "phone",
                "summary": "Point téléphonique.",
                "version": case.version,
            },
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "casework/_activity.html"
    assert len(response.context["timeline"]) == 3 * size + 2
    assert response.context["logged_summary"].startswith("Entretien du ")
    # the next interview is sent at the version this one left the case in
    assert response.context["interview_form"]["version"].initial == case.version + 1
    case.refresh_from_db()
    assert case.version == response.context["interview_form"]["version"].initial


def _enrol_in_a_new_programme(case, pair):  # type: ignore[no-untyped-def]
    """A collective action of the pair's department, and ``case`` enrolled in it."""
    programme = services.programme_create(
        department=pair.department,
        acting_user=None,
        name="Club",
        organiser=pair.advisor.organisation,
        target_group="Tous publics",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        capacity=5,
    )
    services.enrolment_create(
        programme=programme,
        case=case,
        acting_user=pair.advisor,
        person_agreed=True,
        agreement_method="oral",
    )


def _record_every_rarer_part(case):  # type: ignore[no-untyped-def]
    """A row of each of ``selectors.CASE_PARTS`` for ``case`` or its person."""
    pair = case.pair
    access = space_services.space_invite(case=case, email="p@exemple.fr", acting_user=pair.advisor)
    message_services.consent_give(
        beneficiary=case.beneficiary,
        channel="sms",
        address="06 12 34 56 78",
        acting_user=pair.advisor,
    )
    appointment = services.appointment_plan(  # with its convocation by SMS: a message sent
        case=case,
        acting_user=pair.advisor,
        planned_at=timezone.now() + datetime.timedelta(days=2),
        place="Agence",
        with_whom=pair.advisor,
    )
    person_messages.appointment_change_ask(access=access, appointment=appointment, reason="Malade")
    services.breach_report(case=case, acting_user=pair.advisor, reason="Trois absences")
    # a one-off request the case came from (the conversion's own test: test_social_requests.py)
    origin = SocialRequestFactory()
    origin.case = case
    origin.save(update_fields=["case"])
    services.pair_contact_record(
        pair=pair, author=pair.advisor, occurred_on=days_ago(1), channel="phone", cases=[case]
    )
    _enrol_in_a_new_programme(case, pair)
    services.case_reassign(
        case=case,
        new_pair=PairFactory(department=pair.department),
        reason="Départ",
        acting_user=None,
    )


def test_case_parts_finds_each_part_of_the_case_or_its_person_and_nothing_of_another():
    case = CaseFactory(state=CaseState.ACTIVE)
    other = CaseFactory(state=CaseState.ACTIVE, pair=case.pair)

    _record_every_rarer_part(other)

    assert selectors.case_parts(case) == frozenset()
    assert selectors.case_parts(other) == selectors.ALL_CASE_PARTS


@pytest.mark.parametrize("size", SIZES)
def test_a_case_page_without_the_rarer_parts_does_not_read_them(
    size, login_client, django_assert_num_queries
):
    case = CaseFactory(state=CaseState.ACTIVE)
    for _ in range(size):
        InterviewFactory(case=case, author=case.pair.advisor)
        NoteFactory(case=case, author=case.pair.advisor)
    _record_every_rarer_part(CaseFactory(state=CaseState.ACTIVE, pair=case.pair))
    client = login_client(case.pair.advisor)

    # session, professional, case, change grant, the rarer parts (none), agreement in force,
    # interviews, notes, upcoming appointments, the actions open for enrolment: no binôme
    # periods (one binôme so far), no person's acts (no space)
    with django_assert_num_queries(10):
        response = client.get(reverse("case_detail", args=[case.pk]))

    html = response.content.decode()
    assert len(response.context["timeline"]) == 2 * size
    assert "La personne n'a pas encore accès à son espace." in html
    assert "La personne n'a pas donné son accord pour recevoir des messages" in html
    assert "Signalements de manquement" not in html
    assert response.context["sent_messages"] == []
