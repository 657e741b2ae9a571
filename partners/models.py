import datetime
import uuid
from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# The partner API's tables too (partners/api/models.py).
from partners.api.models import PartnerKey as PartnerKey
from partners.api.models import PartnerSystem as PartnerSystem
from partners.audit import AuditedQuerySet
from partners.enums import OrganisationKind, OrientationAuthority, PairEndReason, Role

# The outbox's table lives in its own sub-package; imported here so that it is a partners model.
from partners.outbox.models import OutboxMessage as OutboxMessage

#: The routes to contest an orientation decision taken by France Travail (not an RSA decision).
DEFAULT_FRANCE_TRAVAIL_APPEAL = (
    "Recours gracieux : vous pouvez écrire à l'agence France Travail qui a pris la décision, dans "
    "un délai de deux mois à compter de la réception de ce courrier. Vous pouvez aussi saisir "
    "le ou la médiateur·rice régional·e de France Travail, par votre espace personnel sur "
    "francetravail.fr."
)
DEFAULT_LEGAL_BASIS = (
    "Mission d'intérêt public (RGPD, art. 6-1-e ; art. 9-2 pour les données de santé) : "
    "accompagnement des personnes en recherche d'emploi rencontrant des difficultés sociales "
    "(Code du travail L5411-5-1 ; CASF L262-27 et suivants ; protocole national de "
    "l'accompagnement global du 1er avril 2014). Secret professionnel partagé : CASF L262-44."
)


SMS_SENDER_INVALID = (
    "Le nom d'expéditeur des SMS compte de 3 à 11 lettres ou chiffres, sans espace ni accent, et "
    "commence par une lettre."
)
REMINDER_DAYS_INVALID = (
    "Indiquez jusqu'à trois nombres de jours entre 1 et 7, séparés par des virgules (par exemple "
    "« 2,1 »)."
)


