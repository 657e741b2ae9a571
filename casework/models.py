import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.enums import (
    CLOSED_FILE_STAGES,
    OPEN_STATES,
    AgreementMethod,
    AppointmentOutcome,
    CaseState,
    DiagnosticState,
    EducationLevel,
    ExitReason,
    FileStage,
    InterviewChannel,
    JournalBasis,
    JournalChannel,
    ObstacleCategory,
    OrientationPath,
    PairContactChannel,
    PayingBody,
    PersonAgreementMethod,
    PersonRequestKind,
    PersonRequestState,
    RsaRole,
    RsaStatus,
    ShareCategory,
    SocialRequestState,
    SuspensionReason,
)
from partners.audit import AuditedQuerySet, BulkWriteRefused
from partners.enums import PAIR_ROLES, Role
from partners.models import Department, Organisation, Pair, Professional

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


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


#: States in which the référent is expected to see the person (suspension pauses the rhythm).
FOLLOWED_STATES = (CaseState.PROPOSED, CaseState.DIAGNOSTIC, CaseState.ACTIVE)


def overdue_threshold(department: Department, today: datetime.date | None = None) -> datetime.date:
    """A case is « sans entretien » when its référent has not seen the person since this date."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=department.interview_interval_days)


class CaseQuerySet(AuditedQuerySet):
    def open(self) -> "CaseQuerySet":
        return self.exclude(state__in=[CaseState.CLOSED, CaseState.REFUSED])

    def with_overdue(self, threshold: datetime.date) -> "CaseQuerySet":
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

    def overdue(self, threshold: datetime.date) -> "CaseQuerySet":
        return self.with_overdue(threshold).filter(overdue=True)

    def visible_to(self, user: "Professional | AnonymousUser") -> "CaseQuerySet":
        """The cases ``user`` may open at all, in SQL. What they see inside is decided later."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        user = cast(Professional, user)  # AUTH_USER_MODEL
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
            subtree = Organisation.objects.subtree_of(user.organisation).values("pk")
            pairs = Pair.objects.filter(
                Q(advisor__organisation__in=subtree) | Q(social_worker__organisation__in=subtree)
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

    @property
    def co_accompagnant(self) -> Professional:
        """The member of the binôme who is not the référent unique."""
        return self.pair.co_member(self.referent)


class DelegationQuerySet(AuditedQuerySet):
    def live(self, today: datetime.date | None = None) -> "DelegationQuerySet":
        """Delegations in force on ``today``: started, not past their end date, not revoked."""
        today = today or timezone.localdate()
        return self.filter(starts_on__lte=today, ends_on__gte=today, revoked_at__isnull=True)

    def pending(self) -> "DelegationQuerySet":
        """Delegations whose grants still exist: not revoked, not yet expired by the nightly
        task."""
        return self.filter(revoked_at__isnull=True, expired_at__isnull=True)


class Delegation(models.Model):
    """A « remplacement »: during an absence, ``delegate`` has the rights of ``replaced`` on the
    chosen accompagnements, from ``starts_on`` to ``ends_on`` (both included).

    The grants are rows of CaseUserObjectPermission that point here; a request ignores them outside
    the dates (``live_grant``), and the nightly task deletes them after the end date.
    """

    replaced = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name="professionnel·le remplacé·e",
    )
    delegate = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name="remplaçant·e",
    )
    cases = models.ManyToManyField(Case, related_name="+", verbose_name="accompagnements confiés")
    all_cases = models.BooleanField(
        "tous les accompagnements en cours de la personne remplacée", default=False
    )
    starts_on = models.DateField("du")
    ends_on = models.DateField("au (inclus)")
    reason = models.CharField("motif", max_length=255)
    created_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="organisé par"
    )
    created_at = models.DateTimeField("organisé le", default=timezone.now)
    revoked_at = models.DateTimeField("arrêté le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="arrêté par",
    )
    expired_at = models.DateTimeField("droits retirés le", null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = "remplacement"
        verbose_name_plural = "remplacements"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(replaced=models.F("delegate")), name="delegation_not_to_oneself"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["ends_on", "expired_at"])]

    def __str__(self) -> str:
        return f"Remplacement n°{self.pk}"

    def is_live(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.starts_on <= today <= self.ends_on


def live_grant(today: datetime.date | None = None) -> Q:
    """The grants in force on ``today``, for a filter on CaseUserObjectPermission: the pair's own
    (no delegation), and those of delegations within their dates and not revoked. A delegation
    past its end date is ignored here even before the nightly task deletes its rows."""
    today = today or timezone.localdate()
    return Q(delegation__isnull=True) | Q(
        delegation__starts_on__lte=today,
        delegation__ends_on__gte=today,
        delegation__revoked_at__isnull=True,
    )


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    #: Set on a grant given by a remplacement; empty on the pair's own grants.
    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


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


#: An accord de partage expires « bientôt » within these days: the social worker's reminder and
#: the supervisors' figure count the same agreements (``SharingAgreement.objects.expiring``).
AGREEMENT_WARNING_DAYS = 30


class SharingAgreementQuerySet(AuditedQuerySet):
    def current(self) -> "SharingAgreementQuerySet":
        """Neither withdrawn nor replaced (at most one per case), expired or not."""
        return self.filter(withdrawn_at__isnull=True, replaced_at__isnull=True)

    def in_force(self, today: datetime.date | None = None) -> "SharingAgreementQuerySet":
        """Current and not expired: what may cross from the social side today."""
        return self.current().filter(expires_on__gte=today or timezone.localdate())

    def expiring(self, today: datetime.date | None = None) -> "SharingAgreementQuerySet":
        """In force, ending within ``AGREEMENT_WARNING_DAYS``, on an open case — « proposé »
        included: the agreement already decides what crosses before the person's first
        interview, so its renewal is due just the same."""
        today = today or timezone.localdate()
        return self.in_force(today).filter(
            expires_on__lte=today + datetime.timedelta(days=AGREEMENT_WARNING_DAYS),
            case__state__in=OPEN_STATES,
        )


class SharingAgreement(models.Model):
    """The person's « accord de partage »: what crosses from the social side, to which binôme.

    Evaluated on every request (``casework.sharing.sharing_covers``), never turned into a grant.
    A newer agreement replaces the current one; a withdrawal stops future sharing and erases
    nothing. Every row is kept.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sharing_agreements")
    pair = models.ForeignKey(
        Pair, on_delete=models.PROTECT, related_name="+", verbose_name="binôme destinataire"
    )
    categories = models.JSONField("catégories partagées", default=list)
    how_obtained = models.CharField("recueilli par", max_length=20, choices=AgreementMethod.choices)
    recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="enregistré par"
    )
    given_at = models.DateTimeField("donné le")
    expires_on = models.DateField("valable jusqu'au")
    withdrawn_at = models.DateTimeField("retiré le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="retrait enregistré par",
    )
    replaced_at = models.DateTimeField("remplacé le", null=True, blank=True)

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "accord de partage"
        verbose_name_plural = "accords de partage"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="sharing_one_current_agreement",
            ),
        ]
        indexes: ClassVar = [
            # the current agreements by expiry date (the supervisors' « expirent dans 30 jours »)
            models.Index(
                fields=["expires_on"],
                include=["case"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="sharing_current_by_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Accord de partage n°{self.pk}"


class AppendOnlyQuerySet(models.QuerySet):
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

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
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
    )
    actor_organisation = models.CharField("organisation", max_length=200, blank=True)
    actor_job_title = models.CharField("fonction", max_length=150, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="accompagnement"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, related_name="+"
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
        ]

    def __str__(self) -> str:
        return f"Partage n°{self.seq}"

    @property
    def category_labels(self) -> str:
        """The categories in French (« Synthèse sociale, Difficultés : logement »)."""
        return ", ".join(
            ShareCategory(code).label if code in ShareCategory.values else code
            for code in self.category.split(",")
            if code
        )


class Appointment(models.Model):
    """A « rendez-vous » (a convocation to print); its outcome is a fact, recorded afterwards.

    Nothing is sent anywhere because of an absence: only a deliberate BreachReport by the
    référent leaves the case.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appointments")
    planned_at = models.DateTimeField("date et heure")
    place = models.CharField("lieu", max_length=255)
    with_whom = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="avec"
    )
    convened_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        "issue", max_length=10, choices=AppointmentOutcome.choices, blank=True
    )
    person_explanation = models.TextField("explication de la personne", blank=True)
    outcome_recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        base_manager_name = "objects"
        indexes: ClassVar = [models.Index(fields=["case", "planned_at"])]

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


