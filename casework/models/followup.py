"""The follow-up of a case: interviews, notes, social notes, points binôme, rendez-vous and breach
reports.
"""

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import (
    AppointmentKind,
    AppointmentOutcome,
    BreachDecision,
    BreachObservationsBy,
    BreachStep,
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
    visible to the person and journaled. Never produced by the product on its own.

    Its steps (loi « pour le plein emploi »): drafted; the person informed by the letter the
    référent prints, with a delay to present observations (``observations_until``); the person's
    observations, in their own space or in their words by the référent; transmitted to the
    président·e du conseil départemental with them (before the end of the delay only if they
    are recorded); the authority's decision, a fact with its date; « remobilisation constatée »
    by the référent, which ends a suspension on the case's side. Each step is a deliberate act
    and a journal row; ``step`` derives where the report stands from the fields."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="breach_reports")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("motif")
    reported_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    informed_at = models.DateTimeField("personne informée le", null=True, blank=True)
    observations_until = models.DateField("observations possibles jusqu'au", null=True, blank=True)
    observations = models.TextField("observations de la personne", blank=True)
    observations_by = models.CharField(
        "observations écrites par",
        max_length=10,
        choices=BreachObservationsBy.choices,
        blank=True,
    )
    observations_at = models.DateTimeField("observations reçues le", null=True, blank=True)
    transmitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    transmitted_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(
        "décision", max_length=12, choices=BreachDecision.choices, blank=True
    )
    decision_on = models.DateField("date de la décision", null=True, blank=True)
    decision_recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suspension_rate = models.PositiveSmallIntegerField(
        "taux de la suspension (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    suspension_months = models.PositiveSmallIntegerField(
        "durée de la suspension (mois)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    remobilised_on = models.DateField("remobilisation constatée le", null=True, blank=True)
    remobilised_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "signalement de manquement"
        verbose_name_plural = "signalements de manquement"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(reason=""), name="breach_report_has_reason"),
            models.CheckConstraint(
                condition=Q(informed_at__isnull=True, observations_until__isnull=True)
                | Q(informed_at__isnull=False, observations_until__isnull=False),
                name="breach_report_informed_with_delay",
            ),
            models.CheckConstraint(
                condition=Q(observations="", observations_by="", observations_at__isnull=True)
                | (
                    ~Q(observations="")
                    & ~Q(observations_by="")
                    & Q(observations_at__isnull=False, informed_at__isnull=False)
                ),
                name="breach_report_observations_whole_after_informing",
            ),
            models.CheckConstraint(
                condition=Q(transmitted_at__isnull=True, transmitted_by__isnull=True)
                | Q(
                    transmitted_at__isnull=False,
                    transmitted_by__isnull=False,
                    informed_at__isnull=False,
                ),
                name="breach_report_transmitted_after_informing",
            ),
            models.CheckConstraint(
                condition=Q(decision="", decision_on__isnull=True)
                | (
                    ~Q(decision="")
                    & Q(
                        decision_on__isnull=False,
                        decision_recorded_by__isnull=False,
                        transmitted_at__isnull=False,
                    )
                ),
                name="breach_report_decision_after_transmission",
            ),
            models.CheckConstraint(
                # isnull=False first: a comparison with NULL would pass the CHECK.
                condition=Q(
                    decision=BreachDecision.SUSPENSION,
                    suspension_rate__isnull=False,
                    suspension_months__isnull=False,
                    suspension_rate__gte=1,
                    suspension_rate__lte=100,
                    suspension_months__gte=1,
                    suspension_months__lte=12,
                )
                | (
                    ~Q(decision=BreachDecision.SUSPENSION)
                    & Q(suspension_rate__isnull=True, suspension_months__isnull=True)
                ),
                name="breach_report_suspension_has_rate_and_length",
            ),
            models.CheckConstraint(
                condition=Q(remobilised_on__isnull=True, remobilised_by__isnull=True)
                | Q(
                    decision=BreachDecision.SUSPENSION,
                    remobilised_on__isnull=False,
                    remobilised_by__isnull=False,
                ),
                name="breach_report_remobilised_after_suspension",
            ),
        ]

    def __str__(self) -> str:
        return f"Signalement n°{self.pk}"

    @property
    def step(self) -> BreachStep:
        if self.remobilised_on is not None:
            return BreachStep.REMOBILISED
        if self.decision:
            return BreachStep.DECIDED
        if self.transmitted_at is not None:
            return BreachStep.TRANSMITTED
        if self.informed_at is not None:
            return BreachStep.INFORMED
        return BreachStep.DRAFTED

    @property
    def observations_open(self) -> bool:
        """The person may still present observations: informed, not yet transmitted, none yet."""
        return (
            self.informed_at is not None
            and self.transmitted_at is None
            and self.observations_at is None
        )
