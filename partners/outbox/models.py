"""The outbox's table: one row per e-mail or task that must follow a business event.

Imported by ``partners.models`` so that the table belongs to the partners app (its migration lives
in partners/migrations). The state machine and the relay are in ``partners.outbox.dispatch``.
"""

import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    TASK = "task", "Tâche"
    WEBHOOK = "webhook", "Notification à un système partenaire"


class OutboxState(models.TextChoices):
    PENDING = "pending", "À envoyer"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec"


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self, now: datetime.datetime) -> "OutboxMessageQuerySet":
        """Rows the relay may take now: pending, and past their next attempt (or lease)."""
        return self.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)

    def failed_of(self, department_id: int) -> "OutboxMessageQuerySet":
        """A department's rows whose last attempt failed (« Envois en échec »)."""
        return self.filter(department_id=department_id, state=OutboxState.FAILED).order_by(
            "-created_at", "-pk"
        )


class OutboxMessage(models.Model):
    """An e-mail or a Celery task written in the transaction of the business event it follows.

    ``key`` names the event (``dpo-request:42``, ``digest:7:2028-02-29``): a second enqueue with
    the same key is a no-op, the e-mail's Message-ID and the task's id derive from it, so a
    receiver sees a row once even when the relay sends it twice (at least once, never lost).
    """

    kind = models.CharField("nature", max_length=10, choices=OutboxKind.choices)
    key = models.CharField("clé d'idempotence", max_length=150, unique=True)
    department = models.ForeignKey(
        "partners.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    # E-mail: to, subject, body, reply_to. SMS: to (E.164), sender, content. Task: task, kwargs.
    # Webhook: partner (id), partner_name, id, body (partners.outbox.webhooks). Never social
    # content (DESIGN.md).
    payload = models.JSONField("contenu")
    state = models.CharField(
        "état", max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    next_attempt_at = models.DateTimeField("prochain essai", default=timezone.now)
    last_attempt_at = models.DateTimeField("dernier essai", null=True, blank=True)
    last_error = models.CharField("dernière erreur", max_length=200, blank=True)
    # The relay run holding the row's lease (its Celery task id), empty when none: a relay task
    # redelivered after its worker died frees its own rows at once (``dispatch.relay``).
    claimed_by = models.CharField("pris par le relais", max_length=64, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "envoi différé"
        verbose_name_plural = "envois différés"
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            # The relay's query: pending rows by next attempt (a small partial index).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="outbox_due",
            ),
            # « Envois en échec »: a department's failed rows, newest first.
            models.Index(
                fields=["department", "-created_at"],
                condition=Q(state="failed"),
                name="outbox_failed",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False)
                | (~Q(state="sent") & Q(sent_at__isnull=True)),
                name="outbox_sent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Envoi n°{self.pk}"
