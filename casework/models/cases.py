"""The accompaniment (« accompagnement »), who may see it (``Case.objects.visible_to``), its
binômes over time and its suspensions.
"""

import datetime
from typing import TYPE_CHECKING, ClassVar, TypedDict, TypeVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.enums import (
    CaseReviewReason,
    CaseState,
    DiagnosticState,
    ExitReason,
    OrientationPath,
    SuspensionReason,
)
from casework.models.delegations import CaseUserObjectPermission, live_grant
from casework.models.people import Beneficiary, closed_files
from partners.audit import AuditedQuerySet
from partners.enums import PAIR_ROLES, Role
from partners.models import Department, Organisation, Pair, Professional

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import WithAnnotations


#: States in which the référent is expected to see the person (suspension pauses the rhythm).
FOLLOWED_STATES = (CaseState.PROPOSED, CaseState.DIAGNOSTIC, CaseState.ACTIVE)


def overdue_threshold(department: Department, today: datetime.date | None = None) -> datetime.date:
    """A case is « sans entretien » when its référent has not seen the person since this date."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=department.interview_interval_days)


class OverdueAnnotations(TypedDict):
    """What ``CaseQuerySet.with_overdue`` adds to each row."""

    last_seen_on: datetime.date
    overdue: bool


#: The rows of a case queryset: ``Case``, or ``Case`` with annotations (``with_overdue``).
_C = TypeVar("_C", bound="Case")


class CaseQuerySet(AuditedQuerySet[_C]):
    def open(self) -> "CaseQuerySet[_C]":
        return self.exclude(state__in=[CaseState.CLOSED, CaseState.REFUSED])

    def with_overdue(
        self, threshold: datetime.date
    ) -> "CaseQuerySet[WithAnnotations[Case, OverdueAnnotations]]":
        """Annotate ``last_seen_on`` (the last interview with the référent, or the proposal date
        before the first one) and ``overdue`` (followed, and not seen since ``threshold``)."""
        return self.annotate(
            last_seen_on=Coalesce("last_referent_interview_on", "proposed_on"),
            overdue=models.Case(
                models.When(
                    Q(state__in=FOLLOWED_STATES) & Q(last_seen_on__lt=threshold),
                    then=models.Value(True),
                ),
                default=models.Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def overdue(
        self, threshold: datetime.date
    ) -> "CaseQuerySet[WithAnnotations[Case, OverdueAnnotations]]":
        return self.with_overdue(threshold).filter(overdue=True)

    def visible_to(self, user: "Professional | AnonymousUser") -> "CaseQuerySet[_C]":
        """The cases ``user`` may open at all, in SQL. What they see inside is decided later."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        cases = self
        if user.role != Role.AUDITOR:
            cases = cases.exclude(beneficiary__in=closed_files())
        if user.role in PAIR_ROLES:
            granted = (
                CaseUserObjectPermission.objects.filter(user=user, permission__codename="view_case")
                .filter(live_grant())
                .values("content_object_id")
            )
            return cases.filter(pk__in=granted)
        if user.organisation is None:
            return self.none()
        if user.role == Role.SUPERVISOR:
            # The pairs with a member in the subtree (a few hundred rows), then their cases: one
            # semi-join the planner can drive from the pairs rather than from every case.
            # The department (where every binôme with a member in the subtree is) bounds the
            # planner's estimate of those pairs when the database holds several departments.
            subtree = Organisation.objects.subtree_of(user.organisation).values("pk")
            pairs = Pair.objects.filter(
                Q(advisor__organisation__in=subtree) | Q(social_worker__organisation__in=subtree),
                department_id=user.organisation.department_id,
            ).values("pk")
            return cases.filter(pair__in=pairs)
        if user.role in (Role.ADMIN, Role.AUDITOR):
            return cases.filter(pair__department_id=user.organisation.department_id)
        return self.none()


