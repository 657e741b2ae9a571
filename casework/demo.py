"""The demo department's people and their histories (~300, across the six binômes). Idempotent.

Dates are relative to today, so that the portefeuille always shows people seen recently, people
without interview for more than 30 days, suspended and closed accompaniments.
"""

import datetime
import random

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from casework import retention, rights, services
from casework.enums import (
    AgreementMethod,
    CaseState,
    EducationLevel,
    ExitReason,
    FileStage,
    InterviewChannel,
    ObstacleCategory,
    PayingBody,
    PersonAgreementMethod,
    PersonRequestKind,
    RsaRole,
    ShareCategory,
    SuspensionReason,
)
from casework.models import Beneficiary, Case, SpaceAccess
from casework.space import services as space_services
from partners.demo import (
    DEMO_DEPARTMENT_CODE,
    DEMO_EMAIL_DOMAIN,
    FT_LOURDON,
    FT_SAINTE_ODE,
    MDS_LOURDON,
)
from partners.models import Department, Organisation, Pair, Professional

PEOPLE = 300
OBSTACLE_SHARES = [c for c in ShareCategory.values if c.startswith("obstacles:")]
FIRST_NAMES = [
    "Aïcha", "Alain", "Amandine", "Bilal", "Brigitte", "Cédric", "Chantal", "Djamel", "Élodie",
    "Fatou", "Florian", "Gaëlle", "Hakim", "Isabelle", "Jérôme", "Karima", "Laetitia", "Ludovic",
    "Malika", "Mathieu", "Nathalie", "Nicolas", "Océane", "Pascal", "Rachid", "Sabrina",
    "Samuel", "Sandrine", "Sylvie", "Thierry", "Valérie", "Yannick", "Yasmina", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Arnaud", "Barbier", "Benoît", "Boyer", "Brun", "Carpentier", "Chevalier", "Colin", "Da Silva",
    "Diallo", "Dumont", "Fabre", "Fontaine", "Garnier", "Gauthier", "Girard", "Guerin", "Haddad",
    "Henry", "Joly", "Lacroix", "Lambert", "Lemaire", "Lopez", "Marchand", "Mercier", "Meyer",
    "Nicolas", "Perrin", "Rey", "Roussel", "Sanchez", "Traoré", "Vidal",
]  # fmt: skip
SUMMARIES = [
    "Point sur les candidatures envoyées ; deux réponses attendues.",
    "Préparation d'un entretien d'embauche dans la logistique.",
    "Recherche d'une formation de remise à niveau ; orientation vers l'organisme local.",
    "Démarches pour le permis de conduire, financement à l'étude.",
    "Bilan des démarches du mois, projet professionnel précisé.",
    "Mise à jour du CV et inscription sur les offres du secteur de l'aide à domicile.",
]


#: The k-th person of each binôme follows PLAN[k % len(PLAN)]: (state, not seen for 30+ days).
PLAN = [
    (CaseState.ACTIVE, False),
    (CaseState.ACTIVE, True),
    (CaseState.PROPOSED, False),
    (CaseState.ACTIVE, False),
    (CaseState.DIAGNOSTIC, False),
    (CaseState.ACTIVE, False),
    (CaseState.SUSPENDED, False),
    (CaseState.ACTIVE, True),
    (CaseState.CLOSED, False),
    (CaseState.ACTIVE, False),
    (CaseState.ACTIVE, False),
    (CaseState.REFUSED, False),
]


