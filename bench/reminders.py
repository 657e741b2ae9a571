"""The reminders' benchmark: N appointments tomorrow, each person having said yes to SMS; the
morning's reminders are queued (``casework.messages.services.reminders_send``, one transaction),
then one relay — one worker's loop, ``partners.outbox.dispatch.relay_all`` — hands them to a fake
of Brevo's SMS API on 127.0.0.1 (tests/fake_brevo.py). Everything is rolled back at the end: the
benchmark's database is left as it was. Reported: the time and rate of each step, the SMS the
provider received, and how many it received twice (0)."""

import datetime
import time
from collections import Counter
from typing import Any

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from casework.enums import OPEN_STATES, ConsentMethod, MessageChannel
from casework.messages import services as messages
from casework.models import Appointment, Case, MessageConsent
from partners.audit import audited_bulk
from partners.models import Department
from partners.outbox import dispatch
from tests.fake_brevo import API_KEY, FakeBrevo


def _appointments(department: Department, count: int, tomorrow: datetime.date) -> int:
    """``count`` appointments tomorrow on the department's open cases (several per case when
    there are fewer cases), and an SMS yes for each person: written in bulk, not measured."""
    cases = list(
        Case.objects.filter(pair__department=department, state__in=OPEN_STATES)
        .select_related("pair")
        .order_by("pk")[:count]
    )
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(8, 0)))
    with audited_bulk(model=Appointment, actor=None, description="banc d'essai des rappels"):
        Appointment.objects.bulk_create(
            Appointment(
                case=case,
                planned_at=start + datetime.timedelta(minutes=index % 600),
                place="Agence France Travail, 12 avenue de la République",
                with_whom=case.pair.advisor,
                convened_by=case.pair.advisor,
            )
            for index, case in ((index, cases[index % len(cases)]) for index in range(count))
        )
    now = timezone.now()
    people = sorted({case.beneficiary_id for case in cases})
    with audited_bulk(model=MessageConsent, actor=None, description="banc d'essai des rappels"):
        MessageConsent.objects.bulk_create(
            MessageConsent(
                beneficiary_id=person,
                channel=MessageChannel.SMS,
                address=f"+336{10_000_000 + person % 89_999_999:08d}",
                given_at=now,
                given_how=ConsentMethod.SPACE,
            )
            for person in people
        )
    return len(cases)


def measure_reminders(department: Department, count: int) -> dict[str, Any]:
    fake = FakeBrevo().start()
    try:
        with (
            override_settings(
                BINOME_SMS_BACKEND="brevo",
                BREVO_API_URL=fake.url,
                BREVO_API_KEY=API_KEY,
                CELERY_TASK_ALWAYS_EAGER=False,
            ),
            transaction.atomic(),
        ):
            today = timezone.localdate()
            department.reminder_days = "1"
            department.sms_quiet_from = department.sms_quiet_until = datetime.time(0, 0)
            department.save()
            cases = _appointments(department, count, today + datetime.timedelta(days=1))
            started = time.perf_counter()
            queued = messages.reminders_send(department=department, today=today)
            queue_seconds = time.perf_counter() - started
            started = time.perf_counter()
            report = dispatch.relay_all(budget_seconds=3600, limit=500)
            relay_seconds = time.perf_counter() - started
            transaction.set_rollback(True)
    finally:
        fake.stop()
    tags = Counter(sms["tag"] for sms in fake.sent)
    return {
        "appointments": count,
        "cases": cases,
        "queued": queued,
        "queue_seconds": round(queue_seconds, 2),
        "queue_per_second": round(queued / queue_seconds, 1) if queue_seconds else None,
        "relayed": report.sent,
        "relay_seconds": round(relay_seconds, 2),
        "relay_per_second": round(report.sent / relay_seconds, 1) if relay_seconds else None,
        "sms_received": len(fake.sent),
        "sms_received_twice": sum(1 for seen in tags.values() if seen > 1),
        "relay_errors": len(report.errors),
    }
