"""Notify the partner systems when a case's state, référent·e or path changes (webhooks).

Called in the business transaction by ``_base.bump`` (every write of a locked case) and by
``case_propose`` (a new case): one outbox row per partner system of the department that has a
notifications' address and ``followup:read``, sent after commit by the relay
(``partners.outbox.webhooks``), and one journal row per system (channel « api », the system as
recipient), so that the person's journal says which systems learnt that their case changed.

The body names the event and the case's id only: the partner reads the rest with
``followup:read``, itself a journaled call.
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casework import journal
from casework.enums import JournalChannel
from casework.models import Case
from partners.api.models import PartnerSystem, Scope
from partners.models import Professional
from partners.outbox import enqueue_webhook

#: The case's fields a partner is notified of, by the name the notification gives them.
WATCHED = {"state": "etat", "referent_id": "referent", "orientation_path": "parcours"}
CHANGED = "accompagnement.modifie"
PROPOSED = "accompagnement.propose"
LABELS = {"etat": "état", "referent": "référent·e", "parcours": "parcours"}


def notified_systems(department_id: int) -> list[PartnerSystem]:
    """The department's systems that take notifications: active, with an address, and allowed
    to read the follow-up the notification points to."""
    return [
        partner
        for partner in PartnerSystem.objects.filter(
            department_id=department_id, active=True
        ).exclude(webhook_url="")
        if partner.allows(Scope.FOLLOWUP_READ)
    ]


def notify_partners(
    *, case: Case, event: str, changes: Iterable[str], acting_user: Professional | None
) -> int:
    """Enqueue the notification of ``event`` about ``case`` to each system that takes them,
    inside the current transaction; the number of systems notified."""
    department = case.pair.department
    systems = notified_systems(department.pk)
    if not systems:
        return 0
    changes = sorted(changes)
    now = timezone.now()
    shares = []
    for partner in systems:
        message_id = f"msg_{uuid.uuid4().hex}"
        body = {
            "type": event,
            "timestamp": now.isoformat(),
            "data": {
                "case_id": case.pk,
                "changes": changes,
                "url": settings.BINOME_SITE_URL.rstrip("/")
                + reverse("api_case", kwargs={"pk": case.pk}),
            },
        }
        enqueue_webhook(partner=partner, message_id=message_id, body=body, department=department)
        what = ", ".join(LABELS[change] for change in changes)
        shares.append(
            journal.entry(
                department=department,
                actor=acting_user,
                actor_label="" if acting_user else "Binôme",
                channel=JournalChannel.API,
                purpose=(
                    "Notification à un système partenaire : accompagnement proposé"
                    if event == PROPOSED
                    else f"Notification à un système partenaire : {what} modifié"
                ),
                case=case,
                recipient=str(partner),
                object_type="notification",
                object_id=message_id,
            )
        )
    journal.record_many(department, shares)
    return len(systems)
