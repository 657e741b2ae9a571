"""The signalement de manquement, step by step: drafted → the person informed by the printed
letter, with the department's delay → observations (the référent's, in the person's words, or
the person's own in their space) → transmitted with them → the authority's decision as a fact →
« remobilisation constatée » by the référent. Each step is a deliberate act and one journal row,
and nothing sends a message."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import BreachStep, CaseState, JournalChannel
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import BreachReport, InformationShare
from casework.space import selectors as space_selectors
from partners import services as partners_services
from partners.errors import InvalidTransition
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory
from tests.casework.test_person_space import EMAIL, invited_case, log_in_person
from tests.partners.factories import ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

TOO_EARLY = (
    "La personne peut présenter ses observations jusqu'au {until:%d/%m/%Y} : le signalement ne "
    "peut être transmis avant, sauf si ses observations sont enregistrées."
)


def drafted(case=None) -> BreachReport:  # type: ignore[no-untyped-def]
    case = case or CaseFactory(state=CaseState.ACTIVE)
    return services.breach_report(
        case=case, acting_user=case.referent, reason="Trois rendez-vous manqués"
    )


def informed(case=None, days_ago: int = 0) -> BreachReport:  # type: ignore[no-untyped-def]
    """A report whose letter the référent printed ``days_ago`` days ago."""
    report = drafted(case)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago), tick=False):
        return services.breach_inform(
            report=report, acting_user=report.case.referent, info=RequestInfo()
        )


def transmitted(case=None) -> BreachReport:  # type: ignore[no-untyped-def]
    report = informed(case)
    report = services.breach_observations(
        report=report, acting_user=report.case.referent, observations="J'étais malade."
    )
    return services.breach_transmit(report=report, acting_user=report.case.referent)


def rows(report: BreachReport) -> list[tuple[str, str, str]]:
    return [
        (row.channel, row.recipient, row.purpose)
        for row in InformationShare.objects.filter(
            case=report.case, object_type="signalement", object_id=str(report.pk)
        ).order_by("seq")
    ]


# Drafting and informing.


def test_a_drafted_report_is_journaled_but_not_transmitted():
    report = drafted()

    assert report.step == BreachStep.DRAFTED
    assert rows(report) == [
        (
            JournalChannel.REPORT,
            "",
            "Signalement de manquement rédigé par le ou la référent·e unique (pas encore "
            "transmis : la personne en est d'abord informée et peut présenter ses observations)",
        )
    ]


def test_printing_the_letter_informs_the_person_with_the_departments_delay(today):
    case = CaseFactory(state=CaseState.ACTIVE)
    partners_services.department_update(
        department=case.pair.department, fields={"breach_observation_days": 15}, acting_user=None
    )
    report = informed(case)
    again = services.breach_inform(report=report, acting_user=case.referent, info=RequestInfo())

    until = today + datetime.timedelta(days=15)
    assert (again.step, again.observations_until) == (BreachStep.INFORMED, until)
    assert rows(report)[1:] == [
        (
            JournalChannel.PRINT,
            "la personne accompagnée",
            "Lettre d'information sur un signalement de manquement remise à la personne : "
            f"observations possibles jusqu'au {until:%d/%m/%Y}",
        ),
        (
            JournalChannel.PRINT,
            "la personne accompagnée",
            "Lettre d'information sur un signalement de manquement imprimée à nouveau",
        ),
    ]


def test_the_default_delay_is_ten_days(today):
    assert informed().observations_until == today + datetime.timedelta(days=10)


def test_only_the_referent_informs_the_person():
    report = drafted()

    with refused(
        InvalidTransition,
        "Seul·e le ou la référent·e unique peut informer la personne d'un signalement.",
    ):
        services.breach_inform(
            report=report, acting_user=report.case.pair.social_worker, info=RequestInfo()
        )
    report.refresh_from_db()
    assert report.informed_at is None


# Transmission and the delay.


def test_transmission_before_the_person_is_informed_is_refused():
    report = drafted()

    with refused(
        InvalidTransition,
        "La personne n'est pas encore informée : imprimez et remettez-lui d'abord la lettre "
        "d'information.",
    ):
        services.breach_transmit(report=report, acting_user=report.case.referent)


def test_transmission_within_the_delay_without_observations_is_refused():
    report = informed(days_ago=10)  # the tenth day is still the person's

    with refused(InvalidTransition, TOO_EARLY.format(until=report.observations_until)):
        services.breach_transmit(report=report, acting_user=report.case.referent)
    report.refresh_from_db()
    assert report.transmitted_at is None
    assert [row[0] for row in rows(report)] == [JournalChannel.REPORT, JournalChannel.PRINT]


def test_transmission_after_the_delay_goes_without_observations():
    report = informed(days_ago=11)

    report = services.breach_transmit(report=report, acting_user=report.case.referent)

    assert report.step == BreachStep.TRANSMITTED
    assert rows(report)[-1] == (
        JournalChannel.REPORT,
        "Président·e du conseil départemental",
        "Signalement de manquement transmis par le ou la référent·e unique, sans observations "
        f"de la personne (délai écoulé le {report.observations_until:%d/%m/%Y})",
    )


def test_observations_recorded_by_the_referent_allow_an_early_transmission(today):
    report = informed()
    report = services.breach_observations(
        report=report, acting_user=report.case.referent, observations="  J'étais malade.  "
    )

    report = services.breach_transmit(report=report, acting_user=report.case.referent)

    assert (report.observations, report.observations_by) == ("J'étais malade.", "referent")
    assert rows(report)[-2:] == [
        (
            JournalChannel.REPORT,
            "",
            "Observations de la personne sur le signalement de manquement, notées dans ses mots "
            "par le ou la référent·e unique",
        ),
        (
            JournalChannel.REPORT,
            "Président·e du conseil départemental",
            "Signalement de manquement transmis par le ou la référent·e unique, avec les "
            "observations de la personne (le ou la référent·e, dans les mots de la personne, "
            f"le {today:%d/%m/%Y})",
        ),
    ]


def test_observations_need_the_letter_and_words_and_come_once():
    report = drafted()
    referent = report.case.referent

    with refused(
        InvalidTransition,
        "La personne n'est pas encore informée : imprimez et remettez-lui d'abord la lettre "
        "d'information.",
    ):
        services.breach_observations(report=report, acting_user=referent, observations="Non")
    services.breach_inform(report=report, acting_user=referent, info=RequestInfo())
    with refused(InvalidInput, "Écrivez les observations.", field="observations"):
        services.breach_observations(report=report, acting_user=referent, observations="  ")
    services.breach_observations(report=report, acting_user=referent, observations="Malade")
    with refused(InvalidTransition, "Les observations de la personne sont déjà enregistrées."):
        services.breach_observations(report=report, acting_user=referent, observations="Autre")


def test_only_the_referent_transmits():
    report = informed(days_ago=11)

    with refused(
        InvalidTransition, "Seul·e le ou la référent·e unique peut transmettre un signalement."
    ):
        services.breach_transmit(report=report, acting_user=report.case.pair.social_worker)


def test_the_person_writes_observations_in_their_space_as_their_own_act():
    case, access = invited_case()
    report = informed(case)

    report = services.breach_observations_from_space(
        access=access, report=report, observations="Je n'ai pas reçu la convocation."
    )

    assert (report.observations_by, report.step) == ("person", BreachStep.INFORMED)
    row = InformationShare.objects.filter(case=case).latest("seq")
    assert (row.channel, row.actor, row.purpose, row.object_id) == (
        JournalChannel.PERSON,
        None,
        "Observations sur le signalement de manquement",
        str(report.pk),
    )
    services.breach_transmit(report=report, acting_user=case.referent)
    with refused(
        InvalidTransition,
        "Le signalement est déjà transmis : vos observations ne peuvent plus être ajoutées. "
        "Parlez-en à votre référent·e.",
    ):
        services.breach_observations_from_space(access=access, report=report, observations="Et")


def test_the_person_cannot_write_observations_before_the_letter():
    case, access = invited_case()
    report = drafted(case)

    with refused(InvalidTransition, "Ce signalement ne vous a pas encore été remis."):
        services.breach_observations_from_space(access=access, report=report, observations="Non")


# The decision and the remobilisation.


def test_a_suspension_is_recorded_with_its_rate_and_length(today):
    report = transmitted()
    social_worker = report.case.pair.social_worker

    with refused(InvalidInput, "Indiquez le taux de la suspension.", field="suspension_rate"):
        services.breach_decision(
            report=report, acting_user=social_worker, decision="suspension", decided_on=today
        )
    report = services.breach_decision(
        report=report,
        acting_user=social_worker,
        decision="suspension",
        decided_on=today,
        suspension_rate=50,
        suspension_months=2,
    )

    assert (report.step, report.decision_recorded_by) == (BreachStep.DECIDED, social_worker)
    assert rows(report)[-1] == (
        JournalChannel.REPORT,
        "",
        "Décision du ou de la président·e du conseil départemental enregistrée : "
        f"suspension-remobilisation de 50 % pendant 2 mois (décision du {today:%d/%m/%Y})",
    )


def test_no_sanction_keeps_no_rate_and_allows_no_remobilisation(today):
    report = transmitted()
    referent = report.case.referent

    report = services.breach_decision(
        report=report,
        acting_user=referent,
        decision="none",
        decided_on=today,
        suspension_rate=30,
        suspension_months=1,
    )

    assert (report.decision, report.suspension_rate, report.suspension_months) == (
        "none",
        None,
        None,
    )
    with refused(
        InvalidTransition,
        "La remobilisation se constate après une décision de suspension-remobilisation.",
    ):
        services.breach_remobilised(report=report, acting_user=referent, remobilised_on=today)


def test_a_decision_before_transmission_or_in_the_future_is_refused(today):
    report = informed()
    referent = report.case.referent

    with refused(InvalidTransition, "Le signalement n'est pas encore transmis : aucune décision."):
        services.breach_decision(
            report=report, acting_user=referent, decision="none", decided_on=today
        )
    report = transmitted()
    with refused(
        InvalidInput, "La date de la décision ne peut pas être à venir.", field="decided_on"
    ):
        services.breach_decision(
            report=report,
            acting_user=report.case.referent,
            decision="none",
            decided_on=today + datetime.timedelta(days=1),
        )


def test_someone_outside_the_binome_cannot_record_the_decision(today):
    report = transmitted()
    other = ProfessionalFactory(organisation=report.case.pair.advisor.organisation)

    with refused(InvalidTransition, "Seul le binôme de la personne enregistre la décision."):
        services.breach_decision(
            report=report, acting_user=other, decision="none", decided_on=today
        )


def test_remobilisation_is_the_referents_act_and_journaled(today):
    report = transmitted()
    case = report.case
    services.breach_decision(
        report=report,
        acting_user=case.referent,
        decision="suspension",
        decided_on=today,
        suspension_rate=100,
        suspension_months=1,
    )

    with refused(
        InvalidTransition, "Seul·e le ou la référent·e unique peut constater la remobilisation."
    ):
        services.breach_remobilised(
            report=report, acting_user=case.pair.social_worker, remobilised_on=today
        )
    report = services.breach_remobilised(
        report=report, acting_user=case.referent, remobilised_on=today
    )

    assert (report.step, report.remobilised_by) == (BreachStep.REMOBILISED, case.referent)
    assert rows(report)[-1] == (
        JournalChannel.REPORT,
        "",
        f"Remobilisation constatée par le ou la référent·e unique le {today:%d/%m/%Y} : fin de "
        "la suspension du côté de l'accompagnement",
    )


def test_the_database_refuses_a_suspension_without_rate_and_a_transmission_uninformed():
    report = informed(days_ago=11)
    report = services.breach_transmit(report=report, acting_user=report.case.referent)

    plain = models.QuerySet(BreachReport).filter(pk=report.pk)  # past the audited manager
    with transaction.atomic(), pytest.raises(IntegrityError, match="suspension_has_rate"):
        plain.update(
            decision="suspension",
            decision_on=timezone.localdate(),
            decision_recorded_by=report.case.referent,
        )
    with transaction.atomic(), pytest.raises(IntegrityError, match="transmitted_after_inform"):
        plain.update(informed_at=None, observations_until=None)


def test_no_step_sends_a_message(today):
    case, _ = invited_case()
    before = OutboxMessage.objects.count()
    report = transmitted(case)
    services.breach_decision(
        report=report,
        acting_user=case.referent,
        decision="suspension",
        decided_on=today,
        suspension_rate=50,
        suspension_months=2,
    )
    services.breach_remobilised(report=report, acting_user=case.referent, remobilised_on=today)

    assert OutboxMessage.objects.count() == before


# The pages.


def test_the_letter_print_informs_the_person_and_opens_the_print_dialog(login_client, today):
    report = drafted()
    case = report.case
    client = login_client(case.referent)
    url = reverse("breach_letter", args=[case.pk, report.pk])

    preview = client.get(url)
    printed = client.post(url)
    handed = client.get(url)

    report.refresh_from_db()
    until = today + datetime.timedelta(days=10)
    assert (preview.status_code, printed.status_code, printed["Location"]) == (200, 302, url)
    assert "Rien n'est décidé." in preview.content.decode()
    assert f"jusqu'au {until.day}" in preview.content.decode()
    assert (report.observations_until, handed.context["handed"]) == (until, True)


def test_refused_observations_keep_what_was_typed(login_client):
    report = informed()
    case = report.case
    typed = "Ce que la personne a dit. " * 200  # 5 000 characters: too long

    response = login_client(case.referent).post(
        reverse("breach_observations", args=[case.pk, report.pk]), {"observations": typed}
    )

    assert response.status_code == 200
    assert response.context["observations_form"].errors == {
        "observations": ["Les observations sont trop longues : 4000 caractères au plus."]
    }
    assert typed.strip() in response.content.decode()


def test_observations_on_a_report_not_yet_handed_go_back_to_its_page(login_client):
    report = drafted()
    case = report.case
    url = reverse("breach_detail", args=[case.pk, report.pk])

    response = login_client(case.referent).post(
        reverse("breach_observations", args=[case.pk, report.pk]), {"observations": "Non"}
    )

    report.refresh_from_db()
    assert (response.status_code, response["Location"], report.observations) == (302, url, "")


def test_a_report_of_another_case_is_not_found(login_client):
    report = drafted()
    other = CaseFactory(state=CaseState.ACTIVE, pair=report.case.pair)

    response = login_client(report.case.referent).get(
        reverse("breach_detail", args=[other.pk, report.pk])
    )

    assert response.status_code == 404


def test_the_person_reads_the_steps_and_writes_observations_in_their_space():
    case, _ = invited_case()
    report = informed(case)
    client = log_in_person(Client(), EMAIL)
    url = reverse("space_breach", args=[report.pk])

    page = client.get(url).content.decode()
    sent = client.post(url, {"observations": "Je n'ai pas reçu la lettre."})
    after = client.get(url).content.decode()

    assert "Donner mes observations" in page
    assert sent.status_code == 302
    assert "vous les avez écrites dans votre espace" in after
    assert "Donner mes observations" not in after


def test_the_person_cannot_open_another_persons_report():
    case, _ = invited_case()
    other = drafted()
    client = log_in_person(Client(), EMAIL)

    response = client.get(reverse("space_breach", args=[other.pk]))

    assert response.status_code == 404
    assert list(space_selectors.breach_reports(case)) == []
