"""Every write of the casework app: people, accompagnements, interviews, notes, points binôme."""

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from casework import directory, journal, permissions
from casework.enums import (
    OPEN_STATES,
    AgreementMethod,
    AppointmentOutcome,
    CaseState,
    DiagnosticState,
    ExitReason,
    JournalChannel,
    ObstacleCategory,
    OrientationPath,
    PersonAgreementMethod,
    ShareCategory,
    SocialRequestState,
    SuspensionReason,
)
from casework.errors import CapacityReached, ConcurrentChange, ConsentRequired, InvalidInput
from casework.models import (
    Appointment,
    Attendance,
    Beneficiary,
    BreachReport,
    Case,
    CasePairPeriod,
    Delegation,
    Enrolment,
    Interview,
    Note,
    PairContact,
    Programme,
    ProgrammeSession,
    Resource,
    SharingAgreement,
    SocialNote,
    SocialRequest,
    Suspension,
)
from partners.audit import acting_as
from partners.enums import PAIR_ROLES, Role
from partners.errors import InvalidTransition
from partners.models import Department, Organisation, Pair, Professional

ACCOMPANIMENT_LENGTH = relativedelta(months=12)
OLDEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 16


def _save(instance: Any, acting_user: Professional | None) -> None:
    instance.full_clean()
    with acting_as(acting_user):
        instance.save()


