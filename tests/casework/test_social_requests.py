"""Axis 1: one-off requests to the social correspondents of the person's territory."""

import datetime
import uuid

import pytest
from django.urls import reverse

from casework import services
from casework.enums import CaseState, JournalChannel, SocialRequestState
from casework.errors import ConsentRequired, InvalidInput
from casework.models import Beneficiary, InformationShare, SocialRequest
from orientation import reminders
from orientation.enums import NotificationKind
from orientation.models import Notification
from partners import services as partner_services
from partners.enums import OrganisationKind, Role
from partners.errors import InvalidTransition
from tests.casework.factories import BeneficiaryFactory, SocialRequestFactory
from tests.partners.factories import (
    DepartmentFactory,
    OrganisationFactory,
    PairFactory,
    ProfessionalFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _territory_with_correspondent(department, parent=None):  # type: ignore[no-untyped-def]
    unit = OrganisationFactory(
        department=department, kind=OrganisationKind.DEPARTMENT, parent=parent
    )
    correspondent = ProfessionalFactory(
        role=Role.SOCIAL_WORKER, organisation=unit, is_social_correspondent=True
    )
    return unit, correspondent


def _journal(social_request: SocialRequest) -> list[tuple[str, int | None]]:
    return list(
        InformationShare.objects.filter(object_id=str(social_request.pk))
        .filter(object_type=services.SOCIAL_REQUEST_OBJECT)
        .order_by("seq")
        .values_list("channel", "actor_id")
    )


def test_social_request_without_the_persons_agreement_records_nothing():
    pair = PairFactory()
    unit, _ = _territory_with_correspondent(pair.department)
    beneficiary = BeneficiaryFactory(department=pair.department)

    with refused(
        ConsentRequired,
        "Recueillez d'abord l'accord de la personne : sa situation ne sera "
        "transmise aux correspondant·es sociaux·ales qu'avec cet accord.",
    ):
        services.social_request_create(
            beneficiary=beneficiary,
            requester=pair.advisor,
            territory=unit,
            category="housing",
            question="Une aide pour la caution ?",
            person_agreed=False,
            agreement_method="oral",
        )

    assert SocialRequest.objects.count() == 0
    assert InformationShare.objects.filter(channel=JournalChannel.REQUEST).count() == 0


def test_social_request_create_page_without_agreement_creates_no_person(login_client, today):
    pair = PairFactory()
    unit, _ = _territory_with_correspondent(pair.department)
    client = login_client(pair.advisor)
    data = {
        "agreement_method": "oral",
        "first_name": "Prénomdemande",
        "last_name": "Nomdemande",
        "birth_date": "1990-05-06",
        "territory": unit.pk,
        "category": "mobility",
        "question": "Existe-t-il une aide au permis ?",
    }

    refused = client.post(reverse("social_request_create"), data)
    accepted = client.post(reverse("social_request_create"), {**data, "person_agreed": "on"})

    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["person_agreed"]
    social_request = SocialRequest.objects.get()
    assert accepted.url == reverse("social_request_detail", args=[social_request.pk])
    assert Beneficiary.objects.filter(last_name="Nomdemande").count() == 1
    assert (social_request.state, social_request.due_on, social_request.requester) == (
        SocialRequestState.OPEN,
        today + services.SOCIAL_REQUEST_DELAY,
        pair.advisor,
    )
    assert _journal(social_request) == [(JournalChannel.REQUEST, pair.advisor.pk)]


def test_social_request_territory_needs_a_correspondent():
    pair = PairFactory()
    empty = OrganisationFactory(department=pair.department, kind=OrganisationKind.DEPARTMENT)

    with pytest.raises(InvalidInput, match="Aucun·e correspondant·e social·e"):
        SocialRequestFactory(requester=pair.advisor, territory=empty)


def test_social_request_seen_by_requester_and_territory_correspondents_only(login_client):
    department = DepartmentFactory()
    direction = OrganisationFactory(department=department, kind=OrganisationKind.DEPARTMENT)
    territory, correspondent = _territory_with_correspondent(department, parent=direction)
    # Below the territory: answers for it too. Beside it, or above it: does not.
    _, below = _territory_with_correspondent(department, parent=territory)
    _, beside = _territory_with_correspondent(department, parent=direction)
    above = ProfessionalFactory(
        role=Role.SOCIAL_WORKER, organisation=direction, is_social_correspondent=True
    )
    requester = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    colleague = ProfessionalFactory(role=Role.ADVISOR, organisation=requester.organisation)
    not_correspondent = ProfessionalFactory(role=Role.SOCIAL_WORKER, organisation=territory)
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=direction)
    admin = ProfessionalFactory(role=Role.ADMIN, organisation=direction)
    token = f"QUESTION-{uuid.uuid4()}"
    name = f"Nom{uuid.uuid4().hex[:10]}"
    social_request = SocialRequestFactory(
        requester=requester,
        territory=territory,
        question=f"Hébergée chez un tiers, {token}",
        beneficiary__last_name=name,
    )

    def sees(professional) -> tuple[int, bool, bool]:  # type: ignore[no-untyped-def]
        client = login_client(professional)
        detail = client.get(reverse("social_request_detail", args=[social_request.pk]))
        listing = client.get(reverse("social_requests"))
        return (
            detail.status_code,
            token in detail.content.decode(),
            name.upper() in listing.content.decode(),
        )

    seen = {
        label: sees(professional)
        for label, professional in {
            "requester": requester,
            "correspondent": correspondent,
            "below": below,
            "beside": beside,
            "above": above,
            "colleague": colleague,
            "not_correspondent": not_correspondent,
            "supervisor": supervisor,
            "admin": admin,
        }.items()
    }

    assert seen == {
        "requester": (200, True, True),
        "correspondent": (200, True, True),
        "below": (200, True, True),
        "beside": (404, False, False),
        "above": (404, False, False),
        "colleague": (404, False, False),
        "not_correspondent": (404, False, False),
        "supervisor": (404, False, False),
        "admin": (404, False, False),
    }
    # Each page that showed the request wrote one journal row (the lists show no question).
    assert _journal(social_request) == [
        (JournalChannel.REQUEST, requester.pk),
        (JournalChannel.VIEW, requester.pk),
        (JournalChannel.VIEW, correspondent.pk),
        (JournalChannel.VIEW, below.pk),
    ]


