"""The daily reminders: one small function per kind says who is to be reminded of what;
:func:`reminders_send` records them as in-app notifications and puts one digest per professional in
the outbox, in the same transaction (the relay sends it after commit).

Adding a kind: a ``NotificationKind``, a function yielding :class:`Due` rows, an entry in
``REMINDERS``, a test in tests/orientation/test_reminders.py.
"""

import dataclasses
import datetime
from collections.abc import Callable, Iterator
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casework.enums import CaseState, DiagnosticState, SocialRequestState
from casework.models import Case, SharingAgreement, SocialRequest, overdue_threshold
from orientation.enums import ActionStatus, NotificationKind, RecommendationState
from orientation.models import Action, Diagnostic, Notification, Recommendation
from orientation.services import supervisors_of
from partners import outbox
from partners.models import Department, Professional

SIGNATURE_REMINDER_AFTER = datetime.timedelta(days=7)


class Due(NamedTuple):
    """One reminder: of ``kind``, for ``recipient_id``, about a case or a one-off request."""

    kind: str
    recipient_id: int
    case_id: int | None = None
    social_request_id: int | None = None

    def key(self, today: datetime.date) -> str:
        about = self.case_id if self.social_request_id is None else f"d{self.social_request_id}"
        return f"{self.kind}:{about}:{self.recipient_id}:{today.isoformat()}"


def overdue_interviews(today: datetime.date) -> Iterator[Due]:
    """People without interview with their référent (department rhythm; silent when suspended)."""
    for department in Department.objects.all():
        overdue = (
            Case.objects.filter(pair__department=department)
            .overdue(overdue_threshold(department, today))
            .values_list("pk", "referent_id")
        )
        for case_id, referent_id in overdue:
            yield Due(NotificationKind.OVERDUE_INTERVIEW, referent_id, case_id)


def late_signatures(today: datetime.date) -> Iterator[Due]:
    """Diagnostics and préconisations waiting for a signature for more than 7 days."""
    late = timezone.make_aware(
        datetime.datetime.combine(today - SIGNATURE_REMINDER_AFTER, datetime.time.min)
    )
    columns = (
        "case_id",
        "advisor_signed_at",
        "social_worker_signed_at",
        "case__pair__advisor_id",
        "case__pair__social_worker_id",
    )
    diagnostics = Diagnostic.objects.filter(
        state__in=[DiagnosticState.VALIDATED, DiagnosticState.CONTESTED],
        person_opinion_at__lt=late,
    ).values_list(*columns)
    recommendations = Recommendation.objects.filter(
        state=RecommendationState.SIGNING, created_at__lt=late
    ).values_list(*columns)
    for case_id, advisor_at, social_at, advisor_id, social_id in [*diagnostics, *recommendations]:
        if advisor_at is None and advisor_id is not None:  # none in a suivi social seul
            yield Due(NotificationKind.SIGNATURE_LATE, advisor_id, case_id)
        if social_at is None:
            yield Due(NotificationKind.SIGNATURE_LATE, social_id, case_id)


def validations_waiting(today: datetime.date) -> Iterator[Due]:
    """Préconisations waiting for the supervisors' validation."""
    waiting = Recommendation.objects.filter(state=RecommendationState.VALIDATION).select_related(
        "case__pair__advisor__organisation", "case__pair__social_worker__organisation"
    )
    for recommendation in waiting:
        for supervisor in supervisors_of(recommendation.case):
            yield Due(NotificationKind.VALIDATION, supervisor.pk, recommendation.case_id)


def agreements_expiring(today: datetime.date) -> Iterator[Due]:
    """Accords de partage expiring soon: the social worker who collects them (the same
    agreements as the supervisors' figure, ``SharingAgreement.objects.expiring``)."""
    expiring = SharingAgreement.objects.expiring(today).values_list(
        "case_id", "case__pair__social_worker_id"
    )
    for case_id, social_id in expiring:
        yield Due(NotificationKind.AGREEMENT_EXPIRING, social_id, case_id)


