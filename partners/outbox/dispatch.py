"""The relay: claims due rows, sends each outside any long transaction, marks it.

State machine of a row (``OutboxState``)::

    à envoyer ──sent──▶ envoyé
        │  ▲
   error│  │ « Renvoyer » (an administrator of the department)
        ▼  │
  à envoyer, next attempt after BACKOFF ──(MAX_ATTEMPTS errors)──▶ échec

1. claim: in a short transaction, ``SELECT … FOR UPDATE SKIP LOCKED`` the due rows and move
   their ``next_attempt_at`` to now + ``LEASE`` (the row is « in flight »), commit;
2. send each row, no transaction open (an e-mail with a Message-ID derived from the key, a task
   with a task id derived from the key, a partner's notification with its ``webhook-id``);
3. mark it: sent (``sent_at``), or one more attempt with the next delay, or échec.

A worker killed between 2 and 3 leaves the row pending. The claim names the relay run
(``claimed_by``, its Celery task id): the broker gives the unacknowledged relay task back when its
worker dies (acks late, reject on worker lost, a quorum queue), and the redelivered run first frees
the rows its dead run held, so they leave within seconds of the restart. A worker that only lost
its broker connection has stopped the run first (``worker_cancel_long_running_tasks_on_connection
_loss``): a redelivered run is never a second live one. A run that is not redelivered in time
(eager mode; a relay message past its expiry, 55 s from beat and 60 s for a kick, is dropped by the
worker — always the case on Redis, whose visibility timeout is 2 hours) leaves its rows to the
lease: due again when it ends.
Either way the row is sent a second time with the same Message-ID (at least once; receivers dedupe
on it). A row marked sent is never taken again.
"""

import datetime
import logging
import os
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import requests
from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partners.outbox import sms, webhooks
from partners.outbox.models import OutboxKind, OutboxMessage, OutboxState

logger = logging.getLogger("binome.outbox")

#: Delay before the next attempt, after the 1st, 2nd… failed attempt (about 22 hours in all).
BACKOFF = tuple(datetime.timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 180, 360, 720))
#: After this many failed attempts the row is « échec », shown to the department's admins.
MAX_ATTEMPTS = len(BACKOFF) + 1
#: How long a claimed row is left to its relay before another may take it. The relay gives the
#: rest of its batch back at half the lease (``relay``), so that a slow send is not sent twice.
LEASE = datetime.timedelta(minutes=5)
#: Rows per claim.
BATCH = 100
#: SMTP refusals about one message (the others mean the server is down: stop trying for now).
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
_NAMESPACE = uuid.UUID("5b2f6c2e-7a1d-4c55-9a43-0b8f2f6c1d20")


def task_id_for(key: str) -> str:
    """The Celery task id of a task row: the same for every delivery of that row."""
    return str(uuid.uuid5(_NAMESPACE, key))


def message_id_for(key: str) -> str:
    """The e-mail's Message-ID: the same for every delivery, so receivers keep one copy."""
    host = urlparse(settings.BINOME_SITE_URL).hostname or "binome.localhost"
    return f"<{uuid.uuid5(_NAMESPACE, key).hex}@{host}>"


def describe_error(error: BaseException) -> str:
    """A short error for ``last_error``: the class and a code, never an address or a text."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name} {error.smtp_code}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"{name} {sorted({code for code, _ in error.recipients.values()})}"
    if isinstance(
        error,
        (sms.SmsUnavailable, sms.SmsRefused, webhooks.WebhookUnavailable, webhooks.WebhookRefused),
    ):
        return f"{name} {error}"
    errno = getattr(error, "errno", None)
    if isinstance(errno, int):
        return f"{name} [Errno {errno}] {os.strerror(errno)}"
    return name


@dataclass
class RelayReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def claim(*, limit: int = BATCH, claimant: str = "") -> list[OutboxMessage]:
    """Take the due rows for one lease, in a short transaction of their own, in the name of
    ``claimant`` (the relay run)."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        if rows:
            OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
                next_attempt_at=now + LEASE, claimed_by=claimant
            )
    return rows