class PersonRequestQuerySet(AuditedQuerySet):
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
    recorded_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="enregistrée par"
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
                condition=~Q(state=PersonRequestState.ANSWERED) | ~Q(answer=""),
                name="person_request_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande n°{self.pk}"


class SocialRequestQuerySet(AuditedQuerySet):
    def visible_to(self, user: "Professional | AnonymousUser") -> "SocialRequestQuerySet":
        """The requester, and the social correspondents whose organisation lies in the
        request's territory (the territory organisation or below it). Nobody else: not the
        supervisors, not the admin. In SQL, without loading the user's organisation."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        user = cast(Professional, user)
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


class ResourceQuerySet(AuditedQuerySet):
    def of_department(self, department_id: int) -> "ResourceQuerySet":
        return self.filter(department_id=department_id)

    def search(self, *, category: str = "", text: str = "") -> "ResourceQuerySet":
        """By obstacle category (a token of ``categories``) and by words of the name, provider,
        description, conditions or place (every word must appear somewhere)."""
        found = self
        if category:
            found = found.filter(categories__contains=f" {category} ")
        for word in text.split()[:8]:
            found = found.filter(
                Q(name__icontains=word)
                | Q(provider__icontains=word)
                | Q(description__icontains=word)
                | Q(conditions__icontains=word)
                | Q(city__icontains=word)
            )
        return found


class Resource(models.Model):
    """A local social resource of the territory's offer (« offre d'insertion du territoire »):
    a CCAS service, housing or debt advice, childcare places, a mobility aid, French courses…

    Exchanged in the national inclusion-offer schema (data·inclusion, ``services`` with their
    ``structures``): ``external_id`` is the schema's service id, ``provider_id`` its structure
    id, ``thematiques`` its themes; ``categories`` are our obstacle categories, derived from the
    themes (see ``casework.directory``). No data about a person here.
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    source = models.CharField("source", max_length=100)
    external_id = models.CharField("identifiant (schéma national)", max_length=200)
    name = models.CharField("nom", max_length=150)
    provider = models.CharField("porteur", max_length=200)
    provider_id = models.CharField("identifiant du porteur (schéma national)", max_length=200)
    #: Obstacle categories, space-separated and space-enclosed (" housing mobility "), so that a
    #: category is one ``contains`` lookup on every database.
    categories = models.CharField("difficultés auxquelles elle répond", max_length=200, blank=True)
    thematiques = models.JSONField("thématiques (schéma national)", default=list)
    description = models.TextField("description")
    conditions = models.TextField("conditions d'accès", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    area = models.JSONField("zone (codes géographiques)", default=list, blank=True)
    link = models.URLField("lien", max_length=500, blank=True)
    updated_on = models.DateField("mise à jour le")

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = "ressource du territoire"
        verbose_name_plural = "offre d'insertion du territoire"
        base_manager_name = "objects"
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["department", "external_id"], name="resource_unique_external_id"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["department", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()

    @property
    def category_labels(self) -> list[str]:
        return [ObstacleCategory(value).label for value in self.categories.split()]


class Programme(models.Model):
    """A collective action (« action collective »): a remobilisation club, workshops… with a
    capacity, a target group and sessions; people are enrolled from their case page."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    name = models.CharField("nom", max_length=150)
    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="organisé par"
    )
    target_group = models.CharField("public visé", max_length=255)
    description = models.TextField("description", blank=True)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    capacity = models.PositiveSmallIntegerField("places")
    created_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "action collective"
        verbose_name_plural = "actions collectives"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="programme_has_places"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeSession(models.Model):
    """One session of a collective action (« séance »), with its attendance sheet."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="sessions", verbose_name="action"
    )
    starts_at = models.DateTimeField("date et heure")
    topic = models.CharField("thème", max_length=150)
    place = models.CharField("lieu", max_length=255, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "séance d'action collective"
        verbose_name_plural = "séances d'actions collectives"
        base_manager_name = "objects"
        ordering: ClassVar = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"Séance n°{self.pk}"


class Enrolment(models.Model):
    """A person enrolled in a collective action, with their agreement, from their case."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="enrolments", verbose_name="action"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="enrolments", verbose_name="accompagnement"
    )
    person_agreed_at = models.DateTimeField("accord de la personne donné le")
    agreement_method = models.CharField(
        "accord recueilli par", max_length=12, choices=PersonAgreementMethod.choices
    )
    enrolled_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="inscrit·e par"
    )
    enrolled_at = models.DateTimeField("inscrit·e le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription à une action collective"
        verbose_name_plural = "inscriptions à des actions collectives"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["programme", "case"],
                name="enrolment_once_per_case",
                violation_error_message="La personne est déjà inscrite à cette action.",
            ),
        ]

    def __str__(self) -> str:
        return f"Inscription n°{self.pk}"


class Attendance(models.Model):
    """One line of a session's attendance sheet (« émargement »): present or absent."""

    session = models.ForeignKey(
        ProgrammeSession, on_delete=models.PROTECT, related_name="attendances"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField("présent·e")
    recorded_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "émargement"
        verbose_name_plural = "émargements"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"Émargement n°{self.pk}"