def _lock(case: Case, seen_version: int | None = None) -> Case:
    """The case row locked for this transaction; refuse if it changed since the user saw it."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if seen_version is not None and locked.version != seen_version:
        raise ConcurrentChange(
            "Cet accompagnement vient d'être modifié par quelqu'un d'autre. Rechargez la page "
            "pour voir ses changements, puis enregistrez à nouveau."
        )
    return locked


def _bump(case: Case, acting_user: Professional | None) -> None:
    case.version += 1
    _save(case, acting_user)


def _require_state(case: Case, allowed: Iterable[str], action: str) -> None:
    if case.state not in allowed:
        raise InvalidTransition(
            f"Impossible de {action} : l'accompagnement est « {case.get_state_display()} »."
        )


def check_birth_date(birth_date: datetime.date) -> None:
    today = timezone.localdate()
    if birth_date.year < OLDEST_BIRTH_YEAR or birth_date > today - relativedelta(
        years=YOUNGEST_AGE
    ):
        raise InvalidInput(
            "Cette date de naissance n'est pas plausible : vérifiez-la "
            f"(la personne a entre {YOUNGEST_AGE} et {today.year - OLDEST_BIRTH_YEAR} ans).",
            field="birth_date",
        )


@transaction.atomic
def beneficiary_create(
    *, department: Department, acting_user: Professional | None, **fields: Any
) -> Beneficiary:
    check_birth_date(fields["birth_date"])
    beneficiary = Beneficiary(department=department, **fields)
    _save(beneficiary, acting_user)
    return beneficiary


@transaction.atomic
def case_propose(
    *,
    beneficiary: Beneficiary,
    pair: Pair,
    acting_user: Professional | None,
    proposed_on: datetime.date | None = None,
) -> Case:
    """Propose an accompaniment to a person; the pair gets its grants on the case."""
    if not pair.is_active:
        raise InvalidTransition("Ce binôme est terminé : choisissez un binôme en cours.")
    if pair.department_id != beneficiary.department_id:
        raise InvalidTransition("La personne et le binôme relèvent de départements différents.")
    if Case.objects.open().filter(beneficiary=beneficiary).exists():
        raise InvalidTransition("Cette personne a déjà un accompagnement en cours.")
    proposed_on = proposed_on or timezone.localdate()
    case = Case(
        beneficiary=beneficiary,
        pair=pair,
        referent=pair.advisor,
        state=CaseState.PROPOSED,
        proposed_on=proposed_on,
    )
    _save(case, acting_user)
    _save(CasePairPeriod(case=case, pair=pair, started_on=proposed_on), acting_user)
    permissions.grant_pair(case, pair)
    journal.record(
        department=pair.department,
        actor=acting_user,
        channel=JournalChannel.GRANT,
        purpose="Accompagnement proposé : droits d'accès donnés au binôme",
        case=case,
        recipient=_pair_label(pair),
    )
    return case


def _pair_label(pair: Pair) -> str:
    return (
        f"Binôme n°{pair.pk} ({pair.advisor.job_title or 'conseiller·ère'}, "
        f"{pair.social_worker.job_title or 'travailleur·se social·e'})"
    )


@transaction.atomic
def case_record_entry_agreement(
    *, case: Case, acting_user: Professional, agreed_at: datetime.datetime | None = None
) -> Case:
    """The person agrees to enter the accompaniment: the diagnostic can start."""
    case = _lock(case)
    _require_state(case, [CaseState.PROPOSED], "enregistrer l'accord d'entrée")
    case.entry_agreed_at = agreed_at or timezone.now()
    case.entry_agreement_recorded_by = acting_user
    case.state = CaseState.DIAGNOSTIC
    _bump(case, acting_user)
    return case


@transaction.atomic
def case_record_refusal(*, case: Case, acting_user: Professional) -> Case:
    """The person declines. Recorded, and without any consequence in the product."""
    case = _lock(case)
    _require_state(case, [CaseState.PROPOSED], "enregistrer le refus")
    case.state = CaseState.REFUSED
    case.refused_on = timezone.localdate()
    _bump(case, acting_user)
    return case


@transaction.atomic
def case_start(
    *, case: Case, acting_user: Professional, started_on: datetime.date | None = None
) -> Case:
    case = _lock(case)
    if case.entry_agreed_at is None:
        raise ConsentRequired("L'accord de la personne pour entrer dans l'accompagnement manque.")
    _require_state(case, [CaseState.DIAGNOSTIC], "démarrer l'accompagnement")
    started_on = started_on or timezone.localdate()
    _not_before(
        started_on,
        case.proposed_on,
        "Le démarrage ne peut pas précéder la proposition de l'accompagnement",
        field="started_on",
    )
    _start(case, started_on)
    _bump(case, acting_user)
    return case


def _not_before(
    day: datetime.date, earliest: datetime.date | None, refusal: str, *, field: str
) -> None:
    """Refuse a date given by the caller that precedes a date already recorded."""
    if earliest is not None and day < earliest:
        raise InvalidInput(f"{refusal} ({earliest:%d/%m/%Y}).", field=field)


def _start(case: Case, started_on: datetime.date) -> None:
    """En cours from ``started_on``, for twelve months (paused while suspended)."""
    case.started_on = started_on
    case.planned_end_on = started_on + ACCOMPANIMENT_LENGTH
    case.state = CaseState.ACTIVE


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    reason: SuspensionReason | str,
    acting_user: Professional,
    started_on: datetime.date | None = None,
) -> Case:
    case = _lock(case)
    _require_state(case, [CaseState.ACTIVE], "suspendre l'accompagnement")
    started_on = started_on or timezone.localdate()
    _not_before(
        started_on,
        case.started_on,
        "La suspension ne peut pas précéder le début de l'accompagnement",
        field="started_on",
    )
    last_resumed_on = case.suspensions.aggregate(last=Max("ended_on"))["last"]
    _not_before(
        started_on,
        last_resumed_on,
        "La suspension ne peut pas précéder la reprise de la suspension précédente",
        field="started_on",
    )
    _save(Suspension(case=case, reason=reason, started_on=started_on), acting_user)
    case.state = CaseState.SUSPENDED
    _bump(case, acting_user)
    return case


@transaction.atomic
def case_resume(
    *, case: Case, acting_user: Professional, resumed_on: datetime.date | None = None
) -> Case:
    """Resume; the planned end moves by the length of the pause (the clock was stopped)."""
    case = _lock(case)
    _require_state(case, [CaseState.SUSPENDED], "reprendre l'accompagnement")
    suspension = case.suspensions.get(ended_on__isnull=True)
    resumed_on = resumed_on or timezone.localdate()
    _not_before(
        resumed_on,
        suspension.started_on,
        "La reprise ne peut pas précéder le début de la suspension",
        field="resumed_on",
    )
    suspension.ended_on = resumed_on
    _save(suspension, acting_user)
    if case.planned_end_on is not None:
        case.planned_end_on += resumed_on - suspension.started_on
    case.state = CaseState.ACTIVE
    _bump(case, acting_user)
    return case


@transaction.atomic
def case_close(
    *,
    case: Case,
    exit_reason: ExitReason | str,
    acting_user: Professional,
    closed_on: datetime.date | None = None,
) -> Case:
    case = _lock(case)
    _require_state(case, [CaseState.DIAGNOSTIC, CaseState.ACTIVE, CaseState.SUSPENDED], "clore")
    if case.end_review_on is None:
        raise InvalidTransition(
            "Le bilan de fin d'accompagnement, fait avec la personne, précède la sortie."
        )
    closed_on = closed_on or timezone.localdate()
    _not_before(
        closed_on,
        case.started_on or case.proposed_on,
        "La sortie ne peut pas précéder le début de l'accompagnement",
        field="closed_on",
    )
    if case.state == CaseState.SUSPENDED:
        open_suspension = case.suspensions.get(ended_on__isnull=True)
        _not_before(
            closed_on,
            open_suspension.started_on,
            "La sortie ne peut pas précéder le début de la suspension",
            field="closed_on",
        )
        open_suspension.ended_on = closed_on
        _save(open_suspension, acting_user)
    case.state = CaseState.CLOSED
    case.exit_reason = exit_reason
    case.closed_on = closed_on
    _bump(case, acting_user)
    return case


def _referent_in(pair: Pair, previous: Professional) -> Professional:
    return pair.social_worker if previous.role == Role.SOCIAL_WORKER else pair.advisor


@transaction.atomic
def case_reassign(
    *, case: Case, new_pair: Pair, reason: str, acting_user: Professional | None
) -> Case:
    """Hand a case over to another binôme: grants follow, the history of pairs is kept."""
    case = _lock(case)
    if not case.is_open:
        raise InvalidTransition("Un accompagnement terminé ne change plus de binôme.")
    if not new_pair.is_active:
        raise InvalidTransition("Ce binôme est terminé : choisissez un binôme en cours.")
    if new_pair.pk == case.pair_id:
        raise InvalidTransition("L'accompagnement est déjà suivi par ce binôme.")
    if new_pair.department_id != case.pair.department_id:
        raise InvalidTransition("Le nouveau binôme relève d'un autre département.")
    today = timezone.localdate()
    period = case.pair_periods.get(ended_on__isnull=True)
    period.ended_on = today
    _save(period, acting_user)
    _save(
        CasePairPeriod(case=case, pair=new_pair, started_on=today, reason=reason.strip()),
        acting_user,
    )
    permissions.revoke_pair(case, case.pair)
    permissions.grant_pair(case, new_pair)
    previous = case.pair
    case.referent = _referent_in(new_pair, case.referent)
    case.pair = new_pair
    _bump(case, acting_user)
    permissions.sync_delegations(case)
    journal.record(
        department=new_pair.department,
        actor=acting_user,
        channel=JournalChannel.GRANT,
        purpose="Changement de binôme : droits retirés au binôme précédent, donnés au nouveau",
        case=case,
        recipient=f"{_pair_label(new_pair)} ; retrait : {_pair_label(previous)}",
    )
    return case


@transaction.atomic
def cases_reassign_from(
    *, professional: Professional, new_pair: Pair, reason: str, acting_user: Professional | None
) -> list[Case]:
    """Hand over, in one step, every open case of a leaving professional's binômes."""
    cases = list(
        Case.objects.open()
        .filter(pair__in=Pair.objects.of(professional))
        .exclude(pair=new_pair)
        .select_related("pair", "referent")
        .order_by("pk")
    )
    return [
        case_reassign(case=case, new_pair=new_pair, reason=reason, acting_user=acting_user)
        for case in cases
    ]


def check_interview_dates(
    occurred_on: datetime.date, next_appointment_on: datetime.date | None
) -> None:
    if occurred_on > timezone.localdate():
        raise InvalidInput("Un entretien ne peut pas être daté dans le futur.", field="occurred_on")
    if next_appointment_on is not None and next_appointment_on < occurred_on:
        raise InvalidInput(
            "Le prochain rendez-vous ne peut pas précéder l'entretien.",
            field="next_appointment_on",
        )


