"""SMS gateways for the outbox relay: the console (the demo, ``make run``) and Brevo's
transactional SMS API (plain HTTP with requests: its two endpoints do not need an SDK).

``BINOME_SMS_BACKEND`` chooses (``console`` or ``brevo``); Brevo reads ``BREVO_API_KEY`` and
``BREVO_API_URL`` (https://api.brevo.com/v3 by default; the tests point it at a fake server on
127.0.0.1). An SMS carries no social content (DESIGN.md): a date, a time, a place, a first name, an
organisation, a link or a code.

« Nothing sent twice »: an SMS cannot carry an idempotency key the phone would honour, so the relay
tags each SMS with its outbox key and, before any new attempt of a row that was tried before (a
timeout, a worker killed after the request), asks the provider whether that tag already left
(``already_sent``). Only a « no » sends again.
"""

import contextlib
import logging
import sys
from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings

logger = logging.getLogger("binome.outbox")

#: Events that say the provider took the SMS (it left, or is leaving).
TAKEN_EVENTS = {"sent", "accepted", "delivered", "soft_bounce", "hard_bounce", "replied"}


class SmsUnavailable(Exception):
    """The provider cannot take SMS now (down, timing out, rate-limiting): try later, and send
    no other SMS in this run."""


class SmsRefused(Exception):
    """The provider refused this SMS for good (an invalid number…): no new attempt."""


@dataclass(frozen=True)
class Sms:
    to: str  # E.164, « +33612345678 »
    sender: str
    content: str
    tag: str  # the outbox key


class SmsGateway(Protocol):
    def send(self, sms: Sms) -> str:
        """Hand the SMS over; the provider's message id."""

    def already_sent(self, tag: str) -> bool:
        """Whether an SMS with this tag was taken by the provider already."""


class ConsoleSms:
    """The demo's gateway: writes the SMS on the console (like Django's console e-mail backend)."""

    def send(self, sms: Sms) -> str:
        sys.stdout.write(f"SMS de {sms.sender} à {sms.to} ({sms.tag}) :\n{sms.content}\n\n")
        sys.stdout.flush()
        return f"console:{sms.tag}"

    def already_sent(self, tag: str) -> bool:
        return False


class BrevoSms:
    """Brevo's transactional SMS: ``POST /transactionalSMS/send`` and the events by tag."""

    def __init__(self, *, api_key: str, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(
            {"api-key": api_key, "accept": "application/json", "content-type": "application/json"}
        )

    def send(self, sms: Sms) -> str:
        response = self._call(
            "post",
            "/transactionalSMS/send",
            json={
                "sender": sms.sender,
                "recipient": sms.to.lstrip("+"),
                "content": sms.content,
                "type": "transactional",
                "tag": sms.tag,
                "unicodeEnabled": not sms.content.isascii(),
            },
        )
        return str(response.json().get("messageId", ""))

    def already_sent(self, tag: str) -> bool:
        response = self._call(
            "get", "/transactionalSMS/statistics/events", params={"tags": tag, "limit": 100}
        )
        events = response.json().get("events") or []
        return any(
            event.get("tag") == tag and event.get("event") in TAKEN_EVENTS for event in events
        )

    def _call(self, method: str, path: str, **kwargs: object) -> requests.Response:
        try:
            response = self.session.request(
                method,
                f"{self.base_url}{path}",
                timeout=self.timeout,
                **kwargs,  # type: ignore[arg-type]
            )
        except requests.RequestException as error:
            raise SmsUnavailable(type(error).__name__) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise SmsUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            code = ""
            with contextlib.suppress(ValueError):
                code = str(response.json().get("code", ""))
            raise SmsRefused(f"HTTP {response.status_code} {code}".strip())
        return response


def gateway() -> SmsGateway:
    """The gateway the settings choose."""
    if settings.BINOME_SMS_BACKEND == "brevo":
        return BrevoSms(
            api_key=settings.BREVO_API_KEY,
            base_url=settings.BREVO_API_URL,
            timeout=settings.BINOME_SMS_TIMEOUT,
        )
    return ConsoleSms()
