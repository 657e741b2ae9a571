"""Collective actions: enrolment with the person's agreement, capacity, attendance, figures."""

import datetime
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import CaseState, JournalChannel
from casework.errors import CapacityReached, ConsentRequired
from casework.models import Enrolment, InformationShare
from partners.enums import OrganisationKind, Role
from partners.errors import InvalidTransition
from tests.casework.factories import CaseFactory
from tests.partners.factories import (
    DepartmentFactory,
    OrganisationFactory,
    PairFactory,
    ProfessionalFactory,
)
from tests.refusals import refused


def make_programme(department, capacity: int = 12, **fields):  # type: ignore[no-untyped-def]
    organiser = fields.pop("organiser", None) or OrganisationFactory(
        department=department, kind=OrganisationKind.FRANCE_TRAVAIL
    )
    return services.programme_create(
        department=department,
        acting_user=None,
        name=fields.pop("name", "Club de remobilisation 45 ans et plus"),
        organiser=organiser,
        target_group="Demandeur·ses d'emploi de plus de 45 ans",
        starts_on=timezone.localdate() - datetime.timedelta(days=7),
        ends_on=timezone.localdate() + datetime.timedelta(days=270),
        capacity=capacity,
        **fields,
    )


def session_of(programme, days_ago: int = 0):  # type: ignore[no-untyped-def]
    return services.programme_add_session(
        programme=programme,
        acting_user=None,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        topic="Atelier confiance en soi",
    )


def enrol(programme, case):  # type: ignore[no-untyped-def]
    return services.enrolment_create(
        programme=programme,
        case=case,
        acting_user=case.pair.advisor,
        person_agreed=True,
        agreement_method="oral",
    )


def cases(pair, count: int) -> list:  # type: ignore[type-arg]
    return [
        CaseFactory(pair=pair, beneficiary__department=pair.department, state=CaseState.ACTIVE)
        for _ in range(count)
    ]


@pytest.mark.django_db
def test_enrolment_without_the_persons_agreement_records_nothing():
    pair = PairFactory()
    programme = make_programme(pair.department)
    (case,) = cases(pair, 1)

    with refused(
        ConsentRequired, "Recueillez d'abord l'accord de la personne pour cette inscription."
    ):
        services.enrolment_create(
            programme=programme,
            case=case,
            acting_user=pair.advisor,
            person_agreed=False,
            agreement_method="oral",
        )

    assert Enrolment.objects.count() == 0


@pytest.mark.django_db
def test_enrolment_from_the_case_page_is_journaled_and_on_the_timeline(login_client):
    pair = PairFactory()
    programme = make_programme(pair.department)
    (case,) = cases(pair, 1)
    client = login_client(pair.advisor)

    response = client.post(
        reverse("enrolment_create", args=[case.pk]),
        {"programme": programme.pk, "person_agreed": "on", "agreement_method": "oral"},
    )
    page = client.get(reverse("case_detail", args=[case.pk]))

    assert response.url == reverse("case_detail", args=[case.pk])
    assert [item.kind for item in page.context["timeline"]].count("enrolment") == 1
    assert "Club de remobilisation 45 ans et plus" in page.content.decode()
    assert list(
        InformationShare.objects.filter(channel=JournalChannel.ENROLMENT).values_list(
            "case_id", "recipient"
        )
    ) == [(case.pk, programme.organiser.name)]


@pytest.mark.django_db
def test_capacity_enforced():
    pair = PairFactory()
    programme = make_programme(pair.department, capacity=2)
    first, second, third = cases(pair, 3)
    enrol(programme, first)
    enrol(programme, second)

    with refused(
        CapacityReached,
        "L'action « Club de remobilisation 45 ans et plus » est complète (2 places).",
    ):
        enrol(programme, third)

    assert Enrolment.objects.filter(programme=programme).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_enforced_under_concurrency():
    pair = PairFactory()
    programme = make_programme(pair.department, capacity=1)
    contenders = cases(pair, 4)
    barrier = threading.Barrier(len(contenders))
    outcomes: list[str] = []

    def enrol_one(case) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            enrol(programme, case)
            outcomes.append("inscrit·e")
        except CapacityReached:
            outcomes.append("complète")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol_one, args=(case,)) for case in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["complète", "complète", "complète", "inscrit·e"]
    assert Enrolment.objects.filter(programme=programme).count() == 1


