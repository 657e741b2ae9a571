"""Delivery reports of the SMS provider (Brevo's transactional SMS webhook): the status of each
message on the case (« SMS remis le … », « SMS non distribué »), and an undeliverable number
flagged once — no message goes to it again until the person gives a number again.

The webhook is authenticated by a shared secret (Brevo's « bearer token » webhook
authentication: ``Authorization: Bearer <BREVO_WEBHOOK_TOKEN>``), compared in constant time. A
report not newer than the last one taken for its message (the same report sent again, or an
old one) is refused: ``ReportRefused("replay")``.
"""

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.enums import MessageStatus
from casework.models import MessageConsent, SentMessage
from partners.audit import acting_as
from partners.models import OutboxMessage

logger = logging.getLogger("binome.messages")

#: Brevo's ``msg_status`` → our status (absent: a report that changes nothing, e.g. « replied »).
STATUSES = {
    "sent": MessageStatus.SENT,
    "accepted": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "hard_bounce": MessageStatus.FAILED,
    "rejected": MessageStatus.FAILED,
    "blacklisted": MessageStatus.FAILED,
    "skip": MessageStatus.FAILED,
}
#: Reports that say the number will not receive SMS: the consent is flagged undeliverable.
UNREACHABLE = {"hard_bounce", "rejected", "blacklisted"}


class ReportRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # « malformed », « unknown », « replay »


@transaction.atomic
def report_take(payload: dict[str, Any]) -> SentMessage:
    """Apply one SMS delivery report to its message (found by the SMS's tag, the outbox key)."""
    try:
        tag = str(payload["tag"])
        event = str(payload["msg_status"])
        at = datetime.datetime.fromtimestamp(int(payload["ts_event"]), tz=datetime.UTC)
    except (KeyError, TypeError, ValueError):
        raise ReportRefused("malformed") from None
    return _apply(
        key=tag,
        at=at,
        status=STATUSES.get(event),
        detail=event,
        unreachable=event in UNREACHABLE,
    )


#: Brevo's e-mail events (``esp_event["event"]``) that say the address will not receive mail.
EMAIL_UNREACHABLE = {"hard_bounce", "invalid_email", "blocked"}
#: django-anymail's normalised event types → our status (absent: changes nothing, e.g. opened).
EMAIL_STATUSES = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "rejected": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
}


def email_report(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """django-anymail's ``tracking`` signal (the webhook checked its basic authentication): an
    e-mail delivery report, applied to its message when it is a message to the person (its
    ``outbox_key`` metadata). A replay changes nothing (the webhook must answer 200)."""
    key = (event.metadata or {}).get("outbox_key")
    if not key or event.timestamp is None:
        return
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    brevo_event = str(esp_event.get("event", ""))
    unreachable = brevo_event in EMAIL_UNREACHABLE
    status = MessageStatus.FAILED if unreachable else EMAIL_STATUSES.get(event.event_type)
    try:
        with transaction.atomic():
            _apply(
                key=key,
                at=event.timestamp,
                status=status,
                detail=brevo_event or event.event_type,
                unreachable=unreachable,
            )
    except ReportRefused as refusal:
        logger.info("messages : rapport de remise d'e-mail ignoré (%s)", refusal.reason)


def _apply(
    *,
    key: str,
    at: datetime.datetime,
    status: MessageStatus | None,
    detail: str,
    unreachable: bool,
) -> SentMessage:
    message = (
        SentMessage.objects.select_for_update()
        .select_related("case__beneficiary")
        .filter(outbox_key=key)
        .first()
    )
    if message is None:
        raise ReportRefused("unknown")
    if message.reported_at is not None and at <= message.reported_at:
        raise ReportRefused("replay")
    message.reported_at = at
    if status is not None and not (
        message.status == MessageStatus.DELIVERED and status == MessageStatus.SENT
    ):
        message.status, message.status_at = status, at
        message.status_detail = detail if status == MessageStatus.FAILED else ""
    message.full_clean()
    with acting_as(None):
        message.save()
    if unreachable:
        _flag_unreachable(message)
    return message


def _sent_to(message: SentMessage) -> set[str]:
    """The number or addresses the message left for, from its outbox row."""
    payload = (
        OutboxMessage.objects.filter(key=message.outbox_key)
        .values_list("payload", flat=True)
        .first()
    )
    to = (payload or {}).get("to") or []
    return {address.lower() for address in ([to] if isinstance(to, str) else to)}


def _flag_unreachable(message: SentMessage) -> None:
    """Flag the person's yes on this channel, when the message went to that yes's number or
    address: a space code sent to the invitation's number says nothing of another number."""
    consent = (
        MessageConsent.objects.usable()
        .select_for_update()
        .filter(
            beneficiary_id=message.case.beneficiary_id,
            channel=message.channel,
            address__in=_sent_to(message),
        )
        .first()
    )
    if consent is None:  # already flagged, withdrawn since, or another address: told once
        return
    consent.undeliverable_at = timezone.now()
    consent.full_clean()
    with acting_as(None):
        consent.save()
    logger.info("messages : adresse non distribuable (accord n°%s)", consent.pk)