@transaction.atomic
def seed_more(*, people: int = PEOPLE) -> int:
    """Create the demo people if the demo department has none; return how many were created."""
    department = Department.objects.get(code=DEMO_DEPARTMENT_CODE)
    if Beneficiary.objects.filter(department=department).exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 — demo data, not security
    today = timezone.localdate()
    pairs = list(Pair.objects.active().filter(department=department).with_members().order_by("pk"))
    for index in range(people):
        pair = pairs[index % len(pairs)]
        beneficiary = services.beneficiary_create(
            department=department,
            acting_user=None,
            first_name=rng.choice(FIRST_NAMES),
            last_name=LAST_NAMES[index % len(LAST_NAMES)],
            birth_date=datetime.date(
                rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28)
            ),
            france_travail_id=f"{9000000 + index}X",
            rsa_paying_body=rng.choice([PayingBody.CAF, PayingBody.CAF, PayingBody.MSA]),
            rsa_number=f"{rng.randint(1000000, 9999999)}",
            rsa_role=rng.choice([RsaRole.CLAIMANT, RsaRole.CLAIMANT, RsaRole.PARTNER]),
            rsa_rights_and_duties=True,
            qpv_resident=rng.random() < 0.3,
            education_level=rng.choice(EducationLevel.values),
            city="Lourdon" if index % 2 else "Sainte-Ode",
        )
        state, overdue = PLAN[(index // len(pairs)) % len(PLAN)]
        _history(rng, today, pair, beneficiary, state, overdue)
    _territory_offer(department)
    _one_off_requests(department, today)
    _collective_actions(department, today)
    _person_rights(department, today)
    _social_notes(pairs)
    _remplacement(pairs, today)
    _person_space(department)
    return people


#: The demo person invited into their space (« make run » prints how to log in as them).
DEMO_PERSON_EMAIL = f"rosalie@{DEMO_EMAIL_DOMAIN}"


#: What Rosalie's accord de partage lets cross to her advisor: she may withdraw health herself.
DEMO_PERSON_SHARES = [
    ShareCategory.SOCIAL_SUMMARY,
    ShareCategory.OBSTACLES_HOUSING,
    ShareCategory.OBSTACLES_HEALTH,
]


def _person_space(department: Department) -> None:
    """One person of the demo social worker (in « diagnostic en cours » if she has one), with
    an accord de partage that covers housing and health, invited into their space by her.
    ``orientation.demo`` leaves her diagnostic awaiting her opinion."""
    case = (
        Case.objects.filter(
            pair__department=department,
            pair__social_worker__email=f"travailleuse.sociale@{DEMO_EMAIL_DOMAIN}",
            state__in=[CaseState.ACTIVE, CaseState.DIAGNOSTIC],
            beneficiary__file_stage=FileStage.ACTIVE,
        )
        .select_related("pair__social_worker", "beneficiary")
        .order_by(
            ExpressionWrapper(Q(state=CaseState.DIAGNOSTIC), output_field=BooleanField()).desc(),
            "pk",
        )
        .first()
    )
    if case is None:
        return
    with transaction.atomic():  # the demo's name and address for her, then the invitation
        retention.set_stage(case.beneficiary_id, first_name="Rosalie", email=DEMO_PERSON_EMAIL)
        services.agreement_record(
            case=case,
            categories=DEMO_PERSON_SHARES,
            how_obtained=AgreementMethod.ORAL_THREE_WAY,
            acting_user=case.pair.social_worker,
        )
        space_services.space_invite(
            case=case, email=DEMO_PERSON_EMAIL, acting_user=case.pair.social_worker
        )


def demo_lines() -> list[str]:
    """What ``seed_demo`` prints after the professionals' logins."""
    if not SpaceAccess.objects.active().filter(email=DEMO_PERSON_EMAIL).exists():
        return []
    return [
        "Espace de la personne (/mon-espace/connexion/) : « Rosalie », adresse "
        f"{DEMO_PERSON_EMAIL} ; le code à 6 chiffres s'affiche dans la console (e-mail « Votre "
        "code de connexion »)."
    ]


#: The secret side at work: what a social worker writes after an appointment at the MDS or a home
#: visit. Factual, in the person's interest, with her agreement for every step taken.
SOCIAL_NOTES = [
    (
        "Entretien à la MDS. Madame est hébergée chez sa sœur avec son fils depuis trois mois ; "
        "la cohabitation devient difficile. Demande de logement social à renouveler ; nous "
        "préparons ensemble un dossier FSL accès."
    ),
    (
        "Monsieur évoque une dette de loyer d'environ 1 200 € et des relances du bailleur. Il "
        "souhaite un plan d'apurement : rendez-vous pris au Point conseil budget, il m'apportera "
        "ses derniers avis d'échéance."
    ),
    (
        "Madame parle d'un suivi médical en cours pour des douleurs dorsales. Elle ne souhaite pas "
        "que ce point soit transmis à l'agence : rien n'est partagé. À reprendre avec elle avant "
        "la signature du contrat d'engagement."
    ),
    (
        "Visite à domicile. Logement humide, chauffage insuffisant. Avec l'accord de Monsieur, "
        "signalement au service d'hygiène de la mairie ; le bailleur est informé par courrier."
    ),
    (
        "Séparation récente ; Monsieur dit traverser une période difficile. Il accepte un premier "
        "rendez-vous au centre médico-psychologique. Point à refaire avec lui dans quinze jours."
    ),
    (
        "Dossier de surendettement déposé à la Banque de France avec Madame ; décision de "
        "recevabilité attendue. Elle garde les courriers et me les apporte au prochain rendez-vous."
    ),
]
#: How many accompaniments under way of each binôme get social notes.
CASES_WITH_SOCIAL_NOTES = 3


def _social_notes(pairs: list[Pair]) -> None:
    """Social notes in the first accompaniments under way of every binôme (the demo social
    worker's included, whatever the number of people): her case pages show the secret side,
    which her co-accompagnante's never show."""
    for number, pair in enumerate(pairs):
        cases = Case.objects.filter(
            pair=pair, state__in=[CaseState.ACTIVE, CaseState.SUSPENDED]
        ).order_by("pk")[:CASES_WITH_SOCIAL_NOTES]
        for index, case in enumerate(cases):
            first = (number * CASES_WITH_SOCIAL_NOTES + index) % len(SOCIAL_NOTES)
            for text in (SOCIAL_NOTES[first], SOCIAL_NOTES[(first + 1) % len(SOCIAL_NOTES)]):
                services.social_note_add(case=case, author=pair.social_worker, text=text)


def _person_rights(department: Department, today: datetime.date) -> None:
    """What the DPO's pages show: two requests about data, a file in the intermediate archive,
    and one whose archive duration is over, waiting for the Archives' visa."""
    active = list(
        Case.objects.filter(pair__department=department, state=CaseState.ACTIVE)
        .select_related("pair__advisor", "beneficiary")
        .order_by("pk")[:2]
    )
    for case, kind, text in zip(
        active,
        (PersonRequestKind.OBJECTION, PersonRequestKind.ACCESS),
        (
            "Je ne veux pas que mes difficultés de santé soient transmises à l'agence.",
            "Je voudrais savoir qui a lu mon dossier depuis mon inscription.",
        ),
        strict=False,
    ):
        rights.person_request_record(
            case=case, acting_user=case.pair.lead, kind=kind, text=text, received_on=today
        )
    closed = list(
        Beneficiary.objects.filter(department=department, cases__state=CaseState.CLOSED)
        .distinct()
        .order_by("pk")[:2]
    )
    for person, archived_years_ago in zip(
        closed, (1, department.retention_archive_years), strict=False
    ):
        # A day more than the years, in calendar years as the life of the file counts them.
        archived_on = today - relativedelta(years=archived_years_ago, days=1)
        retention.set_stage(
            person.pk,
            file_stage=FileStage.ARCHIVED,
            notice_sent_on=archived_on - datetime.timedelta(days=department.notice_delay_days),
            archived_on=archived_on,
        )


# The territory's offer: (name, provider, categories, description, conditions, city)
RESOURCES = [
    (
        "Aide facultative d'urgence",
        "CCAS de Lourdon",
        [ObstacleCategory.FINANCES],
        "Secours ponctuel pour une facture d'énergie, de cantine ou un besoin urgent, "
        "après un entretien avec une travailleuse sociale du CCAS.",
        "Résider à Lourdon ; sur justificatifs de ressources",
        "Lourdon",
    ),
    (
        "Point conseil budget",
        "UDAF du Val-de-Loue",
        [ObstacleCategory.FINANCES],
        "Conseil gratuit et confidentiel pour faire le point sur son budget, prévenir le "
        "surendettement et monter un dossier à la Banque de France.",
        "",
        "Sainte-Ode",
    ),
    (
        "Permanence logement",
        "ADIL du Val-de-Loue",
        [ObstacleCategory.HOUSING],
        "Conseil juridique et financier sur le logement : impayés de loyer, FSL, droits du "
        "locataire, recherche d'un logement social.",
        "",
        "Lourdon",
    ),
    (
        "Places en crèche à vocation d'insertion professionnelle",
        "Multi-accueil Les Petits Pas",
        [ObstacleCategory.CHILDCARE],
        "Six places réservées aux parents qui reprennent un emploi ou une formation, "
        "pendant six mois renouvelables.",
        "Être accompagné·e par France Travail ou le Département",
        "Lourdon",
    ),
    (
        "Prêt de cyclomoteurs",
        "Mobilité solidaire du Val-de-Loue",
        [ObstacleCategory.MOBILITY],
        "Un cyclomoteur donné par un particulier et remis en état, prêté pour trois mois "
        "pour aller travailler ou se former, casque fourni.",
        "Un contrat de travail ou une entrée en formation ; permis AM ou B",
        "Sainte-Ode",
    ),
    (
        "Garage solidaire",
        "Mobilité solidaire du Val-de-Loue",
        [ObstacleCategory.MOBILITY],
        "Réparations à prix coûtant pour les personnes aux minima sociaux.",
        "Bénéficiaires du RSA ou de l'ASS",
        "Sainte-Ode",
    ),
    (
        "Permanence d'accès aux soins de santé (PASS)",
        "Centre hospitalier de Lourdon",
        [ObstacleCategory.HEALTH, ObstacleCategory.ADMINISTRATIVE],
        "Consultations et ouverture des droits à l'assurance maladie pour les personnes "
        "sans couverture ou en rupture de soins.",
        "",
        "Lourdon",
    ),
    (
        "Ateliers sociolinguistiques",
        "Centre social des Tilleuls",
        [ObstacleCategory.LANGUAGE],
        "Cours de français à visée professionnelle, deux matinées par semaine.",
        "",
        "Lourdon",
    ),
    (
        "Aide aux démarches en ligne",
        "France services de Sainte-Ode",
        [ObstacleCategory.DIGITAL, ObstacleCategory.ADMINISTRATIVE],
        "Un conseiller aide à créer ses comptes en ligne et à faire ses démarches "
        "(CAF, impôts, assurance maladie) ; ordinateurs en libre accès.",
        "",
        "Sainte-Ode",
    ),
]


def _territory_offer(department: Department) -> None:
    for name, provider, categories, description, conditions, city in RESOURCES:
        services.resource_save(
            department=department,
            acting_user=None,
            categories=categories,
            name=name,
            provider=provider,
            description=description,
            conditions=conditions,
            city=city,
            area=[department.code],
        )


def _one_off_requests(department: Department, today: datetime.date) -> None:
    """Three requests of the demo advisor to the correspondents of Lourdon (axis 1)."""
    advisor = Professional.objects.get(email=f"conseillere@{DEMO_EMAIL_DOMAIN}")
    correspondent = Professional.objects.get(email=f"correspondante.sociale@{DEMO_EMAIL_DOMAIN}")
    territory = Organisation.objects.get(department=department, name=MDS_LOURDON)
    requests = [
        (
            "Inès",
            "Marchal",
            ObstacleCategory.HOUSING,
            "Madame a reçu un commandement de payer pour deux mois de loyer. Peut-elle être "
            "reçue rapidement pour une demande de FSL ?",
            today,  # due today: in today's reminders
            "Oui : je la reçois jeudi à 10 h à la MDS ; qu'elle apporte son avis d'échéance.",
        ),
        (
            "Kévin",
            "Lemoine",
            ObstacleCategory.CHILDCARE,
            "Monsieur reprend un CDD de six mois le mois prochain et n'a pas de solution de "
            "garde pour sa fille de deux ans. Que peut-on lui proposer ?",
            today + datetime.timedelta(days=10),
            "",
        ),
        (
            "Sonia",
            "Ferreira",
            ObstacleCategory.FINANCES,
            "Madame dit ne plus arriver à payer ses factures d'énergie. Un accompagnement "
            "budgétaire est-il possible ?",
            today + datetime.timedelta(days=6),
            "",
        ),
    ]
    for number, (first, last, category, question, due_on, answer) in enumerate(requests):
        beneficiary = services.beneficiary_create(
            department=department,
            acting_user=advisor,
            first_name=first,
            last_name=last,
            birth_date=datetime.date(1984 + number, 3 + number, 11),
            france_travail_id=f"{8000000 + number}X",
            city="Lourdon",
        )
        social_request = services.social_request_create(
            beneficiary=beneficiary,
            requester=advisor,
            territory=territory,
            category=category,
            question=question,
            person_agreed=True,
            agreement_method=PersonAgreementMethod.ORAL,
            due_on=due_on,
        )
        if answer:
            services.social_request_answer(
                social_request=social_request, acting_user=correspondent, answer=answer
            )


def _collective_actions(department: Department, today: datetime.date) -> None:
    """A nine-month remobilisation club with people enrolled and sessions signed, and a
    smaller one (whose figures the supervisors see hidden: fewer than five people)."""
    admin = Professional.objects.get(email=f"admin@{DEMO_EMAIL_DOMAIN}")
    organisations = {o.name: o for o in Organisation.objects.filter(department=department)}
    clubs = [
        ("Club de remobilisation 25–35 ans", FT_LOURDON, f"{JOB_SEEKERS} de 25 à 35 ans", 8),
        ("Club 45 ans et plus", FT_SAINTE_ODE, f"{JOB_SEEKERS} de plus de 45 ans", 3),
    ]
    active = list(
        Case.objects.filter(pair__department=department, state=CaseState.ACTIVE)
        .select_related("pair__advisor", "pair__department")
        .order_by("pk")
    )
    start = today - datetime.timedelta(days=60)
    for index, (name, organiser, target_group, enrolled) in enumerate(clubs):
        programme = services.programme_create(
            department=department,
            acting_user=None,
            name=name,
            organiser=organisations[organiser],
            target_group=target_group,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=270),
            capacity=12,
            description="Neuf mois de rencontres collectives pour reprendre confiance, "
            "travailler son projet et rencontrer des employeurs.",
        )
        sessions = [
            services.programme_add_session(
                programme=programme,
                acting_user=None,
                starts_at=timezone.make_aware(
                    datetime.datetime.combine(start + datetime.timedelta(days=days), TEN)
                ),
                topic=topic,
                place=organiser,
            )
            for days, topic in ((7, "Accueil et présentation"), (35, "Confiance en soi"))
        ]
        services.programme_add_session(
            programme=programme,
            acting_user=None,
            starts_at=timezone.make_aware(
                datetime.datetime.combine(today + datetime.timedelta(days=14), TEN)
            ),
            topic="Rencontre avec des employeurs",
            place=organiser,
        )
        people = active[index * 10 : index * 10 + enrolled]
        enrolments = [
            services.enrolment_create(
                programme=programme,
                case=case,
                acting_user=case.pair.lead,
                person_agreed=True,
                agreement_method=PersonAgreementMethod.ORAL,
            )
            for case in people
        ]
        for number, session in enumerate(sessions):
            services.attendance_record(
                session=session,
                acting_user=admin,
                present=[e.pk for i, e in enumerate(enrolments) if (i + number) % 4],
            )


TEN = datetime.time(10, 0)
JOB_SEEKERS = "Demandeur·ses d'emploi"


DEMO_DELEGATE_EMAIL = "conseillere@demo.binome.test"


def _remplacement(pairs: list[Pair], today: datetime.date) -> None:
    """The demo advisor replaces a colleague on leave for two weeks: their people appear in her
    portefeuille (and in the remplacements page)."""
    delegate = next((p.lead for p in pairs if p.lead.email == DEMO_DELEGATE_EMAIL), pairs[0].lead)
    replaced = next(p.lead for p in pairs if p.lead.pk != delegate.pk)
    if not Case.objects.open().filter(pair__advisor=replaced).exists():
        return
    services.delegation_give(
        replaced=replaced,
        delegate=delegate,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=14),
        reason="Congés",
        acting_user=replaced,
    )


