"""The department administrators' act on the outbox: « Renvoyer » a row in échec."""

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from partners.errors import InvalidTransition
from partners.outbox.enqueue import _kick_after_commit
from partners.outbox.models import OutboxMessage, OutboxState

if TYPE_CHECKING:
    from partners.models import Professional


@transaction.atomic
def outbox_resend(*, message: OutboxMessage, acting_user: "Professional") -> OutboxMessage:
    """Put a row in échec back in the outbox, for a new cycle of attempts; audited."""
    from auditlog.models import LogEntry

    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.state != OutboxState.FAILED:
        raise InvalidTransition("Cet envoi n'est plus en échec : il a déjà été renvoyé.")
    locked.state, locked.attempts = OutboxState.PENDING, 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["state", "attempts", "next_attempt_at"])
    # The outbox is not in auditlog's registry (the relay's own writes are its machinery); the
    # administrator's act is, with its actor. No address or subject in the audit row.
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(OutboxMessage),
        object_pk=str(locked.pk),
        object_id=locked.pk,
        object_repr=str(locked),
        action=LogEntry.Action.UPDATE,
        changes={"state": [OutboxState.FAILED.label, OutboxState.PENDING.label]},
        changes_text="Renvoi d'un envoi en échec",
        actor=acting_user,
    )
    _kick_after_commit()
    return locked
