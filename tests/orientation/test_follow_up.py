import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.enums import CaseState, ShareCategory
from casework.errors import InvalidInput
from casework.models import Case, InformationShare
from casework.selectors import CaseloadFilters, caseload
from orientation import services
from orientation.models import Notification, ObstacleLift
from partners.errors import InvalidTransition
from tests.casework.factories import CaseFactory
from tests.orientation.factories import lock, make_diagnostic, obstacles_of
from tests.partners.factories import PairFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

SIZES = [3, 10]


def _today_at(hour: int) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(hour, 0))
    )


def _appointment(case, hour=9):  # type: ignore[no-untyped-def]
    return case_services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=_today_at(hour),
        place="Agence",
        with_whom=case.pair.advisor,
    )


def test_suspension_silences_the_thirty_day_alert():
    case = CaseFactory(state=CaseState.ACTIVE)  # no interview since February: overdue
    advisor = case.pair.advisor
    assert [c.pk for c in caseload(advisor, CaseloadFilters(overdue_only=True))] == [case.pk]

    case_services.case_suspend(case=case, reason="hospital", acting_user=advisor)

    assert list(caseload(advisor, CaseloadFilters(overdue_only=True))) == []
    assert [c.pk for c in caseload(advisor, CaseloadFilters(state="suspended"))] == [case.pk]


def test_unexcused_absence_changes_nothing_outside_the_case():
    case = CaseFactory(state=CaseState.ACTIVE)
    appointment = _appointment(case)
    journal_before = InformationShare.objects.count()
    notifications_before = Notification.objects.count()

    case_services.appointment_record_outcome(
        appointment=appointment, acting_user=case.pair.advisor, outcome="unexcused"
    )

    case.refresh_from_db()
    assert case.state == "active"
    assert InformationShare.objects.count() == journal_before
    assert Notification.objects.count() == notifications_before
    assert mail.outbox == []
    assert not case.breach_reports.exists()


def test_deliberate_signalement_by_the_referent_is_journaled():
    case = CaseFactory(state=CaseState.ACTIVE)
    appointment = _appointment(case)
    case_services.appointment_record_outcome(
        appointment=appointment, acting_user=case.pair.advisor, outcome="unexcused"
    )

    report = case_services.breach_report(
        case=case,
        acting_user=case.referent,
        reason="Trois rendez-vous manqués sans explication",
        appointment=appointment,
    )

    row = InformationShare.objects.get(channel="report")
    assert (row.case, row.object_id, row.actor) == (case, str(report.pk), case.referent)


def test_signalement_without_reason_or_by_someone_else_refused():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidInput) as error:
        case_services.breach_report(case=case, acting_user=case.referent, reason="  ")
    with refused(InvalidTransition, "Seul·e le ou la référent·e unique peut faire un signalement."):
        case_services.breach_report(
            case=case, acting_user=case.pair.social_worker, reason="Absences répétées"
        )

    assert error.value.message == "Un signalement s'accompagne d'un motif écrit."
    assert not case.breach_reports.exists()


def test_drafted_signalement_shows_in_the_persons_journal(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    case_services.breach_report(case=case, acting_user=case.referent, reason="Absences")

    content = (
        login_client(case.pair.advisor)
        .get(reverse("case_journal_print", args=[case.pk]))
        .content.decode()
    )

    assert "Signalement de manquement rédigé par le ou la référent·e unique" in content


def test_outcome_of_a_future_appointment_refused():
    case = CaseFactory(state=CaseState.ACTIVE)
    appointment = case_services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=timezone.now() + datetime.timedelta(days=3),
        place="Agence",
        with_whom=case.pair.advisor,
    )

    with refused(InvalidInput, "Ce rendez-vous n'a pas encore eu lieu.", field="outcome"):
        case_services.appointment_record_outcome(
            appointment=appointment, acting_user=case.pair.advisor, outcome="held"
        )


def test_exit_requires_the_end_review():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidTransition) as error:
        case_services.case_close(case=case, exit_reason="durable_job", acting_user=case.referent)
    case_services.case_record_end_review(
        case=case, summary="Emploi en CDI trouvé.", acting_user=case.referent
    )
    closed = case_services.case_close(
        case=case, exit_reason="durable_job", acting_user=case.referent
    )

    assert error.value.message == (
        "Le bilan de fin d'accompagnement, fait avec la personne, précède la sortie."
    )
    assert (closed.state, closed.end_review_on) == ("closed", timezone.localdate())