@transaction.atomic
def interview_log(
    *,
    case: Case,
    author: Professional,
    occurred_on: datetime.date,
    channel: str,
    three_way: bool = False,
    interpreter: bool = False,
    summary: str = "",
    next_appointment_on: datetime.date | None = None,
    seen_version: int | None = None,
) -> Interview:
    """Log an interview and bring the case's last-contact figures up to date."""
    check_interview_dates(occurred_on, next_appointment_on)
    case = _lock(case, seen_version)
    _require_state(case, OPEN_STATES, "saisir un entretien")
    interview = Interview(
        case=case,
        author=author,
        occurred_on=occurred_on,
        channel=channel,
        three_way=three_way,
        interpreter=interpreter,
        summary=summary.strip(),
        next_appointment_on=next_appointment_on,
    )
    _save(interview, author)
    if case.last_interview_on is None or occurred_on >= case.last_interview_on:
        case.last_interview_on = occurred_on
        case.last_interview_by = author
        if next_appointment_on is not None:
            case.next_appointment_on = next_appointment_on
    if author.pk == case.referent_id and (
        case.last_referent_interview_on is None or occurred_on > case.last_referent_interview_on
    ):
        case.last_referent_interview_on = occurred_on
    if case.last_contact_on is None or occurred_on > case.last_contact_on:
        case.last_contact_on = occurred_on
    _bump(case, author)
    return interview


@transaction.atomic
def note_add(*, case: Case, author: Professional, text: str) -> Note:
    if not text.strip():
        raise InvalidInput("Une note ne peut pas être vide.", field="text")
    note = Note(case=case, author=author, text=text.strip())
    _save(note, author)
    return note


@transaction.atomic
def social_note_add(*, case: Case, author: Professional, text: str) -> SocialNote:
    """A secret note: only a social worker of the case writes (and reads) it."""
    if not permissions.can_read_social_notes(author, case):
        raise InvalidTransition("Seul·e le ou la travailleur·se social·e du binôme écrit ici.")
    if not text.strip():
        raise InvalidInput("Une note sociale ne peut pas être vide.", field="text")
    note = SocialNote(case=case, author=author, text=text.strip())
    _save(note, author)
    return note


@transaction.atomic
def pair_contact_record(
    *,
    pair: Pair,
    author: Professional,
    occurred_on: datetime.date,
    channel: str,
    cases: Iterable[Case],
    summary: str = "",
) -> PairContact:
    """A point binôme about several cases of the pair."""
    cases = list(cases)
    if occurred_on > timezone.localdate():
        raise InvalidInput("Un point binôme ne peut pas être daté dans le futur.", "occurred_on")
    if any(case.pair_id != pair.pk for case in cases):
        raise InvalidInput("Chaque situation évoquée doit être suivie par ce binôme.", "cases")
    contact = PairContact(
        pair=pair, author=author, occurred_on=occurred_on, channel=channel, summary=summary
    )
    _save(contact, author)
    with acting_as(author):
        contact.cases.set(cases)
    return contact


AGREEMENT_LENGTH_AFTER_END = relativedelta(months=1)
DEFAULT_AGREEMENT_LENGTH = relativedelta(months=13)


def default_agreement_expiry(case: Case, given_on: datetime.date) -> datetime.date:
    """The planned end of the accompaniment plus one month (13 months when not started)."""
    if case.planned_end_on is not None:
        return case.planned_end_on + AGREEMENT_LENGTH_AFTER_END
    return given_on + DEFAULT_AGREEMENT_LENGTH


@transaction.atomic
def agreement_record(
    *,
    case: Case,
    categories: Iterable[str],
    how_obtained: AgreementMethod | str,
    acting_user: Professional,
    expires_on: datetime.date | None = None,
    request: Any = None,
) -> SharingAgreement:
    """Record the person's accord de partage (the social worker of the case records it).

    A newer agreement replaces the current one; the history is kept.
    """
    if not permissions.can_read_social_notes(acting_user, case):
        raise InvalidTransition(
            "L'accord de partage est recueilli par le ou la travailleur·se social·e du binôme."
        )
    chosen = sorted(set(categories))
    unknown = set(chosen) - set(ShareCategory.values)
    if unknown:
        raise InvalidInput(f"Catégories inconnues : {', '.join(sorted(unknown))}.", "categories")
    if not chosen:
        raise InvalidInput(
            "Cochez au moins une catégorie que la personne accepte de partager.", "categories"
        )
    case = _lock(case)
    now = timezone.now()
    expires_on = expires_on or default_agreement_expiry(case, timezone.localdate())
    if expires_on < timezone.localdate():
        raise InvalidInput("La date de fin de validité est déjà passée.", "expires_on")
    current = case.sharing_agreements.filter(
        withdrawn_at__isnull=True, replaced_at__isnull=True
    ).first()
    if current is not None:
        current.replaced_at = now
        _save(current, acting_user)
    agreement = SharingAgreement(
        case=case,
        pair=case.pair,
        categories=chosen,
        how_obtained=how_obtained,
        recorded_by=acting_user,
        given_at=now,
        expires_on=expires_on,
    )
    _save(agreement, acting_user)
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.AGREEMENT_GIVEN,
        purpose="Accord de partage donné par la personne",
        case=case,
        categories=chosen,
        recipient=_pair_label(case.pair),
        agreement=agreement,
        object_type="accord de partage",
        object_id=str(agreement.pk),
        request=request,
    )
    return agreement


@transaction.atomic
def agreement_withdraw(
    *, agreement: SharingAgreement, acting_user: Professional, request: Any = None
) -> SharingAgreement:
    """The person withdraws the accord: future sharing stops; nothing already shared is erased."""
    agreement = (
        SharingAgreement.objects.select_for_update()
        .select_related("case__pair")
        .get(pk=agreement.pk)
    )
    case = agreement.case
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne enregistre le retrait de l'accord.")
    if agreement.withdrawn_at is not None or agreement.replaced_at is not None:
        raise InvalidTransition("Cet accord n'est plus en vigueur.")
    agreement.withdrawn_at = timezone.now()
    agreement.withdrawn_by = acting_user
    _save(agreement, acting_user)
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.AGREEMENT_WITHDRAWN,
        purpose="Retrait de l'accord de partage par la personne",
        case=case,
        categories=agreement.categories,
        recipient=_pair_label(case.pair),
        agreement=agreement,
        object_type="accord de partage",
        object_id=str(agreement.pk),
        request=request,
    )
    return agreement


