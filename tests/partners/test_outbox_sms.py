"""SMS through the outbox, to a fake of Brevo's API on 127.0.0.1: sent after commit with the
outbox key as tag; a rate limit or an error tried later (and no other SMS of the run); a refused
number « échec » at once; a timeout after the provider took the SMS never sends it twice; an SMS
held by quiet hours leaves when they end."""

import datetime
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partners import outbox
from partners.outbox import dispatch
from partners.outbox.models import OutboxMessage, OutboxState
from tests.celery_worker import wait_for
from tests.fake_brevo import API_KEY, FakeBrevo
from tests.infrastructure.test_reminders_worker_killed import _database_url as database_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def brevo(settings) -> Iterator[FakeBrevo]:  # type: ignore[no-untyped-def]
    fake = FakeBrevo().start()
    settings.BINOME_SMS_BACKEND = "brevo"
    settings.BREVO_API_URL = fake.url
    settings.BREVO_API_KEY = API_KEY
    settings.BINOME_SMS_TIMEOUT = 0.5
    yield fake
    fake.stop()


def queue(key: str, to: str = "+33612345678", **kwargs) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        outbox.enqueue_sms(
            key=key, to=to, sender="CD25", content="Rappel : rendez-vous demain à 9h30.", **kwargs
        )


def row(key: str) -> OutboxMessage:
    return OutboxMessage.objects.get(key=key)


def test_an_sms_leaves_with_its_key_as_tag(brevo):
    queue("reminder:1:2")

    report = dispatch.relay()

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert brevo.sent == [
        {
            "sender": "CD25",
            "recipient": "33612345678",
            "content": "Rappel : rendez-vous demain à 9h30.",
            "type": "transactional",
            "tag": "reminder:1:2",
            "unicodeEnabled": True,
        }
    ]
    sent = row("reminder:1:2")
    assert (sent.state, sent.attempts, sent.last_error) == (OutboxState.SENT, 1, "")


def test_a_rate_limit_is_tried_later_and_stops_the_runs_other_sms(brevo):
    brevo.mode = "rate_limit"
    queue("reminder:1:2")
    queue("reminder:2:2", to="+33700000000")

    report = dispatch.relay()

    assert (report.sent, report.retried, report.failed) == (0, 2, 0)
    assert brevo.sends() == 1  # the second SMS was not even tried
    for key in ("reminder:1:2", "reminder:2:2"):
        waiting = row(key)
        assert (waiting.state, waiting.attempts, waiting.last_error) == (
            OutboxState.PENDING,
            1,
            "SmsUnavailable HTTP 429",
        )
        assert waiting.next_attempt_at > timezone.now()


def test_a_refused_number_fails_at_once(brevo):
    brevo.mode = "refuse"
    queue("convocation:9")

    report = dispatch.relay()

    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    failed = row("convocation:9")
    assert (failed.state, failed.attempts, failed.last_error) == (
        OutboxState.FAILED,
        1,
        "SmsRefused HTTP 400 invalid_parameter",
    )


def test_a_timeout_after_the_provider_took_the_sms_never_sends_it_twice(brevo):
    brevo.mode, brevo.delay = "slow", 1.5
    queue("reminder:3:1")

    first = dispatch.relay()
    brevo.mode = "accept"
    OutboxMessage.objects.filter(key="reminder:3:1").update(next_attempt_at=timezone.now())
    second = dispatch.relay()

    assert (first.retried, first.errors) == (1, ["SmsUnavailable ReadTimeout"])
    assert second.sent == 1
    assert len(brevo.sent) == 1  # taken once, by the first attempt
    assert brevo.calls == [
        ("POST", "/v3/transactionalSMS/send"),
        ("GET", "/v3/transactionalSMS/statistics/events"),
    ]
    assert row("reminder:3:1").state == OutboxState.SENT


def test_a_failed_attempt_the_provider_never_took_is_sent_again(brevo):
    brevo.mode = "error"
    queue("reminder:4:1")
    dispatch.relay()
    brevo.mode = "accept"
    OutboxMessage.objects.filter(key="reminder:4:1").update(next_attempt_at=timezone.now())

    report = dispatch.relay()

    assert report.sent == 1
    assert [sms["tag"] for sms in brevo.sent] == ["reminder:4:1"]


def test_an_sms_held_by_quiet_hours_leaves_when_they_end(brevo):
    morning = timezone.now() + datetime.timedelta(hours=10)
    queue("reminder:5:1", not_before=morning)

    before = dispatch.relay()
    with time_machine.travel(morning + datetime.timedelta(seconds=1)):
        after = dispatch.relay()

    assert (before.sent, after.sent) == (0, 1)
    assert len(brevo.sent) == 1


def test_the_console_gateway_prints_the_sms(settings, capsys):
    settings.BINOME_SMS_BACKEND = "console"
    queue("space-code:1:1")

    dispatch.relay()

    assert capsys.readouterr().out == (
        "SMS de CD25 à +33612345678 (space-code:1:1) :\nRappel : rendez-vous demain à 9h30.\n\n"
    )
    assert row("space-code:1:1").state == OutboxState.SENT


RELAY_ONCE = "import django; django.setup(); from partners.outbox import dispatch; dispatch.relay()"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_relay_killed_after_the_provider_took_the_sms_sends_nothing_twice(brevo, tmp_path):
    """A real relay process on the test database, killed with SIGKILL while the provider holds
    its request: the next relay, when the lease ends, asks the provider and sends nothing."""
    brevo.mode, brevo.delay = "slow", 60
    # Held at first (no relay in this process after commit), then due on any clock.
    queue("reminder:6:1", not_before=timezone.now() + datetime.timedelta(days=1))
    OutboxMessage.objects.filter(key="reminder:6:1").update(
        next_attempt_at=timezone.now() - datetime.timedelta(days=365 * 30)
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(),
        "BINOME_SMS_BACKEND": "brevo",
        "BREVO_API_URL": brevo.url,
        "BREVO_API_KEY": API_KEY,
        "BINOME_SMS_TIMEOUT": "120",
    }
    log = tmp_path / "relay.log"
    with log.open("wb") as output:
        relay = subprocess.Popen(  # noqa: S603 (a fixed command)
            [sys.executable, "-c", RELAY_ONCE],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: len(brevo.sent) == 1, 60), log.read_text()
        relay.send_signal(signal.SIGKILL)
        relay.wait(timeout=30)
    finally:
        if relay.poll() is None:
            relay.kill()
    held = row("reminder:6:1")
    assert (held.state, held.attempts, held.last_attempt_at is not None) == (
        OutboxState.PENDING,
        0,
        True,
    )

    brevo.mode = "accept"
    with time_machine.travel(held.next_attempt_at + datetime.timedelta(seconds=1)):
        report = dispatch.relay()

    assert report.sent == 1
    assert len(brevo.sent) == 1
    assert brevo.sends() == 1
    assert row("reminder:6:1").state == OutboxState.SENT
