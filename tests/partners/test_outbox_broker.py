"""The fast path on a real broker and a real worker: the commit publishes the relay task, the
worker relays the row."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

import partners.tasks  # noqa: F401 — the relay task, registered for the test worker
from config.celery import app
from partners import outbox
from partners.models import OutboxMessage

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_commit_publishes_the_relay_and_a_worker_sends_the_row():
    url = os.environ["CELERY_BROKER_URL"]
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)  # no result backend: none needed
    try:
        # The in-process worker's thread takes several seconds to stop (its broker connection and
        # delayed-delivery setup); 10 s was too short on a loaded CI machine.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
            with transaction.atomic():
                outbox.enqueue_email(
                    key="broker:1", to=["claire@exemple.fr"], subject="Binôme", body="Bonjour"
                )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if OutboxMessage.objects.get(key="broker:1").state == "sent":
                    break
                time.sleep(0.2)
    finally:
        app.conf.update(previous)

    assert OutboxMessage.objects.get(key="broker:1").state == "sent"
    assert [m.to for m in mail.outbox] == [["claire@exemple.fr"]]
