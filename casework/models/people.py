"""The people followed (« personnes accompagnées ») and the visa that lets their closed files be
disposed of.
"""

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import (
    CLOSED_FILE_STAGES,
    EducationLevel,
    FileStage,
    PayingBody,
    RsaRole,
    RsaStatus,
)
from partners.audit import AuditedQuerySet
from partners.models import Department, Professional


class Beneficiary(models.Model):
    """A person followed (« personne accompagnée »). No NIR, nationality or health data here."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    birth_date = models.DateField("date de naissance")
    france_travail_id = models.CharField(
        "identifiant France Travail", max_length=20, blank=True, db_index=True
    )
    rsa_paying_body = models.CharField(
        "organisme payeur du RSA", max_length=5, choices=PayingBody.choices, blank=True
    )
    rsa_number = models.CharField("numéro d'allocataire", max_length=20, blank=True)
    rsa_role = models.CharField(
        "qualité au regard du RSA", max_length=10, choices=RsaRole.choices, blank=True
    )
    rsa_rights_and_duties = models.BooleanField(
        "soumis·e aux droits et devoirs du RSA", default=False
    )
    rsa_status = models.CharField(
        "situation du droit RSA", max_length=12, choices=RsaStatus.choices, blank=True
    )
    # Written by the CAF/MSA flow import (casework/imports/); db_default keeps raw inserts
    # (the scale generator, the query-plan tests) working without naming them.
    rsa_status_reason = models.CharField(
        "motif de la suspension ou de la fin de droit (code du flux)",
        max_length=3,
        blank=True,
        default="",
        db_default="",
    )
    rsa_status_on = models.DateField(
        "date de la suspension ou de la fin de droit", null=True, blank=True
    )
    homeless = models.BooleanField("sans domicile fixe", default=False, db_default=False)
    rsa_flow_on = models.DateField("date du dernier flux CAF/MSA appliqué", null=True, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    qpv_resident = models.BooleanField("réside en quartier prioritaire (QPV)", default=False)
    education_level = models.CharField(
        "niveau de formation", max_length=4, choices=EducationLevel.choices, blank=True
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    # The life of the file: written only by the retention services.
    file_stage = models.CharField(
        "cycle de vie du dossier",
        max_length=10,
        choices=FileStage.choices,
        default=FileStage.ACTIVE,
    )
    notice_sent_on = models.DateField("avis d'archivage envoyé le", null=True, blank=True)
    archived_on = models.DateField("archivé le", null=True, blank=True)
    disposal_approval = models.ForeignKey(
        "casework.DisposalApproval",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="beneficiaries",
        verbose_name="visa d'élimination",
    )
    disposed_on = models.DateField("éliminé le", null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "personne accompagnée"
        base_manager_name = "objects"
        verbose_name_plural = "personnes accompagnées"
        indexes: ClassVar = [
            models.Index(fields=["department", "last_name", "first_name", "birth_date"]),
            # The CAF/MSA flow's matching (casework/imports/): by matricule, by birth date.
            models.Index(fields=["department", "rsa_number"], name="beneficiary_rsa_number"),
            models.Index(fields=["department", "birth_date"], name="beneficiary_birth_date"),
            models.Index(fields=["department", "file_stage"]),
            models.Index(
                fields=["id"],
                condition=Q(file_stage__in=CLOSED_FILE_STAGES),
                name="beneficiary_closed_files",
            ),
        ]

    def __str__(self) -> str:
        return f"Personne n°{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def closed_files() -> models.QuerySet[Beneficiary, Any]:
    """The people whose file is in the intermediate archive or disposed of: only the auditor
    (the DPO) opens them. Read as a small set to exclude, never as a join on every person."""
    return Beneficiary.objects.filter(file_stage__in=CLOSED_FILE_STAGES).values("pk")


class DisposalApproval(models.Model):
    """The Archives départementales' visa for the final disposal of archived files."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    visa_reference = models.CharField("référence du visa d'élimination", max_length=100)
    approved_on = models.DateField("visa donné le")
    recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="enregistré par"
    )
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "visa d'élimination"
        verbose_name_plural = "visas d'élimination"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(visa_reference=""), name="disposal_approval_has_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"Visa d'élimination n°{self.pk}"