class Case(models.Model):
    """An accompaniment (« accompagnement ») of one person by one binôme."""

    beneficiary = models.ForeignKey(
        Beneficiary,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="personne accompagnée",
    )
    pair = models.ForeignKey(
        Pair, on_delete=models.PROTECT, related_name="cases", verbose_name="binôme"
    )
    referent = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="cases_as_referent",
        verbose_name="référent unique",
    )
    state = models.CharField(
        "état", max_length=12, choices=CaseState.choices, default=CaseState.PROPOSED
    )
    proposed_on = models.DateField("proposé le")
    entry_agreed_at = models.DateTimeField(
        "accord de la personne pour entrer", null=True, blank=True
    )
    entry_agreement_recorded_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="accord enregistré par",
    )
    refused_on = models.DateField("refusé le", null=True, blank=True)
    started_on = models.DateField("début de l'accompagnement", null=True, blank=True)
    planned_end_on = models.DateField("fin prévue", null=True, blank=True)
    closed_on = models.DateField("terminé le", null=True, blank=True)
    exit_reason = models.CharField(
        "motif de sortie", max_length=20, choices=ExitReason.choices, blank=True
    )
    last_contact_on = models.DateField("dernier contact", null=True, blank=True)
    last_interview_on = models.DateField("dernier entretien", null=True, blank=True)
    last_interview_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dernier entretien par",
    )
    last_referent_interview_on = models.DateField(
        "dernier entretien avec le référent", null=True, blank=True
    )
    next_appointment_on = models.DateField("prochain rendez-vous", null=True, blank=True)
    # Written by the orientation app's services (casework never imports orientation).
    orientation_path = models.CharField(
        "parcours", max_length=20, choices=OrientationPath.choices, blank=True
    )
    diagnostic_state = models.CharField(
        "état du diagnostic", max_length=12, choices=DiagnosticState.choices, blank=True
    )
    next_action_due_on = models.DateField(
        "prochaine action à échéance", null=True, blank=True
    )  # written by the orientation app's plan services
    six_month_review_on = models.DateField("bilan à six mois fait le", null=True, blank=True)
    six_month_review = models.TextField("bilan à six mois", blank=True)
    extended_times = models.PositiveSmallIntegerField("prolongations", default=0)
    end_review_on = models.DateField("bilan de fin d'accompagnement fait le", null=True, blank=True)
    end_review = models.TextField("bilan de fin d'accompagnement", blank=True)
    # « À examiner »: an event of the CAF/MSA flow the binôme should look at (never a decision);
    # written by casework/imports/, cleared when the binôme has looked.
    review_reason = models.CharField(
        "à examiner",
        max_length=12,
        choices=CaseReviewReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    review_detail = models.CharField(
        "à examiner : précision du flux", max_length=100, blank=True, default="", db_default=""
    )
    review_since = models.DateField("à examiner depuis le", null=True, blank=True)
    version = models.PositiveIntegerField("version", default=1)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "accompagnement"
        base_manager_name = "objects"
        verbose_name_plural = "accompagnements"
        permissions: ClassVar = [("view_social_notes", "Voir les notes sociales")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(state=CaseState.CLOSED) | ~Q(exit_reason=""),
                name="case_closed_has_exit_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseState.CLOSED) | Q(end_review_on__isnull=False),
                name="case_closed_after_end_review",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[CaseState.PROPOSED, CaseState.REFUSED])
                | Q(entry_agreed_at__isnull=False),
                name="case_entered_with_agreement",
            ),
        ]
        indexes: ClassVar = [
            # Covering (PostgreSQL): the supervisors' figures and the cases' joins read the
            # subtree's cases from this index alone (docs/performance.md § 6).
            models.Index(
                fields=["pair", "state"],
                include=[
                    "id",
                    "referent",
                    "beneficiary",
                    "orientation_path",
                    "exit_reason",
                    "started_on",
                    "closed_on",
                    "last_referent_interview_on",
                    "proposed_on",
                ],
                name="case_pair_state_figures",
            ),
            models.Index(fields=["referent", "last_referent_interview_on"]),
        ]

    def __str__(self) -> str:
        return f"Accompagnement n°{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state not in (CaseState.CLOSED, CaseState.REFUSED)

    def overdue_on(self, threshold: datetime.date) -> bool:
        """``with_overdue``'s rule on the instance in memory (a case a service just changed)."""
        last_seen = self.last_referent_interview_on or self.proposed_on
        return self.state in FOLLOWED_STATES and last_seen < threshold

    @property
    def co_accompagnant(self) -> Professional | None:
        """The member of the binôme who is not the référent unique (None in a suivi social
        seul)."""
        return self.pair.co_member(self.referent)


class CasePairPeriod(models.Model):
    """Which binôme followed the case, and when: reassignment keeps the history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pair_periods")
    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField("depuis le")
    ended_on = models.DateField("jusqu'au", null=True, blank=True)
    reason = models.CharField("motif du changement", max_length=255, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "période de suivi par un binôme"
        base_manager_name = "objects"
        verbose_name_plural = "périodes de suivi par un binôme"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_on__isnull=True),
                name="case_one_current_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"Période de suivi n°{self.pk}"


class Suspension(models.Model):
    """A pause of the accompaniment; it pauses the 12-month clock."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspensions")
    reason = models.CharField("motif", max_length=12, choices=SuspensionReason.choices)
    started_on = models.DateField("suspendu le")
    ended_on = models.DateField("repris le", null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "suspension"
        base_manager_name = "objects"
        verbose_name_plural = "suspensions"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="suspension_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Suspension n°{self.pk}"
