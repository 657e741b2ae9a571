"""The person's choice of channels, from their space: they say yes (or no more) to receiving
their convocations and reminders by SMS or by e-mail, at the number or address they type.

Each act goes through the messages' own services (``consent_give``, ``consent_withdraw``) with
the person's access (``ConsentMethod.SPACE``, saved with ``save_as_person``) and writes one
journal row on the « person » channel: the channel, never the number or the address.
"""

from django.db import transaction

from casework import journal
from casework.enums import OPEN_STATES, MessageChannel
from casework.journal import RequestInfo
from casework.messages import services as messages
from casework.models import MessageConsent, SpaceAccess
from partners.errors import InvalidTransition

CONSENT = "accord pour recevoir des messages"
NO_CONSENT = "Vous n'avez pas dit oui à ce canal."


def in_force(access: SpaceAccess) -> dict[str, MessageConsent]:
    """The person's yes in force, by channel."""
    return {
        consent.channel: consent
        for consent in MessageConsent.objects.in_force().filter(
            beneficiary_id=access.beneficiary_id
        )
    }


def _check_open(access: SpaceAccess) -> None:
    if not access.is_active or access.case.state not in OPEN_STATES:
        raise InvalidTransition(
            "Votre accompagnement est terminé : vous ne recevez plus de messages."
        )


@transaction.atomic
def space_channel_give(
    *, access: SpaceAccess, channel: str, address: str, info: RequestInfo | None = None
) -> MessageConsent:
    """The person says yes to their convocations and reminders on ``channel`` at ``address``
    (a yes already in force on that channel is replaced)."""
    _check_open(access)
    consent = messages.consent_give(
        beneficiary=access.beneficiary,
        channel=channel,
        address=address,
        space_access_id=access.pk,
    )
    journal.record_person_act(
        case=access.case,
        purpose=(
            "Accord pour recevoir ses rendez-vous par "
            f"{MessageChannel(channel).label}, donné par la personne"
        ),
        object_type=CONSENT,
        object_id=str(consent.pk),
        info=info,
    )
    return consent


@transaction.atomic
def space_channel_withdraw(
    *, access: SpaceAccess, channel: str, info: RequestInfo | None = None
) -> MessageConsent:
    """The person withdraws their yes on ``channel``: nothing more leaves on it, what was still
    waiting in the outbox included."""
    consent = (
        MessageConsent.objects.in_force()
        .filter(beneficiary_id=access.beneficiary_id, channel=channel)
        .first()
    )
    if consent is None:
        raise InvalidTransition(NO_CONSENT)
    consent = messages.consent_withdraw(consent=consent, space_access_id=access.pk)
    journal.record_person_act(
        case=access.case,
        purpose=(
            "Accord pour recevoir ses rendez-vous par "
            f"{MessageChannel(channel).label}, retiré par la personne"
        ),
        object_type=CONSENT,
        object_id=str(consent.pk),
        info=info,
    )
    return consent