def actions_overdue(today: datetime.date) -> Iterator[Due]:
    """Actions of the plan whose due date has passed, on an active case: the référent."""
    overdue = (
        Action.objects.filter(
            status__in=[ActionStatus.TO_DO, ActionStatus.IN_PROGRESS],
            due_on__lt=today,
            plan__case__state=CaseState.ACTIVE,
        )
        .values_list("plan__case_id", "plan__case__referent_id")
        .distinct()
    )
    for case_id, referent_id in overdue:
        yield Due(NotificationKind.ACTION_OVERDUE, referent_id, case_id)


def requests_due(today: datetime.date) -> Iterator[Due]:
    """One-off requests (axis 1) still without an answer at their due date: the correspondents
    of the territory (they are few: matched by organisation path here, not one query each)."""
    due = list(
        SocialRequest.objects.filter(state=SocialRequestState.OPEN, due_on__lte=today)
        .values_list("pk", "territory__path")
        .order_by("pk")
    )
    if not due:
        return
    correspondents = list(
        Professional.objects.filter(is_social_correspondent=True, is_active=True)
        .exclude(organisation=None)
        .values_list("pk", "organisation__path")
    )
    for request_id, territory_path in due:
        for correspondent_id, path in correspondents:
            if path.startswith(territory_path):
                yield Due(
                    NotificationKind.REQUEST_DUE, correspondent_id, social_request_id=request_id
                )


#: Every kind of daily reminder, in the order of the digest.
REMINDERS: tuple[Callable[[datetime.date], Iterator[Due]], ...] = (
    overdue_interviews,
    late_signatures,
    validations_waiting,
    agreements_expiring,
    actions_overdue,
    requests_due,
)


@dataclasses.dataclass
class ReminderReport:
    created: int = 0
    emails: int = 0
    by_kind: dict[str, int] = dataclasses.field(default_factory=dict)


def _digest(kinds: list[str]) -> str:
    lines = [
        f"- {NotificationKind(kind).label} : {kinds.count(kind)}" for kind in sorted(set(kinds))
    ]
    return (
        "Bonjour,\n\nVos rappels du jour :\n"
        + "\n".join(lines)
        + f"\n\nLe détail : {settings.BINOME_SITE_URL}/notifications/\n"
    )


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None) -> ReminderReport:
    """The daily reminders, as in-app notifications and one e-mail digest per professional.

    Idempotent: each notification has a key (kind, case, recipient, day), and each digest an
    outbox key (recipient, day), so a second run on the same day — a worker killed and the task
    redelivered — creates nothing and sends nothing more. The notifications and the digests
    commit together or not at all; e-mails carry counts, never names, and leave after commit.
    """
    today = today or timezone.localdate()
    report = ReminderReport()
    per_recipient: dict[int, list[str]] = {}
    for reminders_of_a_kind in REMINDERS:
        for due in reminders_of_a_kind(today):
            _, created = Notification.objects.get_or_create(
                key=due.key(today),
                defaults={
                    "kind": due.kind,
                    "case_id": due.case_id,
                    "social_request_id": due.social_request_id,
                    "recipient_id": due.recipient_id,
                },
            )
            if created:
                report.created += 1
                report.by_kind[due.kind] = report.by_kind.get(due.kind, 0) + 1
                per_recipient.setdefault(due.recipient_id, []).append(due.kind)

    recipients = Professional.objects.filter(pk__in=per_recipient, is_active=True).select_related(
        "organisation"
    )
    for recipient in recipients:
        kinds = per_recipient[recipient.pk]
        report.emails += outbox.enqueue_email(
            key=f"digest:{recipient.pk}:{today.isoformat()}",
            to=[recipient.email],
            subject=f"Binôme : {len(kinds)} rappel(s) pour aujourd'hui",
            body=_digest(kinds),
            department=recipient.organisation.department_id if recipient.organisation else None,
        )
    Notification.objects.filter(recipient__in=recipients, emailed_at__isnull=True).filter(
        key__endswith=f":{today.isoformat()}"
    ).update(emailed_at=timezone.now())
    return report