class Department(models.Model):
    """A département and the settings that differ from one department to another."""

    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    rsa_orientation_authority = models.CharField(
        "autorité qui décide l'orientation des allocataires du RSA",
        max_length=20,
        choices=OrientationAuthority.choices,
        default=OrientationAuthority.PCD,
    )
    supervisor_validates_recommendations = models.BooleanField(
        "un·e encadrant·e valide les préconisations", default=False
    )
    retention_active_years = models.PositiveSmallIntegerField(
        "conservation en base active (années après le dernier contact)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    retention_archive_years = models.PositiveSmallIntegerField(
        "conservation en archive intermédiaire (années)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    notice_delay_days = models.PositiveSmallIntegerField(
        "délai entre l'avis d'archivage au référent et l'archivage (jours)",
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
    )
    interview_interval_days = models.PositiveSmallIntegerField(
        "rythme d'entretien attendu par défaut (jours)",
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(92)],
    )
    breach_observation_days = models.PositiveSmallIntegerField(
        "délai pour présenter des observations sur un signalement de manquement (jours)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=(
            "Compté à partir du jour où le ou la référent·e imprime et remet la lettre "
            "d'information à la personne : avant la fin du délai, le signalement n'est transmis "
            "que si ses observations sont enregistrées."
        ),
    )
    caseload_target = models.PositiveSmallIntegerField(
        "portefeuille cible par conseiller·ère (accompagnements en cours)",
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )
    journal_shows_names = models.BooleanField(
        "le journal remis à la personne nomme les professionnel·les",
        default=False,
        help_text="Sinon, il indique les organisations et les fonctions (décision du DPO).",
    )
    legal_basis_text = models.TextField(
        "base légale affichée dans le journal des accès et des partages",
        default=DEFAULT_LEGAL_BASIS,
    )
    appeal_address = models.TextField(
        "adresse du recours administratif préalable (RSA)",
        blank=True,
        help_text=(
            "Où la personne adresse le recours préalable obligatoire au ou à la président·e du "
            "conseil départemental (CASF, art. L262-47), imprimé sur les décisions d'orientation "
            "des allocataires du RSA. Vide : « Président·e du conseil départemental » et le nom "
            "du département."
        ),
    )
    appeal_court = models.CharField(
        "juridiction des recours contentieux",
        max_length=200,
        default="le tribunal administratif",
        help_text="Par exemple : « le tribunal administratif de Besançon, 30 rue Charles Nodier ».",
    )
    appeal_france_travail = models.TextField(
        "recours contre une décision de France Travail",
        default=DEFAULT_FRANCE_TRAVAIL_APPEAL,
        help_text="Imprimé sur les décisions d'orientation prises par France Travail.",
    )
    orientation_criteria_source = models.TextField(
        "source des critères d'orientation",
        blank=True,
        help_text=(
            "Texte de référence des critères nationaux d'orientation tels que le département les "
            "applique (délibération, date), imprimé sous l'aide à la décision de la préconisation."
            " Vide : une mention générale des critères nationaux de 2024."
        ),
    )
    second_admin_days = models.PositiveSmallIntegerField(
        "délai de la règle des deux administrateur·rices (jours)",
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=(
            "Pendant ce délai, un binôme qui comprend un compte qu'un·e administrateur·rice a "
            "invité (création, nouveau lien d'activation, nouvelle adresse) est formé par un·e "
            "autre administrateur·rice : seul·e, personne ne s'ouvre l'accès aux accompagnements."
        ),
    )

    # Messages to the person (casework.messages): who signs them, when SMS stay quiet, reminders.
    sms_sender = models.CharField(
        "nom d'expéditeur des SMS",
        max_length=11,
        default="Binome",
        validators=[RegexValidator(r"^[A-Za-z][A-Za-z0-9]{2,10}$", SMS_SENDER_INVALID)],
        help_text=(
            "De 3 à 11 lettres ou chiffres, sans espace ni accent, commençant par une lettre."
        ),
    )
    sms_quiet_from = models.TimeField(
        "pas de SMS à partir de",
        default=datetime.time(20, 0),
        help_text="Un SMS prévu pendant les heures calmes part à leur fin.",
    )
    sms_quiet_until = models.TimeField("pas de SMS avant", default=datetime.time(8, 0))
    reminder_days = models.CharField(
        "rappels des rendez-vous (jours avant)",
        max_length=20,
        default="2,1",
        validators=[RegexValidator(r"^[1-7](,[1-7]){0,2}$", REMINDER_DAYS_INVALID)],
        help_text="Par exemple « 2,1 » : deux jours avant et la veille ; vide : aucun rappel.",
        blank=True,
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "département"
        base_manager_name = "objects"
        verbose_name_plural = "départements"
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(retention_active_years__gte=1), name="department_retention_active_min"
            ),
            models.CheckConstraint(
                condition=Q(interview_interval_days__gte=7), name="department_interval_min"
            ),
            models.CheckConstraint(
                condition=Q(breach_observation_days__gte=1),
                name="department_breach_observation_days_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def reminder_offsets(self) -> list[int]:
        """The days before an appointment its reminders leave, largest first (« 2,1 »: [2, 1])."""
        return sorted({int(day) for day in self.reminder_days.split(",") if day}, reverse=True)


class OrganisationQuerySet(AuditedQuerySet["Organisation"]):
    def subtree_of(self, organisation: "Organisation") -> "OrganisationQuerySet":
        """The organisation and every organisation below it (one indexed prefix query)."""
        return self.filter(path__startswith=organisation.path)


def new_path_segment() -> str:
    return uuid.uuid4().hex[:12] + "/"


class Organisation(models.Model):
    """A France Travail agency, a departmental social-action unit, a CCAS…"""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name="département",
    )
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    name = models.CharField("nom", max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="organisation parente",
    )
    # Materialised path ("a1b2…/c3d4…/"): the subtree is a prefix query.
    path = models.CharField("chemin", max_length=255, unique=True, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        base_manager_name = "objects"
        verbose_name_plural = "organisations"
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["department", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


# The manager's queryset is an AuditedQuerySet; from_queryset builds its base at run time, which
# mypy cannot follow: it sees Django's user manager of professionals.
if TYPE_CHECKING:
    _ProfessionalManagerBase = BaseUserManager["Professional"]
else:
    _ProfessionalManagerBase = BaseUserManager.from_queryset(AuditedQuerySet)


class ProfessionalManager(_ProfessionalManagerBase):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **fields: object
    ) -> "Professional":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user: Professional = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **fields: object
    ) -> "Professional":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **fields)


