"""In-app notifications the services raise (signature, validation, decision), their e-mails through
the outbox, and who supervises a case's binôme."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casework.models import Case
from orientation.enums import NotificationKind
from orientation.models import Notification
from partners import outbox
from partners.enums import Role
from partners.models import Professional

#: The sweeper leaves the last minutes to the services' own enqueue, and the old days alone (an
#: e-mail about a two-day-old notification would only confuse).
SWEEP_AFTER = datetime.timedelta(minutes=5)
SWEEP_WITHIN = datetime.timedelta(days=2)


def _notify(case: Case, recipients: list[Professional], kind: str) -> None:
    """In-app notifications, and their e-mails in the outbox, in the service's transaction."""
    created = [
        Notification.objects.create(recipient=recipient, case=case, kind=kind).pk
        for recipient in recipients
    ]
    if created:
        notifications_email(notification_ids=created)


@transaction.atomic
def notifications_email(*, notification_ids: list[int]) -> int:
    """Put the e-mail of each notification not e-mailed yet in the outbox (key
    ``notification-email:<id>``; idempotent). ``emailed_at`` is the moment the e-mail was handed
    to the outbox; the outbox row says when it left. No names in them."""
    pending = (
        Notification.objects.select_for_update(of=("self",))
        .filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient__organisation")
    )
    count = 0
    for notification in pending:
        label = NotificationKind(notification.kind).label
        organisation = notification.recipient.organisation
        outbox.enqueue_email(
            key=f"notification-email:{notification.pk}",
            to=[notification.recipient.email],
            subject=f"Binôme : {label.lower()}",
            body=f"Bonjour,\n\n{label}.\n\nLe détail : {settings.BINOME_SITE_URL}/notifications/\n",
            department=organisation.department_id if organisation else None,
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        count += 1
    return count


def notifications_sweep() -> int:
    """The outbox's sweeper: notifications of the services (reminders have their digest) whose
    e-mail never reached the outbox — e.g. raised while the broker was down, before the outbox."""
    now = timezone.now()
    forgotten = Notification.objects.filter(
        emailed_at__isnull=True,
        key__isnull=True,
        created_at__lt=now - SWEEP_AFTER,
        created_at__gte=now - SWEEP_WITHIN,
    ).values_list("pk", flat=True)
    return notifications_email(notification_ids=list(forgotten[:500]))


def _close_notifications(case: Case, kind: str, recipient: Professional | None = None) -> None:
    pending = Notification.objects.filter(case=case, kind=kind, done_at__isnull=True)
    if recipient is not None:
        pending = pending.filter(recipient=recipient)
    pending.update(done_at=timezone.now())


def supervisors_of(case: Case) -> list[Professional]:
    """The active supervisors whose organisation subtree holds a member of the case's binôme."""
    paths = [
        member.organisation.path for member in case.pair.members if member.organisation is not None
    ]
    supervisors = Professional.objects.filter(
        role=Role.SUPERVISOR, is_active=True, organisation__department=case.pair.department_id
    ).select_related("organisation")
    return [
        s
        for s in supervisors
        if s.organisation and any(path.startswith(s.organisation.path) for path in paths)
    ]
