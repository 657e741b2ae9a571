"""Celery tasks of the partners app: thin wrappers around services."""

from typing import Any

from celery import shared_task

from partners import outbox


@shared_task(ignore_result=True)
def relay_outbox() -> dict[str, Any]:
    """The outbox's relay (beat: every minute; and published after a commit that enqueued).

    First the sweepers (events whose message never reached the outbox), then every due row.
    Safe to run concurrently: rows are claimed with SKIP LOCKED and a lease.
    """
    swept = outbox.sweep()
    report = outbox.relay_all()
    return {
        "swept": swept,
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
    }
