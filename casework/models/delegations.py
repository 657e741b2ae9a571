"""Case permissions (guardian's direct-FK tables) and the « remplacements » that lend them."""

import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from partners.audit import AuditedQuerySet
from partners.models import Professional


class DelegationQuerySet(AuditedQuerySet["Delegation"]):
    def live(self, today: datetime.date | None = None) -> "DelegationQuerySet":
        """Delegations in force on ``today``: started, not past their end date, not revoked."""
        today = today or timezone.localdate()
        return self.filter(starts_on__lte=today, ends_on__gte=today, revoked_at__isnull=True)

    def pending(self) -> "DelegationQuerySet":
        """Delegations whose grants still exist: not revoked, not yet expired by the nightly
        task."""
        return self.filter(revoked_at__isnull=True, expired_at__isnull=True)


class Delegation(models.Model):
    """A « remplacement »: during an absence, ``delegate`` has the rights of ``replaced`` on the
    chosen accompagnements, from ``starts_on`` to ``ends_on`` (both included).

    The grants are rows of CaseUserObjectPermission that point here; a request ignores them outside
    the dates (``live_grant``), and the nightly task deletes them after the end date.
    """

    replaced = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name="professionnel·le remplacé·e",
    )
    delegate = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name="remplaçant·e",
    )
    cases = models.ManyToManyField(
        "casework.Case", related_name="+", verbose_name="accompagnements confiés"
    )
    all_cases = models.BooleanField(
        "tous les accompagnements en cours de la personne remplacée", default=False
    )
    starts_on = models.DateField("du")
    ends_on = models.DateField("au (inclus)")
    reason = models.CharField("motif", max_length=255)
    created_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="organisé par"
    )
    created_at = models.DateTimeField("organisé le", default=timezone.now)
    revoked_at = models.DateTimeField("arrêté le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="arrêté par",
    )
    expired_at = models.DateTimeField("droits retirés le", null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = "remplacement"
        verbose_name_plural = "remplacements"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(replaced=models.F("delegate")), name="delegation_not_to_oneself"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["ends_on", "expired_at"])]

    def __str__(self) -> str:
        return f"Remplacement n°{self.pk}"

    def is_live(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.starts_on <= today <= self.ends_on


def live_grant(today: datetime.date | None = None) -> Q:
    """The grants in force on ``today``, for a filter on CaseUserObjectPermission: the pair's own
    (no delegation), and those of delegations within their dates and not revoked. A delegation
    past its end date is ignored here even before the nightly task deletes its rows."""
    today = today or timezone.localdate()
    return Q(delegation__isnull=True) | Q(
        delegation__starts_on__lte=today,
        delegation__ends_on__gte=today,
        delegation__revoked_at__isnull=True,
    )


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("casework.Case", on_delete=models.CASCADE)
    #: Set on a grant given by a remplacement; empty on the pair's own grants.
    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("casework.Case", on_delete=models.CASCADE)
