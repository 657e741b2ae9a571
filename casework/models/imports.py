"""The record of the CAF/MSA flows imported (casework/imports/): one row per file applied, and one
per file refused (its errors, nothing of its content applied).

A file is known by its SHA-256, so the same file applied twice is recognised and changes nothing
the second time. The row keeps counts and, for the people matched only by their names and birth
date, the lines a professional has to confirm: a person's number in Binôme and the RSA details
the design lists, never a name, a NIR, an amount or anything else of the flow.
"""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import FlowImportState, FlowKind, PayingBody
from partners.audit import AuditedQuerySet
from partners.models import Department, Professional


class FlowImport(models.Model):
    """One CAF or MSA « flux bénéficiaires » file applied to a department."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    # Blank (and no date) for a file refused before its header could be read.
    paying_body = models.CharField(
        "organisme payeur", max_length=5, choices=PayingBody.choices, blank=True
    )
    kind = models.CharField("nature du flux", max_length=10, choices=FlowKind.choices, blank=True)
    file_name = models.CharField("nom du fichier", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    created_on = models.DateField("flux créé le (DTCREAFLUX)", null=True, blank=True)
    households = models.PositiveIntegerField("foyers lus", default=0)
    matched = models.PositiveIntegerField("personnes reconnues", default=0)
    updated = models.PositiveIntegerField("personnes mises à jour", default=0)
    unchanged = models.PositiveIntegerField("personnes inchangées", default=0)
    to_confirm = models.PositiveIntegerField("rapprochements à confirmer", default=0)
    unknown = models.PositiveIntegerField("personnes inconnues (non créées)", default=0)
    to_review = models.PositiveIntegerField("accompagnements mis « à examiner »", default=0)
    #: The decisions on the lines to confirm since the import (their audit rows name who decided).
    confirmed = models.PositiveIntegerField("rapprochements confirmés", default=0)
    set_aside = models.PositiveIntegerField("rapprochements écartés", default=0)
    #: [{"beneficiary": id, "paying_body", "number", "role", "rights_and_duties", "status",
    #:   "status_reason", "status_on", "homeless", "confirmed_by": id|None}]
    pending = models.JSONField("rapprochements à confirmer (détail)", default=list, blank=True)
    #: A refused file: why, by place in the file ([{"line", "path", "element", "household",
    #: "message"}], the first ``reader.MAX_ERRORS``), and how many errors in all.
    errors = models.JSONField("erreurs du fichier refusé", default=list, blank=True)
    error_count = models.PositiveIntegerField("erreurs", default=0)
    state = models.CharField(
        "état", max_length=10, choices=FlowImportState.choices, default=FlowImportState.APPLIED
    )
    imported_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    imported_at = models.DateTimeField("importé le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "import de flux CAF/MSA"
        verbose_name_plural = "imports de flux CAF/MSA"
        base_manager_name = "objects"
        constraints: ClassVar = [
            # A file is applied once; a refused file may be tried (and refused) again.
            models.UniqueConstraint(
                fields=["department", "sha256"],
                condition=Q(state="applied"),
                name="flow_import_unique_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Import de flux n°{self.pk}"
