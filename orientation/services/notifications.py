"""In-app notifications the services raise (signature, validation, decision), their e-mails sent
after commit, and who supervises a case's binôme."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from casework.models import Case
from orientation.enums import NotificationKind
from orientation.models import Notification
from partners.enums import Role
from partners.models import Professional


def _notify(case: Case, recipients: list[Professional], kind: str) -> None:
    """In-app notifications; their e-mails leave once the transaction has committed."""
    created = [
        Notification.objects.create(recipient=recipient, case=case, kind=kind).pk
        for recipient in recipients
    ]
    if created:
        from orientation import tasks  # tasks import orientation.services

        transaction.on_commit(lambda: tasks.send_notification_emails.delay(created))


@transaction.atomic
def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail each notification not e-mailed yet (idempotent: emailed_at). No names in them."""
    pending = (
        Notification.objects.select_for_update(of=("self",))
        .filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
    )
    sent = 0
    for notification in pending:
        send_mail(
            subject=f"Binôme : {NotificationKind(notification.kind).label.lower()}",
            message=f"Bonjour,\n\n{NotificationKind(notification.kind).label}.\n\n"
            f"Le détail : {settings.BINOME_SITE_URL}/notifications/\n",
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        sent += 1
    return sent


def _close_notifications(case: Case, kind: str, recipient: Professional | None = None) -> None:
    pending = Notification.objects.filter(case=case, kind=kind, done_at__isnull=True)
    if recipient is not None:
        pending = pending.filter(recipient=recipient)
    pending.update(done_at=timezone.now())


def supervisors_of(case: Case) -> list[Professional]:
    """The active supervisors whose organisation subtree holds a member of the case's binôme."""
    paths = [
        member.organisation.path
        for member in (case.pair.advisor, case.pair.social_worker)
        if member.organisation is not None
    ]
    supervisors = Professional.objects.filter(
        role=Role.SUPERVISOR, is_active=True, organisation__department=case.pair.department_id
    ).select_related("organisation")
    return [
        s
        for s in supervisors
        if s.organisation and any(path.startswith(s.organisation.path) for path in paths)
    ]
