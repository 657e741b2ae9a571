"""Partner systems and their keys.

Imported by ``partners.models`` so that the tables belong to the partners app (their migration
lives in partners/migrations), like the outbox's.
"""

import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.audit import AuditedQuerySet


class Scope(models.TextChoices):
    """What a partner system may do through the API (DESIGN.md, « Data out »)."""

    FOLLOWUP_READ = "followup:read", "Lire le suivi des accompagnements (followup:read)"
    APPOINTMENTS_WRITE = "appointments:write", "Écrire les rendez-vous (appointments:write)"
    ORIENTATION_WRITE = "orientation:write", "Écrire les orientations (orientation:write)"


#: A partner system's default rate limit, in requests a minute.
DEFAULT_REQUESTS_PER_MINUTE = 120


class PartnerSystem(models.Model):
    """A partner's software (rdv-insertion, France Travail's, the department's), registered by
    the department's functional administrator with the scopes it may use."""

    department = models.ForeignKey(
        "partners.Department",
        on_delete=models.PROTECT,
        related_name="partner_systems",
        verbose_name="département",
    )
    name = models.CharField("nom du système", max_length=100)
    organisation = models.CharField(
        "organisation responsable",
        max_length=200,
        help_text="Qui exploite ce système (par exemple « France Travail » ou « ANCT »).",
    )
    scopes = models.JSONField("portées autorisées", default=list, blank=True)
    requests_per_minute = models.PositiveIntegerField(
        "requêtes par minute au plus", default=DEFAULT_REQUESTS_PER_MINUTE
    )
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    objects = AuditedQuerySet["PartnerSystem"].as_manager()

    class Meta:
        verbose_name = "système partenaire"
        verbose_name_plural = "systèmes partenaires"
        base_manager_name = "objects"
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["department", "name"],
                name="partner_system_unique_name",
                violation_error_message="Un système partenaire porte déjà ce nom.",
            ),
            models.CheckConstraint(
                condition=Q(requests_per_minute__gte=1), name="partner_system_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class PartnerKey(models.Model):
    """An API key of a partner system: ``bnm_<prefix>_<secret>``. Only the prefix (to find the
    row) and the SHA-256 of the whole key are stored; the key itself is shown once, when issued.

    A key is refused once expired, revoked, or replaced by a newer one (rotation)."""

    partner = models.ForeignKey(
        PartnerSystem,
        on_delete=models.PROTECT,
        related_name="keys",
        verbose_name="système partenaire",
    )
    prefix = models.CharField("préfixe", max_length=16, unique=True, editable=False)
    secret_hash = models.CharField("empreinte", max_length=64, editable=False)
    created_at = models.DateTimeField("délivrée le", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "partners.Professional",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="délivrée par",
    )
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True, editable=False)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        editable=False,
        verbose_name="remplacée par",
    )

    objects = AuditedQuerySet["PartnerKey"].as_manager()

    class Meta:
        verbose_name = "clé d'API"
        verbose_name_plural = "clés d'API"
        base_manager_name = "objects"
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Clé {self.prefix}"

    def usable_at(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and self.replaced_by_id is None and self.expires_at > now

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "révoquée"
        if self.replaced_by_id is not None:
            return "remplacée"
        if self.expires_at <= timezone.now():
            return "expirée"
        return "valide"
