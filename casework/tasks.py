"""Celery tasks: thin wrappers around services."""

from celery import shared_task
from django.db import OperationalError

from casework import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=3)
def expire_delegations() -> list[int]:
    """The nightly clean-up of remplacements past their end date (beat: every night).

    Idempotent: a delegation already expired is not selected again. Requests ignore expired
    delegations without waiting for this task (casework.models.live_grant).
    """
    return [delegation.pk for delegation in services.delegations_expire()]