def test_social_request_answered_then_closed_is_journaled(login_client):
    social_request = SocialRequestFactory()
    correspondent = services.territory_correspondents(social_request.territory).get()
    requester = social_request.requester
    client = login_client(correspondent)

    response = client.post(
        reverse("social_request_answer", args=[social_request.pk]),
        {"answer": "Le FSL peut prendre la caution en charge."},
    )
    login_client(requester).post(reverse("social_request_close", args=[social_request.pk]))

    assert response.status_code == 302
    social_request.refresh_from_db()
    assert (
        social_request.state,
        social_request.answer,
        social_request.answered_by,
        social_request.closed_by,
    ) == (
        SocialRequestState.CLOSED,
        "Le FSL peut prendre la caution en charge.",
        correspondent,
        requester,
    )
    assert _journal(social_request) == [
        (JournalChannel.REQUEST, requester.pk),
        (JournalChannel.ANSWER, correspondent.pk),
    ]


def test_social_request_answer_refused_to_the_requester():
    social_request = SocialRequestFactory()

    with refused(
        InvalidTransition,
        "Seul·es les correspondant·es sociaux·ales du territoire répondent à cette demande.",
    ):
        services.social_request_answer(
            social_request=social_request, acting_user=social_request.requester, answer="Oui"
        )


def test_social_request_to_case_keeps_the_history(login_client):
    pair = PairFactory()
    social_request = SocialRequestFactory(requester=pair.advisor, question="Aide au permis ?")
    correspondent = services.territory_correspondents(social_request.territory).get()
    services.social_request_answer(
        social_request=social_request, acting_user=correspondent, answer="Oui, le CCAS."
    )
    client = login_client(pair.advisor)

    response = client.post(
        reverse("social_request_to_case", args=[social_request.pk]), {"pair": pair.pk}
    )

    social_request.refresh_from_db()
    case = social_request.case
    assert response.url == reverse("case_detail", args=[case.pk])
    assert (case.beneficiary_id, case.pair, case.state) == (
        social_request.beneficiary_id,
        pair,
        CaseState.PROPOSED,
    )
    assert (social_request.state, social_request.question, social_request.answer) == (
        SocialRequestState.CONVERTED,
        "Aide au permis ?",
        "Oui, le CCAS.",
    )
    # The case page says where it came from; the request stays readable by its readers.
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"demande ponctuelle n°{social_request.pk}" in page
    detail = client.get(reverse("social_request_detail", args=[social_request.pk]))
    assert "Oui, le CCAS." in detail.content.decode()
    assert list(case.origin_requests.all()) == [social_request]
    # The pair's social worker (not a correspondent) still does not read the request.
    other = login_client(pair.social_worker)
    assert other.get(reverse("social_request_detail", args=[social_request.pk])).status_code == 404


