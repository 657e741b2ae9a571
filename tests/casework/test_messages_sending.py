"""Messages to the person on real events: the convocation when an appointment is planned, the
reminders J-2 and J-1, quiet hours, nothing without the person's yes, nothing on an absence or a
breach report; the provider's delivery reports (authenticated, replays refused) on the message,
and an unreachable number never written to again."""

import datetime
import json

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import (
    AppointmentOutcome,
    CaseState,
    JournalChannel,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from casework.messages import services as messages
from casework.models import InformationShare, MessageConsent, SentMessage
from partners.errors import InvalidTransition
from partners.models import OutboxMessage
from partners.outbox import dispatch
from tests.casework.factories import CaseFactory
from tests.fake_brevo import API_KEY, FakeBrevo
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db

TOKEN = "secret-des-rapports-de-remise"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    case = CaseFactory(state=CaseState.ACTIVE)
    case.pair.department.sms_sender = "CD25"
    case.pair.department.save()
    advisor = case.pair.advisor
    advisor.first_name = "Camille"
    advisor.save()
    return case


def consent(case, channel: str, address: str) -> MessageConsent:  # type: ignore[no-untyped-def]
    return messages.consent_give(
        beneficiary=case.beneficiary,
        channel=channel,
        address=address,
        acting_user=case.pair.social_worker,
    )


def plan(case, when: datetime.datetime):  # type: ignore[no-untyped-def]
    return services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=when,
        place="Agence de Besançon, 2 rue Proudhon",
        with_whom=case.pair.advisor,
    )


def outbox_rows() -> list[tuple[str, str, dict]]:
    return [(row.key, row.kind, row.payload) for row in outbox_messages().order_by("key")]


def test_planning_an_appointment_sends_the_convocation_on_each_channel_said_yes_to(case, today):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    consent(case, MessageChannel.EMAIL, "rosalie@exemple.fr")

    appointment = plan(case, _at(today + datetime.timedelta(days=7), 14, 30))

    organisation = case.pair.advisor.organisation.name
    date = appointment.planned_at
    day = {0: "lundi", 1: "mardi", 2: "mercredi", 3: "jeudi", 4: "vendredi", 5: "samedi",
           6: "dimanche"}[timezone.localtime(date).weekday()]  # fmt: skip
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    local = timezone.localtime(date)
    said = f"{day} {local.day} {months[local.month - 1]}"
    email, sms = outbox_rows()
    assert sms == (
        f"convocation:{appointment.pk}:sms",
        "sms",
        {
            "to": "+33612345678",
            "sender": "CD25",
            "content": f"Bonjour, vous avez rendez-vous le {said} à 14h30, Agence de Besançon, 2 "
            f"rue Proudhon, avec Camille ({organisation}). Pour le changer : "
            f"{case.pair.advisor.email}. Ne pas répondre à ce SMS.",
        },
    )
    assert email[:2] == (f"convocation:{appointment.pk}:email", "email")
    assert email[2]["to"] == ["rosalie@exemple.fr"]
    assert email[2]["subject"] == f"Votre rendez-vous le {said} à 14h30"
    sent = SentMessage.objects.filter(case=case).order_by("channel")
    assert [(m.kind, m.channel, m.status) for m in sent] == [
        (MessageKind.CONVOCATION, MessageChannel.EMAIL, MessageStatus.QUEUED),
        (MessageKind.CONVOCATION, MessageChannel.SMS, MessageStatus.QUEUED),
    ]
    rows = InformationShare.objects.filter(case=case, channel=JournalChannel.MESSAGE)
    assert sorted((row.purpose, row.actor_id, row.object_type) for row in rows) == [
        ("Convocation à un rendez-vous (SMS)", case.pair.advisor.pk, "message à la personne"),
        ("Convocation à un rendez-vous (e-mail)", case.pair.advisor.pk, "message à la personne"),
    ]
    # The journal says what kind of message, never what it said.
    assert all("Proudhon" not in str(row.__dict__) for row in rows)


