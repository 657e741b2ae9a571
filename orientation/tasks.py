"""Celery tasks: thin wrappers around services."""

import datetime
from typing import Any

from celery import shared_task
from django.db import OperationalError

from orientation import reminders, services, snapshots
from partners.models import Department

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


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=RETRY_MAX_COUNTDOWN,
    max_retries=3,
)
def refresh_dashboards(pair_id: int, due: str | None = None) -> int:
    """The supervisors' dashboards of the binôme's department, after its writes of a window
    (published by the outbox: casework/services/dashboards.py). Snapshots written."""
    return snapshots.refresh_after(pair_id=pair_id, due=due)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=RETRY_MAX_COUNTDOWN,
    max_retries=3,
)
def refresh_all_dashboards() -> int:
    """Every department's dashboards for the new day (beat, nightly). Snapshots written."""
    return sum(
        snapshots.refresh(department_id)
        for department_id in Department.objects.order_by("pk").values_list("pk", flat=True)
    )
