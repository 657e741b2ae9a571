"""The « demandes ponctuelles » (axis 1): an advisor asks the social correspondents."""

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import ObstacleCategory, PersonAgreementMethod, SocialRequestState
from casework.models.cases import Case
from casework.models.people import Beneficiary, closed_files
from partners.audit import AuditedQuerySet
from partners.models import Department, Organisation, Professional

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class SocialRequestQuerySet(AuditedQuerySet["SocialRequest"]):
    def visible_to(self, user: "Professional | AnonymousUser") -> "SocialRequestQuerySet":
        """The requester, and the social correspondents whose organisation lies in the
        request's territory (the territory organisation or below it). Nobody else: not the
        supervisors, not the admin. In SQL, without loading the user's organisation."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        visible = Q(requester=user)
        if user.is_social_correspondent and user.organisation_id is not None:
            in_territory = Organisation.objects.filter(
                pk=user.organisation_id, path__startswith=models.OuterRef("territory__path")
            )
            visible |= Q(models.Exists(in_territory))
        # Files in the intermediate archive, or disposed: the auditor (DPO) only, as for cases.
        return self.filter(visible).exclude(beneficiary__in=closed_files())

    def pending(self) -> "SocialRequestQuerySet":
        return self.filter(state__in=[SocialRequestState.OPEN, SocialRequestState.ANSWERED])


class SocialRequest(models.Model):
    """A « demande ponctuelle » (axis 1): an advisor who follows a person outside a binôme asks
    the social correspondents of the person's territory about one difficulty.

    The territory is an organisation of the department (a social-action unit, a CCAS…): the
    correspondents whose organisation is that one or below it answer. The person's agreement
    to the request is recorded before the request exists.
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        on_delete=models.PROTECT,
        related_name="social_requests",
        verbose_name="personne",
    )
    requester = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="social_requests",
        verbose_name="demandé par",
    )
    territory = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="territoire (correspondant·es sociaux·ales)",
    )
    category = models.CharField("difficulté", max_length=20, choices=ObstacleCategory.choices)
    question = models.TextField("question")
    person_agreed_at = models.DateTimeField("accord de la personne donné le")
    agreement_method = models.CharField(
        "accord recueilli par", max_length=12, choices=PersonAgreementMethod.choices
    )
    state = models.CharField(
        "état",
        max_length=10,
        choices=SocialRequestState.choices,
        default=SocialRequestState.OPEN,
    )
    due_on = models.DateField("réponse attendue le")
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    answer = models.TextField("réponse", blank=True)
    answered_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="répondu par",
    )
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    closed_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="close par",
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="origin_requests",
        verbose_name="accompagnement proposé à la suite",
    )

    objects = SocialRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande ponctuelle"
        verbose_name_plural = "demandes ponctuelles"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(question=""), name="social_request_has_question"),
            models.CheckConstraint(
                condition=~Q(state=SocialRequestState.ANSWERED) | ~Q(answer=""),
                name="social_request_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(state=SocialRequestState.CONVERTED) | Q(case__isnull=False),
                name="social_request_converted_has_case",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["requester", "state", "due_on"]),
            models.Index(fields=["territory", "state", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"Demande ponctuelle n°{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.state in (SocialRequestState.OPEN, SocialRequestState.ANSWERED)
