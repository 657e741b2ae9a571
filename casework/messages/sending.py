"""Messages to the person, written in the transaction of the event they follow: one outbox row
and one ``SentMessage`` per channel the person said yes to, and one journal row per message (its
kind and channel, never its text). Nothing leaves without a yes in force; no kind of message is
about an absence, a breach report, a sanction or an RSA decision (``MessageKind``)."""

import datetime
from typing import Any

from django.utils import formats, timezone

from casework import journal
from casework.enums import OPEN_STATES, JournalChannel, MessageChannel, MessageKind
from casework.messages import rules, wording
from casework.models import Appointment, Case, MessageConsent, MessageTemplate, SentMessage
from partners import outbox
from partners.audit import acting_as
from partners.models import Department, Professional


def template_for(department: Department, kind: str, channel: str) -> tuple[str, str]:
    """The subject and text a message of ``kind`` on ``channel`` is written from: the
    department's template, or the product's default."""
    template = MessageTemplate.objects.filter(
        department=department, kind=kind, channel=channel
    ).first()
    if template is None:
        return wording.default(kind, channel)
    return template.subject, template.body


def appointment_values(appointment: Appointment) -> dict[str, str]:
    """What a message about an appointment may say: date, time, place, the first name and
    organisation of the professional met, how to reach them."""
    local = timezone.localtime(appointment.planned_at)
    professional = appointment.with_whom
    organisation = professional.organisation
    return {
        "date": formats.date_format(local, "l j F"),
        "heure": f"{local.hour}h{local.minute:02d}",
        "lieu": appointment.place,
        "prenom_referent": professional.first_name,
        "organisation": organisation.name if organisation is not None else "",
        "contact": professional.email,
    }


def notify(
    *,
    case: Case,
    kind: str,
    values: dict[str, str],
    key: str,
    acting_user: Professional | None,
    consents: list[MessageConsent] | None = None,
    templates: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> list[SentMessage]:
    """Queue a message of ``kind`` on every channel the person said yes to; idempotent on
    ``key`` (a rerun queues nothing more). Call it inside the event's transaction. A batch
    passes the person's ``consents`` in force and a ``templates`` memo it read once."""
    department = case.pair.department
    now = timezone.now()
    sent = []
    if consents is None:
        consents = list(
            MessageConsent.objects.usable()
            .filter(beneficiary_id=case.beneficiary_id)
            .order_by("channel")
        )
    templates = {} if templates is None else templates
    for consent in consents:
        channel = consent.channel
        if (kind, channel) not in templates:
            templates[(kind, channel)] = template_for(department, kind, channel)
        subject, body = templates[(kind, channel)]
        message_key = f"{key}:{channel}"
        if channel == MessageChannel.SMS:
            created = outbox.enqueue_sms(
                key=message_key,
                to=consent.address,
                sender=department.sms_sender,
                content=wording.fill(body, values),
                department=department,
                not_before=rules.send_after(at=now, channel=channel, department=department),
            )
        else:
            created = outbox.enqueue_email(
                key=message_key,
                to=[consent.address],
                subject=wording.fill(subject, values),
                body=wording.fill(body, values),
                department=department,
            )
        if not created:
            continue
        message = SentMessage(
            case=case,
            kind=kind,
            channel=channel,
            outbox_key=message_key,
            status_at=now,
            created_at=now,
        )
        message.full_clean()
        with acting_as(acting_user):
            message.save()
        journal.record(
            department=department,
            actor=acting_user,
            channel=JournalChannel.MESSAGE,
            purpose=f"{MessageKind(kind).label} ({consent.get_channel_display()})",
            case=case,
            recipient="la personne accompagnée",
            object_type="message à la personne",
            object_id=str(message.pk),
        )
        sent.append(message)
    return sent


def convocation(*, appointment: Appointment, acting_user: Professional) -> list[SentMessage]:
    """The convocation to a newly planned appointment."""
    return notify(
        case=appointment.case,
        kind=MessageKind.CONVOCATION,
        values=appointment_values(appointment),
        key=f"convocation:{appointment.pk}",
        acting_user=acting_user,
    )


def reminders_due(*, department: Department, today: datetime.date | None = None) -> list[Any]:
    """The appointments of ``department`` whose reminder leaves today, with its offset: planned
    on a day ``department.reminder_offsets`` days ahead, no outcome yet, on an open case."""
    today = today or timezone.localdate()
    due = []
    for days in department.reminder_offsets:
        day = today + datetime.timedelta(days=days)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        appointments = (
            Appointment.objects.filter(
                case__pair__department=department,
                case__state__in=OPEN_STATES,
                planned_at__gte=start,
                planned_at__lt=start + datetime.timedelta(days=1),
                outcome="",
            )
            .select_related("case__pair__department", "with_whom__organisation")
            .order_by("planned_at", "pk")
        )
        due += [(appointment, days) for appointment in appointments]
    return due


def send_reminders(*, department: Department, today: datetime.date | None = None) -> int:
    """Queue today's reminders of ``department`` (idempotent: a rerun queues nothing more). The
    number of messages queued."""
    due = reminders_due(department=department, today=today)
    consents: dict[int, list[MessageConsent]] = {}
    for consent in (
        MessageConsent.objects.usable()
        .filter(beneficiary_id__in={appointment.case.beneficiary_id for appointment, _ in due})
        .order_by("channel")
    ):
        consents.setdefault(consent.beneficiary_id, []).append(consent)
    templates: dict[tuple[str, str], tuple[str, str]] = {}
    count = 0
    for appointment, days in due:
        count += len(
            notify(
                case=appointment.case,
                kind=MessageKind.REMINDER,
                values=appointment_values(appointment),
                key=f"reminder:{appointment.pk}:{days}",
                acting_user=None,
                consents=consents.get(appointment.case.beneficiary_id, []),
                templates=templates,
            )
        )
    return count
