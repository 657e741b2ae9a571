"""Notifications to the partner systems (webhooks), written in the outbox by the business
transaction (``casework.services.webhooks``) and sent here by the relay.

Signed with the Standard Webhooks scheme (https://www.standardwebhooks.com, its reference
library ``standardwebhooks``): headers ``webhook-id`` (the same for every attempt of a row, so that
the receiver keeps one copy), ``webhook-timestamp`` and ``webhook-signature`` (``v1,`` then the
base64 HMAC-SHA256 of ``id.timestamp.body`` under the partner's secret). The receiver verifies
with the same library, in any language.

A 2xx answer delivers the row. A timeout, a refused connection, a 408, a 429 or a 5xx means the
receiver cannot take it now: the relay tries again after the outbox's delays and sends this
system nothing else in this run. Any other answer (a 4xx, a redirection: never followed) refuses
the row for good: « échec », shown to the department's administrators, who may « Renvoyer ».

The body names the event and the case's id, never the person: the partner reads what it may with
``followup:read``, a journaled call.
"""

import json
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from partners.api.models import PartnerSystem

#: Answers that mean « later », not « never ».
RETRY_STATUSES = {408, 429}
USER_AGENT = "Binome-Webhooks/1"


class WebhookUnavailable(Exception):
    """The receiver cannot take the notification now: try later."""


class WebhookRefused(Exception):
    """The receiver refused the notification, or the system no longer takes any."""


@dataclass(frozen=True)
class Delivery:
    partner_id: int
    message_id: str
    body: dict[str, Any]


def delivery_of(payload: dict[str, Any]) -> Delivery:
    return Delivery(partner_id=payload["partner"], message_id=payload["id"], body=payload["body"])


def encode(body: dict[str, Any]) -> bytes:
    """The bytes sent and signed (compact JSON, UTF-8)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(*, secret: str, message_id: str, data: bytes) -> dict[str, str]:
    now = timezone.now()
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, data),
    }


def deliver(delivery: Delivery, session: requests.Session) -> None:
    """POST the signed notification to the system's current address and secret."""
    partner = PartnerSystem.objects.filter(pk=delivery.partner_id).first()
    if partner is None or not partner.active or not partner.webhook_url:
        raise WebhookRefused("système partenaire désactivé ou sans adresse")
    data = encode(delivery.body)
    try:
        response = session.post(
            partner.webhook_url,
            data=data,
            headers=signed_headers(
                secret=partner.webhook_secret, message_id=delivery.message_id, data=data
            ),
            timeout=settings.BINOME_WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise WebhookUnavailable(type(error).__name__) from None
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in RETRY_STATUSES or status >= 500:
        raise WebhookUnavailable(f"HTTP {status}")
    raise WebhookRefused(f"HTTP {status}")
