"""Messages to the person, written in the transaction of the event they follow: one outbox row
and one ``SentMessage`` per channel the person said yes to, and one journal row per message (its
kind and channel, never its text). Nothing leaves without a yes in force; no kind of message is
about an absence, a breach report, a sanction or an RSA decision (``MessageKind``)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from casework import journal
from casework.enums import OPEN_STATES, JournalChannel, MessageChannel, MessageKind
from casework.messages import rules, wording
from casework.models import (
    Appointment,
    Case,
    MessageConsent,
    MessageTemplate,
    SentMessage,
    SpaceAccess,
)
from partners import outbox
from partners.audit import acting_as, audited_bulk
from partners.models import Department, Professional
from partners.outbox.models import OutboxKind

#: Reminders queued per batch of statements.
BATCH = 1000


def template_for(department: Department, kind: str, channel: str) -> tuple[str, str]:
    """The subject and text a message of ``kind`` on ``channel`` is written from: the
    department's template, or the product's default."""
    template = MessageTemplate.objects.filter(
        department=department, kind=kind, channel=channel
    ).first()
    if template is None:
        return wording.default(kind, channel)
    return template.subject, template.body


@dataclass(frozen=True)
class Wording:
    """One kind of message on one channel, as the department sends it today."""

    kind: str
    kind_label: str
    channel: str
    channel_label: str
    subject: str
    body: str
    own: bool  # the department's own wording (else the product's default)
    sms: wording.SmsLength | None


def wordings(department: Department) -> list[Wording]:
    """Every kind of message on each channel, the department's wording or the default (one
    query), with the SMS length of its longest filling."""
    own = {
        (template.kind, template.channel): template
        for template in MessageTemplate.objects.filter(department=department)
    }
    rows = []
    for kind in MessageKind:
        for channel in MessageChannel:
            template = own.get((kind, channel))
            subject, body = (
                (template.subject, template.body)
                if template is not None
                else wording.default(kind, channel)
            )
            rows.append(
                Wording(
                    kind=kind,
                    kind_label=kind.label,
                    channel=channel,
                    channel_label=channel.label,
                    subject=subject,
                    body=body,
                    own=template is not None,
                    sms=wording.preview(kind=kind, channel=channel, subject=subject, body=body).sms,
                )
            )
    return rows


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


@dataclass(frozen=True)
class Event:
    """One event that messages the person: its case, its kind, what it may say, its key."""

    case: Case
    kind: str
    values: dict[str, str]
    key: str


def notify(
    *,
    case: Case,
    kind: str,
    values: dict[str, str],
    key: str,
    acting_user: Professional | None,
) -> list[SentMessage]:
    """Queue a message of ``kind`` on every channel the person said yes to; idempotent on
    ``key`` (a rerun queues nothing more). Call it inside the event's transaction."""
    return notify_many(
        department=case.pair.department,
        events=[Event(case=case, kind=kind, values=values, key=key)],
        acting_user=acting_user,
    )


def notify_many(
    *, department: Department, events: list[Event], acting_user: Professional | None
) -> list[SentMessage]:
    """``notify`` for a batch of events of one department (a morning's reminders), in a few
    statements: the consents and templates read once, the outbox rows, the messages and their
    journal rows written in bulk (``outbox.enqueue_many``, one audited bulk insert, one chained
    journal insert)."""
    now = timezone.now()
    consents: dict[int, list[MessageConsent]] = {}
    for consent in (
        MessageConsent.objects.usable()
        .filter(beneficiary_id__in={event.case.beneficiary_id for event in events})
        .order_by("channel")
    ):
        consents.setdefault(consent.beneficiary_id, []).append(consent)
    templates: dict[tuple[str, str], tuple[str, str]] = {}
    planned: list[tuple[Event, MessageConsent, outbox.Pending]] = []
    for event in events:
        for consent in consents.get(event.case.beneficiary_id, []):
            channel = consent.channel
            if (event.kind, channel) not in templates:
                templates[(event.kind, channel)] = template_for(department, event.kind, channel)
            subject, body = templates[(event.kind, channel)]
            if channel == MessageChannel.SMS:
                kind, not_before = (
                    OutboxKind.SMS,
                    rules.send_after(
                        at=now, channel=channel, department=department, kind=event.kind
                    ),
                )
                payload: dict[str, object] = {
                    "to": consent.address,
                    "sender": department.sms_sender,
                    "content": wording.fill(body, event.values),
                }
            else:
                kind, not_before = OutboxKind.EMAIL, None
                payload = {
                    "to": [consent.address],
                    "subject": wording.fill(subject, event.values),
                    "body": wording.fill(body, event.values),
                }
            pending = outbox.Pending(
                kind=kind,
                key=f"{event.key}:{channel}",
                payload=payload,
                department_id=department.pk,
                not_before=not_before,
            )
            planned.append((event, consent, pending))
    created = outbox.enqueue_many([pending for _, _, pending in planned])
    planned = [item for item in planned if item[2].key in created]
    messages = [
        SentMessage(
            case=event.case,
            kind=event.kind,
            channel=consent.channel,
            outbox_key=pending.key,
            status_at=now,
            created_at=now,
        )
        for event, consent, pending in planned
    ]
    if len(messages) == 1:
        messages[0].full_clean(validate_unique=False)  # its outbox key was just made
        with acting_as(acting_user):
            messages[0].save()
    elif messages:
        with audited_bulk(
            model=SentMessage,
            actor=acting_user,
            description=f"messages à la personne : {len(messages)} ({department.code})",
        ):
            SentMessage.objects.bulk_create(messages, batch_size=1000)
    journal.record_many(
        department,
        [
            journal.entry(
                department=department,
                actor=acting_user,
                channel=JournalChannel.MESSAGE,
                purpose=f"{MessageKind(event.kind).label} ({consent.get_channel_display()})",
                case=event.case,
                recipient="la personne accompagnée",
                object_type="message à la personne",
                object_id=str(message.pk),
            )
            for (event, consent, _), message in zip(planned, messages, strict=True)
        ],
    )
    return messages


