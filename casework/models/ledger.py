"""The « journal des accès et des partages »: append-only rows, hash-chained per department."""

from typing import Any, ClassVar

from django.db import models

from casework.enums import JournalBasis, JournalChannel, journal_category_labels
from casework.models.agreements import SharingAgreement
from casework.models.cases import Case
from casework.models.people import Beneficiary
from partners.audit import BulkWriteRefused
from partners.models import Department, Professional


class AppendOnlyQuerySet(models.QuerySet["InformationShare"]):
    """The journal is written once and never changed: no update, delete or bulk path at all."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise BulkWriteRefused("Le journal des accès et des partages ne se modifie pas.")

    update = delete = bulk_create = bulk_update = _refuse


GENESIS_HASH = "0" * 64


class LedgerHead(models.Model):
    """The end of a department's hash chain; locked FOR UPDATE by each journal write."""

    department = models.OneToOneField(
        Department, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "tête de chaîne du journal"
        verbose_name_plural = "têtes de chaîne du journal"

    def __str__(self) -> str:
        return f"Chaîne du département n°{self.pk}"


class InformationShare(models.Model):
    """One row of the « journal des accès et des partages » (append-only, hash-chained)."""

    # The four foreign keys read with « at » have no index of their own: Meta's (x, at) indexes
    # lead with them and serve their lookups (and PROTECT's checks). Each index is one more on
    # every monthly partition, to maintain on each write and to weigh in each plan.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="département",
        db_index=False,
    )
    seq = models.PositiveBigIntegerField("numéro")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    at = models.DateTimeField("date")
    actor = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="professionnel·le",
        db_index=False,
    )
    actor_organisation = models.CharField("organisation", max_length=200, blank=True)
    actor_job_title = models.CharField("fonction", max_length=150, blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="accompagnement",
        db_index=False,
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    object_type = models.CharField("objet", max_length=50, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    category = models.CharField("catégorie", max_length=255, blank=True)
    recipient = models.CharField("destinataire", max_length=255, blank=True)
    basis = models.CharField("fondement", max_length=12, choices=JournalBasis.choices)
    basis_agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.PROTECT, null=True, related_name="+"
    )
    purpose = models.CharField("finalité", max_length=255)
    channel = models.CharField("nature", max_length=20, choices=JournalChannel.choices)
    ip = models.GenericIPAddressField(null=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "partage d'information"
        verbose_name_plural = "journal des accès et des partages"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["department", "seq"], name="journal_unique_seq"),
            models.UniqueConstraint(
                fields=["department", "prev_hash"], name="journal_unique_prev_hash"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["case", "at"]),
            models.Index(fields=["beneficiary", "at"]),
            models.Index(fields=["department", "at"]),
            models.Index(fields=["actor", "at"]),
            # The auditor's « Changements de droits »: a few rows among millions of readings.
            models.Index(
                fields=["department", "at"],
                condition=models.Q(channel__in=["grant", "revoke"]),
                name="journal_rights_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"Partage n°{self.seq}"

    @property
    def category_labels(self) -> str:
        """The categories in French, as anyone but the case's social workers may read them.

        A row that records what crossed under an accord de partage names its categories (what
        was shared, with whom, is the journal's purpose, and the accord covered them); any other
        row names the social side's content only « Éléments du côté social »: the category of a
        difficulty the accord does not cover, or that the person disputes, is secret too.
        """
        return journal_category_labels(
            self.category, name_secret=self.basis_agreement_id is not None
        )

    @property
    def category_labels_for_social_side(self) -> str:
        """Every category named (« Synthèse sociale, Difficultés : santé »): for the social
        workers of the case only (``casework.access.names_secret_categories``)."""
        return journal_category_labels(self.category, name_secret=True)


class DetachedJournalMonth(models.Model):
    """A month of the journal detached for retention (PostgreSQL, ``partitions``): where the
    department's chain stood at the month's end, so that ``journal.verify`` starts after it.
    Part of the journal's machinery like ``LedgerHead``, not in auditlog's registry: only the
    owner's ``journal_detach_month`` writes it (the application's role may only read it)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    month = models.DateField("mois")
    rows = models.PositiveIntegerField("lignes")
    last_seq = models.PositiveBigIntegerField("dernier numéro")
    last_hash = models.CharField("dernière empreinte", max_length=64)
    table = models.CharField("table détachée", max_length=63)
    detached_at = models.DateTimeField("détaché le")

    class Meta:
        verbose_name = "mois détaché du journal"
        verbose_name_plural = "mois détachés du journal"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["department", "month"], name="journal_detached_once")
        ]

    def __str__(self) -> str:
        return f"Journal de {self.month:%m/%Y}, jusqu'à la ligne n°{self.last_seq}"
