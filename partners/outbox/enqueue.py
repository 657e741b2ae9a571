"""Writing to the outbox, inside the business transaction, and kicking the relay after commit."""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from partners.outbox.models import OutboxKind, OutboxMessage

logger = logging.getLogger("binome.outbox")

#: The name the fast path publishes, and beat schedules every minute.
RELAY_TASK = "partners.tasks.relay_outbox"
#: How long the fast path waits for the broker before giving up (the row is durable: beat will
#: relay it within a minute). Short, so that a broker down never slows a request down.
KICK_TIMEOUT = 1.0
#: A kick not consumed within this delay is dropped by the worker: beat has relayed since.
KICK_EXPIRES = 60


class OutsideTransaction(RuntimeError):
    """An enqueue outside the business transaction would be a message without its event."""


def _in_transaction() -> None:
    """An enqueue belongs to the transaction of the event it follows."""
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransaction(
            "Un envoi s'inscrit dans la transaction de l'évènement qu'il suit "
            "(appelez-le depuis un service @transaction.atomic)."
        )


def _enqueue(
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    department: Any,
    not_before: datetime.datetime | None = None,
) -> bool:
    _in_transaction()
    department_id = getattr(department, "pk", department)
    defaults = {"kind": kind, "payload": payload, "department_id": department_id}
    if not_before is not None:
        defaults["next_attempt_at"] = not_before
    _message, created = OutboxMessage.objects.get_or_create(key=key, defaults=defaults)
    if created and (not_before is None or not_before <= timezone.now()):
        _kick_after_commit()
    return created


def enqueue_email(
    *,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    department: Any = None,
    reply_to: list[str] | None = None,
) -> bool:
    """An e-mail that leaves once the current transaction has committed (at least once).

    Idempotent on ``key``: a second call with the same key (a rerun) writes nothing and returns
    False; True when this call wrote the row. Counts and
    links only: never social content (DESIGN.md, messages). ``department`` (or its id) lets the
    department's administrators see the row if it ends in « échec ».
    """
    payload: dict[str, Any] = {"to": list(to), "subject": subject, "body": body}
    if reply_to:
        payload["reply_to"] = list(reply_to)
    return _enqueue(kind=OutboxKind.EMAIL, key=key, payload=payload, department=department)


def enqueue_sms(
    *,
    key: str,
    to: str,
    sender: str,
    content: str,
    department: Any = None,
    not_before: datetime.datetime | None = None,
) -> bool:
    """An SMS to ``to`` (E.164) that leaves once the current transaction has committed, not
    before ``not_before`` (the end of the department's quiet hours). Idempotent on ``key``; the
    relay never sends a row twice (``partners.outbox.sms``)."""
    payload = {"to": to, "sender": sender, "content": content}
    return _enqueue(
        kind=OutboxKind.SMS, key=key, payload=payload, department=department, not_before=not_before
    )


def enqueue_webhook(
    *, partner: Any, message_id: str, body: dict[str, Any], department: Any = None
) -> bool:
    """A notification to ``partner``'s address (``partners.outbox.webhooks``), sent once the
    current transaction has committed, signed, with ``message_id`` as its ``webhook-id`` on every
    attempt. Ids and event names only, never a person's data."""
    payload = {
        "partner": partner.pk,
        "partner_name": str(partner),
        "id": message_id,
        "body": body,
    }
    return _enqueue(
        kind=OutboxKind.WEBHOOK,
        key=f"webhook:{partner.pk}:{message_id}",
        payload=payload,
        department=department,
    )


@dataclass(frozen=True)
class Pending:
    """One row of a batch for ``enqueue_many``: what ``enqueue_sms``/``enqueue_email`` take."""

    kind: str
    key: str
    payload: dict[str, Any]
    department_id: int | None
    not_before: datetime.datetime | None = None


def enqueue_many(rows: list[Pending]) -> set[str]:
    """A batch of rows in a few statements (a morning's reminders): the keys already in the
    outbox are skipped, the others inserted (``ON CONFLICT DO NOTHING`` for a concurrent run).
    The keys this call wrote. Inside the business transaction, like every enqueue."""
    _in_transaction()
    keys = [row.key for row in rows]
    existing = set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    now = timezone.now()
    new = [row for row in rows if row.key not in existing]
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=row.kind,
                key=row.key,
                payload=row.payload,
                department_id=row.department_id,
                next_attempt_at=row.not_before or now,
            )
            for row in new
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    if any(row.not_before is None or row.not_before <= now for row in new):
        _kick_after_commit()
    return {row.key for row in new}


def enqueue_task(
    *,
    key: str,
    task: str,
    kwargs: dict[str, Any] | None = None,
    department: Any = None,
    not_before: datetime.datetime | None = None,
) -> bool:
    """A Celery task (by name) published once the current transaction has committed (not before
    ``not_before``), with a task id derived from ``key``. Idempotent on ``key``. ``kwargs`` must
    be JSON: ids, never content."""
    payload = {"task": task, "kwargs": kwargs or {}}
    return _enqueue(
        kind=OutboxKind.TASK, key=key, payload=payload, department=department, not_before=not_before
    )


def enqueue_task_once(
    *,
    key: str,
    task: str,
    kwargs: dict[str, Any] | None = None,
    not_before: datetime.datetime | None = None,
) -> None:
    """As :func:`enqueue_task`, in one statement whatever the outbox holds (``INSERT … ON
    CONFLICT DO NOTHING``): for a row that many writes ask for (a debounce), on the path of
    every write."""
    _in_transaction()
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=OutboxKind.TASK,
                key=key,
                payload={"task": task, "kwargs": kwargs or {}},
                next_attempt_at=not_before or now,
            )
        ],
        ignore_conflicts=True,
    )
    if not_before is None or not_before <= now:
        _kick_after_commit()


def _kick_after_commit() -> None:
    """One fast path per transaction, however many rows it enqueued."""
    connection = transaction.get_connection()
    if any(func is kick for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(kick, robust=True)


def kick() -> None:
    """The fast path: relay now rather than at the next beat. Best effort, never raises.

    Under ``CELERY_TASK_ALWAYS_EAGER`` (tests, ``make run``) the relay runs here; otherwise the
    relay task is published with a short connect timeout and no retry.
    """
    try:
        if current_app.conf.task_always_eager:
            from partners.outbox.dispatch import relay

            relay()
            return
        with current_app.connection_for_write(
            connect_timeout=KICK_TIMEOUT,
            # Redis reads the socket_* options, py-amqp (RabbitMQ) the read/write ones; no
            # publisher confirm: a broker blocked by an alarm must not hold the request.
            transport_options={
                "socket_connect_timeout": KICK_TIMEOUT,
                "socket_timeout": KICK_TIMEOUT,
                "read_timeout": KICK_TIMEOUT,
                "write_timeout": KICK_TIMEOUT,
                "confirm_publish": False,
                "max_retries": 0,
            },
        ) as connection:
            current_app.send_task(
                RELAY_TASK, connection=connection, retry=False, expires=KICK_EXPIRES
            )
    except Exception as error:
        # The rows are committed: beat relays them within a minute.
        logger.warning("outbox: relais immédiat impossible (%s)", type(error).__name__)
