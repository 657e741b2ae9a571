"""Writes of the messages to the person: their choice of channels, the department's templates."""

import datetime

from django.db import transaction
from django.utils import timezone

from casework.enums import ConsentMethod, MessageChannel, MessageKind, MessageStatus
from casework.errors import InvalidInput
from casework.messages import phones, sending, wording
from casework.models import Beneficiary, MessageConsent, MessageTemplate, SentMessage
from casework.services._base import save, save_as_person
from partners.access import is_admin
from partners.errors import InvalidTransition
from partners.models import Department, OutboxMessage, Professional
from partners.outbox.models import OutboxState


def normalise_address(channel: str, address: str) -> str:
    """A mobile number in E.164 for SMS, a lower-cased e-mail address otherwise."""
    if channel == MessageChannel.SMS:
        return phones.normalise_mobile(address, field="address")
    address = address.strip().lower()
    if "@" not in address:
        raise InvalidInput(
            "Indiquez une adresse électronique (exemple : nom@exemple.fr).", "address"
        )
    return address


@transaction.atomic
def consent_give(
    *,
    beneficiary: Beneficiary,
    channel: str,
    address: str,
    acting_user: Professional | None = None,
    space_access_id: int | None = None,
) -> MessageConsent:
    """The person says yes to messages on ``channel`` at ``address``: recorded in interview by a
    professional (``acting_user``), or by the person in their space (``space_access_id``). A yes
    already in force on that channel is replaced (the old row is withdrawn, not changed)."""
    how = ConsentMethod.SPACE if space_access_id is not None else ConsentMethod.INTERVIEW
    address = normalise_address(channel, address)
    now = timezone.now()
    current = (
        MessageConsent.objects.in_force()
        .select_for_update()
        .filter(beneficiary=beneficiary, channel=channel)
        .first()
    )
    if current is not None:
        _withdraw(current, how=how, acting_user=acting_user, space_access_id=space_access_id)
    consent = MessageConsent(
        beneficiary=beneficiary,
        channel=channel,
        address=address,
        given_at=now,
        given_how=how,
        recorded_by=acting_user,
    )
    _save(consent, acting_user, space_access_id)
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: MessageConsent,
    acting_user: Professional | None = None,
    space_access_id: int | None = None,
) -> MessageConsent:
    """The person withdraws their yes: no message leaves on that channel from now on, those
    still waiting in the outbox included (the quiet hours' SMS, a reminder not yet relayed)."""
    consent = MessageConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise InvalidTransition("Cet accord a déjà été retiré.")
    how = ConsentMethod.SPACE if space_access_id is not None else ConsentMethod.INTERVIEW
    _withdraw(consent, how=how, acting_user=acting_user, space_access_id=space_access_id)
    _cancel_waiting(consent, acting_user, space_access_id)
    return consent


def _cancel_waiting(
    consent: MessageConsent, acting_user: Professional | None, space_access_id: int | None
) -> None:
    """The messages of this channel not yet taken by a relay leave the outbox; their
    ``SentMessage`` says « non distribué : accord retiré ». The space's invitation and codes
    stay: they go to the contact of the invitation, which the person agreed to on its own."""
    waiting = (
        SentMessage.objects.filter(
            case__beneficiary_id=consent.beneficiary_id,
            channel=consent.channel,
            status=MessageStatus.QUEUED,
        )
        .exclude(kind__in=[MessageKind.SPACE_INVITATION, MessageKind.SPACE_CODE])
        .select_for_update()
    )
    now = timezone.now()
    for message in waiting:
        removed, _ = OutboxMessage.objects.filter(
            key=message.outbox_key, state=OutboxState.PENDING, claimed_by=""
        ).delete()
        if not removed:
            continue  # already relayed, or in a relay's hands: its status will follow
        message.status, message.status_at = MessageStatus.FAILED, now
        message.status_detail = "accord retiré"
        _save(message, acting_user, space_access_id)


def _withdraw(
    consent: MessageConsent,
    *,
    how: str,
    acting_user: Professional | None,
    space_access_id: int | None,
) -> None:
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_how = how
    consent.withdrawn_by = acting_user
    _save(consent, acting_user, space_access_id)


def _save(
    instance: MessageConsent | SentMessage,
    acting_user: Professional | None,
    space_access_id: int | None,
) -> None:
    if space_access_id is not None:
        save_as_person(instance, space_access_id)
    else:
        save(instance, acting_user)


@transaction.atomic
def template_save(
    *,
    department: Department,
    kind: str,
    channel: str,
    subject: str,
    body: str,
    acting_user: Professional | None,
) -> MessageTemplate:
    """The department's wording of a message, checked (placeholders, words, SMS length)."""
    _check_admin(acting_user, department)
    wording.check(kind=kind, channel=channel, subject=subject, body=body)
    template = (
        MessageTemplate.objects.select_for_update()
        .filter(department=department, kind=kind, channel=channel)
        .first()
    ) or MessageTemplate(department=department, kind=kind, channel=channel)
    template.subject = subject.strip() if channel == MessageChannel.EMAIL else ""
    template.body = body.strip()
    save(template, acting_user)
    return template


def _check_admin(acting_user: Professional | None, department: Department) -> None:
    if acting_user is None:  # a management command
        return
    organisation = acting_user.organisation
    if (
        not is_admin(acting_user)
        or organisation is None
        or organisation.department_id != department.pk
    ):
        raise InvalidTransition(
            "Les modèles de messages sont tenus par l'administration fonctionnelle du département."
        )


@transaction.atomic
def reminders_send(*, department: Department, today: datetime.date | None = None) -> int:
    """Queue today's appointment reminders of ``department`` (the days before its
    ``reminder_days`` says), in one transaction; a rerun queues nothing more."""
    return sending.send_reminders(department=department, today=today)
