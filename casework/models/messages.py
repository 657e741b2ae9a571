"""Messages to the person (DESIGN.md « Messages to the person »): the person's choice of channels
and the department's wording of each message. What is sent, and how, is ``casework.messages``."""

from typing import ClassVar

from django.db import models
from django.db.models import Q

from casework.enums import ConsentMethod, MessageChannel, MessageKind, MessageStatus
from casework.messages import phones
from casework.models.cases import Case
from casework.models.people import Beneficiary
from partners.audit import AuditedQuerySet
from partners.models import Department, Professional


class MessageConsentQuerySet(AuditedQuerySet["MessageConsent"]):
    def in_force(self) -> "MessageConsentQuerySet":
        return self.filter(withdrawn_at__isnull=True)

    def usable(self) -> "MessageConsentQuerySet":
        """In force, and the address not reported undeliverable: where messages may go."""
        return self.in_force().filter(undeliverable_at__isnull=True)


class MessageConsent(models.Model):
    """The person's yes to messages on one channel, at one address, recorded with how and when;
    withdrawn at any time (the row stays: a new yes is a new row). No message without it."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="message_consents"
    )
    channel = models.CharField("canal", max_length=5, choices=MessageChannel.choices)
    #: E.164 for SMS (« +33612345678 »), an e-mail address otherwise.
    address = models.CharField("numéro ou adresse", max_length=254)
    given_at = models.DateTimeField("donné le")
    given_how = models.CharField("recueilli", max_length=10, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistré par",
    )
    withdrawn_at = models.DateTimeField("retiré le", null=True, blank=True)
    #: A message did not reach the address (the provider's report): no message is sent to it
    #: any more, and the binôme is told once, until the person gives an address again.
    undeliverable_at = models.DateTimeField("non distribuable depuis", null=True, blank=True)
    withdrawn_how = models.CharField(
        "retiré", max_length=10, choices=ConsentMethod.choices, blank=True
    )
    withdrawn_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="retrait enregistré par",
    )

    objects = MessageConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "accord de la personne pour recevoir des messages"
        verbose_name_plural = "accords des personnes pour recevoir des messages"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["beneficiary", "channel"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_message_consent_in_force_per_channel",
            ),
            models.CheckConstraint(
                condition=Q(given_how=ConsentMethod.SPACE) | Q(recorded_by__isnull=False),
                name="message_consent_recorded_by_a_professional_or_in_space",
            ),
        ]

    def __str__(self) -> str:
        return f"Accord {self.get_channel_display()} n°{self.pk}"

    @property
    def shown_address(self) -> str:
        """As a person writes it: « 06 12 34 56 78 », or the e-mail address."""
        if self.channel == MessageChannel.SMS:
            return phones.display(self.address)
        return self.address


class MessageTemplate(models.Model):
    """The department's own wording of one kind of message on one channel (the product's plain
    French default when there is none), with only the placeholders ``casework.messages.wording``
    allows for that kind."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    kind = models.CharField("message", max_length=20, choices=MessageKind.choices)
    channel = models.CharField("canal", max_length=5, choices=MessageChannel.choices)
    subject = models.CharField("objet (e-mail)", max_length=150, blank=True)
    body = models.TextField("texte")
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "modèle de message"
        verbose_name_plural = "modèles de messages"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["department", "kind", "channel"], name="one_message_template_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"


class SentMessage(models.Model):
    """One message to the person on one channel: its kind, never its text (the text is in the
    outbox row until it leaves). Its status follows the provider's delivery reports."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sent_messages")
    kind = models.CharField("message", max_length=20, choices=MessageKind.choices)
    channel = models.CharField("canal", max_length=5, choices=MessageChannel.choices)
    #: The outbox row's key: the SMS's tag at the provider, the e-mail's Message-ID seed.
    outbox_key = models.CharField("clé d'envoi", max_length=150, unique=True)
    status = models.CharField(
        "état", max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    status_at = models.DateTimeField("état au")
    #: The provider's words for a failure (« hard_bounce »), never the address.
    status_detail = models.CharField("détail", max_length=100, blank=True)
    #: The time of the last delivery report taken (a report not newer is a replay: refused).
    reported_at = models.DateTimeField("dernier rapport du fournisseur", null=True, blank=True)
    created_at = models.DateTimeField("créé le")

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "message à la personne"
        verbose_name_plural = "messages à la personne"
        base_manager_name = "objects"
        indexes: ClassVar = [models.Index(fields=["case", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()}) n°{self.pk}"
