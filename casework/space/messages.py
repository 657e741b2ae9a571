"""The person writes to their binôme from their space: a short message, or a request to change
an upcoming appointment. Each is the person's own act: audited under their access
(``save_as_person``), with a journal row of channel « person ». Nothing moves by itself: the
binôme reads the request on the case and answers the person as they usually do.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from casework import journal
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Appointment, PersonMessage, PersonMessageKind, SpaceAccess
from casework.services._base import lock_access_in_force, save_as_person
from partners.errors import DomainError, InvalidTransition

#: Longest message, in characters.
MAX_LENGTH = 1000
#: Messages and requests a person may send in 24 hours.
DAILY_LIMIT = 10

LIMIT_REACHED = (
    f"Vous avez déjà envoyé {DAILY_LIMIT} messages ou demandes depuis hier à la même heure. "
    "Votre binôme les a bien reçus : vous pourrez en envoyer d'autres demain. En cas d'urgence, "
    "appelez votre référent·e."
)


class LimitReached(DomainError):
    """The person sent ``DAILY_LIMIT`` messages in the last 24 hours."""

    def __init__(self) -> None:
        super().__init__(LIMIT_REACHED)


def _check_limit(access: SpaceAccess) -> None:
    since = timezone.now() - datetime.timedelta(days=1)
    if PersonMessage.objects.filter(access=access, sent_at__gt=since).count() >= DAILY_LIMIT:
        raise LimitReached


def _clean_text(text: str, field: str = "text") -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("Écrivez votre message.", field)
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"Votre message est trop long : {MAX_LENGTH} caractères au plus.", field)
    return text


@transaction.atomic
def message_send(
    *, access: SpaceAccess, text: str, info: RequestInfo | None = None
) -> PersonMessage:
    """The person sends a short message to their binôme."""
    access = lock_access_in_force(access)
    text = _clean_text(text)
    _check_limit(access)
    message = PersonMessage(case=access.case, access=access, text=text)
    save_as_person(message, access.pk)
    journal.record_person_act(
        case=access.case,
        purpose="Message envoyé au binôme",
        object_type=journal.PERSON_MESSAGE,
        object_id=str(message.pk),
        info=info,
    )
    return message


@transaction.atomic
def appointment_change_ask(
    *,
    access: SpaceAccess,
    appointment: Appointment,
    reason: str,
    info: RequestInfo | None = None,
) -> PersonMessage:
    """The person asks to change one of their upcoming appointments, with a short reason. The
    appointment stays as planned until the binôme moves it."""
    access = lock_access_in_force(access)
    if (
        appointment.case_id != access.case_id
        or appointment.outcome
        or appointment.planned_at < timezone.now()
    ):
        raise InvalidTransition("Ce rendez-vous n'est plus à venir : il ne peut plus être changé.")
    text = _clean_text(reason, "reason")
    if PersonMessage.objects.filter(
        appointment=appointment, kind=PersonMessageKind.APPOINTMENT_CHANGE
    ).exists():
        raise InvalidTransition(
            "Vous avez déjà demandé à changer ce rendez-vous : votre binôme va vous répondre."
        )
    _check_limit(access)
    message = PersonMessage(
        case=access.case,
        access=access,
        kind=PersonMessageKind.APPOINTMENT_CHANGE,
        appointment=appointment,
        text=text,
    )
    save_as_person(message, access.pk)
    journal.record_person_act(
        case=access.case,
        purpose="Demande de changement de rendez-vous",
        object_type=journal.PERSON_MESSAGE,
        object_id=str(message.pk),
        info=info,
    )
    return message
