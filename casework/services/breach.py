"""The signalement de manquement, step by step (loi « pour le plein emploi »):

drafted by the référent → the person informed by the letter the référent prints, with a delay to
present observations (the department's ``breach_observation_days``) → their observations, in
their words by the référent or written by the person in their space → transmitted to the
président·e du conseil départemental with them → the authority's decision, recorded as a fact
with its date → « remobilisation constatée » by the référent.

Every step is a deliberate act and one journal row, which the person reads in their journal.
Nothing here is automatic: no task, no reminder, and no message to the person (DESIGN.md: never a
message about a breach report or a sanction); the person reads the letter and their space.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from casework import journal, permissions
from casework.enums import BreachDecision, BreachObservationsBy, JournalChannel
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Appointment, BreachReport, Case, SpaceAccess
from casework.services._base import lock_access_in_force, lock_case, save, save_as_person
from partners.errors import InvalidTransition
from partners.models import Professional

#: The journal's ``object_type`` of every step.
OBJECT_TYPE = "signalement"
#: To whom a report is transmitted.
AUTHORITY = "Président·e du conseil départemental"
#: Longest observations, in characters.
MAX_OBSERVATIONS = 4000

ONLY_REFERENT = "Seul·e le ou la référent·e unique peut {action}."
NOT_INFORMED = (
    "La personne n'est pas encore informée : imprimez et remettez-lui d'abord la lettre "
    "d'information."
)


def _check_referent(case: Case, acting_user: Professional, action: str) -> None:
    if acting_user.pk != case.referent_id:
        raise InvalidTransition(ONLY_REFERENT.format(action=action))


def _locked(report: BreachReport) -> tuple[BreachReport, Case]:
    case = lock_case(report.case)
    report = BreachReport.objects.select_for_update().get(pk=report.pk)
    report.case = case  # the locked row: saving the report reads its binôme from it
    return report, case


def _row(
    case: Case,
    acting_user: Professional,
    report: BreachReport,
    purpose: str,
    *,
    recipient: str = "",
    info: RequestInfo | None = None,
) -> None:
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.REPORT,
        purpose=purpose,
        case=case,
        recipient=recipient,
        object_type=OBJECT_TYPE,
        object_id=str(report.pk),
        info=info,
    )


@transaction.atomic
def breach_report(
    *,
    case: Case,
    acting_user: Professional,
    reason: str,
    appointment: Appointment | None = None,
    info: RequestInfo | None = None,
) -> BreachReport:
    """Draft a « signalement de manquement »: only the référent, deliberately, with a written
    reason; journaled, and shown to the person. It is not transmitted: the person is informed
    first (``breach_inform``) and may present observations."""
    case = lock_case(case)
    if acting_user.pk != case.referent_id:
        raise InvalidTransition("Seul·e le ou la référent·e unique peut faire un signalement.")
    if not reason.strip():
        raise InvalidInput("Un signalement s'accompagne d'un motif écrit.", "reason")
    report = BreachReport(
        case=case, appointment=appointment, reason=reason.strip(), reported_by=acting_user
    )
    save(report, acting_user)
    _row(
        case,
        acting_user,
        report,
        "Signalement de manquement rédigé par le ou la référent·e unique (pas encore transmis : "
        "la personne en est d'abord informée et peut présenter ses observations)",
        info=info,
    )
    return report


@transaction.atomic
def breach_inform(
    *, report: BreachReport, acting_user: Professional, info: RequestInfo
) -> BreachReport:
    """The référent prints the information letter and hands it to the person: printing it is
    the act of informing. The first print sets the day and the delay for observations (the
    department's, as it is that day); a later print is journaled as a print and changes nothing.
    """
    report, case = _locked(report)
    _check_referent(case, acting_user, "informer la personne d'un signalement")
    if report.informed_at is None:
        report.informed_at = timezone.now()
        report.observations_until = timezone.localdate(report.informed_at) + datetime.timedelta(
            days=case.pair.department.breach_observation_days
        )
        save(report, acting_user)
        purpose = (
            "Lettre d'information sur un signalement de manquement remise à la personne : "
            f"observations possibles jusqu'au {report.observations_until:%d/%m/%Y}"
        )
    else:
        purpose = "Lettre d'information sur un signalement de manquement imprimée à nouveau"
    journal.record_print(
        info=info,
        actor=acting_user,
        case=case,
        purpose=purpose,
        object_type=OBJECT_TYPE,
        object_id=str(report.pk),
    )
    return report


def _check_observations(report: BreachReport, text: str) -> str:
    if report.informed_at is None:
        raise InvalidTransition(NOT_INFORMED)
    if report.transmitted_at is not None:
        raise InvalidTransition("Le signalement est déjà transmis : les observations sont closes.")
    if report.observations_at is not None:
        raise InvalidTransition("Les observations de la personne sont déjà enregistrées.")
    text = text.strip()
    if not text:
        raise InvalidInput("Écrivez les observations.", "observations")
    if len(text) > MAX_OBSERVATIONS:
        raise InvalidInput(
            f"Les observations sont trop longues : {MAX_OBSERVATIONS} caractères au plus.",
            "observations",
        )
    return text


@transaction.atomic
def breach_observations(
    *,
    report: BreachReport,
    acting_user: Professional,
    observations: str,
    info: RequestInfo | None = None,
) -> BreachReport:
    """The référent records the person's observations in the person's words (said at an
    appointment, on the phone, in a letter). They leave with the report."""
    report, case = _locked(report)
    _check_referent(case, acting_user, "noter les observations de la personne")
    report.observations = _check_observations(report, observations)
    report.observations_by = BreachObservationsBy.REFERENT
    report.observations_at = timezone.now()
    save(report, acting_user)
    _row(
        case,
        acting_user,
        report,
        "Observations de la personne sur le signalement de manquement, notées dans ses mots par "
        "le ou la référent·e unique",
        info=info,
    )
    return report


@transaction.atomic
def breach_observations_from_space(
    *,
    access: SpaceAccess,
    report: BreachReport,
    observations: str,
    info: RequestInfo | None = None,
) -> BreachReport:
    """The person writes their observations in their space: their own act (channel
    « person »). They leave with the report."""
    access = lock_access_in_force(access)
    if report.case_id != access.case_id:
        raise InvalidTransition("Ce signalement ne concerne pas votre accompagnement.")
    report, case = _locked(report)
    if report.informed_at is None:
        raise InvalidTransition("Ce signalement ne vous a pas encore été remis.")
    if report.transmitted_at is not None:
        raise InvalidTransition(
            "Le signalement est déjà transmis : vos observations ne peuvent plus être ajoutées. "
            "Parlez-en à votre référent·e."
        )
    if report.observations_at is not None:
        raise InvalidTransition("Vos observations sont déjà enregistrées.")
    report.observations = _check_observations(report, observations)
    report.observations_by = BreachObservationsBy.PERSON
    report.observations_at = timezone.now()
    save_as_person(report, access.pk)
    journal.record_person_act(
        case=case,
        purpose="Observations sur le signalement de manquement",
        object_type=OBJECT_TYPE,
        object_id=str(report.pk),
        info=info,
    )
    return report


def may_transmit(report: BreachReport, today: datetime.date) -> bool:
    """Informed, not yet transmitted, and either the person's observations are recorded or the
    delay to present them is over."""
    return (
        report.informed_at is not None
        and report.transmitted_at is None
        and (
            report.observations_at is not None
            or (report.observations_until is not None and today > report.observations_until)
        )
    )


@transaction.atomic
def breach_transmit(
    *, report: BreachReport, acting_user: Professional, info: RequestInfo | None = None
) -> BreachReport:
    """The référent transmits the report to the président·e du conseil départemental, with the
    person's observations. Before the end of the delay, only if they are recorded."""
    report, case = _locked(report)
    _check_referent(case, acting_user, "transmettre un signalement")
    if report.informed_at is None:
        raise InvalidTransition(NOT_INFORMED)
    if report.transmitted_at is not None:
        raise InvalidTransition("Ce signalement est déjà transmis.")
    if not may_transmit(report, timezone.localdate()):
        raise InvalidTransition(
            "La personne peut présenter ses observations jusqu'au "
            f"{report.observations_until:%d/%m/%Y} : le signalement ne peut être transmis "
            "avant, sauf si ses observations sont enregistrées."
        )
    report.transmitted_at = timezone.now()
    report.transmitted_by = acting_user
    save(report, acting_user)
    if report.observations_at is not None:
        observations = (
            f"avec les observations de la personne ({report.get_observations_by_display()}, "
            f"le {timezone.localdate(report.observations_at):%d/%m/%Y})"
        )
    else:
        observations = (
            "sans observations de la personne (délai écoulé le "
            f"{report.observations_until:%d/%m/%Y})"
        )
    _row(
        case,
        acting_user,
        report,
        f"Signalement de manquement transmis par le ou la référent·e unique, {observations}",
        recipient=AUTHORITY,
        info=info,
    )
    return report


@transaction.atomic
def breach_decision(
    *,
    report: BreachReport,
    acting_user: Professional,
    decision: str,
    decided_on: datetime.date,
    suspension_rate: int | None = None,
    suspension_months: int | None = None,
    info: RequestInfo | None = None,
) -> BreachReport:
    """Record the authority's decision as a fact, with its date: a member of the binôme (the
    référent or the co-accompagnant·e, or their remplaçant·e) who received it. Rate and length
    only for a suspension-remobilisation."""
    report, case = _locked(report)
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne enregistre la décision.")
    if report.transmitted_at is None:
        raise InvalidTransition("Le signalement n'est pas encore transmis : aucune décision.")
    if report.decision:
        raise InvalidTransition("La décision est déjà enregistrée.")
    if decision not in BreachDecision.values:
        raise InvalidInput("Choisissez la décision.", "decision")
    if decided_on > timezone.localdate():
        raise InvalidInput("La date de la décision ne peut pas être à venir.", "decided_on")
    if decided_on < timezone.localdate(report.transmitted_at):
        raise InvalidInput(
            "La décision ne peut pas précéder la transmission du signalement "
            f"({timezone.localdate(report.transmitted_at):%d/%m/%Y}).",
            "decided_on",
        )
    if decision == BreachDecision.SUSPENSION:
        if suspension_rate is None:
            raise InvalidInput("Indiquez le taux de la suspension.", "suspension_rate")
        if suspension_months is None:
            raise InvalidInput("Indiquez la durée de la suspension.", "suspension_months")
        details = f" de {suspension_rate} % pendant {suspension_months} mois"
    else:
        suspension_rate = suspension_months = None
        details = ""
    report.decision = decision
    report.decision_on = decided_on
    report.decision_recorded_by = acting_user
    report.suspension_rate = suspension_rate
    report.suspension_months = suspension_months
    save(report, acting_user)
    _row(
        case,
        acting_user,
        report,
        "Décision du ou de la président·e du conseil départemental enregistrée : "
        f"{report.get_decision_display()}{details} (décision du {decided_on:%d/%m/%Y})",
        info=info,
    )
    return report


@transaction.atomic
def breach_remobilised(
    *,
    report: BreachReport,
    acting_user: Professional,
    remobilised_on: datetime.date,
    info: RequestInfo | None = None,
) -> BreachReport:
    """« Remobilisation constatée »: the référent's deliberate act, which ends the suspension on
    the case's side. Nothing records it on its own."""
    report, case = _locked(report)
    _check_referent(case, acting_user, "constater la remobilisation")
    if report.decision != BreachDecision.SUSPENSION:
        raise InvalidTransition(
            "La remobilisation se constate après une décision de suspension-remobilisation."
        )
    if report.remobilised_on is not None:
        raise InvalidTransition("La remobilisation est déjà constatée.")
    if remobilised_on > timezone.localdate():
        raise InvalidInput("La date ne peut pas être à venir.", "remobilised_on")
    if report.decision_on is not None and remobilised_on < report.decision_on:
        raise InvalidInput(
            f"La remobilisation ne peut pas précéder la décision ({report.decision_on:%d/%m/%Y}).",
            "remobilised_on",
        )
    report.remobilised_on = remobilised_on
    report.remobilised_by = acting_user
    save(report, acting_user)
    _row(
        case,
        acting_user,
        report,
        f"Remobilisation constatée par le ou la référent·e unique le {remobilised_on:%d/%m/%Y} : "
        "fin de la suspension du côté de l'accompagnement",
        info=info,
    )
    return report
