"""The person's « accord de partage »: what crosses from the social side, to which binôme, until
when.
"""

import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import OPEN_STATES, AgreementMethod
from casework.models.cases import Case
from partners.audit import AuditedQuerySet
from partners.models import Pair, Professional

#: An accord de partage expires « bientôt » within these days: the social worker's reminder and
#: the supervisors' figure count the same agreements (``SharingAgreement.objects.expiring``).
AGREEMENT_WARNING_DAYS = 30


class SharingAgreementQuerySet(AuditedQuerySet["SharingAgreement"]):
    def current(self) -> "SharingAgreementQuerySet":
        """Neither withdrawn nor replaced (at most one per case), expired or not."""
        return self.filter(withdrawn_at__isnull=True, replaced_at__isnull=True)

    def in_force(self, today: datetime.date | None = None) -> "SharingAgreementQuerySet":
        """Current and not expired: what may cross from the social side today."""
        return self.current().filter(expires_on__gte=today or timezone.localdate())

    def expiring(self, today: datetime.date | None = None) -> "SharingAgreementQuerySet":
        """In force, ending within ``AGREEMENT_WARNING_DAYS``, on an open case — « proposé »
        included: the agreement already decides what crosses before the person's first
        interview, so its renewal is due just the same."""
        today = today or timezone.localdate()
        return self.in_force(today).filter(
            expires_on__lte=today + datetime.timedelta(days=AGREEMENT_WARNING_DAYS),
            case__state__in=OPEN_STATES,
        )


class SharingAgreement(models.Model):
    """The person's « accord de partage »: what crosses from the social side, to which binôme.

    Evaluated on every request (``casework.sharing.sharing_covers``), never turned into a grant.
    A newer agreement replaces the current one; a withdrawal stops future sharing and erases
    nothing. Every row is kept. A professional of the binôme records it (``recorded_by``), or the
    person renews, widens or narrows it in their space (``AgreementMethod.SPACE``, no
    ``recorded_by``).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sharing_agreements")
    pair = models.ForeignKey(
        Pair, on_delete=models.PROTECT, related_name="+", verbose_name="binôme destinataire"
    )
    categories = models.JSONField("catégories partagées", default=list)
    how_obtained = models.CharField("recueilli par", max_length=20, choices=AgreementMethod.choices)
    #: Empty exactly when the person gave it in their space (``AgreementMethod.SPACE``).
    recorded_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistré par",
    )
    given_at = models.DateTimeField("donné le")
    expires_on = models.DateField("valable jusqu'au")
    withdrawn_at = models.DateTimeField("retiré le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="retrait enregistré par",
    )
    replaced_at = models.DateTimeField("remplacé le", null=True, blank=True)

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "accord de partage"
        verbose_name_plural = "accords de partage"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="sharing_one_current_agreement",
            ),
            models.CheckConstraint(
                condition=Q(how_obtained=AgreementMethod.SPACE, recorded_by__isnull=True)
                | (~Q(how_obtained=AgreementMethod.SPACE) & Q(recorded_by__isnull=False)),
                name="sharing_recorded_by_a_professional_or_in_space",
            ),
        ]
        indexes: ClassVar = [
            # the current agreements by expiry date (the supervisors' « expirent dans 30 jours »)
            models.Index(
                fields=["expires_on"],
                include=["case"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="sharing_current_by_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Accord de partage n°{self.pk}"