def test_six_month_review_and_extension():
    case = CaseFactory(state=CaseState.ACTIVE)
    planned_end_on = case.planned_end_on

    case_services.case_record_six_month_review(
        case=case, summary="Point à mi-parcours", acting_user=case.referent
    )
    extended = case_services.case_extend(case=case, months=3, acting_user=case.referent)

    assert (extended.six_month_review_on, extended.planned_end_on, extended.extended_times) == (
        timezone.localdate(),
        planned_end_on + relativedelta(months=3),
        1,
    )


def test_lifted_obstacles_appear_in_the_plan_history(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    diagnostic = lock(make_diagnostic(case))
    obstacle = obstacles_of(diagnostic)[0]

    with refused(
        InvalidInput, "Un frein n'est levé que si la personne est d'accord.", field="person_agrees"
    ):
        services.obstacle_lift(obstacle=obstacle, acting_user=case.referent, person_agrees=False)
    with refused(InvalidTransition, "Le ou la référent·e unique, avec la personne, lève un frein."):
        services.obstacle_lift(
            obstacle=obstacle, acting_user=case.pair.social_worker, person_agrees=True
        )
    services.obstacle_lift(obstacle=obstacle, acting_user=case.referent, person_agrees=True)
    page = login_client(case.pair.social_worker).get(reverse("action_plan", args=[case.pk]))

    assert [lift.obstacle for lift in page.context["lifts"]] == [obstacle]
    assert f"levé le {timezone.localdate():%d/%m/%Y}" in page.content.decode()


def test_action_due_dates_reach_the_case(today):
    sooner, later = today + datetime.timedelta(days=43), today + datetime.timedelta(days=60)
    case = CaseFactory(state=CaseState.ACTIVE)
    first = services.action_add(
        case=case,
        acting_user=case.pair.advisor,
        title="Inscription à l'auto-école",
        owner="person",
        due_on=sooner,
    )
    services.action_add(
        case=case,
        acting_user=case.pair.advisor,
        title="Dossier de logement",
        owner="partner",
        partner_name="CCAS",
        due_on=later,
    )

    assert Case.objects.get(pk=case.pk).next_action_due_on == sooner
    services.action_set_status(action=first, acting_user=case.pair.advisor, status="done")
    assert Case.objects.get(pk=case.pk).next_action_due_on == later


def test_partner_action_needs_the_partner():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidInput) as error:
        services.action_add(
            case=case, acting_user=case.pair.advisor, title="Atelier", owner="partner"
        )

    assert error.value.field == "partner_name"


