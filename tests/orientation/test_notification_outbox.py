"""Notification e-mails go through the outbox: saved with the préconisation even when the broker
is unreachable, sent by the relay; the sweeper catches notifications whose e-mail never left."""

import datetime
import logging
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu import Connection

from casework.enums import CaseState
from config.celery import app
from orientation import services
from orientation.models import Notification, Recommendation
from partners import outbox
from partners.tasks import relay_outbox
from tests.casework.factories import CaseFactory
from tests.celery_worker import wait_for
from tests.orientation.factories import lock, make_diagnostic
from tests.outbox import outbox_messages
from tests.partners.smtp import closed_port
from tests.redis_server import RedisServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_unreachable(monkeypatch):  # type: ignore[no-untyped-def]
    """Eager off, the broker on a port where nothing listens (as when Redis is stopped)."""

    def use(scheme: str) -> None:
        url = f"{scheme}127.0.0.1:{closed_port()}/"
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads it before its conf
        app.conf.update(broker_url=url, task_always_eager=False)

    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    yield use
    app.conf.update(previous)


@pytest.mark.parametrize("scheme", ["redis://", "amqp://guest:guest@"])
def test_recommendation_with_broker_unreachable(
    scheme, broker_unreachable, login_client, django_capture_on_commit_callbacks, caplog
):
    case = CaseFactory(state=CaseState.ACTIVE)
    lock(make_diagnostic(case))
    broker_unreachable(scheme)
    client = login_client(case.pair.advisor)

    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="binome.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("recommendation_create", kwargs={"pk": case.pk}),
            {"path": "emploi", "rationale": "Projet clair", "person_agrees": "true"},
        )
    elapsed = time.monotonic() - started

    notification = Notification.objects.get(kind="signature")
    row = outbox_messages().get()
    assert (response.status_code, Recommendation.objects.count()) == (302, 1)
    assert elapsed < 5, elapsed  # the fast path gave up quickly (KICK_TIMEOUT), no 500
    assert "relais immédiat impossible" in caplog.text
    assert (row.key, row.state, row.payload["to"]) == (
        f"notification-email:{notification.pk}",
        "pending",
        [case.pair.social_worker.email],
    )
    assert mail.outbox == []

    report = outbox.relay()  # beat's relay, once the broker is back

    assert (report.sent, [m.to for m in mail.outbox]) == (1, [[case.pair.social_worker.email]])
    assert case.beneficiary.last_name not in mail.outbox[0].body


def test_notification_email_enqueued_once():
    case = CaseFactory(state=CaseState.ACTIVE)
    lock(make_diagnostic(case))
    services.recommendation_create(
        case=case,
        acting_user=case.pair.advisor,
        path="emploi",
        rationale="Clair",
        person_agrees=True,
    )
    notification = Notification.objects.get(kind="signature")

    again = services.notifications_email(notification_ids=[notification.pk])  # a redelivery

    assert again == 0
    assert list(outbox_messages().values_list("key", flat=True)) == [
        f"notification-email:{notification.pk}"
    ]
    assert notification.emailed_at is not None  # handed to the outbox, with the notification


def test_sweeper_enqueues_notifications_whose_email_never_left():
    """A notification of the services without its e-mail (raised before the outbox, when the
    broker was down): the sweeper enqueues it after a few minutes, once."""
    case = CaseFactory(state=CaseState.ACTIVE)
    now = timezone.now()
    forgotten = Notification.objects.create(recipient=case.pair.advisor, case=case, kind="decision")
    too_recent = Notification.objects.create(
        recipient=case.pair.advisor, case=case, kind="signature"
    )
    too_old = Notification.objects.create(
        recipient=case.pair.advisor,
        case=case,
        kind="validation",
        created_at=now - datetime.timedelta(days=3),
    )
    Notification.objects.filter(pk=forgotten.pk).update(
        created_at=now - datetime.timedelta(minutes=10)
    )

    swept = outbox.sweep()
    swept_again = outbox.sweep()
    outbox.relay()

    assert (swept, swept_again) == (1, 0)
    assert list(outbox_messages().values_list("key", "state")) == [
        (f"notification-email:{forgotten.pk}", "sent")
    ]
    assert [m.to for m in mail.outbox] == [[case.pair.advisor.email]]
    assert {too_recent.pk, too_old.pk} == set(
        Notification.objects.filter(emailed_at__isnull=True).values_list("pk", flat=True)
    )
    with time_machine.travel(now + datetime.timedelta(minutes=10)):
        assert outbox.sweep() == 1  # too_recent's turn


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_recommendation_while_the_brokers_redis_is_stopped_leaves_once_it_is_back(
    login_client, monkeypatch
):
    """A Redis started by the test as the broker, then stopped: the préconisation is saved and
    answered with its page; once Redis is back, beat's relay (published as beat does, run by a
    real worker on that Redis) sends its e-mail, once."""
    case = CaseFactory(state=CaseState.ACTIVE)
    lock(make_diagnostic(case))
    client = login_client(case.pair.advisor)
    redis = RedisServer()
    redis.start()
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)  # Celery reads it before its conf
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis.url, task_always_eager=False)
    try:
        redis.stop()
        started = time.monotonic()
        response = client.post(
            reverse("recommendation_create", kwargs={"pk": case.pk}),
            {"path": "emploi", "rationale": "Projet clair", "person_agrees": "true"},
        )
        elapsed = time.monotonic() - started
        row = outbox_messages().get()
        assert (response.status_code, Recommendation.objects.count()) == (302, 1)
        assert client.get(response["Location"]).status_code == 200
        assert (row.state, mail.outbox) == ("pending", [])

        redis.start()
        with (
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
            Connection(redis.url) as broker,  # not the app's pool: earlier tests' brokers
        ):
            relay_outbox.apply_async(connection=broker)  # beat's publication, every minute
            delivered = wait_for(lambda: len(mail.outbox) >= 1, 30)
            relay_outbox.apply_async(connection=broker)  # a second relay finds nothing to send
            time.sleep(1)
    finally:
        app.conf.update(previous)
        redis.stop()

    print(f"Préconisation enregistrée, Redis arrêté : 302 en {elapsed:.2f} s.")
    assert delivered
    assert elapsed < 5  # the fast path gave up after its 1-second timeout
    assert [m.to for m in mail.outbox] == [[case.pair.social_worker.email]]
    assert outbox_messages().get().state == "sent"
