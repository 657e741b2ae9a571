"""The outbox: written with its event, sent at least once after commit, retried with a backoff,
« échec » after the last attempt, deduplicated by key (Message-ID, task id)."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from partners import outbox
from partners.models import OutboxMessage
from partners.outbox import dispatch
from tests.partners.factories import DepartmentFactory
from tests.partners.smtp import closed_port, smtp_mailers, smtp_server
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def enqueue(key: str = "test:1", to: str = "claire@exemple.fr", department=None) -> bool:  # type: ignore[no-untyped-def]
    return outbox.enqueue_email(
        key=key,
        to=[to],
        subject="Binôme : un rappel",
        body="Bonjour,\n\nUn rappel.\n",
        department=department,
    )


def state_of(key: str = "test:1") -> tuple[str, int, str]:
    row = OutboxMessage.objects.get(key=key)
    return row.state, row.attempts, row.last_error


def test_enqueue_rolled_back_with_its_transaction():
    class EventFailed(Exception):
        pass

    with pytest.raises(EventFailed), transaction.atomic():
        enqueue()
        raise EventFailed

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_refused():
    with refused(
        outbox.OutsideTransaction,
        "Un envoi s'inscrit dans la transaction de l'évènement qu'il suit "
        "(appelez-le depuis un service @transaction.atomic).",
    ):
        enqueue()

    assert OutboxMessage.objects.count() == 0


def test_same_key_twice_one_row():
    first, second = enqueue(), enqueue(to="autre@exemple.fr")

    assert (first, second) == (True, False)
    assert list(OutboxMessage.objects.values_list("key", "payload__to")) == [
        ("test:1", ["claire@exemple.fr"])
    ]


def test_relay_sends_once_and_marks_sent():
    department = DepartmentFactory()
    enqueue(department=department)

    report = outbox.relay()
    again = outbox.relay()

    assert (report.sent, again.sent) == (1, 0)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["claire@exemple.fr"], "Binôme : un rappel")
    ]
    sent = mail.outbox[0].message()
    assert sent["Message-ID"] == outbox.message_id_for("test:1")
    assert sent["X-Binome-Key"] == "test:1"
    row = OutboxMessage.objects.get()
    assert (row.state, row.attempts, row.department, row.sent_at is not None) == (
        "sent",
        1,
        department,
        True,
    )


def test_one_fast_path_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue("test:1")
        enqueue("test:2")
        enqueue("test:2")

    assert len(callbacks) == 1
    assert sorted(m.message()["X-Binome-Key"] for m in mail.outbox) == [
        "test:1",
        "test:2",
    ]


def test_claimed_row_waits_for_its_lease_then_is_sent_again():
    """A worker killed between the claim and the mark: the row is due again after the lease."""
    enqueue()

    claimed = dispatch.claim()
    claimed_again = dispatch.claim()
    with time_machine.travel(timezone.now() + outbox.LEASE + datetime.timedelta(seconds=1)):
        report = outbox.relay()

    assert ([row.key for row in claimed], claimed_again) == (["test:1"], [])
    assert (report.sent, len(mail.outbox), state_of()[0]) == (1, 1, "sent")


def test_a_redelivered_relay_takes_back_at_once_what_its_dead_run_held():
    """The claims carry the relay task's id: the same task redelivered (its worker died) frees
    its rows and sends them now, not when the lease ends; another run's claim keeps its lease."""
    with transaction.atomic():
        enqueue("test:1")
        enqueue("test:2")
    mail.outbox = []
    dead = dispatch.claim(limit=1, claimant="tâche-relivrée")
    alive = dispatch.claim(limit=1, claimant="autre-tâche")

    report = outbox.relay_all(claimant="tâche-relivrée")

    assert ([row.key for row in dead], [row.key for row in alive]) == (["test:1"], ["test:2"])
    assert (report.sent, [m.message()["X-Binome-Key"] for m in mail.outbox]) == (1, ["test:1"])
    assert OutboxMessage.objects.get(key="test:1").claimed_by == ""
    assert OutboxMessage.objects.get(key="test:2").claimed_by == "autre-tâche"
    assert OutboxMessage.objects.due(timezone.now()).count() == 0
    assert dispatch.release("") == 0  # a relay without a task id (eager mode) frees nothing


def test_a_relay_past_half_its_lease_gives_the_rest_of_its_batch_back(monkeypatch):
    """A slow mail server: the rows not tried by then are due again now, never sent by two relays
    (here the lease is zero, so nothing is tried at all)."""
    with transaction.atomic():
        enqueue("test:1")
        enqueue("test:2")
    mail.outbox = []
    monkeypatch.setattr(dispatch, "LEASE", datetime.timedelta(0))

    report = outbox.relay()

    assert (report.sent, len(mail.outbox)) == (0, 0)
    assert [state_of(key)[:2] for key in ("test:1", "test:2")] == [("pending", 0)] * 2
    assert OutboxMessage.objects.due(timezone.now()).count() == 2


def test_refused_smtp_backs_off_then_fails(settings):
    settings.MAILERS = smtp_mailers(closed_port())
    enqueue()

    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        row = OutboxMessage.objects.get()
        with time_machine.travel(row.next_attempt_at, tick=False):
            report = outbox.relay()
            after = OutboxMessage.objects.get()
            if after.state == "pending":
                delays.append(after.next_attempt_at - timezone.now())

    assert report.failed == 1
    assert delays == list(outbox.BACKOFF)
    assert state_of() == (
        "failed",
        outbox.MAX_ATTEMPTS,
        "ConnectionRefusedError [Errno 111] Connection refused",
    )
    assert outbox.relay().sent == 0  # a row in échec waits for « Renvoyer »


def test_smtp_back_delivers_exactly_once(settings):
    port = closed_port()
    settings.MAILERS = smtp_mailers(port)
    enqueue()
    outbox.relay()  # refused: one attempt, next in a minute
    first = OutboxMessage.objects.get()

    with smtp_server(port) as (_, received), time_machine.travel(first.next_attempt_at):
        outbox.relay()
        outbox.relay()

    assert (first.state, first.attempts) == ("pending", 1)
    assert [(m["To"], m["Message-ID"]) for m in received] == [
        ("claire@exemple.fr", outbox.message_id_for("test:1"))
    ]
    assert state_of() == ("sent", 2, "")


def test_task_row_runs_its_task_and_an_unknown_task_is_retried():
    with transaction.atomic():
        outbox.enqueue_task(key="task:ok", task="casework.tasks.expire_delegations")
        outbox.enqueue_task(key="task:unknown", task="casework.tasks.does_not_exist")

    report = outbox.relay()

    assert (report.sent, report.retried) == (1, 1)
    assert state_of("task:ok")[0] == "sent"
    assert state_of("task:unknown") == ("pending", 1, "NotRegistered")


def test_beat_runs_the_relay_every_minute_and_it_sweeps_then_relays(settings):
    from partners import tasks

    enqueue()
    entry = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]

    outcome = tasks.relay_outbox()

    assert (entry["task"], entry["schedule"]) == (tasks.relay_outbox.name, 60.0)
    assert outcome == {"swept": 0, "sent": 1, "retried": 0, "failed": 0}


def test_nothing_sends_mail_or_publishes_tasks_but_the_relay():
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"send_mail\(|\.delay\(|apply_async\(|send_task\(|send_messages\(")
    offenders = sorted(
        str(path.relative_to(root))
        for app in ("partners", "casework", "orientation")
        for path in (root / app).rglob("*.py")
        if pattern.search(path.read_text())
    )

    assert offenders == ["partners/outbox/dispatch.py", "partners/outbox/enqueue.py"]
