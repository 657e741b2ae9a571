import datetime
import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from casework import services as case_services
from casework.enums import CaseState, ShareCategory
from config.celery import app
from orientation import reminders, services, tasks
from orientation.models import Notification
from partners.models import OutboxMessage
from tests.broker import drop_disabled_result_backend, result_backend
from tests.casework.factories import CaseFactory, InterviewFactory
from tests.orientation.factories import lock, make_diagnostic


def _world():  # type: ignore[no-untyped-def]
    """Hand-made situations, one per reminder, and one that must stay silent."""
    overdue = CaseFactory(state=CaseState.ACTIVE)  # no interview since February
    seen = CaseFactory(
        state=CaseState.ACTIVE, pair=overdue.pair, beneficiary__department=overdue.pair.department
    )
    InterviewFactory(case=seen, author=seen.referent, occurred_on=timezone.localdate())
    # Suspended and without interview since February: overdue, but silent.
    suspended = CaseFactory(
        state=CaseState.SUSPENDED,
        pair=overdue.pair,
        beneficiary__department=overdue.pair.department,
    )
    case_services.agreement_record(
        case=seen,
        categories=[ShareCategory.SOCIAL_SUMMARY],
        how_obtained="signed_form",
        acting_user=seen.pair.social_worker,
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    services.action_add(
        case=seen,
        acting_user=seen.pair.advisor,
        title="Inscription",
        owner="person",
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    return overdue, seen, suspended


@pytest.mark.django_db
def test_reminders_fixture_figures(django_capture_on_commit_callbacks):
    overdue, seen, suspended = _world()

    with django_capture_on_commit_callbacks(execute=True):
        report = reminders.reminders_send()
        assert mail.outbox == []  # the digests leave after commit

    notices = sorted(
        Notification.objects.filter(key__isnull=False).values_list(
            "kind", "case_id", "recipient_id"
        )
    )
    assert notices == sorted(
        [
            ("overdue", overdue.pk, overdue.referent_id),
            ("agreement", seen.pk, seen.pair.social_worker_id),
            ("action", seen.pk, seen.referent_id),
        ]
    )
    assert suspended.pk not in {case_id for _, case_id, _ in notices}
    assert (report.created, report.emails) == (3, 2)
    advisor_mail = next(m for m in mail.outbox if m.to == [overdue.referent.email])
    assert "Sans entretien depuis plus de 30 jours : 1" in advisor_mail.body
    assert overdue.beneficiary.last_name not in advisor_mail.body


@pytest.mark.django_db
def test_reminders_twice_same_day_same_notifications(django_capture_on_commit_callbacks):
    _world()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send()
    before = (Notification.objects.count(), len(mail.outbox))

    with django_capture_on_commit_callbacks(execute=True):
        again = reminders.reminders_send()

    assert (Notification.objects.count(), len(mail.outbox)) == before
    assert (again.created, again.emails) == (0, 0)


@pytest.mark.django_db
def test_signature_pending_over_seven_days_reminded(today):
    case = CaseFactory(state=CaseState.ACTIVE)
    diagnostic = make_diagnostic(case)
    services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=case.pair.advisor, validated=True
    )
    services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor)

    reminders.reminders_send(today=today)
    on_day_zero = Notification.objects.filter(kind="signature_late").count()
    reminders.reminders_send(today=today + datetime.timedelta(days=8))

    late = Notification.objects.filter(kind="signature_late").values_list("recipient_id", flat=True)
    assert on_day_zero == 0
    assert list(late) == [case.pair.social_worker_id]  # the advisor has signed


def test_visibility_timeout_exceeds_time_limits_and_countdowns():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert visibility > settings.CELERY_TASK_TIME_LIMIT
    assert visibility > tasks.RETRY_MAX_COUNTDOWN
    assert app.conf.broker_transport_options == settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert (
        settings.CELERY_BEAT_SCHEDULE["daily-reminders"]["task"] == tasks.send_daily_reminders.name
    )


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reminder_task_end_to_end_on_a_real_worker():
    overdue, _, _ = _world()
    url = os.environ["CELERY_BROKER_URL"]
    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=result_backend(url), task_always_eager=False)
    drop_disabled_result_backend(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            result = tasks.send_daily_reminders.delay()
            outcome = result.get(timeout=60)
    finally:
        app.conf.update(previous)

    assert outcome["created"] == 3
    assert Notification.objects.filter(kind="overdue", case=overdue).count() == 1


@pytest.mark.django_db
def test_notification_email_leaves_after_commit_once(django_capture_on_commit_callbacks):
    case = CaseFactory(state=CaseState.ACTIVE)
    lock(make_diagnostic(case))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.recommendation_create(
            case=case,
            acting_user=case.pair.advisor,
            path="emploi",
            rationale="Projet clair",
            person_agrees=True,
        )
    notification = Notification.objects.get(kind="signature")
    services.notifications_email(notification_ids=[notification.pk])  # a second delivery

    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[case.pair.social_worker.email]]
    assert case.beneficiary.last_name not in mail.outbox[0].body


@pytest.mark.django_db
def test_reminders_one_digest_per_professional_per_day(django_capture_on_commit_callbacks, today):
    """A rerun that finds a new reminder the same day records it in the app, and the
    professional still gets one digest that day (outbox key digest:<id>:<day>)."""
    overdue, _, _ = _world()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send(today=today)
    later_case = CaseFactory(
        state=CaseState.ACTIVE, pair=overdue.pair, beneficiary__department=overdue.pair.department
    )

    with django_capture_on_commit_callbacks(execute=True):
        rerun = reminders.reminders_send(today=today)

    digests = OutboxMessage.objects.filter(key__startswith="digest:")
    assert Notification.objects.filter(kind="overdue", case=later_case).count() == 1
    assert (rerun.created, rerun.emails) == (1, 0)
    assert sorted(digests.values_list("key", flat=True)) == sorted(
        f"digest:{pk}:{today.isoformat()}"
        for pk in (overdue.referent_id, overdue.pair.social_worker_id)
    )
    assert [m.to for m in mail.outbox].count([overdue.referent.email]) == 1
