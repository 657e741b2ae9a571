"""The follow-up of a case: interviews, notes, social notes, points binôme, rendez-vous and breach
reports.
"""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import (
    AppointmentKind,
    AppointmentOutcome,
    InterviewChannel,
    PairContactChannel,
)
from casework.models.cases import Case
from partners.audit import AuditedQuerySet
from partners.models import Pair, Professional


class Interview(models.Model):
    """An interview (« entretien ») with the person; the summary is pair-visible."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interviews")
    author = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="auteur·rice"
    )
    occurred_on = models.DateField("date de l'entretien")
    channel = models.CharField("modalité", max_length=12, choices=InterviewChannel.choices)
    three_way = models.BooleanField("tripartite (la personne et le binôme)", default=False)
    interpreter = models.BooleanField("avec interprète", default=False)
    summary = models.TextField("compte rendu", blank=True)
    next_appointment_on = models.DateField("prochain rendez-vous", null=True, blank=True)
    created_at = models.DateTimeField("saisi le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "entretien"
        base_manager_name = "objects"
        verbose_name_plural = "entretiens"
        indexes: ClassVar = [
            models.Index(fields=["case", "occurred_on"]),
            # the last months' interviews of a whole subtree, read from the index alone
            # (PostgreSQL) and joined to its open cases (docs/performance.md § 6)
            models.Index(
                fields=["occurred_on"], include=["case", "author"], name="interview_by_date"
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(next_appointment_on__isnull=True)
                | Q(next_appointment_on__gte=models.F("occurred_on")),
                name="interview_next_after_interview",
            ),
        ]

    def __str__(self) -> str:
        return f"Entretien n°{self.pk}"


class Note(models.Model):
    """A note visible to both members of the pair."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("note")
    created_at = models.DateTimeField("écrite le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "note"
        base_manager_name = "objects"
        verbose_name_plural = "notes"

    def __str__(self) -> str:
        return f"Note n°{self.pk}"


class SocialNote(models.Model):
    """A secret note (professional secrecy): only the social workers of the case read it.

    Only ``casework.selectors.social_*`` and ``casework.services`` query this table; it is not in
    the admin.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("note sociale")
    created_at = models.DateTimeField("écrite le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "note sociale"
        base_manager_name = "objects"
        verbose_name_plural = "notes sociales"

    def __str__(self) -> str:
        return f"Note sociale n°{self.pk}"


class PairContact(models.Model):
    """A « point binôme »: the two professionals talk about several cases."""

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="contacts")
    author = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField("date")
    channel = models.CharField("modalité", max_length=12, choices=PairContactChannel.choices)
    cases = models.ManyToManyField(Case, related_name="pair_contacts", verbose_name="situations")
    summary = models.TextField("synthèse", blank=True)
    created_at = models.DateTimeField("saisi le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "point binôme"
        base_manager_name = "objects"
        verbose_name_plural = "points binôme"

    def __str__(self) -> str:
        return f"Point binôme n°{self.pk}"


class Appointment(models.Model):
    """A « rendez-vous » (a convocation to print); its outcome is a fact, recorded afterwards.

    Nothing is sent anywhere because of an absence: only a deliberate BreachReport by the
    référent leaves the case.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appointments")
    planned_at = models.DateTimeField("date et heure")
    kind = models.CharField(
        "nature",
        max_length=12,
        choices=AppointmentKind.choices,
        default=AppointmentKind.FOLLOW_UP,
        db_default=AppointmentKind.FOLLOW_UP,
    )
    place = models.CharField("lieu", max_length=255)
    with_whom = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="avec"
    )
    #: Who convened the person; empty when a partner system did, through the API.
    convened_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(
        "issue", max_length=10, choices=AppointmentOutcome.choices, blank=True
    )
    person_explanation = models.TextField("explication de la personne", blank=True)
    outcome_recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    #: The partner system that wrote it through the API (``appointments:write``), and that
    #: system's own id for it: the same id twice is the same appointment.
    partner_system = models.ForeignKey(
        "partners.PartnerSystem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="système partenaire",
    )
    partner_ref = models.CharField(
        "identifiant chez le partenaire", max_length=64, blank=True, editable=False
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        base_manager_name = "objects"
        indexes: ClassVar = [models.Index(fields=["case", "planned_at"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["partner_system", "partner_ref"],
                condition=Q(partner_system__isnull=False),
                name="appointment_unique_partner_ref",
                violation_error_message="Ce système partenaire a déjà un rendez-vous de cet "
                "identifiant.",
            ),
            models.CheckConstraint(
                condition=Q(partner_system__isnull=True, partner_ref="")
                | (Q(partner_system__isnull=False) & ~Q(partner_ref="")),
                name="appointment_partner_ref_with_system",
            ),
        ]

    def __str__(self) -> str:
        return f"Rendez-vous n°{self.pk}"


class BreachReport(models.Model):
    """A « signalement de manquement »: a deliberate act of the référent, with a written reason,
    visible to the person and journaled. Never produced by the product on its own."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="breach_reports")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("motif")
    reported_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "signalement de manquement"
        verbose_name_plural = "signalements de manquement"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(reason=""), name="breach_report_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Signalement n°{self.pk}"
