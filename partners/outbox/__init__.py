"""The transactional outbox: every e-mail or task that must follow a business event is a row
written in the event's transaction, and a relay sends it after commit, at least once, with an
idempotency key. See docs/architecture.md, « Outbox ».

- ``enqueue_email`` / ``enqueue_sms`` / ``enqueue_task`` / ``enqueue_webhook``: inside the service's
  ``@transaction.atomic``;
- ``relay`` / ``relay_all``: the relay (the Celery task ``partners.tasks.relay_outbox``, beat
  every minute, and after each commit that enqueued, as a fast path);
- ``register_sweeper`` / ``sweep``: what finds events whose message never reached the outbox;
- ``outbox_resend``: « Renvoyer », by an administrator of the department.
"""

from partners.outbox.dispatch import (
    BACKOFF,
    LEASE,
    MAX_ATTEMPTS,
    RelayReport,
    message_id_for,
    register_sweeper,
    relay,
    relay_all,
    sweep,
    task_id_for,
)
from partners.outbox.enqueue import (
    OutsideTransaction,
    Pending,
    enqueue_email,
    enqueue_many,
    enqueue_sms,
    enqueue_task,
    enqueue_task_once,
    enqueue_webhook,
    kick,
)
from partners.outbox.services import outbox_resend

__all__ = [
    "BACKOFF",
    "LEASE",
    "MAX_ATTEMPTS",
    "OutsideTransaction",
    "RelayReport",
    "Pending",
    "enqueue_email",
    "enqueue_many",
    "enqueue_sms",
    "enqueue_task",
    "enqueue_task_once",
    "enqueue_webhook",
    "kick",
    "message_id_for",
    "outbox_resend",
    "register_sweeper",
    "relay",
    "relay_all",
    "sweep",
    "task_id_for",
]
