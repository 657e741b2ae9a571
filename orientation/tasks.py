"""Celery tasks: thin wrappers around services."""

import datetime
from typing import Any

from celery import shared_task
from django.db import OperationalError

from orientation import reminders, services

#: The longest delay before a retry; the broker's visibility timeout must exceed it.
RETRY_MAX_COUNTDOWN = 10 * 60


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=RETRY_MAX_COUNTDOWN,
    max_retries=3,
)
def send_daily_reminders(day: str | None = None) -> dict[str, Any]:
    """The daily reminder run (beat: every morning, for today). Idempotent: see
    reminders.reminders_send. ``day`` (AAAA-MM-JJ): the run of another day, e.g. yesterday's,
    replayed by an operator after an outage."""
    report = reminders.reminders_send(today=datetime.date.fromisoformat(day) if day else None)
    return {"created": report.created, "emails": report.emails, "by_kind": report.by_kind}


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=RETRY_MAX_COUNTDOWN,
    max_retries=3,
)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mails for in-app notifications into the outbox. The services no longer queue this task
    (they enqueue in their own transaction); kept for messages published before the outbox."""
    return services.notifications_email(notification_ids=notification_ids)