@transaction.atomic
def case_set_diagnostic_state(
    *, case: Case, diagnostic_state: str, acting_user: Professional
) -> Case:
    """Written by the orientation app's diagnostic services (casework never imports them).

    When the diagnostic is locked while the case is « diagnostic en cours », the accompaniment
    starts.
    """
    case = _lock(case)
    case.diagnostic_state = diagnostic_state
    if diagnostic_state == DiagnosticState.LOCKED and case.state == CaseState.DIAGNOSTIC:
        _start(case, timezone.localdate())
    _bump(case, acting_user)
    return case


def referent_for_path(pair: Pair, path: str) -> Professional:
    """The référent unique follows from the path: the social worker for the social path, the
    advisor otherwise; the other member of the binôme is co-accompagnant·e."""
    return pair.social_worker if path == OrientationPath.SOCIAL else pair.advisor


@transaction.atomic
def case_set_orientation(*, case: Case, path: str, acting_user: Professional) -> Case:
    """Written by the orientation app when a decision is recorded: path and référent."""
    case = _lock(case)
    referent = referent_for_path(case.pair, path)
    changed_referent = referent.pk != case.referent_id
    case.orientation_path = path
    case.referent = referent
    _bump(case, acting_user)
    if changed_referent:
        journal.record(
            department=case.pair.department,
            actor=acting_user,
            channel=JournalChannel.GRANT,
            purpose="Changement de référent unique à la suite de la décision d'orientation",
            case=case,
            recipient=f"{referent.job_title or referent.get_role_display()} "
            f"({referent.organisation.name if referent.organisation else ''})",
        )
    return case


@transaction.atomic
def case_record_end_review(*, case: Case, summary: str, acting_user: Professional) -> Case:
    """The end-of-accompaniment review, made with the person (« bilan de fin »)."""
    case = _lock(case)
    _require_state(case, OPEN_STATES, "faire le bilan de fin d'accompagnement")
    if not summary.strip():
        raise InvalidInput("Résumez le bilan fait avec la personne.", "summary")
    case.end_review_on = timezone.localdate()
    case.end_review = summary.strip()
    _bump(case, acting_user)
    return case


@transaction.atomic
def case_record_six_month_review(*, case: Case, summary: str, acting_user: Professional) -> Case:
    case = _lock(case)
    _require_state(case, [CaseState.ACTIVE, CaseState.SUSPENDED], "faire le bilan à six mois")
    if not summary.strip():
        raise InvalidInput("Résumez le bilan à six mois.", "summary")
    case.six_month_review_on = timezone.localdate()
    case.six_month_review = summary.strip()
    _bump(case, acting_user)
    return case


MAX_EXTENSION_MONTHS = 6


@transaction.atomic
def case_extend(*, case: Case, months: int, acting_user: Professional) -> Case:
    """Extend the accompaniment (the planned end moves by ``months``)."""
    case = _lock(case)
    _require_state(case, [CaseState.ACTIVE, CaseState.SUSPENDED], "prolonger l'accompagnement")
    if not 1 <= months <= MAX_EXTENSION_MONTHS or case.planned_end_on is None:
        raise InvalidInput(f"Une prolongation va de 1 à {MAX_EXTENSION_MONTHS} mois.", "months")
    case.planned_end_on += relativedelta(months=months)
    case.extended_times += 1
    _bump(case, acting_user)
    return case


def milestones_due(case: Case, today: datetime.date | None = None) -> list[str]:
    """What is due soon on an accompaniment under way (shown, never acted upon)."""
    today = today or timezone.localdate()
    due: list[str] = []
    if case.state != CaseState.ACTIVE or case.started_on is None:
        return due
    if case.six_month_review_on is None and case.started_on + relativedelta(
        months=6
    ) <= today + datetime.timedelta(days=30):
        due.append("Bilan à six mois")
    if case.planned_end_on and case.planned_end_on <= today + datetime.timedelta(days=30):
        due.append("Bilan de fin d'accompagnement (ou prolongation)")
    return due


@transaction.atomic
def appointment_plan(
    *,
    case: Case,
    acting_user: Professional,
    planned_at: datetime.datetime,
    place: str,
    with_whom: Professional,
) -> Appointment:
    """Convene the person. The case's next appointment is kept up to date."""
    case = _lock(case)
    _require_state(case, OPEN_STATES, "planifier un rendez-vous")
    if timezone.localdate(planned_at) < timezone.localdate():
        raise InvalidInput(
            "Un rendez-vous se planifie pour aujourd'hui ou plus tard.", "planned_at"
        )
    if with_whom.pk not in (case.pair.advisor_id, case.pair.social_worker_id):
        raise InvalidInput("Le rendez-vous a lieu avec un membre du binôme.", "with_whom")
    if not place.strip():
        raise InvalidInput("Indiquez le lieu du rendez-vous.", "place")
    appointment = Appointment(
        case=case,
        planned_at=planned_at,
        place=place.strip(),
        with_whom=with_whom,
        convened_by=acting_user,
    )
    _save(appointment, acting_user)
    day = timezone.localdate(planned_at)
    if (
        case.next_appointment_on is None
        or case.next_appointment_on < timezone.localdate()
        or day < case.next_appointment_on
    ):
        case.next_appointment_on = day
    _bump(case, acting_user)
    return appointment


@transaction.atomic
def appointment_record_outcome(
    *,
    appointment: Appointment,
    acting_user: Professional,
    outcome: str,
    person_explanation: str = "",
) -> Appointment:
    """Record what happened. An absence is a fact: nothing is sent anywhere because of it."""
    appointment = (
        Appointment.objects.select_for_update().select_related("case").get(pk=appointment.pk)
    )
    if timezone.localdate(appointment.planned_at) > timezone.localdate():
        raise InvalidInput("Ce rendez-vous n'a pas encore eu lieu.", "outcome")
    if outcome not in AppointmentOutcome.values:
        raise InvalidInput("Choisissez l'issue du rendez-vous.", "outcome")
    appointment.outcome = outcome
    appointment.person_explanation = person_explanation.strip()
    appointment.outcome_recorded_by = acting_user
    appointment.outcome_recorded_at = timezone.now()
    _save(appointment, acting_user)
    if outcome == AppointmentOutcome.HELD:
        case = _lock(appointment.case)
        day = timezone.localdate(appointment.planned_at)
        if case.last_contact_on is None or day > case.last_contact_on:
            case.last_contact_on = day
            _bump(case, acting_user)
    return appointment