@pytest.mark.django_db
def test_attendance_recorded_by_the_organiser_and_shown_on_the_timeline(login_client):
    pair = PairFactory()
    programme = make_programme(pair.department, organiser=pair.advisor.organisation)
    came, missed = cases(pair, 2)
    enrolments = [enrol(programme, came), enrol(programme, missed)]
    session = session_of(programme)
    organiser_staff = ProfessionalFactory(role=Role.ADVISOR, organisation=pair.advisor.organisation)
    outsider = ProfessionalFactory(role=Role.ADVISOR, organisation__department=pair.department)
    url = reverse("attendance_sheet", args=[programme.pk, session.pk])

    refused = login_client(outsider).post(url, {"present": [enrolments[0].pk]})
    login_client(organiser_staff).post(url, {"present": [enrolments[0].pk, "²"]})

    assert refused.status_code == 404
    assert sorted(
        (a.enrolment.case_id, a.present) for a in session.attendances.select_related("enrolment")
    ) == sorted([(came.pk, True), (missed.pk, False)])
    page = login_client(pair.advisor).get(reverse("case_detail", args=[came.pk]))
    (item,) = [item for item in page.context["timeline"] if item.kind == "enrolment"]
    assert (item.obj.attended, item.obj.marked) == (1, 1)


@pytest.mark.django_db
def test_attendance_refused_before_the_session():
    pair = PairFactory()
    programme = make_programme(pair.department)
    session = services.programme_add_session(
        programme=programme,
        acting_user=None,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        topic="Plus tard",
    )
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)

    with pytest.raises(InvalidTransition, match="pas encore eu lieu"):
        services.attendance_record(session=session, acting_user=admin, present=[])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("enrolled", "figures"), [(3, ("moins de 5", "—", "—")), (6, ("6", "50 %", "67 %"))]
)
def test_supervisor_sees_fill_rate_and_attendance_small_counts_hidden(
    enrolled, figures, login_client
):
    pair = PairFactory()
    programme = make_programme(pair.department, capacity=12, organiser=pair.advisor.organisation)
    enrolments = [enrol(programme, case) for case in cases(pair, enrolled)]
    session = session_of(programme)
    services.attendance_record(
        session=session,
        acting_user=pair.advisor,
        present=[e.pk for e in enrolments[: 2 * enrolled // 3]],
    )
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=pair.advisor.organisation)

    page = login_client(supervisor).get(reverse("programmes")).context["page"]

    (row,) = page.object_list
    assert (
        row.figures["enrolled"],
        row.figures["fill_rate"],
        row.figures["attendance_rate"],
    ) == figures


SIZES = [3, 10]


@pytest.mark.django_db
@pytest.mark.parametrize("size", SIZES)
def test_programmes_list_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    pairs = [PairFactory(department=department) for _ in range(2)]
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    for index in range(size):
        programme = make_programme(department, name=f"Action {index}")
        session = session_of(programme)
        for case in cases(pairs[index % 2], 1):
            enrol(programme, case)
        services.attendance_record(session=session, acting_user=admin, present=[])
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation__department=department)
    client = login_client(supervisor)

    # session, professional, count, page of actions with organiser and their four figures
    with django_assert_num_queries(4):
        response = client.get(reverse("programmes"))

    assert len(response.context["page"].object_list) == size


@pytest.mark.django_db
@pytest.mark.parametrize("size", SIZES)
def test_attendance_sheet_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    pairs = [PairFactory(department=department) for _ in range(2)]
    programme = make_programme(department, capacity=50)
    for index in range(size):
        for case in cases(pairs[index % 2], 1):
            enrol(programme, case)
    session = session_of(programme)
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    client = login_client(admin)

    # session, professional (with organisation), second factor, action, séance, marks, people
    # with binôme
    with django_assert_num_queries(7):
        response = client.get(reverse("attendance_sheet", args=[programme.pk, session.pk]))

    rows = response.context["rows"]
    assert len(rows) == size
    assert {enrolment.case.pair_id for enrolment, _ in rows} == {p.pk for p in pairs}
