from typing import ClassVar

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import DiagnosticState, EducationLevel, ObstacleCategory, OrientationPath
from casework.models import Appointment, Case, SocialRequest
from orientation.enums import (
    WAITING_DIAGNOSTIC_STATES,
    WAITING_RECOMMENDATION_STATES,
    ActionOwner,
    ActionStatus,
    ContractKind,
    DecidingAuthority,
    DecisionBasis,
    Impact,
    NotificationKind,
    RecommendationState,
)
from partners.audit import AuditedQuerySet
from partners.models import Professional


class DiagnosticQuerySet(AuditedQuerySet["Diagnostic"]):
    def waiting(self) -> "DiagnosticQuerySet":
        """Drafted, or validated or contested by the person, and not yet signed by the binôme."""
        return self.filter(state__in=WAITING_DIAGNOSTIC_STATES)


class RecommendationQuerySet(AuditedQuerySet["Recommendation"]):
    def waiting(self) -> "RecommendationQuerySet":
        """Waiting for signatures, a supervisor's validation or the competent authority."""
        return self.filter(state__in=WAITING_RECOMMENDATION_STATES)


class Diagnostic(models.Model):
    """The « diagnostic partagé » of a case, built with the person; one row per version.

    A locked version never changes: a change makes the next version.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField("version", default=1)
    state = models.CharField(
        "état", max_length=12, choices=DiagnosticState.choices, default=DiagnosticState.DRAFT
    )
    from_appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="diagnostics",
        verbose_name="issu du rendez-vous de diagnostic tripartite",
    )
    drafted_three_way = models.BooleanField(
        "rédigé en entretien tripartite (la personne et le binôme)", default=True
    )
    drafted_on = models.DateField("rédigé le", default=timezone.localdate)
    person_words = models.TextField("parole de la personne", blank=True)
    strengths = models.TextField("atouts et compétences", blank=True)
    professional_situation = models.TextField("situation professionnelle", blank=True)
    social_summary = models.TextField("synthèse sociale", blank=True)
    # The structured facts the national orientation criteria use.
    active_last_two_years = models.BooleanField(
        "a travaillé ou été en formation au cours des deux dernières années", null=True, blank=True
    )
    can_project_into_work = models.BooleanField(
        "se projette dans un emploi à court terme", null=True, blank=True
    )
    education_level = models.CharField(
        "niveau de formation", max_length=4, choices=EducationLevel.choices, blank=True
    )
    person_opinion_comment = models.TextField("avis de la personne", blank=True)
    person_opinion_recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_opinion_at = models.DateTimeField(null=True, blank=True)
    advisor_signed_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    advisor_signed_at = models.DateTimeField(null=True, blank=True)
    social_worker_signed_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    social_worker_signed_at = models.DateTimeField(null=True, blank=True)
    signed_without_advisor = models.BooleanField(
        "signé par le ou la travailleur·se social·e seul·e (suivi social seul)",
        default=False,
        db_default=False,  # the bulk loads (orientation.scale) leave it out
    )
    locked_at = models.DateTimeField("verrouillé le", null=True, blank=True)
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")

    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        verbose_name = "diagnostic partagé"
        verbose_name_plural = "diagnostics partagés"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "version"], name="diagnostic_unique_version"),
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(state=DiagnosticState.LOCKED),
                name="diagnostic_one_open_version",
            ),
            models.CheckConstraint(
                condition=~Q(state=DiagnosticState.LOCKED)
                | (
                    (Q(advisor_signed_at__isnull=False) | Q(signed_without_advisor=True))
                    & Q(social_worker_signed_at__isnull=False)
                    & Q(person_opinion_at__isnull=False)
                ),
                name="diagnostic_locked_is_signed_after_opinion",
            ),
        ]
        indexes: ClassVar = [
            # the versions of each case's diagnostic read from the index alone (PostgreSQL): the
            # supervisors' obstacle counts find each open case's latest version there
            models.Index(fields=["case"], include=["version", "id"], name="diagnostic_versions"),
        ]

    def __str__(self) -> str:
        return f"Diagnostic n°{self.pk} (version {self.version})"

    @property
    def is_editable(self) -> bool:
        return self.state != DiagnosticState.LOCKED


class Obstacle(models.Model):
    """A « frein périphérique », written as the person says it."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.PROTECT, related_name="+")
    category = models.CharField("catégorie", max_length=20, choices=ObstacleCategory.choices)
    impact = models.CharField("impact", max_length=8, choices=Impact.choices)
    in_persons_words = models.TextField("dans les mots de la personne")
    raised_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="noté par"
    )
    person_agrees = models.BooleanField(
        "la personne est d'accord avec ce qui est écrit", default=True
    )
    # When it is « levé » is recorded in ObstacleLift: locked versions never change.

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "frein périphérique"
        verbose_name_plural = "freins périphériques"
        base_manager_name = "objects"
        indexes: ClassVar = [
            # the supervisors' obstacle counts read the categories from the index (PostgreSQL)
            models.Index(fields=["diagnostic"], include=["category"], name="obstacle_categories"),
        ]

    def __str__(self) -> str:
        return f"Frein n°{self.pk}"