@transaction.atomic
def breach_report(
    *,
    case: Case,
    acting_user: Professional,
    reason: str,
    appointment: Appointment | None = None,
    request: Any = None,
) -> BreachReport:
    """A « signalement de manquement »: only the référent, deliberately, with a written reason;
    journaled, and shown to the person in the journal of their file."""
    case = _lock(case)
    if acting_user.pk != case.referent_id:
        raise InvalidTransition("Seul·e le ou la référent·e unique peut faire un signalement.")
    if not reason.strip():
        raise InvalidInput("Un signalement s'accompagne d'un motif écrit.", "reason")
    report = BreachReport(
        case=case, appointment=appointment, reason=reason.strip(), reported_by=acting_user
    )
    _save(report, acting_user)
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.REPORT,
        purpose="Signalement de manquement par le ou la référent·e unique",
        case=case,
        recipient="Président·e du conseil départemental",
        object_type="signalement",
        object_id=str(report.pk),
        request=request,
    )
    return report


@transaction.atomic
def case_set_next_action_due(
    *, case: Case, due_on: datetime.date | None, acting_user: Professional
) -> Case:
    """Written by the orientation app's plan services: the earliest open action's due date."""
    case = _lock(case)
    if case.next_action_due_on != due_on:
        case.next_action_due_on = due_on
        _bump(case, acting_user)
    return case


# --- Axis 1: one-off requests to the social correspondents (« demandes ponctuelles ») ---

#: The answer expected within this delay unless the advisor says otherwise.
SOCIAL_REQUEST_DELAY = datetime.timedelta(days=15)
SOCIAL_REQUEST_OBJECT = "demande ponctuelle"


def territory_correspondents(territory: Organisation) -> "Any":
    """The active social correspondents who answer for ``territory`` (it, or below it)."""
    return Professional.objects.filter(
        is_social_correspondent=True,
        is_active=True,
        organisation__path__startswith=territory.path,
    )


def _correspondents_label(territory: Organisation) -> str:
    return f"Correspondant·es sociaux·ales du territoire « {territory.name} »"


def is_territory_correspondent(user: Professional, social_request: SocialRequest) -> bool:
    organisation = user.organisation
    return (
        user.is_active
        and user.is_social_correspondent
        and organisation is not None
        and organisation.path.startswith(social_request.territory.path)
    )


@transaction.atomic
def social_request_create(
    *,
    beneficiary: Beneficiary,
    requester: Professional,
    territory: Organisation,
    category: ObstacleCategory | str,
    question: str,
    person_agreed: bool,
    agreement_method: PersonAgreementMethod | str,
    due_on: datetime.date | None = None,
    request: Any = None,
) -> SocialRequest:
    """An advisor asks the correspondents of the person's territory about one difficulty.

    The person's agreement to this request comes first: without it nothing is recorded.
    """
    if not person_agreed:
        raise ConsentRequired(
            "Recueillez d'abord l'accord de la personne : sa situation ne sera transmise aux "
            "correspondant·es sociaux·ales qu'avec cet accord."
        )
    if requester.role != Role.ADVISOR or not requester.is_active:
        raise InvalidTransition(
            "Une demande ponctuelle est adressée par un·e conseiller·ère France Travail."
        )
    if territory.department_id != beneficiary.department_id:
        raise InvalidInput("Ce territoire relève d'un autre département.", "territory")
    if category not in ObstacleCategory.values:
        raise InvalidInput("Choisissez la difficulté sur laquelle porte la demande.", "category")
    if agreement_method not in PersonAgreementMethod.values:
        raise InvalidInput(
            "Indiquez comment l'accord de la personne a été recueilli.", "agreement_method"
        )
    if not question.strip():
        raise InvalidInput("Écrivez la question posée aux correspondant·es.", "question")
    if not territory_correspondents(territory).exists():
        raise InvalidInput(
            "Aucun·e correspondant·e social·e ne répond pour ce territoire : choisissez-en un "
            "autre, ou adressez-vous à l'administration fonctionnelle.",
            "territory",
        )
    today = timezone.localdate()
    due_on = due_on or today + SOCIAL_REQUEST_DELAY
    if due_on < today:
        raise InvalidInput("La date de réponse attendue est déjà passée.", "due_on")
    now = timezone.now()
    social_request = SocialRequest(
        department_id=beneficiary.department_id,
        beneficiary=beneficiary,
        requester=requester,
        territory=territory,
        category=category,
        question=question.strip(),
        person_agreed_at=now,
        agreement_method=agreement_method,
        due_on=due_on,
        created_at=now,
    )
    _save(social_request, requester)
    journal.record(
        department=beneficiary.department,
        actor=requester,
        channel=JournalChannel.REQUEST,
        purpose="Demande ponctuelle aux correspondant·es sociaux·ales, avec l'accord de la "
        f"personne ({PersonAgreementMethod(agreement_method).label.lower()})",
        beneficiary=beneficiary,
        categories=[f"obstacles:{category}"],
        recipient=_correspondents_label(territory),
        object_type=SOCIAL_REQUEST_OBJECT,
        object_id=str(social_request.pk),
        request=request,
    )
    return social_request


def _lock_request(social_request: SocialRequest) -> SocialRequest:
    return (
        SocialRequest.objects.select_for_update(of=("self",))
        .select_related("territory", "beneficiary__department", "requester")
        .get(pk=social_request.pk)
    )


def _require_pending(social_request: SocialRequest, action: str) -> None:
    if not social_request.is_pending:
        raise InvalidTransition(
            f"Impossible de {action} : la demande est « {social_request.get_state_display()} »."
        )


