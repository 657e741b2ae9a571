"""The daily reminders on a real worker killed with SIGKILL twice: its pool process in the middle of
the reminders' transaction, then the whole worker in the middle of sending the digests. After the
restart every recipient has exactly one notification per reminder and one e-mail (one Message-ID
at the SMTP server), within a minute of the restart.

Real parts: RabbitMQ (quorum queue), the test's PostgreSQL database, an SMTP server on 127.0.0.1
that takes 0.4 s to queue each message, and ``celery worker`` in a process group of its own.
"""

import collections
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from kombu import Connection

from casework.enums import CaseState
from config.celery import app
from orientation import reminders
from orientation.models import Notification
from partners.models import OutboxMessage, Professional
from partners.outbox.models import OutboxState
from tests.broker import broker_url
from tests.casework.factories import CaseFactory
from tests.celery_worker import Worker, wait_for
from tests.partners.smtp import smtp_server

pytestmark = [
    pytest.mark.broker,
    pytest.mark.rabbitmq,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PEOPLE = 12  # one overdue case each, each with its own référent: 12 digests at least
SMTP_DELAY = 0.4  # seconds the SMTP server takes per message: the kill lands mid-relay


def _database_url() -> str:
    db = connection.settings_dict
    user, password = quote(db["USER"] or ""), quote(db["PASSWORD"] or "")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def smtp() -> Iterator[tuple[int, list[Any]]]:
    with smtp_server(delay=SMTP_DELAY) as server:
        yield server


@pytest.fixture
def worker(tmp_path, smtp) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    """A worker as in production, on the test database and the fake SMTP server, consuming a
    queue of its own (CELERY_QUEUE): the reminders task and the relay it kicks after commit."""
    queue = f"binome-reminders-{uuid.uuid4().hex[:8]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "LOG_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
        DATABASE_URL=_database_url(),
        # Through PgBouncer (.ci/run's pass), the worker connects as the tests do.
        DATABASE_PGBOUNCER=os.environ.get("DATABASE_PGBOUNCER", ""),
        CELERY_BROKER_URL=broker_url(),
        CELERY_QUEUE=queue,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp[0]),
        EMAIL_TIMEOUT="5",
    )
    worker = Worker(queue, tmp_path / "worker.log", env=env)
    yield worker
    worker.kill()
    # send_task(queue=…) declared it in this process's app too (task_create_missing_queues): a
    # later in-process worker would try to bind it for delayed delivery, fail and hang on exit.
    app.amqp.queues.pop(queue, None)
    with Connection(broker_url()) as broker:
        channel = broker.channel()
        channel.queue_delete(queue)
        channel.exchange_delete(queue)


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [connection.settings_dict["NAME"]],
        )
        return bool(cursor.fetchone()[0])


def test_reminders_survive_a_killed_pool_process_then_a_killed_worker(worker, smtp, today):
    _, received = smtp
    for _ in range(PEOPLE):
        CaseFactory(state=CaseState.ACTIVE)
    expected = sorted(
        (due.kind, due.case_id, due.recipient_id)
        for reminders_of_a_kind in reminders.REMINDERS
        for due in reminders_of_a_kind(today)
    )
    recipients = {recipient for _, _, recipient in expected}
    addresses = set(Professional.objects.filter(pk__in=recipients).values_list("email", flat=True))
    assert len(addresses) >= PEOPLE

    # 1. The pool process killed inside the reminders' transaction: the test holds a lock on the
    # outbox, so the run stops at its first digest, its notifications written but not committed.
    blocker = psycopg.connect(_database_url().replace("postgres://", "postgresql://", 1))
    blocker.execute(f"LOCK TABLE {OutboxMessage._meta.db_table} IN SHARE MODE")
    worker.start()
    app.conf.task_always_eager = False  # the test settings' eager mode, for this send only
    try:
        with Connection(broker_url()) as broker:
            app.send_task(
                "orientation.tasks.send_daily_reminders",
                kwargs={"day": today.isoformat()},
                queue=worker.queue,
                connection=broker,
            )
    finally:
        app.conf.task_always_eager = True
    blocked = wait_for(_waiting_on_a_lock, 60)
    worker.kill_child()
    committed_by_the_killed_run = Notification.objects.count()
    blocker.rollback()  # the redelivered run goes on
    blocker.close()
    assert blocked, worker.tail()
    assert committed_by_the_killed_run == 0

    # 2. The redelivered run commits and kicks the relay; the whole worker is killed while the
    # digests leave (the SMTP server has taken 4 of them), then restarted.
    sending = wait_for(lambda: len(received) >= 4, 60)
    worker.kill()
    sent_before_kill = len(received)
    assert sending, worker.tail()
    assert sent_before_kill < len(addresses), "the relay finished before the kill"
    restarted_at = time.monotonic()
    worker.start()

    def all_delivered() -> bool:
        return {m["To"] for m in list(received)} >= addresses

    delivered = wait_for(all_delivered, 60)
    elapsed = time.monotonic() - restarted_at
    time.sleep(2 * SMTP_DELAY)  # a late duplicate would have arrived by now
    copies = collections.Counter(m["Message-ID"] for m in list(received))
    print(
        f"{len(addresses)} destinataires ; {sent_before_kill} e-mails avant l'arrêt du worker ; "
        f"tous remis {elapsed:.1f} s après le redémarrage ; {len(received)} remises SMTP pour "
        f"{len(copies)} Message-ID."
    )

    assert delivered, worker.tail()
    assert elapsed < 60
    notices = sorted(Notification.objects.values_list("kind", "case_id", "recipient_id"))
    assert notices == expected  # each reminder once, for its recipient
    ids_by_address = collections.defaultdict(set)
    for message in list(received):
        ids_by_address[message["To"]].add(message["Message-ID"])
    assert set(ids_by_address) == addresses
    assert all(len(ids) == 1 for ids in ids_by_address.values()), ids_by_address
    # At least once: only the message in flight at the kill may have reached the server twice.
    assert sum(count - 1 for count in copies.values()) <= 1, copies
    digests = OutboxMessage.objects.filter(key__startswith="digest:")
    assert digests.count() == len(addresses)
    assert set(digests.values_list("state", flat=True)) == {OutboxState.SENT}