def _history(
    rng: random.Random,
    today: datetime.date,
    pair: Pair,
    beneficiary: Beneficiary,
    state: str,
    overdue: bool,
) -> Case:
    if state in (CaseState.PROPOSED, CaseState.DIAGNOSTIC):
        proposed_on = today - datetime.timedelta(days=rng.randint(2, 25))
    else:
        proposed_on = today - datetime.timedelta(days=rng.randint(100 if overdue else 45, 380))
    case = services.case_propose(
        beneficiary=beneficiary, pair=pair, acting_user=pair.advisor, proposed_on=proposed_on
    )
    if state == CaseState.PROPOSED:
        return case
    if state == CaseState.REFUSED:
        return services.case_record_refusal(case=case, acting_user=pair.social_worker)
    case = services.case_record_entry_agreement(case=case, acting_user=pair.social_worker)
    started_on = proposed_on + datetime.timedelta(days=rng.randint(7, 15))
    if state == CaseState.DIAGNOSTIC or started_on >= today:
        return case
    case = services.case_start(case=case, acting_user=pair.social_worker, started_on=started_on)
    if rng.random() < 0.6:  # most people agree to share some of what they told the social side
        services.agreement_record(
            case=case,
            categories=[ShareCategory.SOCIAL_SUMMARY, *rng.sample(OBSTACLE_SHARES, 2)],
            how_obtained=AgreementMethod.ORAL_THREE_WAY,
            acting_user=pair.social_worker,
        )
    # Monthly interviews, up to a few days ago (or, for the overdue, 35 to 60 days ago).
    stop = today - datetime.timedelta(days=rng.randint(35, 60) if overdue else rng.randint(0, 5))
    days = []
    day = started_on
    while day <= stop:
        days.append(day)
        day += datetime.timedelta(days=30 + rng.randint(-4, 6))
    for number, day in enumerate(days):
        # The référent (the advisor here) holds most interviews, and always the latest one.
        last = number == len(days) - 1
        services.interview_log(
            case=case,
            author=pair.lead if last or rng.random() < 0.8 else pair.social_worker,
            occurred_on=day,
            channel=rng.choice(InterviewChannel.values),
            three_way=number == 0,
            summary=rng.choice(SUMMARIES),
            next_appointment_on=day + datetime.timedelta(days=30),
        )
    case.refresh_from_db()
    if state == CaseState.SUSPENDED:
        return services.case_suspend(
            case=case, reason=rng.choice(SuspensionReason.values), acting_user=pair.social_worker
        )
    if state == CaseState.CLOSED:
        services.case_record_end_review(
            case=case,
            summary="Bilan fait avec la personne : objectifs atteints en partie.",
            acting_user=pair.lead,
        )
        return services.case_close(
            case=case, exit_reason=rng.choice(ExitReason.values), acting_user=pair.lead
        )
    return case