def test_nothing_leaves_without_the_persons_yes(case, today):
    withdrawn = consent(case, MessageChannel.SMS, "06 12 34 56 78")
    messages.consent_withdraw(consent=withdrawn, space_access_id=1)

    plan(case, _at(today + datetime.timedelta(days=7), 9))

    assert outbox_rows() == []
    assert SentMessage.objects.count() == 0


def test_an_absence_or_a_breach_report_sends_nothing_of_any_kind(case, today):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    consent(case, MessageChannel.EMAIL, "rosalie@exemple.fr")
    with time_machine.travel(_at(today - datetime.timedelta(days=3), 9)):
        appointment = plan(case, _at(today - datetime.timedelta(days=2), 9))
    before = (outbox_rows(), SentMessage.objects.count())

    services.appointment_record_outcome(
        appointment=appointment, acting_user=case.pair.advisor, outcome=AppointmentOutcome.UNEXCUSED
    )
    services.breach_report(
        case=case, acting_user=case.pair.advisor, reason="Absences", appointment=appointment
    )

    assert (outbox_rows(), SentMessage.objects.count()) == before
    assert len(before[0]) == 2  # only the convocation, from before


def test_an_sms_planned_in_the_quiet_hours_waits_for_their_end(case, today):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")

    with time_machine.travel(_at(today, 21, 30)):
        plan(case, _at(today + datetime.timedelta(days=3), 9))

    row = outbox_messages().get()
    assert row.next_attempt_at == _at(today + datetime.timedelta(days=1), 8)


def test_reminders_leave_two_days_and_the_day_before_once(case, today):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    appointment = plan(case, _at(today + datetime.timedelta(days=2), 9, 15))
    department = case.pair.department

    first = messages.reminders_send(department=department, today=today)
    again = messages.reminders_send(department=department, today=today)
    eve = messages.reminders_send(department=department, today=today + datetime.timedelta(days=1))
    after = messages.reminders_send(department=department, today=today + datetime.timedelta(days=2))

    assert (first, again, eve, after) == (1, 0, 1, 0)
    day = f"{appointment.planned_at:%Y%m%d}"
    assert [key for key, _, _ in outbox_rows()] == [
        f"convocation:{appointment.pk}:sms",
        f"reminder:{appointment.pk}:{day}:1:sms",
        f"reminder:{appointment.pk}:{day}:2:sms",
    ]
    assert (
        OutboxMessage.objects.get(key=f"reminder:{appointment.pk}:{day}:1:sms")
        .payload["content"]
        .startswith("Rappel : rendez-vous le ")
    )


def test_no_reminder_for_an_appointment_with_an_outcome_or_when_the_department_wants_none(
    case, today
):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    appointment = plan(case, _at(today + datetime.timedelta(days=1), 9))
    department = case.pair.department
    department.reminder_days = ""
    department.save()

    assert messages.reminders_send(department=department, today=today) == 0
    department.reminder_days = "1"
    department.save()
    with time_machine.travel(_at(today + datetime.timedelta(days=1), 12)):
        services.appointment_record_outcome(
            appointment=appointment, acting_user=case.pair.advisor, outcome=AppointmentOutcome.HELD
        )
    assert messages.reminders_send(department=department, today=today) == 0


def test_moving_an_appointment_tells_the_person_and_its_reminders_follow_the_new_day(case, today):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    appointment = plan(case, _at(today + datetime.timedelta(days=2), 9, 15))
    department = case.pair.department
    assert messages.reminders_send(department=department, today=today) == 1

    moved = services.appointment_move(
        appointment=appointment,
        acting_user=case.pair.social_worker,
        planned_at=_at(today + datetime.timedelta(days=5), 16),
        place="Maison des solidarités, 4 rue Battant",
    )

    change = OutboxMessage.objects.get(key__startswith=f"change:{appointment.pk}:")
    assert change.payload["content"].startswith(
        f"Bonjour, votre rendez-vous avec Camille ({case.pair.advisor.organisation.name}) change"
    )
    assert "à 16h00, Maison des solidarités, 4 rue Battant." in change.payload["content"]
    case.refresh_from_db()
    assert case.next_appointment_on == today + datetime.timedelta(days=5)
    # The old day's reminder is not sent again; the new day's leaves two days before it.
    assert messages.reminders_send(department=department, today=today) == 0
    assert (
        messages.reminders_send(department=department, today=today + datetime.timedelta(days=3))
        == 1
    )
    assert OutboxMessage.objects.filter(
        key=f"reminder:{moved.pk}:{moved.planned_at:%Y%m%d}:2:sms"
    ).exists()
    rows = InformationShare.objects.filter(case=case, channel=JournalChannel.MESSAGE)
    assert "Rendez-vous déplacé (SMS)" in {row.purpose for row in rows}