class SocialDetails(models.Model):
    """Secret: the social side's detailed account. Only the social workers of the case read it.

    Only ``orientation.selectors.social_details_for`` and the services query this table.
    """

    diagnostic = models.OneToOneField(Diagnostic, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("éléments sociaux détaillés", blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "éléments sociaux détaillés"
        verbose_name_plural = "éléments sociaux détaillés"
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"Éléments sociaux n°{self.pk}"


class Recommendation(models.Model):
    """The binôme's « préconisation »: it recommends, the competent authority decides."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.PROTECT, related_name="+", verbose_name="diagnostic"
    )
    path = models.CharField("parcours préconisé", max_length=20, choices=OrientationPath.choices)
    rationale = models.TextField("motifs")
    criteria_path = models.CharField(
        "parcours suggéré par les critères nationaux",
        max_length=20,
        choices=OrientationPath.choices,
        blank=True,
    )
    is_reorientation = models.BooleanField("proposition de réorientation", default=False)
    person_agrees = models.BooleanField("la personne est d'accord")
    person_comment = models.TextField("avis de la personne", blank=True)
    state = models.CharField(
        "état",
        max_length=20,
        choices=RecommendationState.choices,
        default=RecommendationState.SIGNING,
    )
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    advisor_signed_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    advisor_signed_at = models.DateTimeField(null=True, blank=True)
    social_worker_signed_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    social_worker_signed_at = models.DateTimeField(null=True, blank=True)
    signed_without_advisor = models.BooleanField(
        "signée par le ou la travailleur·se social·e seul·e (suivi social seul)",
        default=False,
        db_default=False,
    )
    validated_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    validation_comment = models.TextField("commentaire de l'encadrement", blank=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "préconisation du binôme"
        verbose_name_plural = "préconisations du binôme"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(person_agrees=True) | ~Q(person_comment=""),
                name="recommendation_disagreement_has_comment",
            ),
        ]
        indexes: ClassVar = [
            # the few recommendations waiting for a signature, a validation or a decision
            models.Index(
                fields=["case"],
                condition=Q(state__in=WAITING_RECOMMENDATION_STATES),
                name="recommendation_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"Préconisation n°{self.pk}"


class OrientationDecision(models.Model):
    """The competent authority's « décision d'orientation », as recorded in Binôme."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    path = models.CharField("parcours", max_length=20, choices=OrientationPath.choices)
    authority = models.CharField(
        "autorité qui décide", max_length=30, choices=DecidingAuthority.choices
    )
    basis = models.CharField("fondement", max_length=20, choices=DecisionBasis.choices)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField("décidée le")
    reasons = models.TextField("motifs de la décision")
    review_on = models.DateField("date de réexamen")
    is_reorientation = models.BooleanField("réorientation", default=False)
    person_agrees = models.BooleanField("la personne est d'accord", null=True, blank=True)
    person_comment = models.TextField("avis de la personne", blank=True)
    #: The member of the binôme who recorded it; empty when a partner system sent it through
    #: the API (``orientation:write``).
    recorded_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    #: The partner system that sent it through the API, and that system's own id for it: the
    #: same id twice is the same decision.
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
        verbose_name = "décision d'orientation"
        verbose_name_plural = "décisions d'orientation"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["partner_system", "partner_ref"],
                condition=Q(partner_system__isnull=False),
                name="decision_unique_partner_ref",
                violation_error_message="Ce système partenaire a déjà une décision de cet "
                "identifiant.",
            ),
            models.CheckConstraint(
                condition=Q(partner_system__isnull=True, partner_ref="")
                | (Q(partner_system__isnull=False) & ~Q(partner_ref="")),
                name="decision_partner_ref_with_system",
            ),
            # Recorded by a member of the binôme, or sent by a partner system: one of the two.
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False, partner_system__isnull=True)
                | Q(recorded_by__isnull=True, partner_system__isnull=False),
                name="decision_recorded_by_a_professional_or_a_partner",
            ),
            models.CheckConstraint(
                condition=~Q(basis=DecisionBasis.RECOMMENDATION) | Q(recommendation__isnull=False),
                name="decision_on_recommendation_names_it",
            ),
            models.CheckConstraint(
                condition=Q(review_on__gte=models.F("decided_on")),
                name="decision_review_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Décision d'orientation n°{self.pk}"

    @property
    def recorded_by_label(self) -> str:
        """Who recorded it, for the pages: the professional's job and organisation, or the
        partner system that sent it (select ``recorded_by__organisation`` and
        ``partner_system``)."""
        if self.recorded_by is not None:
            professional = self.recorded_by
            job = professional.job_title or professional.get_role_display()
            organisation = professional.organisation
            return f"{job} ({organisation.name})" if organisation is not None else job
        if self.partner_system is not None:
            partner = self.partner_system
            return f"{partner.name} ({partner.organisation}, système partenaire)"
        return ""


class Notification(models.Model):
    """An in-app notice to one professional (a recommendation to sign, to validate…)."""

    recipient = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    social_request = models.ForeignKey(
        SocialRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    # What a reminder run creates carries a key: running it twice creates nothing more.
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        indexes: ClassVar = [
            models.Index(fields=["recipient", "done_at", "created_at"]),
            # The outbox's sweeper: notifications whose e-mail never reached the outbox (few).
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True, key__isnull=True),
                name="notification_not_emailed",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, social_request__isnull=True)
                | Q(case__isnull=True, social_request__isnull=False),
                name="notification_about_a_case_or_a_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification n°{self.pk}"


#: The longest comment the person writes on one of their actions, in characters.
PERSON_COMMENT_MAX_LENGTH = 500
#: The contrat d'engagement's aim of activity a week (loi « pour le plein emploi »), which the
#: référent adjusts, down to none, for a difficulty of the diagnostic: an aim, never a counter.
WEEKLY_HOURS_AIM = 15
WEEKLY_HOURS_MAX = 35


class ActionPlan(models.Model):
    """The « plan d'action » agreed with the person, with its contract's reference."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="+")
    contract_kind = models.CharField(
        "contrat",
        max_length=20,
        choices=ContractKind.choices,
        default=ContractKind.CONTRAT_ENGAGEMENT,
    )
    contract_reference = models.CharField("référence du contrat", max_length=50, blank=True)
    contract_signed_on = models.DateField("signé le", null=True, blank=True)
    weekly_hours = models.PositiveSmallIntegerField(
        "objectif d'heures d'activité par semaine",
        default=WEEKLY_HOURS_AIM,
        db_default=WEEKLY_HOURS_AIM,
        validators=[MaxValueValidator(WEEKLY_HOURS_MAX)],
    )
    hours_adjusted_for = models.ForeignKey(
        "Obstacle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="objectif ajusté en raison de la difficulté",
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "plan d'action"
        verbose_name_plural = "plans d'action"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=WEEKLY_HOURS_AIM)
                | Q(hours_adjusted_for__isnull=False),
                name="plan_hours_below_the_aim_need_a_difficulty",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan d'action n°{self.pk}"


class Action(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("action", max_length=255)
    owner = models.CharField("qui", max_length=20, choices=ActionOwner.choices)
    partner_name = models.CharField("partenaire", max_length=150, blank=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "état", max_length=12, choices=ActionStatus.choices, default=ActionStatus.TO_DO
    )
    obstacle = models.ForeignKey(
        Obstacle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="difficulté travaillée",
    )
    done_on = models.DateField("faite le", null=True, blank=True)
    weekly_hours = models.PositiveSmallIntegerField(
        "heures par semaine",
        null=True,
        blank=True,
        validators=[MaxValueValidator(WEEKLY_HOURS_MAX)],
    )
    # Written by the person from their space, on their own actions only (« plan d'action »).
    person_comment = models.TextField(
        "commentaire de la personne", blank=True, max_length=PERSON_COMMENT_MAX_LENGTH
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "actions"
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"Action n°{self.pk}"


class ObstacleLift(models.Model):
    """A difficulty « levée », when the person and the référent agree. Recorded apart from the
    diagnostic, whose locked versions never change."""

    obstacle = models.OneToOneField(Obstacle, on_delete=models.PROTECT, related_name="+")
    lifted_on = models.DateField("levé le")
    recorded_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    person_agrees = models.BooleanField("la personne est d'accord")

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "frein levé"
        verbose_name_plural = "freins levés"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(person_agrees=True), name="lift_needs_the_person"),
        ]

    def __str__(self) -> str:
        return f"Frein levé n°{self.pk}"


class DashboardSnapshot(models.Model):
    """The supervisors' dashboard of an organisation's subtree as computed at ``computed_at``,
    for the day ``computed_on`` (orientation/snapshots.py). Derived data, recomputed by a task
    and never edited by anyone: outside the audit trail, like the outbox."""

    organisation = models.OneToOneField(
        "partners.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    computed_on = models.DateField("jour des chiffres")
    computed_at = models.DateTimeField("calculé le")
    figures = models.JSONField("chiffres")

    class Meta:
        verbose_name = "tableau de bord précalculé"
        verbose_name_plural = "tableaux de bord précalculés"

    def __str__(self) -> str:
        return f"Tableau de bord précalculé n°{self.pk}"
