from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import DiagnosticState, EducationLevel, ObstacleCategory
from casework.models import Case
from orientation.enums import Impact
from partners.audit import AuditedQuerySet
from partners.models import Professional


class Diagnostic(models.Model):
    """The « diagnostic partagé » of a case, built with the person; one row per version.

    A locked version never changes: a change makes the next version.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField("version", default=1)
    state = models.CharField(
        "état", max_length=12, choices=DiagnosticState.choices, default=DiagnosticState.DRAFT
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
    locked_at = models.DateTimeField("verrouillé le", null=True, blank=True)
    created_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")

    objects = AuditedQuerySet.as_manager()

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
                    Q(advisor_signed_at__isnull=False)
                    & Q(social_worker_signed_at__isnull=False)
                    & Q(person_opinion_at__isnull=False)
                ),
                name="diagnostic_locked_is_signed_after_opinion",
            ),
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
    lifted_at = models.DateField("frein levé le", null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "frein périphérique"
        verbose_name_plural = "freins périphériques"
        base_manager_name = "objects"

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