class Professional(AbstractBaseUser, PermissionsMixin):
    """A person who uses Binôme at work. Deactivated, never deleted."""

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="professionals",
        verbose_name="organisation",
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    is_social_correspondent = models.BooleanField("correspondant·e social·e", default=False)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    is_active = models.BooleanField("actif·ve", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("date d'arrivée", default=timezone.now)
    #: Every session opened before this time is over (« se déconnecter partout »).
    sessions_revoked_at = models.DateTimeField(
        "sessions fermées le", null=True, blank=True, editable=False
    )
    #: Who chose the address the last activation link went to (creation, a new address), or sent
    #: that link (« nouveau lien d'activation ») when that choice is older than the delay of the
    #: two-administrators rule; and when the last link was sent.
    invited_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="invité·e par",
    )
    invited_at = models.DateTimeField("invité·e le", null=True, blank=True, editable=False)
    #: When an administrator last removed the account's second-factor devices (a lost phone).
    second_factor_reset_at = models.DateTimeField(
        "double authentification réinitialisée le", null=True, blank=True, editable=False
    )
    #: The second-factor enrolment code an administrator handed over out of band
    #: (partners.enrolment): its keyed hash only, cleared once used, and its expiry.
    enrolment_code_hash = models.CharField(
        "empreinte du code d'enrôlement", max_length=64, blank=True, editable=False
    )
    enrolment_code_expires_at = models.DateTimeField(
        "code d'enrôlement valable jusqu'au", null=True, blank=True, editable=False
    )

    objects = ProfessionalManager()

    #: The plain enrolment code the service of this request just issued, for the message shown
    #: once to the administrator; never stored (only its hash is).
    issued_enrolment_code: str | None = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar = ["first_name", "last_name"]

    class Meta:
        verbose_name = "professionnel·le"
        base_manager_name = "objects"
        verbose_name_plural = "professionnel·les"
        ordering: ClassVar = ["last_name", "first_name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(is_social_correspondent=False) | Q(role=Role.SOCIAL_WORKER),
                name="professional_correspondent_is_social_worker",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(is_superuser=True),
                name="professional_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name


class PairQuerySet(AuditedQuerySet["Pair"]):
    def active(self) -> "PairQuerySet":
        return self.filter(ended_on__isnull=True)

    def of(self, professional: Professional) -> "PairQuerySet":
        return self.filter(Q(advisor=professional) | Q(social_worker=professional))

    def with_members(self) -> "PairQuerySet":
        return self.select_related(
            "department",
            "advisor__organisation",
            "social_worker__organisation",
        )


class Pair(models.Model):
    """A binôme: one France Travail advisor and one social worker of the same department; or,
    with no advisor, a « suivi social seul »: the department's social follow-up by a social worker
    alone (axis 3 of the protocol), at most one active per social worker."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="pairs", verbose_name="département"
    )
    advisor = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairs_as_advisor",
        verbose_name="conseiller·ère France Travail",
        help_text=(
            "Vide pour un suivi social seul (axe 3) : le ou la travailleur·se social·e seul·e."
        ),
    )
    social_worker = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="pairs_as_social_worker",
        verbose_name="travailleur·se social·e",
    )
    started_on = models.DateField("début")
    ended_on = models.DateField("fin", null=True, blank=True)
    end_reason = models.CharField(
        "motif de fin", max_length=20, choices=PairEndReason.choices, blank=True
    )

    objects = PairQuerySet.as_manager()

    class Meta:
        verbose_name = "binôme"
        base_manager_name = "objects"
        verbose_name_plural = "binômes"
        ordering: ClassVar = ["-started_on", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(advisor__isnull=True) | ~Q(advisor=F("social_worker")),
                name="pair_members_differ",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pair_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="pair_end_has_reason",
            ),
            models.UniqueConstraint(
                fields=["advisor", "social_worker"],
                condition=Q(ended_on__isnull=True),
                name="pair_unique_active",
                violation_error_message="Ce binôme existe déjà et est en cours.",
            ),
            models.UniqueConstraint(
                fields=["social_worker"],
                condition=Q(ended_on__isnull=True, advisor__isnull=True),
                name="pair_unique_active_social_only",
                violation_error_message="Ce suivi social seul existe déjà et est en cours.",
            ),
        ]

    def __str__(self) -> str:
        if self.advisor_id is None:
            return f"Suivi social seul n°{self.pk}"
        return f"Binôme n°{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    @property
    def is_social_only(self) -> bool:
        """A « suivi social seul » (axis 3): a social worker alone, no advisor."""
        return self.advisor_id is None

    @property
    def members(self) -> tuple[Professional, ...]:
        """The professionals of the pair: the advisor (if any), then the social worker."""
        if self.advisor is None:
            return (self.social_worker,)
        return (self.advisor, self.social_worker)

    @property
    def members_names(self) -> str:
        """« <advisor> et <social worker> », or « <social worker> (suivi social seul) »."""
        if self.advisor is None:
            return f"{self.social_worker.full_name} (suivi social seul)"
        return f"{self.advisor.full_name} et {self.social_worker.full_name}"

    @property
    def lead(self) -> Professional:
        """Who is référent·e by default: the advisor, or the social worker alone."""
        return self.advisor if self.advisor is not None else self.social_worker

    def co_member(self, professional: Professional) -> Professional | None:
        """The co-accompagnant·e of ``professional`` in this pair (None in a suivi social seul)."""
        if self.advisor is None:
            return None
        return self.social_worker if professional.pk == self.advisor_id else self.advisor
