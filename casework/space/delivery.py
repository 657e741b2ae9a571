"""How a message of the space reaches the person: one function, by e-mail or by SMS, the channel
of the contact the person gave (``SpaceAccess.channel``).

Only through the outbox, inside the service's transaction (DESIGN.md § When a part fails): the
message leaves after commit, at least once, with the idempotency key. The wording is the
department's (``sending.template_for``), else the product's default; it carries no social
content: a code, a link, a first name, an organisation. Like every message to the person, one
``SentMessage`` (kind, channel, status; never the text) and one journal row (kind and channel).
"""

from django.utils import timezone

from casework import journal
from casework.enums import JournalChannel, MessageChannel, MessageKind
from casework.messages import rules, sending, wording
from casework.models import Case, SentMessage
from partners import outbox
from partners.audit import acting_as
from partners.models import Professional


def send(
    *,
    case: Case,
    channel: str,
    contact: str,
    kind: str,
    values: dict[str, str],
    key: str,
    acting_user: Professional | None,
    email_postscript: str = "",
) -> bool:
    """Queue the message of ``kind`` to ``contact`` (an e-mail address, or a mobile number in
    E.164 for ``channel`` SMS); False when ``key`` was queued already. Call it inside the
    transaction of the event it follows. ``email_postscript``: a paragraph an e-mail adds after
    the wording (an SMS stays short). A code by SMS is not held by the quiet hours: the
    person is waiting for it (``rules.send_after``)."""
    department = case.pair.department
    subject, body = sending.template_for(department, kind, channel)
    now = timezone.now()
    key = f"{key}:{channel}"
    if channel == MessageChannel.SMS:
        queued = outbox.enqueue_sms(
            key=key,
            to=contact,
            sender=department.sms_sender,
            content=wording.fill(body, values),
            department=department,
            not_before=rules.send_after(at=now, channel=channel, department=department, kind=kind),
        )
    else:
        queued = outbox.enqueue_email(
            key=key,
            to=[contact],
            subject=wording.fill(subject, values),
            body=wording.fill(body, values)
            + (f"\n\n{email_postscript}" if email_postscript else ""),
            department=department,
        )
    if not queued:
        return False
    message = SentMessage(
        case=case, kind=kind, channel=channel, outbox_key=key, status_at=now, created_at=now
    )
    message.full_clean(validate_unique=False)  # its outbox key was just made
    with acting_as(acting_user):
        message.save()
    journal.record(
        department=department,
        actor=acting_user,
        channel=JournalChannel.MESSAGE,
        purpose=f"{MessageKind(kind).label} ({MessageChannel(channel).label})",
        case=case,
        recipient="la personne accompagnée",
        object_type="message à la personne",
        object_id=str(message.pk),
    )
    return True