def test_cancelling_an_appointment_tells_the_person_and_no_reminder_leaves(case, today):
    consent(case, MessageChannel.EMAIL, "rosalie@exemple.fr")
    appointment = plan(case, _at(today + datetime.timedelta(days=2), 9, 15))

    services.appointment_cancel(appointment=appointment, acting_user=case.pair.advisor)

    appointment.refresh_from_db()
    assert appointment.outcome == AppointmentOutcome.CANCELLED
    email = OutboxMessage.objects.get(key=f"cancellation:{appointment.pk}:email")
    assert email.payload["subject"].startswith("Votre rendez-vous du ")
    assert email.payload["subject"].endswith(" est annulé")
    assert messages.reminders_send(department=case.pair.department, today=today) == 0
    case.refresh_from_db()
    assert case.next_appointment_on is None


@pytest.mark.parametrize("state", ["cancelled", "past"])
def test_only_an_appointment_still_to_come_moves_or_is_cancelled(case, today, state):
    if state == "past":
        with time_machine.travel(_at(today - datetime.timedelta(days=3), 9)):
            appointment = plan(case, _at(today - datetime.timedelta(days=1), 9))
        refusal = "Ce rendez-vous est passé : notez plutôt son issue."
    else:
        appointment = plan(case, _at(today + datetime.timedelta(days=1), 9))
        services.appointment_cancel(appointment=appointment, acting_user=case.pair.advisor)
        refusal = "Ce rendez-vous est déjà annulé."

    with pytest.raises(InvalidTransition) as moved:
        services.appointment_move(
            appointment=appointment,
            acting_user=case.pair.advisor,
            planned_at=_at(today + datetime.timedelta(days=4), 9),
            place="Ailleurs",
        )
    with pytest.raises(InvalidTransition) as cancelled:
        services.appointment_cancel(appointment=appointment, acting_user=case.pair.advisor)

    assert moved.value.message == cancelled.value.message == refusal


def test_a_cancelled_appointment_takes_no_outcome(case, today):
    appointment = plan(case, _at(today, 23, 59))
    services.appointment_cancel(appointment=appointment, acting_user=case.pair.advisor)

    with pytest.raises(InvalidTransition, match="Ce rendez-vous a été annulé."):
        services.appointment_record_outcome(
            appointment=appointment,
            acting_user=case.pair.advisor,
            outcome=AppointmentOutcome.UNEXCUSED,
        )


# Delivery reports.


def report(client: Client, payload: dict, token: str = TOKEN):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("brevo_sms_report"),
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def brevo_event(tag: str, status: str, ts: int) -> dict:  # type: ignore[type-arg]
    return {
        "id": 7, "to": "33612345678", "sms_count": 1, "credits_used": 0.7,
        "messageId": 1511882900176221, "msg_status": status, "date": "2026-12-04 10:00:05",
        "type": "sms", "status": "OK", "error_code": 0, "tag": tag, "description": "",
        "ts_event": ts,
    }  # fmt: skip


@pytest.fixture
def webhook(settings):  # type: ignore[no-untyped-def]
    settings.BREVO_WEBHOOK_TOKEN = TOKEN
    return Client()


