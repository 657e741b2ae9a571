import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.enums import (
    AgreementMethod,
    AppointmentOutcome,
    CaseState,
    DiagnosticState,
    EducationLevel,
    ExitReason,
    InterviewChannel,
    JournalBasis,
    JournalChannel,
    OrientationPath,
    PairContactChannel,
    PayingBody,
    RsaRole,
    RsaStatus,
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

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "personne accompagnée"
        base_manager_name = "objects"
        verbose_name_plural = "personnes accompagnées"
        indexes: ClassVar = [
            models.Index(fields=["department", "last_name", "first_name", "birth_date"]),
        ]

    def __str__(self) -> str:
        return f"Personne n°{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


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
        if user.role in PAIR_ROLES:
            granted = (
                CaseUserObjectPermission.objects.filter(user=user, permission__codename="view_case")
                .filter(live_grant())
                .values("content_object_id")
            )
            return self.filter(pk__in=granted)
        if user.organisation is None:
            return self.none()
        if user.role == Role.SUPERVISOR:
            subtree = Organisation.objects.subtree_of(user.organisation).values("pk")
            return self.filter(
                Q(pair__advisor__organisation__in=subtree)
                | Q(pair__social_worker__organisation__in=subtree)
            )
        if user.role in (Role.ADMIN, Role.AUDITOR):
            return self.filter(pair__department_id=user.organisation.department_id)
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
            models.Index(fields=["pair", "state"]),
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

    objects = AuditedQuerySet.as_manager()

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
