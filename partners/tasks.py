"""Celery tasks of the partners app: thin wrappers around services."""

from typing import Any

from celery import Task, shared_task

from partners import outbox


@shared_task(bind=True, ignore_result=True)
def relay_outbox(self: Task) -> dict[str, Any]:
    """The outbox's relay (beat: every minute; and published after a commit that enqueued).

    First the sweepers (events whose message never reached the outbox), then every due row.
    Safe to run concurrently: rows are claimed with SKIP LOCKED and a lease, in the name of this
    task's id, so that a redelivery (its worker died) takes its rows back at once.
    """
    swept = outbox.sweep()
    report = outbox.relay_all(claimant=self.request.id or "")
    return {
        "swept": swept,
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
    }