def release(claimant: str) -> int:
    """Rows still leased to ``claimant``, due again now: its earlier run is dead (a relay task is
    redelivered only when the worker that held it is gone). The number of rows freed."""
    if not claimant:
        return 0
    return OutboxMessage.objects.filter(state=OutboxState.PENDING, claimed_by=claimant).update(
        next_attempt_at=timezone.now(), claimed_by=""
    )


def _email(row: OutboxMessage) -> EmailMessage:
    payload = row.payload
    message = EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        to=payload["to"],
        reply_to=payload.get("reply_to") or None,
        headers={"Message-ID": message_id_for(row.key), "X-Binome-Key": row.key},
    )
    # django-anymail sends it to the provider, whose delivery reports bring it back
    # (casework.messages.reports); other mailers ignore the attribute.
    message.metadata = {"outbox_key": row.key}  # type: ignore[attr-defined]
    return message


def _publish(row: OutboxMessage) -> None:
    name, kwargs = row.payload["task"], row.payload.get("kwargs") or {}
    if current_app.conf.task_always_eager:  # send_task ignores eager mode: run it here
        current_app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
        current_app.tasks[name].apply(kwargs=kwargs, task_id=task_id_for(row.key), throw=True)
        return
    current_app.send_task(name, kwargs=kwargs, task_id=task_id_for(row.key), retry=False)


def _mark_sent(row: OutboxMessage) -> None:
    now = timezone.now()
    OutboxMessage.objects.filter(pk=row.pk, state=OutboxState.PENDING).update(
        state=OutboxState.SENT,
        sent_at=now,
        last_attempt_at=now,
        attempts=F("attempts") + 1,
        last_error="",
        claimed_by="",
    )


def _mark_error(row: OutboxMessage, error: str, *, permanent: bool = False) -> bool:
    """One more failed attempt: the next one after its delay, or « échec » (after the last
    attempt, or at once for a ``permanent`` refusal). True if échec."""
    now = timezone.now()
    attempts = row.attempts + 1
    failed = permanent or attempts >= MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=row.pk, state=OutboxState.PENDING).update(
        state=OutboxState.FAILED if failed else OutboxState.PENDING,
        attempts=attempts,
        last_attempt_at=now,
        next_attempt_at=now if failed else now + BACKOFF[attempts - 1],
        last_error=error[:200],
        claimed_by="",
    )
    return failed


def _send_sms(row: OutboxMessage, gateway: sms.SmsGateway) -> None:
    """Hand the SMS over, unless an earlier attempt of this row already did (nothing twice): the
    attempt is written down (``last_attempt_at``, committed) before the provider is called."""
    if row.last_attempt_at is not None and gateway.already_sent(row.key):
        logger.info("outbox: SMS n°%s déjà remis au fournisseur, non renvoyé", row.pk)
        return
    OutboxMessage.objects.filter(pk=row.pk).update(last_attempt_at=timezone.now())
    payload = row.payload
    gateway.send(
        sms.Sms(to=payload["to"], sender=payload["sender"], content=payload["content"], tag=row.key)
    )


def _give_back(rows: list[OutboxMessage]) -> None:
    """Rows claimed but not tried: due again now, for this relay's next batch or another's."""
    OutboxMessage.objects.filter(pk__in=[row.pk for row in rows], state=OutboxState.PENDING).update(
        next_attempt_at=timezone.now(), claimed_by=""
    )