def test_plan_shows_unshared_obstacle_as_social_side_to_the_advisor(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    diagnostic = lock(make_diagnostic(case, obstacles=[("health", "Mal au dos", True)]))
    services.action_add(
        case=case,
        acting_user=case.pair.social_worker,
        title="Rendez-vous médecin du travail",
        owner="person",
        obstacle=obstacles_of(diagnostic)[0],
    )

    content = (
        login_client(case.pair.advisor).get(reverse("action_plan", args=[case.pk])).content.decode()
    )

    assert "une difficulté (côté social)" in content
    assert "Mal au dos" not in content
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HEALTH],
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
    )
    shared = login_client(case.pair.advisor).get(reverse("action_plan", args=[case.pk]))
    assert "Mal au dos" in shared.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_plan_page_queries_constant(size, login_client, django_assert_num_queries, today):
    case = CaseFactory(state=CaseState.ACTIVE)
    diagnostic = lock(make_diagnostic(case))
    obstacle = obstacles_of(diagnostic)[0]
    for index in range(size):
        services.action_add(
            case=case,
            acting_user=case.pair.advisor,
            title=f"Action {index}",
            owner="person",
            due_on=today + datetime.timedelta(days=30 + index),
            obstacle=obstacle,
        )
    client = login_client(case.pair.social_worker)

    # session, professional, case, grant check, plan, diagnostic, obstacles, social check,
    # social details, lifts, actions; the journal row: savepoint, head, insert, head, release
    with django_assert_num_queries(16):
        response = client.get(reverse("action_plan", args=[case.pk]))

    assert len(response.context["actions"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_appointments_list_queries_constant(size, login_client, django_assert_num_queries):
    case = CaseFactory(state=CaseState.ACTIVE)
    pair = case.pair
    for index in range(size):
        appointment = _appointment(case, hour=8 + index % 10)
        if index == 0:  # a held tripartite diagnostic appointment, with its diagnostic
            tripartite = case_services.appointment_plan(
                case=case,
                acting_user=pair.advisor,
                planned_at=_today_at(7),
                place="Agence",
                with_whom=pair.advisor,
                kind="diagnostic",
            )
            case_services.appointment_record_outcome(
                appointment=tripartite, acting_user=pair.advisor, outcome="held"
            )
            make_diagnostic(case)
        if index % 2:
            case_services.appointment_record_outcome(
                appointment=appointment,
                acting_user=pair.social_worker,
                outcome="excused",
                person_explanation="Enfant malade",
            )
    PairFactory(department=pair.department)  # another binôme, whose data must not show
    client = login_client(pair.advisor)

    # session, professional, case, grant check, with_whom choices, count, page, the
    # diagnostics the page's tripartite appointments produced
    with django_assert_num_queries(8):
        response = client.get(reverse("appointments", args=[case.pk]))

    assert len(response.context["page"].object_list) == size + 1


def test_the_advisor_cannot_lift_a_frein_the_accord_does_not_share(login_client):
    """Lifting reads the frein through the advisor's view of the diagnostic: a difficulty the
    accord de partage does not cover answers the same 404 as a missing one, and stays."""
    case = CaseFactory(state=CaseState.ACTIVE)
    assert case.referent == case.pair.advisor  # the référent·e who may lift a frein
    diagnostic = lock(make_diagnostic(case, obstacles=[("health", "Mal au dos", True)]))
    (hidden,) = obstacles_of(diagnostic)
    client = login_client(case.pair.advisor)
    url = reverse("obstacle_lift", args=[case.pk, hidden.pk])

    unshared = client.post(url, {"person_agrees": "on"})
    missing = client.post(reverse("obstacle_lift", args=[case.pk, 10**9]), {"person_agrees": "on"})

    assert (unshared.status_code, missing.status_code) == (404, 404)
    assert not ObstacleLift.objects.exists()
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HEALTH],
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
    )
    assert client.post(url, {"person_agrees": "on"}).status_code == 302
    assert ObstacleLift.objects.get().obstacle == hidden


def test_a_held_tripartite_appointment_opens_then_links_its_diagnostic(login_client):
    case = CaseFactory(state=CaseState.DIAGNOSTIC)
    advisor = case.pair.advisor
    follow_up = _appointment(case, hour=8)
    tripartite = case_services.appointment_plan(
        case=case,
        acting_user=advisor,
        planned_at=_today_at(7),
        place="Agence",
        with_whom=advisor,
        kind="diagnostic",
    )
    for appointment in (follow_up, tripartite):
        case_services.appointment_record_outcome(
            appointment=appointment, acting_user=advisor, outcome="held"
        )
    client = login_client(advisor)
    before = client.get(reverse("appointments", args=[case.pk])).content.decode()

    diagnostic = services.diagnostic_start(case=case, acting_user=case.pair.social_worker)

    after = client.get(reverse("appointments", args=[case.pk])).content.decode()
    assert diagnostic.from_appointment == tripartite
    assert before.count("Ouvrir le diagnostic") == 1  # the tripartite one, not the follow-up
    assert "Ouvrir le diagnostic" not in after
    assert "Le diagnostic qu'il a produit" in after
    assert f'href="{reverse("orientation", args=[case.pk])}"' in after


def test_a_diagnostic_opened_without_a_tripartite_appointment_links_none():
    case = CaseFactory(state=CaseState.DIAGNOSTIC)
    _appointment(case)  # a follow-up appointment, not held

    diagnostic = services.diagnostic_start(case=case, acting_user=case.pair.advisor)

    assert diagnostic.from_appointment is None