def test_a_delivery_report_marks_the_sms_delivered_and_a_replay_is_refused(case, today, webhook):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    appointment = plan(case, _at(today + datetime.timedelta(days=5), 9))
    tag = f"convocation:{appointment.pk}:sms"
    ts = int(timezone.now().timestamp())

    delivered = report(webhook, brevo_event(tag, "delivered", ts))
    replayed = report(webhook, brevo_event(tag, "delivered", ts))
    older = report(webhook, brevo_event(tag, "sent", ts - 60))

    assert (delivered.status_code, delivered.json()) == (200, {"status": "delivered"})
    assert (replayed.status_code, replayed.json()) == (409, {"error": "replay"})
    assert (older.status_code, older.json()) == (409, {"error": "replay"})
    message = SentMessage.objects.get(outbox_key=tag)
    assert (message.status, message.status_at.timestamp()) == (MessageStatus.DELIVERED, ts)


@pytest.mark.parametrize("token", ["", "mauvais-secret"])
def test_an_unauthenticated_report_is_refused(case, today, webhook, token):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    appointment = plan(case, _at(today + datetime.timedelta(days=5), 9))
    tag = f"convocation:{appointment.pk}:sms"

    response = report(webhook, brevo_event(tag, "delivered", 1_800_000_000), token=token)

    assert (response.status_code, response.json()) == (401, {"error": "unauthenticated"})
    assert SentMessage.objects.get(outbox_key=tag).status == MessageStatus.QUEUED


def test_reports_are_refused_when_no_secret_is_configured(case, settings):
    settings.BREVO_WEBHOOK_TOKEN = ""

    response = report(Client(), brevo_event("x", "delivered", 1), token="")

    assert (response.status_code, response.json()) == (401, {"error": "unauthenticated"})


def test_a_report_about_an_unknown_message_or_malformed_is_refused(webhook):
    unknown = report(webhook, brevo_event("convocation:999:sms", "delivered", 1))
    malformed = report(webhook, {"tag": "x"})

    assert (unknown.status_code, unknown.json()) == (404, {"error": "unknown"})
    assert (malformed.status_code, malformed.json()) == (400, {"error": "malformed"})


def test_an_unreachable_number_is_flagged_once_and_never_written_to_again(case, today, webhook):
    consent(case, MessageChannel.SMS, "06 12 34 56 78")
    consent(case, MessageChannel.EMAIL, "rosalie@exemple.fr")
    appointment = plan(case, _at(today + datetime.timedelta(days=5), 9))
    tag = f"convocation:{appointment.pk}:sms"

    bounced = report(webhook, brevo_event(tag, "hard_bounce", 1_800_000_000))
    plan(case, _at(today + datetime.timedelta(days=9), 9))

    assert bounced.json() == {"status": "failed"}
    message = SentMessage.objects.get(outbox_key=tag)
    assert (message.status, message.status_detail) == (MessageStatus.FAILED, "hard_bounce")
    sms_consent = MessageConsent.objects.in_force().get(channel=MessageChannel.SMS)
    assert sms_consent.undeliverable_at is not None
    # The second appointment's convocation went by e-mail only.
    assert [m.channel for m in SentMessage.objects.order_by("pk")] == [
        MessageChannel.EMAIL,
        MessageChannel.SMS,
        MessageChannel.EMAIL,
    ]


def test_the_convocation_reaches_the_fake_provider_and_its_report_comes_back(
    case, today, webhook, settings
):
    fake = FakeBrevo().start()
    settings.BINOME_SMS_BACKEND, settings.BREVO_API_URL = "brevo", fake.url
    settings.BREVO_API_KEY, settings.BINOME_SMS_TIMEOUT = API_KEY, 2
    try:
        consent(case, MessageChannel.SMS, "06 12 34 56 78")
        with transaction.atomic():
            appointment = plan(case, _at(today + datetime.timedelta(days=5), 9))
        dispatch.relay()
        (sms,) = fake.sent
        report(webhook, brevo_event(sms["tag"], "delivered", 1_800_000_000))
    finally:
        fake.stop()

    assert (sms["recipient"], sms["sender"], sms["tag"]) == (
        "33612345678",
        "CD25",
        f"convocation:{appointment.pk}:sms",
    )
    assert SentMessage.objects.get().status == MessageStatus.DELIVERED