@transaction.atomic
def social_request_answer(
    *, social_request: SocialRequest, acting_user: Professional, answer: str, request: Any = None
) -> SocialRequest:
    """A correspondent of the territory answers; the answer is journaled (it goes to the
    requester)."""
    social_request = _lock_request(social_request)
    if not is_territory_correspondent(acting_user, social_request):
        raise InvalidTransition(
            "Seul·es les correspondant·es sociaux·ales du territoire répondent à cette demande."
        )
    if social_request.state != SocialRequestState.OPEN:
        raise InvalidTransition(
            "Cette demande a déjà une réponse, ou elle est close : "
            f"« {social_request.get_state_display()} »."
        )
    if not answer.strip():
        raise InvalidInput("Écrivez la réponse.", "answer")
    social_request.answer = answer.strip()
    social_request.answered_by = acting_user
    social_request.answered_at = timezone.now()
    social_request.state = SocialRequestState.ANSWERED
    _save(social_request, acting_user)
    requester = social_request.requester
    journal.record(
        department=social_request.beneficiary.department,
        actor=acting_user,
        channel=JournalChannel.ANSWER,
        purpose="Réponse d'un·e correspondant·e social·e à une demande ponctuelle",
        beneficiary=social_request.beneficiary,
        categories=[f"obstacles:{social_request.category}"],
        recipient=requester.job_title or requester.get_role_display(),
        object_type=SOCIAL_REQUEST_OBJECT,
        object_id=str(social_request.pk),
        request=request,
    )
    return social_request


@transaction.atomic
def social_request_close(
    *, social_request: SocialRequest, acting_user: Professional
) -> SocialRequest:
    """The requester or a correspondent of the territory closes the request."""
    social_request = _lock_request(social_request)
    if acting_user.pk != social_request.requester_id and not is_territory_correspondent(
        acting_user, social_request
    ):
        raise InvalidTransition("Seul·es le ou la demandeur·se et les correspondant·es closent.")
    _require_pending(social_request, "clore la demande")
    social_request.state = SocialRequestState.CLOSED
    social_request.closed_by = acting_user
    social_request.closed_at = timezone.now()
    _save(social_request, acting_user)
    return social_request


@transaction.atomic
def social_request_to_case(
    *, social_request: SocialRequest, pair: Pair, acting_user: Professional
) -> Case:
    """The request becomes a proposed accompagnement by one of the requester's binômes, in one
    step. The request stays as it was (question, answer), closed, and points to the case."""
    social_request = _lock_request(social_request)
    if acting_user.pk != social_request.requester_id:
        raise InvalidTransition(
            "Seul·e le ou la conseiller·ère qui a fait la demande la transforme."
        )
    _require_pending(social_request, "proposer un accompagnement")
    if pair.advisor_id != acting_user.pk:
        raise InvalidInput("Choisissez l'un de vos binômes.", "pair")
    case = case_propose(beneficiary=social_request.beneficiary, pair=pair, acting_user=acting_user)
    social_request.case = case
    social_request.state = SocialRequestState.CONVERTED
    social_request.closed_by = acting_user
    social_request.closed_at = timezone.now()
    _save(social_request, acting_user)
    return case


# --- The territory's offer (« offre d'insertion du territoire ») ---


#: The source named in the national schema for what is entered here.
def directory_source(department: Department) -> str:
    return f"binome-{department.code}"


def _check_directory_admin(acting_user: Professional | None, department: Department) -> None:
    if acting_user is None:  # a management command
        return
    organisation = acting_user.organisation
    if (
        acting_user.role != Role.ADMIN
        or organisation is None
        or organisation.department_id != department.pk
    ):
        raise InvalidTransition(
            "L'offre du territoire est tenue par l'administration fonctionnelle."
        )


@transaction.atomic
def resource_save(
    *,
    department: Department,
    acting_user: Professional | None,
    resource: Resource | None = None,
    categories: Iterable[str],
    **fields: Any,
) -> Resource:
    """Create or change a resource of the territory's offer (the functional administrator)."""
    _check_directory_admin(acting_user, department)
    chosen = [value for value in ObstacleCategory.values if value in set(categories)]
    if not chosen:
        raise InvalidInput("Cochez au moins une difficulté à laquelle elle répond.", "categories")
    if resource is None:
        resource = Resource(
            department=department,
            source=directory_source(department),
            external_id=f"{directory_source(department)}--{uuid.uuid4().hex[:12]}",
        )
        if not fields.get("provider_id"):
            fields["provider_id"] = f"{directory_source(department)}--{slugify(fields['provider'])}"
    elif resource.department_id != department.pk:
        raise InvalidTransition("Cette ressource relève d'un autre département.")
    for name, value in fields.items():
        setattr(resource, name, value.strip() if isinstance(value, str) else value)
    resource.thematiques = directory.themes_for(chosen, resource.thematiques)
    resource.categories = directory.categories_field(chosen)
    resource.updated_on = timezone.localdate()
    _save(resource, acting_user)
    return resource


def directory_import(
    *, department: Department, document: bytes | str, acting_user: Professional | None
) -> directory.ImportReport:
    """Import a document of the national schema: every row, or none.

    Every row is validated first; one rejected row and nothing is written (the report lists each
    rejected row: line, field, reason). Then one transaction creates or updates the resources
    by their identifier in the schema.
    """
    _check_directory_admin(acting_user, department)
    rows, rejected = directory.read(document, department)
    report = directory.ImportReport(rejected=rejected)
    if rejected:
        return report
    with transaction.atomic():
        existing = {
            resource.external_id: resource
            for resource in Resource.objects.of_department(department.pk).select_for_update()
        }
        for fields in rows:
            resource = existing.get(fields["external_id"])
            if resource is None:
                _save(Resource(department=department, **fields), acting_user)
                report.created += 1
                continue
            if all(getattr(resource, name) == value for name, value in fields.items()):
                report.unchanged += 1
                continue
            for name, value in fields.items():
                setattr(resource, name, value)
            _save(resource, acting_user)
            report.updated += 1
    return report


# --- Collective actions (« actions collectives ») ---


@transaction.atomic
def programme_create(
    *,
    department: Department,
    acting_user: Professional | None,
    name: str,
    organiser: Organisation,
    target_group: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    capacity: int,
    description: str = "",
) -> Programme:
    """A collective action of the department (the functional administrator records it)."""
    _check_directory_admin(acting_user, department)
    if organiser.department_id != department.pk:
        raise InvalidInput("L'organisateur relève d'un autre département.", "organiser")
    if ends_on < starts_on:
        raise InvalidInput("La fin précède le début.", "ends_on")
    if capacity < 1:
        raise InvalidInput("Une action compte au moins une place.", "capacity")
    programme = Programme(
        department=department,
        name=name.strip(),
        organiser=organiser,
        target_group=target_group.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        created_by=acting_user,
    )
    _save(programme, acting_user)
    return programme


