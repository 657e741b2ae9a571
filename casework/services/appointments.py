"""Convening the person and the outcome of an appointment (the signalement de manquement that
may follow an absence is in ``breach``)."""

import datetime

from django.db import transaction
from django.utils import timezone

from casework.enums import (
    OPEN_STATES,
    RECORDED_OUTCOMES,
    AppointmentKind,
    AppointmentOutcome,
)
from casework.errors import InvalidInput
from casework.messages import sending
from casework.models import Appointment, Case
from casework.services._base import bump, lock_case, require_state, save
from partners.errors import InvalidTransition
from partners.models import PartnerSystem, Professional


@transaction.atomic
def appointment_plan(
    *,
    case: Case,
    acting_user: Professional | None,
    planned_at: datetime.datetime,
    place: str,
    with_whom: Professional,
    kind: str = AppointmentKind.FOLLOW_UP,
    partner: PartnerSystem | None = None,
    partner_ref: str = "",
) -> Appointment:
    """Convene the person: the convocation leaves on the channels they said yes to (SMS,
    e-mail), beside the printable letter. The case's next appointment is kept up to date.

    ``acting_user`` is None when a partner system convenes through the API (``partner``, with
    its own id ``partner_ref``; the caller names it in the audit rows)."""
    case = lock_case(case)
    require_state(case, OPEN_STATES, "planifier un rendez-vous")
    _check_when_and_where(planned_at, place)
    if with_whom.pk not in (case.pair.advisor_id, case.pair.social_worker_id):
        raise InvalidInput("Le rendez-vous a lieu avec un membre du binôme.", "with_whom")
    appointment = Appointment(
        case=case,
        kind=kind,
        planned_at=planned_at,
        place=place.strip(),
        with_whom=with_whom,
        convened_by=acting_user,
        partner_system=partner,
        partner_ref=partner_ref,
    )
    save(appointment, acting_user)
    _refresh_next(case, acting_user)
    sending.convocation(appointment=appointment, acting_user=acting_user)
    return appointment


def _check_when_and_where(planned_at: datetime.datetime, place: str) -> None:
    if timezone.localdate(planned_at) < timezone.localdate():
        raise InvalidInput(
            "Un rendez-vous se planifie pour aujourd'hui ou plus tard.", "planned_at"
        )
    if not place.strip():
        raise InvalidInput("Indiquez le lieu du rendez-vous.", "place")


def _refresh_next(case: Case, acting_user: Professional | None) -> None:
    """The case's next appointment: the earliest still to come (none left: empty)."""
    upcoming = (
        Appointment.objects.filter(case=case, outcome="", planned_at__gte=timezone.now())
        .order_by("planned_at")
        .values_list("planned_at", flat=True)
        .first()
    )
    case.next_appointment_on = timezone.localdate(upcoming) if upcoming is not None else None
    bump(case, acting_user)


def _upcoming_locked(appointment: Appointment, action: str) -> tuple[Appointment, Case]:
    """The appointment under lock, with its case locked first (the order every write takes),
    refused if it already took place, was cancelled or is past."""
    case = lock_case(appointment.case)
    require_state(case, OPEN_STATES, action)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.outcome == AppointmentOutcome.CANCELLED:
        raise InvalidTransition("Ce rendez-vous est déjà annulé.")
    if appointment.outcome or appointment.planned_at < timezone.now():
        raise InvalidTransition("Ce rendez-vous est passé : notez plutôt son issue.")
    return appointment, case


@transaction.atomic
def appointment_move(
    *,
    appointment: Appointment,
    acting_user: Professional | None,
    planned_at: datetime.datetime,
    place: str,
) -> Appointment:
    """Move an appointment still to come: the person is told on the channels they chose, and
    the reminders follow the new day."""
    appointment, case = _upcoming_locked(appointment, "déplacer un rendez-vous")
    _check_when_and_where(planned_at, place)
    if planned_at == appointment.planned_at and place.strip() == appointment.place:
        raise InvalidInput("Changez la date, l'heure ou le lieu du rendez-vous.", "planned_at")
    appointment.planned_at = planned_at
    appointment.place = place.strip()
    save(appointment, acting_user)
    _refresh_next(case, acting_user)
    sending.appointment_changed(appointment=appointment, acting_user=acting_user)
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, acting_user: Professional | None
) -> Appointment:
    """Cancel an appointment still to come: the person is told, no reminder leaves, and it
    counts neither as held nor as an absence."""
    appointment, case = _upcoming_locked(appointment, "annuler un rendez-vous")
    appointment.outcome = AppointmentOutcome.CANCELLED
    appointment.outcome_recorded_by = acting_user
    appointment.outcome_recorded_at = timezone.now()
    save(appointment, acting_user)
    _refresh_next(case, acting_user)
    sending.appointment_cancelled(appointment=appointment, acting_user=acting_user)
    return appointment


@transaction.atomic
def appointment_record_outcome(
    *,
    appointment: Appointment,
    acting_user: Professional | None,
    outcome: str,
    person_explanation: str = "",
) -> Appointment:
    """Record what happened. An absence is a fact: nothing is sent anywhere because of it."""
    appointment = (
        Appointment.objects.select_for_update().select_related("case").get(pk=appointment.pk)
    )
    if timezone.localdate(appointment.planned_at) > timezone.localdate():
        raise InvalidInput("Ce rendez-vous n'a pas encore eu lieu.", "outcome")
    if appointment.outcome == AppointmentOutcome.CANCELLED:
        raise InvalidTransition("Ce rendez-vous a été annulé.")
    if outcome not in dict(RECORDED_OUTCOMES):
        raise InvalidInput("Choisissez l'issue du rendez-vous.", "outcome")
    appointment.outcome = outcome
    appointment.person_explanation = person_explanation.strip()
    appointment.outcome_recorded_by = acting_user
    appointment.outcome_recorded_at = timezone.now()
    save(appointment, acting_user)
    if outcome == AppointmentOutcome.HELD:
        case = lock_case(appointment.case)
        day = timezone.localdate(appointment.planned_at)
        if case.last_contact_on is None or day > case.last_contact_on:
            case.last_contact_on = day
            bump(case, acting_user)
    return appointment