def convocation(*, appointment: Appointment, acting_user: Professional | None) -> list[SentMessage]:
    """The convocation to a newly planned appointment."""
    return notify(
        case=appointment.case,
        kind=MessageKind.CONVOCATION,
        values=appointment_values(appointment),
        key=f"convocation:{appointment.pk}",
        acting_user=acting_user,
    )


def appointment_changed(
    *, appointment: Appointment, acting_user: Professional | None
) -> list[SentMessage]:
    """The appointment moved: its new date, time and place (one message per move)."""
    return notify(
        case=appointment.case,
        kind=MessageKind.CHANGE,
        values=appointment_values(appointment),
        key=f"change:{appointment.pk}:{timezone.now():%Y%m%dT%H%M%S%f}",
        acting_user=acting_user,
    )


def appointment_cancelled(
    *, appointment: Appointment, acting_user: Professional | None
) -> list[SentMessage]:
    """The appointment is cancelled: which one, with whom, how to reach them."""
    return notify(
        case=appointment.case,
        kind=MessageKind.CANCELLATION,
        values=appointment_values(appointment),
        key=f"cancellation:{appointment.pk}",
        acting_user=acting_user,
    )


def new_document(
    *, case: Case, document: str, acting_user: Professional | None
) -> list[SentMessage]:
    """« Nouveau document » in the person's space (a diagnostic signed, a decision recorded, a
    contrat signed): queued only when the person has an access in force to this case's space
    and said yes to a channel; ``document`` names it (« decision:12 »), so a document is
    announced once whatever reruns. Call it inside the event's transaction."""
    if not SpaceAccess.objects.active().filter(case_id=case.pk).exists():
        return []
    organisation = acting_user.organisation if acting_user is not None else None
    return notify(
        case=case,
        kind=MessageKind.NEW_DOCUMENT,
        values={
            "organisation": organisation.name if organisation is not None else "Votre binôme",
            "lien_espace": f"{settings.BINOME_SITE_URL}{reverse('space_documents')}",
        },
        key=f"new-document:{document}",
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
            .select_related(
                "case__pair__department", "case__beneficiary", "with_whom__organisation"
            )
            .order_by("planned_at", "pk")
        )
        due += [(appointment, days) for appointment in appointments]
    return due


def send_reminders(*, department: Department, today: datetime.date | None = None) -> int:
    """Queue today's reminders of ``department`` (idempotent: a rerun queues nothing more). The
    number of messages queued."""
    events = [
        Event(
            case=appointment.case,
            kind=MessageKind.REMINDER,
            values=appointment_values(appointment),
            # A moved appointment is reminded again for its new day.
            key=f"reminder:{appointment.pk}:{appointment.planned_at:%Y%m%d}:{days}",
        )
        for appointment, days in reminders_due(department=department, today=today)
    ]
    queued = 0
    for start in range(0, len(events), BATCH):
        queued += len(
            notify_many(
                department=department, events=events[start : start + BATCH], acting_user=None
            )
        )
    return queued