@transaction.atomic
def programme_add_session(
    *,
    programme: Programme,
    acting_user: Professional | None,
    starts_at: datetime.datetime,
    topic: str,
    place: str = "",
) -> ProgrammeSession:
    _check_directory_admin(acting_user, programme.department)
    day = timezone.localdate(starts_at)
    if not programme.starts_on <= day <= programme.ends_on:
        raise InvalidInput(
            "La séance a lieu entre le début et la fin de l'action "
            f"({programme.starts_on:%d/%m/%Y} – {programme.ends_on:%d/%m/%Y}).",
            "starts_at",
        )
    if not topic.strip():
        raise InvalidInput("Donnez le thème de la séance.", "topic")
    session = ProgrammeSession(
        programme=programme, starts_at=starts_at, topic=topic.strip(), place=place.strip()
    )
    _save(session, acting_user)
    return session


@transaction.atomic
def enrolment_create(
    *,
    programme: Programme,
    case: Case,
    acting_user: Professional,
    person_agreed: bool,
    agreement_method: PersonAgreementMethod | str,
    request: Any = None,
) -> Enrolment:
    """Enrol the person in a collective action, from their case, with their agreement.

    The programme row is locked FOR UPDATE first, so that two enrolments for the last place
    are serialised: the second one sees the action full.
    """
    if not person_agreed:
        raise ConsentRequired("Recueillez d'abord l'accord de la personne pour cette inscription.")
    if agreement_method not in PersonAgreementMethod.values:
        raise InvalidInput(
            "Indiquez comment l'accord de la personne a été recueilli.", "agreement_method"
        )
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne l'inscrit à une action.")
    _require_state(case, OPEN_STATES, "inscrire la personne à une action collective")
    programme = (
        Programme.objects.select_for_update(of=("self",))
        .select_related("organiser")
        .get(pk=programme.pk)
    )
    if programme.department_id != case.pair.department_id:
        raise InvalidInput("Cette action relève d'un autre département.", "programme")
    if programme.ends_on < timezone.localdate():
        raise InvalidTransition("Cette action collective est terminée.")
    if Enrolment.objects.filter(programme=programme, case=case).exists():
        raise InvalidTransition("La personne est déjà inscrite à cette action.")
    if Enrolment.objects.filter(programme=programme).count() >= programme.capacity:
        raise CapacityReached(
            f"L'action « {programme.name} » est complète ({programme.capacity} places)."
        )
    now = timezone.now()
    enrolment = Enrolment(
        programme=programme,
        case=case,
        person_agreed_at=now,
        agreement_method=agreement_method,
        enrolled_by=acting_user,
        enrolled_at=now,
    )
    _save(enrolment, acting_user)
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.ENROLMENT,
        purpose=f"Inscription à l'action collective « {programme.name} », avec l'accord de la "
        "personne (identité transmise pour l'émargement)",
        case=case,
        recipient=programme.organiser.name,
        object_type="inscription",
        object_id=str(enrolment.pk),
        request=request,
    )
    return enrolment


def can_take_attendance(user: Professional, programme: Programme) -> bool:
    """The organiser's professionals (its subtree), and the department's administrator."""
    organisation = user.organisation
    if not user.is_active or organisation is None:
        return False
    if user.role == Role.ADMIN:
        return organisation.department_id == programme.department_id
    return user.role != Role.AUDITOR and organisation.path.startswith(programme.organiser.path)


@transaction.atomic
def attendance_record(
    *, session: ProgrammeSession, acting_user: Professional, present: Iterable[int]
) -> list[Attendance]:
    """The session's attendance sheet: every enrolled person, present or absent."""
    session = (
        ProgrammeSession.objects.select_for_update(of=("self",))
        .select_related("programme__organiser")
        .get(pk=session.pk)
    )
    if not can_take_attendance(acting_user, session.programme):
        raise InvalidTransition("L'émargement est tenu par l'organisateur de l'action.")
    if timezone.localdate(session.starts_at) > timezone.localdate():
        raise InvalidTransition("Cette séance n'a pas encore eu lieu.")
    present_ids = set(present)
    existing = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    sheet = []
    for enrolment in Enrolment.objects.filter(programme=session.programme).order_by("pk"):
        attendance = existing.get(enrolment.pk) or Attendance(session=session, enrolment=enrolment)
        is_present = enrolment.pk in present_ids
        if attendance.pk is None or attendance.present != is_present:
            attendance.present = is_present
            attendance.recorded_by = acting_user
            attendance.recorded_at = timezone.now()
            _save(attendance, acting_user)
        sheet.append(attendance)
    return sheet


#: The longest remplacement; a longer absence calls for a handover (changement de référent).
MAX_DELEGATION_LENGTH = relativedelta(months=6)


def _professional_label(professional: Professional) -> str:
    organisation = professional.organisation.name if professional.organisation else ""
    return f"{professional.job_title or professional.get_role_display()} ({organisation})"


def can_organise_delegation(acting_user: Professional, replaced: Professional) -> bool:
    """The replaced professional, a supervisor of their organisation subtree, or a functional
    administrator of their department."""
    if not acting_user.is_active or replaced.organisation is None:
        return False
    if acting_user.pk == replaced.pk:
        return True
    if acting_user.organisation is None:
        return False
    if acting_user.role == Role.ADMIN:
        return acting_user.organisation.department_id == replaced.organisation.department_id
    if acting_user.role == Role.SUPERVISOR:
        return (
            Organisation.objects.subtree_of(acting_user.organisation)
            .filter(pk=replaced.organisation_id)
            .exists()
        )
    return False


