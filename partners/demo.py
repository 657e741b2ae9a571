"""The demo department: a fictional département with a login per role. Idempotent."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import services
from partners.api import services as api_services
from partners.api.models import PartnerKey, PartnerSystem, Scope
from partners.enums import OrganisationKind, Role
from partners.models import Department, Organisation, Pair, Professional

DEMO_DEPARTMENT_CODE = "99"
DEMO_DEPARTMENT_NAME = "Val-de-Loue (département de démonstration)"
DEMO_EMAIL_DOMAIN = "demo.binome.test"

# (name, kind, parent name)
ORGANISATIONS = [
    ("Conseil départemental — Direction de l'insertion", OrganisationKind.DEPARTMENT, None),
    (
        "Maison départementale des solidarités de Lourdon",
        OrganisationKind.DEPARTMENT,
        "Conseil départemental — Direction de l'insertion",
    ),
    (
        "Maison départementale des solidarités de Sainte-Ode",
        OrganisationKind.DEPARTMENT,
        "Conseil départemental — Direction de l'insertion",
    ),
    ("France Travail — Agence de Lourdon", OrganisationKind.FRANCE_TRAVAIL, None),
    ("France Travail — Agence de Sainte-Ode", OrganisationKind.FRANCE_TRAVAIL, None),
    ("CCAS de Lourdon", OrganisationKind.CCAS, None),
]

FT_LOURDON = "France Travail — Agence de Lourdon"
FT_SAINTE_ODE = "France Travail — Agence de Sainte-Ode"
MDS_LOURDON = "Maison départementale des solidarités de Lourdon"
MDS_SAINTE_ODE = "Maison départementale des solidarités de Sainte-Ode"
CCAS = "CCAS de Lourdon"
DIRECTION = "Conseil départemental — Direction de l'insertion"


@dataclass(frozen=True)
class DemoProfessional:
    local_part: str
    first_name: str
    last_name: str
    organisation: str
    role: Role
    job_title: str
    is_social_correspondent: bool = False

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_EMAIL_DOMAIN}"


ADVISOR_TITLE = "Conseillère accompagnement global"
ADVISOR_TITLE_M = "Conseiller accompagnement global"
SOCIAL_TITLE = "Assistante de service social"
SOCIAL_TITLE_M = "Assistant de service social"

PROFESSIONALS = [
    # France Travail advisors (8)
    DemoProfessional("conseillere", "Camille", "Martin", FT_LOURDON, Role.ADVISOR, ADVISOR_TITLE),
    DemoProfessional("l.bernard", "Louis", "Bernard", FT_LOURDON, Role.ADVISOR, ADVISOR_TITLE_M),
    DemoProfessional("i.petit", "Inès", "Petit", FT_LOURDON, Role.ADVISOR, ADVISOR_TITLE),
    DemoProfessional("h.robert", "Hugo", "Robert", FT_LOURDON, Role.ADVISOR, ADVISOR_TITLE_M),
    DemoProfessional("j.richard", "Jade", "Richard", FT_SAINTE_ODE, Role.ADVISOR, ADVISOR_TITLE),
    DemoProfessional("n.durand", "Nathan", "Durand", FT_SAINTE_ODE, Role.ADVISOR, ADVISOR_TITLE_M),
    DemoProfessional("l.dubois", "Léa", "Dubois", FT_SAINTE_ODE, Role.ADVISOR, ADVISOR_TITLE),
    DemoProfessional("t.moreau", "Tom", "Moreau", FT_SAINTE_ODE, Role.ADVISOR, ADVISOR_TITLE_M),
    # Departmental social workers (8, of whom 2 social correspondents)
    DemoProfessional(
        "travailleuse.sociale", "Sophie", "Laurent", MDS_LOURDON, Role.SOCIAL_WORKER, SOCIAL_TITLE
    ),
    DemoProfessional(
        "correspondante.sociale",
        "Amina",
        "Simon",
        MDS_LOURDON,
        Role.SOCIAL_WORKER,
        SOCIAL_TITLE,
        is_social_correspondent=True,
    ),
    DemoProfessional(
        "m.michel", "Marc", "Michel", MDS_LOURDON, Role.SOCIAL_WORKER, "Éducateur spécialisé"
    ),
    DemoProfessional(
        "c.lefebvre", "Claire", "Lefebvre", MDS_SAINTE_ODE, Role.SOCIAL_WORKER, SOCIAL_TITLE
    ),
    DemoProfessional(
        "p.leroy",
        "Paul",
        "Leroy",
        MDS_SAINTE_ODE,
        Role.SOCIAL_WORKER,
        SOCIAL_TITLE_M,
        is_social_correspondent=True,
    ),
    DemoProfessional(
        "e.roux",
        "Emma",
        "Roux",
        MDS_SAINTE_ODE,
        Role.SOCIAL_WORKER,
        "Conseillère en économie sociale et familiale",
    ),
    DemoProfessional("y.david", "Yanis", "David", CCAS, Role.SOCIAL_WORKER, "Travailleur social"),
    DemoProfessional("r.bertrand", "Rose", "Bertrand", CCAS, Role.SOCIAL_WORKER, SOCIAL_TITLE),
    # Supervisors (2), functional administrator, auditor
    DemoProfessional(
        "encadrante", "Nadia", "Morel", FT_LOURDON, Role.SUPERVISOR, "Directrice d'agence"
    ),
    DemoProfessional(
        "encadrant.social",
        "Olivier",
        "Fournier",
        MDS_LOURDON,
        Role.SUPERVISOR,
        "Responsable d'unité d'action sociale",
    ),
    DemoProfessional(
        "admin", "Julie", "Girard", DIRECTION, Role.ADMIN, "Chargée d'administration fonctionnelle"
    ),
    DemoProfessional(
        "auditrice",
        "Anne",
        "Bonnet",
        DIRECTION,
        Role.AUDITOR,
        "Déléguée à la protection des données",
    ),
]

# (advisor local part, social worker local part)
PAIRS = [
    ("conseillere", "travailleuse.sociale"),
    ("conseillere", "m.michel"),
    ("l.bernard", "y.david"),
    ("j.richard", "c.lefebvre"),
    ("n.durand", "e.roux"),
    ("l.dubois", "r.bertrand"),
]
PAIRS_START = datetime.date(2026, 1, 5)

#: One login per role, printed by seed_demo.
LOGINS = [
    ("Conseiller·ère France Travail", "conseillere"),
    ("Travailleur·se social·e", "travailleuse.sociale"),
    ("Correspondant·e social·e", "correspondante.sociale"),
    ("Encadrant·e (agence France Travail)", "encadrante"),
    ("Encadrant·e (action sociale)", "encadrant.social"),
    ("Administrateur·rice fonctionnel·le", "admin"),
    ("Auditeur·rice / DPO", "auditrice"),
]


#: The demo's published TOTP key (hex) for the logins that need a second factor. Set only with
#: the demo password (DEBUG on): ``manage.py demo_totp`` prints its current code.
DEMO_TOTP_KEY = "62696e6f6d652d64656d6f2d746f74702d32303236"


def demo_totp_devices() -> list[TOTPDevice]:
    return list(
        TOTPDevice.objects.filter(
            user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}", key=DEMO_TOTP_KEY, confirmed=True
        )
        .select_related("user")
        .order_by("user__email")
    )


@transaction.atomic
def seed(*, password: str | None) -> list[tuple[str, str]]:
    """Create what is missing of the demo department; return (role, email) for each login."""
    department = Department.objects.filter(code=DEMO_DEPARTMENT_CODE).first()
    if department is None:
        department = services.department_create(
            code=DEMO_DEPARTMENT_CODE, name=DEMO_DEPARTMENT_NAME, acting_user=None
        )

    organisations = {o.name: o for o in Organisation.objects.filter(department=department)}
    for name, kind, parent in ORGANISATIONS:
        if name not in organisations:
            organisations[name] = services.organisation_create(
                department=department,
                kind=kind,
                name=name,
                parent=organisations[parent] if parent else None,
                acting_user=None,
            )

    emails = [p.email for p in PROFESSIONALS]
    professionals = {p.email: p for p in Professional.objects.filter(email__in=emails)}
    for demo in PROFESSIONALS:
        if demo.email not in professionals:
            professionals[demo.email] = services.professional_create_with_password(
                email=demo.email,
                first_name=demo.first_name,
                last_name=demo.last_name,
                organisation=organisations[demo.organisation],
                role=demo.role,
                job_title=demo.job_title,
                is_social_correspondent=demo.is_social_correspondent,
                password=password,
                acting_user=None,
            )

    def member(local_part: str) -> Professional:
        return professionals[f"{local_part}@{DEMO_EMAIL_DOMAIN}"]

    for advisor, social_worker in PAIRS:
        if not Pair.objects.filter(advisor=member(advisor), social_worker=member(social_worker)):
            services.pair_create(
                advisor=member(advisor),
                social_worker=member(social_worker),
                started_on=PAIRS_START,
                acting_user=None,
            )
    if password is not None:  # the demo on a laptop: admin and auditor get a known device
        for professional in professionals.values():
            if professional.role in settings.BINOME_OTP_REQUIRED_ROLES:
                TOTPDevice.objects.get_or_create(
                    user=professional,
                    defaults={
                        "name": "Démonstration",
                        "key": DEMO_TOTP_KEY,
                        "confirmed": True,
                        "tolerance": 2,
                    },
                )
    return [(role, member(local_part).email) for role, local_part in LOGINS]


DEMO_PARTNER_NAME = "rdv-insertion (démo)"
DEMO_PARTNER_ORGANISATION = "ANCT"
DEMO_PARTNER_SCOPES = [Scope.FOLLOWUP_READ, Scope.APPOINTMENTS_WRITE, Scope.ORIENTATION_WRITE]


@dataclass(frozen=True)
class DemoPartnerKey:
    """The demo partner's key: ``secret`` when issued by this run (shown once), else None and
    the ``prefix`` of the key in force (only its hash is kept)."""

    prefix: str
    secret: str | None


@transaction.atomic
def seed_partner(*, new_key: bool = False) -> DemoPartnerKey:
    """The demo department's partner system, and a key: issued when it has none in force (or
    with ``new_key``, which replaces the one in force)."""
    department = Department.objects.get(code=DEMO_DEPARTMENT_CODE)
    partner = PartnerSystem.objects.filter(department=department, name=DEMO_PARTNER_NAME).first()
    if partner is None:
        partner = api_services.partner_system_create(
            department=department,
            name=DEMO_PARTNER_NAME,
            organisation=DEMO_PARTNER_ORGANISATION,
            scopes=list(DEMO_PARTNER_SCOPES),
            acting_user=None,
        )
    in_force = (
        PartnerKey.objects.filter(
            partner=partner,
            revoked_at__isnull=True,
            replaced_by__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-pk")
        .first()
    )
    if in_force is not None and not new_key:
        return DemoPartnerKey(prefix=in_force.prefix, secret=None)
    if in_force is not None:
        issued = api_services.partner_key_rotate(key=in_force, acting_user=None)
    else:
        issued = api_services.partner_key_issue(partner=partner, acting_user=None)
    return DemoPartnerKey(prefix=issued.key.prefix, secret=issued.secret)
