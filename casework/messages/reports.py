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
    """Apply one delivery report to its message (found by the SMS's tag, the outbox key)."""
    try:
        tag = str(payload["tag"])
        event = str(payload["msg_status"])
        at = datetime.datetime.fromtimestamp(int(payload["ts_event"]), tz=datetime.UTC)
    except (KeyError, TypeError, ValueError):
        raise ReportRefused("malformed") from None
    message = (
        SentMessage.objects.select_for_update()
        .select_related("case__beneficiary")
        .filter(outbox_key=tag)
        .first()
    )
    if message is None:
        raise ReportRefused("unknown")
    if message.reported_at is not None and at <= message.reported_at:
        raise ReportRefused("replay")
    message.reported_at = at
    status = STATUSES.get(event)
    if status is not None and not (
        message.status == MessageStatus.DELIVERED and status == MessageStatus.SENT
    ):
        message.status, message.status_at = status, at
        message.status_detail = event if status == MessageStatus.FAILED else ""
    message.full_clean()
    with acting_as(None):
        message.save()
    if event in UNREACHABLE:
        _flag_unreachable(message)
    return message


def _flag_unreachable(message: SentMessage) -> None:
    consent = (
        MessageConsent.objects.usable()
        .select_for_update()
        .filter(beneficiary_id=message.case.beneficiary_id, channel=message.channel)
        .first()
    )
    if consent is None:  # already flagged, or withdrawn since: told once
        return
    consent.undeliverable_at = timezone.now()
    consent.full_clean()
    with acting_as(None):
        consent.save()
    logger.info("messages : adresse non distribuable (accord n°%s)", consent.pk)