def _check_delegation_people(replaced: Professional, delegate: Professional) -> None:
    if replaced.pk == delegate.pk:
        raise InvalidInput("Une personne ne peut pas se remplacer elle-même.", "delegate")
    if replaced.role not in PAIR_ROLES:
        raise InvalidInput(
            "Seul·e un·e conseiller·ère ou un·e travailleur·se social·e se fait remplacer.",
            "replaced",
        )
    if delegate.role != replaced.role:
        raise InvalidInput(
            "Un·e conseiller·ère est remplacé·e par un·e conseiller·ère, un·e travailleur·se "
            "social·e par un·e travailleur·se social·e (les notes sociales ne vont qu'aux "
            "travailleur·ses sociaux·ales).",
            "delegate",
        )
    if not delegate.is_active:
        raise InvalidInput(
            "Ce compte est désactivé : choisissez un·e autre remplaçant·e.", "delegate"
        )
    if (
        replaced.organisation is None
        or delegate.organisation is None
        or replaced.organisation.department_id != delegate.organisation.department_id
    ):
        raise InvalidInput(
            "La personne remplacée et son remplaçant·e relèvent de départements différents.",
            "delegate",
        )


def _check_delegation_dates(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise InvalidInput("La fin du remplacement ne peut précéder son début.", "ends_on")
    if starts_on < timezone.localdate():
        raise InvalidInput("Un remplacement commence aujourd'hui ou plus tard.", "starts_on")
    if ends_on > starts_on + MAX_DELEGATION_LENGTH:
        raise InvalidInput(
            "Un remplacement dure six mois au plus ; au-delà, confiez les accompagnements à un "
            "autre binôme (changement de référent).",
            "ends_on",
        )


@transaction.atomic
def delegation_give(
    *,
    replaced: Professional,
    delegate: Professional,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    acting_user: Professional,
    cases: Iterable[Case] | None = None,
    request: Any = None,
) -> Delegation:
    """Give ``delegate`` the rights of ``replaced`` on ``cases`` (by default every open case of
    ``replaced``) from ``starts_on`` to ``ends_on`` included; one journal row per case."""
    if not can_organise_delegation(acting_user, replaced):
        raise InvalidTransition(
            "Un remplacement est organisé par la personne remplacée, son encadrement ou "
            "l'administration fonctionnelle de son département."
        )
    _check_delegation_people(replaced, delegate)
    _check_delegation_dates(starts_on, ends_on)
    if not reason.strip():
        raise InvalidInput("Indiquez le motif du remplacement (congé, formation…).", "reason")
    followed = Case.objects.open().filter(pair__in=Pair.objects.of(replaced))
    chosen = None if cases is None else {case.pk for case in cases}
    if chosen is not None and not chosen:
        raise InvalidInput("Choisissez au moins un accompagnement à confier.", "cases")
    if chosen is not None and followed.filter(pk__in=chosen).count() != len(chosen):
        raise InvalidInput(
            "Chaque accompagnement confié doit être en cours et suivi par la personne remplacée.",
            "cases",
        )
    selected = list(
        (followed if chosen is None else followed.filter(pk__in=chosen))
        .select_related("pair__department")
        .order_by("pk")
    )
    if not selected:
        raise InvalidInput("La personne remplacée n'a aucun accompagnement en cours.", "cases")
    if Delegation.objects.pending().filter(delegate=delegate, cases__in=selected).exists():
        raise InvalidInput(
            "Ce·tte remplaçant·e a déjà un remplacement prévu sur certains de ces "
            "accompagnements : arrêtez-le d'abord.",
            "delegate",
        )
    delegation = Delegation(
        replaced=replaced,
        delegate=delegate,
        all_cases=chosen is None,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        created_by=acting_user,
    )
    _save(delegation, acting_user)
    with acting_as(acting_user):
        delegation.cases.set(selected)
    for case in permissions.grant_delegation(delegation, selected):
        journal.record(
            department=case.pair.department,
            actor=acting_user,
            channel=JournalChannel.GRANT,
            purpose=f"Remplacement du {starts_on:%d/%m/%Y} au {ends_on:%d/%m/%Y} : droits de "
            f"{_professional_label(replaced)} donnés à son remplaçant·e",
            case=case,
            recipient=_professional_label(delegate),
            object_type="remplacement",
            object_id=str(delegation.pk),
            request=request,
        )
    return delegation


def _end_delegation(
    delegation: Delegation, actor: Professional | None, purpose: str, request: Any
) -> None:
    case_ids = permissions.revoke_delegation(delegation)
    for case in (
        Case.objects.filter(pk__in=case_ids).select_related("pair__department").order_by("pk")
    ):
        journal.record(
            department=case.pair.department,
            actor=actor,
            channel=JournalChannel.REVOKE,
            purpose=purpose,
            case=case,
            recipient=_professional_label(delegation.delegate),
            object_type="remplacement",
            object_id=str(delegation.pk),
            request=request,
        )


@transaction.atomic
def delegation_revoke(
    *, delegation: Delegation, acting_user: Professional, request: Any = None
) -> Delegation:
    """End a remplacement before its date (the replaced professional is back)."""
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("replaced__organisation", "delegate__organisation")
        .get(pk=delegation.pk)
    )
    if not can_organise_delegation(acting_user, delegation.replaced):
        raise InvalidTransition(
            "Un remplacement est arrêté par la personne remplacée, son encadrement ou "
            "l'administration fonctionnelle de son département."
        )
    if delegation.revoked_at is not None or delegation.expired_at is not None:
        raise InvalidTransition("Ce remplacement est déjà terminé.")
    delegation.revoked_at = timezone.now()
    delegation.revoked_by = acting_user
    _save(delegation, acting_user)
    _end_delegation(
        delegation, acting_user, "Remplacement arrêté avant son terme : droits retirés", request
    )
    return delegation


@transaction.atomic
def delegations_expire(*, today: datetime.date | None = None) -> list[Delegation]:
    """The nightly clean-up: delete the grants of delegations past their end date and journal it.

    Requests already ignore them (``live_grant``); this keeps the table exactly what is in force.
    """
    today = today or timezone.localdate()
    expired = list(
        Delegation.objects.pending()
        .filter(ends_on__lt=today)
        .select_for_update(of=("self",))
        .select_related("delegate__organisation")
        .order_by("pk")
    )
    for delegation in expired:
        delegation.expired_at = timezone.now()
        _save(delegation, None)
        _end_delegation(
            delegation,
            None,
            f"Fin du remplacement le {delegation.ends_on:%d/%m/%Y} : droits retirés",
            None,
        )
    return expired
