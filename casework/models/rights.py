"""The person's rights over their data: requests routed to the DPO, and the rectifications made."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import PersonRequestKind, PersonRequestState
from casework.models.cases import Case
from casework.models.people import Beneficiary
from casework.models.space import SpaceAccess
from partners.audit import AuditedQuerySet
from partners.enums import Role
from partners.models import Professional


class Rectification(models.Model):
    """A correction asked by the person: the previous value, the new one, who, when and why.

    The corrected object keeps only its new value; this row is the recorded history. Rows about
    an obstacle carry its sharing category, so they are shown only where the obstacle is.
    """

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="rectifications"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="rectifications"
    )
    object_type = models.CharField("objet", max_length=50)
    object_id = models.CharField(max_length=40)
    field_name = models.CharField(max_length=50)
    field_label = models.CharField("champ", max_length=100)
    share_category = models.CharField(max_length=40, blank=True)
    previous_value = models.TextField("ancienne valeur", blank=True)
    new_value = models.TextField("nouvelle valeur", blank=True)
    reason = models.TextField("motif de la rectification")
    recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="enregistrée par"
    )
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "rectification"
        verbose_name_plural = "rectifications"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(reason=""), name="rectification_has_reason"),
        ]
        indexes: ClassVar = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"Rectification n°{self.pk}"


class PersonRequestQuerySet(AuditedQuerySet["PersonRequest"]):
    def for_dpo(self, user: Professional) -> "PersonRequestQuerySet":
        if user.role != Role.AUDITOR or not user.is_active or user.organisation is None:
            return self.none()
        return self.filter(beneficiary__department_id=user.organisation.department_id)


class PersonRequest(models.Model):
    """A request about the person's data (access, rectification, objection), routed to the DPO."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="person_requests"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="person_requests"
    )
    kind = models.CharField("nature", max_length=15, choices=PersonRequestKind.choices)
    text = models.TextField("ce que la personne demande, dans ses mots")
    received_on = models.DateField("reçue le")
    #: The member of the binôme who recorded it; none when the person sent it from their space.
    recorded_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
    )
    #: The person's access when they sent it themselves from their space.
    from_space = models.ForeignKey(
        SpaceAccess,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person_requests",
        verbose_name="reçue depuis l'espace de la personne",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        "état", max_length=10, choices=PersonRequestState.choices, default=PersonRequestState.OPEN
    )
    answer = models.TextField("réponse", blank=True)
    answered_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = PersonRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de la personne sur ses données"
        verbose_name_plural = "demandes des personnes sur leurs données"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(text=""), name="person_request_has_text"),
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False, from_space__isnull=True)
                | Q(recorded_by__isnull=True, from_space__isnull=False),
                name="person_request_recorded_by_binome_or_sent_from_space",
            ),
            models.CheckConstraint(
                condition=~Q(state=PersonRequestState.ANSWERED) | ~Q(answer=""),
                name="person_request_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande n°{self.pk}"
