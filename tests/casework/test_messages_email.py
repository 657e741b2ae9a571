"""E-mail to the person through django-anymail's Brevo backend, to the fake Brevo API on
127.0.0.1, and its delivery reports through anymail's webhook (basic authentication) back on the
message; a replay changes nothing; a hard bounce stops e-mail to that address."""

import base64
import datetime
import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import CaseState, MessageChannel, MessageStatus
from casework.messages import services as messages
from casework.models import MessageConsent, SentMessage
from config.settings.base import BREVO_EMAIL_BACKEND
from partners.outbox import dispatch
from tests.casework.factories import CaseFactory
from tests.fake_brevo import API_KEY, FakeBrevo

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "brevo:secret-des-rapports"


@pytest.fixture
def brevo(settings):  # type: ignore[no-untyped-def]
    fake = FakeBrevo().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": BREVO_EMAIL_BACKEND,
            "OPTIONS": {"api_key": API_KEY, "api_url": fake.url},
        }
    }
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    yield fake
    fake.stop()


def convocation_email(brevo: FakeBrevo) -> SentMessage:
    case = CaseFactory(state=CaseState.ACTIVE)
    messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.EMAIL,
        address="rosalie@exemple.fr",
        acting_user=case.pair.advisor,
    )
    with transaction.atomic():
        services.appointment_plan(
            case=case,
            acting_user=case.pair.advisor,
            planned_at=timezone.now() + datetime.timedelta(days=4),
            place="Agence de Besançon",
            with_whom=case.pair.advisor,
        )
    dispatch.relay()
    return SentMessage.objects.get()


def report(event: str, key: str, epoch_ms: int, secret: str = WEBHOOK_SECRET):  # type: ignore[no-untyped-def]
    headers = {}
    if secret:
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return Client().post(
        reverse("brevo_email_report"),
        json.dumps(
            {
                "event": event,
                "email": "rosalie@exemple.fr",
                "id": 1234,
                "date": "2026-12-04 10:00:00",
                "message-id": "<202600000001@smtp-relay.mailin.fr>",
                "ts_epoch": epoch_ms,
                "subject": "Votre rendez-vous",
                "X-Mailin-custom": json.dumps({"outbox_key": key}),
            }
        ),
        content_type="application/json",
        headers=headers,
    )


def test_the_convocation_leaves_through_anymail_and_its_delivery_comes_back(brevo):
    message = convocation_email(brevo)

    delivered = report("delivered", message.outbox_key, 1_800_000_000_000)
    replayed = report("delivered", message.outbox_key, 1_800_000_000_000)

    (email,) = brevo.emails
    assert email["to"] == [{"email": "rosalie@exemple.fr"}]
    assert email["subject"].startswith("Votre rendez-vous le ")
    assert "Agence de Besançon" in email["textContent"]
    assert json.loads(email["headers"]["X-Mailin-custom"]) == {"outbox_key": message.outbox_key}
    assert (delivered.status_code, replayed.status_code) == (200, 200)
    message.refresh_from_db()
    assert (message.status, message.status_at.timestamp()) == (
        MessageStatus.DELIVERED,
        1_800_000_000,
    )


def test_an_unauthenticated_email_report_changes_nothing(brevo):
    message = convocation_email(brevo)

    refused = report("delivered", message.outbox_key, 1_800_000_000_000, secret="brevo:faux")

    assert refused.status_code == 400
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED


def test_a_hard_bounce_stops_email_to_that_address(brevo):
    message = convocation_email(brevo)

    report("hard_bounce", message.outbox_key, 1_800_000_000_000)

    message.refresh_from_db()
    assert (message.status, message.status_detail) == (MessageStatus.FAILED, "hard_bounce")
    assert MessageConsent.objects.in_force().get().undeliverable_at is not None
    assert list(MessageConsent.objects.usable()) == []
