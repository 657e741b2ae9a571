"""The person's own space (« mon espace »): the invitation that lets the person followed in, and
the one-time codes of their passwordless login. The person is never a ``Professional``: their
identity is an invitation, held under its own session key (``casework.space.session``)."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from casework.enums import MessageChannel
from casework.messages import phones
from casework.models.cases import Case
from casework.models.people import Beneficiary
from partners.audit import AuditedQuerySet
from partners.models import Professional


class SpaceAccessQuerySet(AuditedQuerySet["SpaceAccess"]):
    def active(self) -> "SpaceAccessQuerySet":
        """The invitations in force: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class SpaceAccess(models.Model):
    """An invitation of the person into their space, made by a member of the binôme of an open
    case, to the contact the person gave: an e-mail address or a mobile number (one of the two;
    the invitation and the codes leave by that channel). Withdrawn, it ends the
    person's sessions at their next request; it is never deleted. The person may tie their
    FranceConnect identity to it, then log in with FranceConnect."""

    beneficiary = models.ForeignKey(
        Beneficiary,
        on_delete=models.PROTECT,
        related_name="space_accesses",
        verbose_name="personne accompagnée",
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="space_accesses", verbose_name="accompagnement"
    )
    email = models.EmailField("adresse électronique de la personne", blank=True, default="")
    #: The person's mobile number in E.164 (``casework.messages.phones``), when they chose SMS.
    phone = models.CharField(
        "numéro de portable de la personne", max_length=16, blank=True, default=""
    )
    created_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="invitée par"
    )
    created_at = models.DateTimeField("invitée le", default=timezone.now)
    withdrawn_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="accès retiré par",
    )
    withdrawn_at = models.DateTimeField("accès retiré le", null=True, blank=True)
    last_visit_at = models.DateTimeField("dernière visite", null=True, blank=True)
    #: The person's FranceConnect identity (the provider's ``sub``, a pseudonym), tied by the
    #: person from their space once logged in with a code: it opens this access, never matched
    #: on names. Empty until the person ties it.
    franceconnect_sub = models.CharField(
        "identité FranceConnect liée", max_length=255, blank=True, default=""
    )

    objects = SpaceAccessQuerySet.as_manager()

    class Meta:
        verbose_name = "accès à l'espace de la personne"
        verbose_name_plural = "accès à l'espace de la personne"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(withdrawn_at__isnull=True),
                name="space_access_one_active_per_person",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(withdrawn_at__isnull=True) & ~Q(email=""),
                name="space_access_one_active_per_email",
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(withdrawn_at__isnull=True) & ~Q(phone=""),
                name="space_access_one_active_per_phone",
            ),
            models.CheckConstraint(
                condition=(Q(email="") & ~Q(phone="")) | (~Q(email="") & Q(phone="")),
                name="space_access_one_contact",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="space_access_withdrawn_by_someone",
            ),
            # One access in force per FranceConnect identity; a withdrawn access keeps its
            # identity for the record, and a new invitation of the same person may be tied to it.
            models.UniqueConstraint(
                fields=["franceconnect_sub"],
                condition=Q(withdrawn_at__isnull=True) & ~Q(franceconnect_sub=""),
                name="space_access_one_active_per_franceconnect_identity",
            ),
        ]

    def __str__(self) -> str:
        return f"Accès à l'espace n°{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def channel(self) -> str:
        """The channel the invitation and the codes leave by: ``sms`` or ``email``."""
        return MessageChannel.SMS if self.phone else MessageChannel.EMAIL

    @property
    def contact(self) -> str:
        """The address or number the person gave (E.164 for a number)."""
        return self.phone or self.email

    @property
    def shown_contact(self) -> str:
        """As the person writes it: « 06 12 34 56 78 », or the e-mail address."""
        return phones.display(self.phone) if self.phone else self.email


class SpaceCode(models.Model):
    """A one-time login code sent to the invitation's contact: stored hashed, valid ten minutes,
    used once, spent after too many wrong tries."""

    access = models.ForeignKey(
        SpaceAccess, on_delete=models.PROTECT, related_name="codes", verbose_name="accès"
    )
    code_hash = models.CharField("empreinte du code", max_length=64)
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    expires_at = models.DateTimeField("valable jusqu'au")
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)
    failures = models.PositiveSmallIntegerField("essais erronés", default=0)

    class Meta:
        verbose_name = "code de connexion de la personne"
        verbose_name_plural = "codes de connexion de la personne"
        indexes: ClassVar = [models.Index(fields=["access", "-created_at"])]

    def __str__(self) -> str:
        return f"Code n°{self.pk}"


class PersonMessageKind(models.TextChoices):
    MESSAGE = "message", "message"
    APPOINTMENT_CHANGE = "appointment_change", "demande de changement de rendez-vous"


class PersonMessage(models.Model):
    """A short message the person sends to their binôme from their space, or their request to
    change an upcoming appointment (``appointment`` then says which). Read by the binôme on the
    case's timeline; only its own text ever goes back to the space. Nothing moves by itself."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="person_messages",
        verbose_name="accompagnement",
    )
    access = models.ForeignKey(
        SpaceAccess,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name="accès à l'espace",
    )
    kind = models.CharField(
        "nature",
        max_length=32,
        choices=PersonMessageKind.choices,
        default=PersonMessageKind.MESSAGE,
    )
    appointment = models.ForeignKey(
        "casework.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name="rendez-vous à changer",
    )
    text = models.TextField("texte", max_length=1000)
    sent_at = models.DateTimeField("envoyé le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "message de la personne"
        verbose_name_plural = "messages de la personne"
        base_manager_name = "objects"
        indexes: ClassVar = [models.Index(fields=["case", "-sent_at"])]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(kind="message", appointment__isnull=True)
                | Q(kind="appointment_change", appointment__isnull=False),
                name="person_message_appointment_iff_change",
            ),
        ]

    def __str__(self) -> str:
        return f"Message de la personne n°{self.pk}"