def test_social_request_to_case_refused_when_closed():
    pair = PairFactory()
    social_request = SocialRequestFactory(requester=pair.advisor)
    services.social_request_close(social_request=social_request, acting_user=pair.advisor)

    with refused(
        InvalidTransition, "Impossible de proposer un accompagnement : la demande est « Close »."
    ):
        services.social_request_to_case(
            social_request=social_request, pair=pair, acting_user=pair.advisor
        )


def test_social_request_due_appears_in_the_reminders_of_the_correspondents(today):
    department = DepartmentFactory()
    territory, correspondent = _territory_with_correspondent(department)
    _, other = _territory_with_correspondent(department)
    requester = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    due = SocialRequestFactory(requester=requester, territory=territory, due_on=today)
    later = SocialRequestFactory(
        requester=requester, territory=territory, due_on=today + datetime.timedelta(days=3)
    )
    answered = SocialRequestFactory(requester=requester, territory=territory, due_on=today)
    services.social_request_answer(social_request=answered, acting_user=correspondent, answer="Ok")

    first = reminders.reminders_send(today=today)
    again = reminders.reminders_send(today=today)

    notices = list(
        Notification.objects.filter(kind=NotificationKind.REQUEST_DUE).values_list(
            "social_request_id", "recipient_id", "case_id"
        )
    )
    assert notices == [(due.pk, correspondent.pk, None)]
    assert (first.by_kind, again.created) == ({NotificationKind.REQUEST_DUE: 1}, 0)
    assert later.pk not in {n[0] for n in notices}
    assert other.pk not in {n[1] for n in notices}


def test_notifications_page_links_a_due_request(login_client, today):
    social_request = SocialRequestFactory(due_on=today)
    correspondent = services.territory_correspondents(social_request.territory).get()
    reminders.reminders_send(today=today)

    page = login_client(correspondent).get(reverse("notifications")).content.decode()

    assert reverse("social_request_detail", args=[social_request.pk]) in page


SIZES = [3, 10]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("viewer", ["requester", "correspondent"])
def test_social_requests_list_queries_constant(
    size, viewer, login_client, django_assert_num_queries
):
    department = DepartmentFactory()
    direction = partner_services.organisation_create(
        department=department, kind=OrganisationKind.DEPARTMENT, name="Direction", acting_user=None
    )
    territories = [_territory_with_correspondent(department, parent=direction)[0] for _ in "ab"]
    correspondent = ProfessionalFactory(
        role=Role.SOCIAL_WORKER, organisation=direction, is_social_correspondent=True
    )
    requesters = [
        ProfessionalFactory(role=Role.ADVISOR, organisation__department=department) for _ in "ab"
    ]
    requester = requesters[0]
    for index in range(size):
        for other in requesters:  # rows of two requesters, two territories
            social_request = SocialRequestFactory(
                requester=other if viewer == "correspondent" else requester,
                territory=territories[index % 2] if viewer == "requester" else direction,
            )
            services.social_request_answer(
                social_request=social_request,
                acting_user=services.territory_correspondents(social_request.territory).first(),
                answer="Réponse",
            )
    client = login_client(requester if viewer == "requester" else correspondent)

    # session, professional, count, page of requests with person, territory, requester and
    # their organisation, answerer
    with django_assert_num_queries(4):
        response = client.get(reverse("social_requests"))

    rows = response.context["page"].object_list
    assert len(rows) == 2 * size
    if viewer == "requester":
        assert {row.territory_id for row in rows} == {t.pk for t in territories}
    else:
        assert {row.requester_id for row in rows} == {r.pk for r in requesters}


def test_further_request_about_the_same_person_reuses_the_record(login_client):
    first = SocialRequestFactory()
    client = login_client(first.requester)
    url = f"{reverse('social_request_create')}?suite={first.pk}"

    page = client.get(url)
    response = client.post(
        url,
        {
            "person_agreed": "on",
            "agreement_method": "signed_form",
            "territory": first.territory_id,
            "category": "health",
            "question": "Un centre de santé sans dépassement d'honoraires ?",
        },
    )
    stranger = login_client(ProfessionalFactory(role=Role.ADVISOR))

    second = SocialRequest.objects.exclude(pk=first.pk).get()
    assert page.status_code == 200
    assert response.url == reverse("social_request_detail", args=[second.pk])
    assert (second.beneficiary_id, second.category) == (first.beneficiary_id, "health")
    assert stranger.get(url).status_code == 404


def test_social_request_of_an_archived_file_is_hidden(login_client):
    social_request = SocialRequestFactory()
    beneficiary = social_request.beneficiary
    beneficiary.file_stage = "archived"
    beneficiary.save()

    response = login_client(social_request.requester).get(
        reverse("social_request_detail", args=[social_request.pk])
    )

    assert response.status_code == 404
