"""Celery tasks: thin wrappers around services."""

from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.utils import timezone

from casework import heads, partitions, retention, services
from casework.messages import services as messages
from partners.models import Department


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=3)
def run_retention() -> dict[str, Any]:
    """The nightly life-of-file run (beat): notices, archiving, approved disposals. Idempotent."""
    report = retention.retention_run()
    return {
        "notices": len(report.notices),
        "notices_cancelled": len(report.notices_cancelled),
        "archived": len(report.archived),
        "disposed": len(report.disposed),
        "waiting_for_visa": len(report.waiting_for_visa),
    }


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=3)
def expire_delegations() -> list[int]:
    """The nightly clean-up of remplacements past their end date (beat: every night).

    Idempotent: a delegation already expired is not selected again. Requests ignore expired
    delegations without waiting for this task (casework.models.live_grant).
    """
    return [delegation.pk for delegation in services.delegations_expire()]


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=3)
def publish_journal_heads() -> dict[str, int]:
    """The nightly publication of each department's journal head (beat), signed, appended to
    BINOME_HEADS_FILE and sent to the department's DPO. A rerun the same day sends no second
    e-mail for an unchanged head. Fails loudly when the file or the key is not configured."""
    if not settings.BINOME_HEADS_FILE:
        raise ImproperlyConfigured(
            "BINOME_HEADS_FILE n'est pas défini : les têtes du journal ne sont pas publiées."
        )
    published = heads.publish(path=Path(settings.BINOME_HEADS_FILE))
    return {item.department_code: item.head.seq for item in published}


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=3)
def send_appointment_reminders() -> dict[str, int]:
    """Today's appointment reminders (beat, every morning), one transaction per department.
    Idempotent: a rerun queues nothing more (each reminder's outbox key)."""
    return {
        department.code: messages.reminders_send(department=department)
        for department in Department.objects.all()
    }


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=3)
def create_journal_partitions() -> list[str]:
    """The partitions of this month and the next ones of the journal and of the audit trail
    (beat: nightly; PostgreSQL). Idempotent: the names of the partitions created, none on most
    nights."""
    today = timezone.localdate()
    return [
        *partitions.journal_partitions_create(today=today),
        *partitions.audit_partitions_create(today=today),
    ]
