"""``appointments:write``: a partner system (rdv-insertion…) convenes the person of a case of its
department, moves or cancels that appointment, and records its outcome, through the API.

Idempotent by the partner's own id (``Appointment.partner_ref``, unique per system): the same id
with the same date and place is the same appointment, with another date or place it is a move.
No professional acts: the appointment services run with ``acting_user=None`` inside
``partners.audit.acting_as_partner`` (the audit rows name the system), the person meets the
case's référent·e (a partner never picks a professional), and every call writes one journal row
(channel « api », the system and its organisation as actor). An absence recorded here sends
nothing, as everywhere else.
"""

import datetime
import re

from django.db import transaction

from casework import journal
from casework.enums import AppointmentKind, AppointmentOutcome, JournalChannel
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Appointment, Case
from casework.services._base import lock_case
from casework.services.appointments import (
    appointment_cancel,
    appointment_move,
    appointment_plan,
    appointment_record_outcome,
)
from partners.audit import acting_as_partner
from partners.models import PartnerSystem

#: The journal's name for what these calls write.
API_APPOINTMENT_OBJECT = "rendez-vous"
#: A partner's id for an appointment: letters, digits, « . _ : - », 64 at most.
PARTNER_REF = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def partner_appointment(
    *, partner: PartnerSystem, case: Case, partner_ref: str
) -> Appointment | None:
    """The appointment this system wrote under ``partner_ref`` for this case, if any. The id
    of another case's appointment is refused: a partner's id names one appointment."""
    appointment = Appointment.objects.filter(
        partner_system=partner, partner_ref=partner_ref
    ).first()
    if appointment is not None and appointment.case_id != case.pk:
        raise InvalidInput(
            "Cet identifiant désigne déjà un rendez-vous d'un autre accompagnement.",
            "partner_ref",
        )
    return appointment


def _journal(
    *, partner: PartnerSystem, case: Case, appointment: Appointment, what: str, info: RequestInfo
) -> None:
    journal.record(
        department=case.pair.department,
        actor=None,
        actor_label=partner.name,
        actor_organisation=partner.organisation,
        channel=JournalChannel.API,
        purpose=f"{what} par un système partenaire (appointments:write)",
        case=case,
        object_type=API_APPOINTMENT_OBJECT,
        object_id=str(appointment.pk),
        info=info,
    )


@transaction.atomic
def api_appointment_put(
    *,
    partner: PartnerSystem,
    case: Case,
    partner_ref: str,
    planned_at: datetime.datetime,
    place: str,
    kind: str = AppointmentKind.FOLLOW_UP,
    info: RequestInfo,
) -> tuple[Appointment, bool]:
    """Convene (a new id) or move (a known id, another date or place); the same id with the
    same date and place changes nothing. Returns the appointment and whether it is new."""
    if not PARTNER_REF.fullmatch(partner_ref):
        raise InvalidInput("Cet identifiant de rendez-vous n'est pas valide.", "partner_ref")
    case = lock_case(case)
    existing = partner_appointment(partner=partner, case=case, partner_ref=partner_ref)
    created = existing is None
    with acting_as_partner(partner):
        if existing is None:
            appointment = appointment_plan(
                case=case,
                acting_user=None,
                planned_at=planned_at,
                place=place,
                with_whom=case.referent,
                kind=kind,
                partner=partner,
                partner_ref=partner_ref,
            )
            what = "Rendez-vous planifié"
        elif existing.planned_at == planned_at and existing.place == place.strip():
            appointment, what = existing, "Rendez-vous envoyé à nouveau, inchangé,"
        else:
            appointment = appointment_move(
                appointment=existing, acting_user=None, planned_at=planned_at, place=place
            )
            what = "Rendez-vous déplacé"
    _journal(partner=partner, case=case, appointment=appointment, what=what, info=info)
    return appointment, created


@transaction.atomic
def api_appointment_cancel(
    *, partner: PartnerSystem, case: Case, appointment: Appointment, info: RequestInfo
) -> Appointment:
    """Cancel it (the person is told); cancelling it again changes nothing."""
    case = lock_case(case)
    appointment.refresh_from_db()
    if appointment.outcome == AppointmentOutcome.CANCELLED:
        what = "Annulation envoyée à nouveau"
    else:
        with acting_as_partner(partner):
            appointment = appointment_cancel(appointment=appointment, acting_user=None)
        what = "Rendez-vous annulé"
    _journal(partner=partner, case=case, appointment=appointment, what=what, info=info)
    return appointment


@transaction.atomic
def api_appointment_outcome(
    *,
    partner: PartnerSystem,
    case: Case,
    appointment: Appointment,
    outcome: str,
    info: RequestInfo,
) -> Appointment:
    """Record what happened (held, excused or unexcused absence); the same outcome again
    changes nothing. Nothing is sent anywhere because of an absence."""
    case = lock_case(case)
    appointment.refresh_from_db()
    if appointment.outcome == outcome:
        what = "Issue du rendez-vous envoyée à nouveau"
    else:
        with acting_as_partner(partner):
            appointment = appointment_record_outcome(
                appointment=appointment, acting_user=None, outcome=outcome
            )
        what = "Issue du rendez-vous notée"
    _journal(partner=partner, case=case, appointment=appointment, what=what, info=info)
    return appointment