def relay(*, limit: int = BATCH, claimant: str = "") -> RelayReport:
    """Send one batch of due rows. Never raises for a row: its error is recorded on it."""
    report = RelayReport()
    rows = claim(limit=limit, claimant=claimant)
    if not rows:
        return report
    mailer: Any = None
    mail_down: str | None = None  # the mail server refused this run: no new attempt
    sms_gateway: sms.SmsGateway | None = None
    sms_down: str | None = None  # the SMS provider is unavailable for this run
    session: requests.Session | None = None  # the webhooks' connections, kept for the run
    webhook_down: dict[int, str] = {}  # the partner systems that cannot take any now
    # Past half the lease, the rest of the batch goes back to the queue: another relay may take
    # it once the lease ends, and a row must never be sent by two relays (a slow mail server).
    give_back_at = time.monotonic() + LEASE.total_seconds() / 2
    for index, row in enumerate(rows):
        if time.monotonic() > give_back_at:
            _give_back(rows[index:])
            break
        down: dict[str, str | None] = {OutboxKind.EMAIL: mail_down, OutboxKind.SMS: sms_down}
        error = down.get(row.kind)
        delivery = webhooks.delivery_of(row.payload) if row.kind == OutboxKind.WEBHOOK else None
        if delivery is not None:
            error = webhook_down.get(delivery.partner_id)
        permanent = False
        if error is None:
            try:
                if row.kind == OutboxKind.EMAIL:
                    mailer = mailer or mailers.default
                    mailer.send_messages([_email(row)])
                elif row.kind == OutboxKind.SMS:
                    sms_gateway = sms_gateway or sms.gateway()
                    _send_sms(row, sms_gateway)
                elif delivery is not None:
                    session = session or requests.Session()
                    webhooks.deliver(delivery, session)
                else:
                    _publish(row)
            except Exception as exception:
                error = describe_error(exception)
                if row.kind == OutboxKind.EMAIL and not isinstance(exception, MESSAGE_ERRORS):
                    mail_down = error
                if isinstance(exception, sms.SmsUnavailable):
                    sms_down = error
                if delivery is not None and isinstance(exception, webhooks.WebhookUnavailable):
                    webhook_down[delivery.partner_id] = error
                permanent = isinstance(exception, (sms.SmsRefused, webhooks.WebhookRefused))
        if error is None:
            _mark_sent(row)
            report.sent += 1
        else:
            failed = _mark_error(row, error, permanent=permanent)
            report.failed += failed
            report.retried += not failed
            report.errors.append(error)
            logger.warning("outbox: envoi n°%s en erreur (%s)", row.pk, error)
    if session is not None:
        session.close()
    if mailer is not None:
        try:
            mailer.close()
        except Exception as exception:
            logger.warning("outbox: fermeture SMTP (%s)", describe_error(exception))
    return report


def relay_all(
    *, budget_seconds: float = 50.0, limit: int = BATCH, claimant: str = ""
) -> RelayReport:
    """Batches until nothing is due or the budget is spent (beat comes back within a minute).

    ``claimant``: the relay task's id. Rows a dead run of the same task left leased are freed
    first (``release``), so a redelivered relay sends them now rather than when the lease ends.
    """
    total = RelayReport()
    deadline = time.monotonic() + budget_seconds
    released = release(claimant)
    if released:
        logger.warning("outbox: %s envoi(s) repris d'un relais interrompu", released)
    while True:
        report = relay(limit=limit, claimant=claimant)
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
        total.errors += report.errors
        handled = report.sent + report.retried + report.failed
        if handled < limit or time.monotonic() > deadline:
            return total


# The sweepers: apps below which partners sits register a function that enqueues the messages of
# business events that never reached the outbox (rows from before it, a code path that forgot).
Sweeper = Callable[[], int]
sweepers: list[Sweeper] = []


def register_sweeper(sweeper: Sweeper) -> None:
    if sweeper not in sweepers:
        sweepers.append(sweeper)


def sweep() -> int:
    """Run every sweeper, each in its own transaction; one failing does not stop the others."""
    enqueued = 0
    for sweeper in sweepers:
        try:
            with transaction.atomic():
                enqueued += sweeper()
        except Exception as exception:
            logger.warning("outbox: balayage %s (%s)", sweeper.__name__, describe_error(exception))
    return enqueued
