"""The demo department's people and their histories (~300, across the six binômes). Idempotent.

Dates are relative to today, so that the portefeuille always shows people seen recently, people
without interview for more than 30 days, suspended and closed accompaniments.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from casework import services
from casework.enums import (
    AgreementMethod,
    CaseState,
    EducationLevel,
    ExitReason,
    InterviewChannel,
    PayingBody,
    RsaRole,
    ShareCategory,
    SuspensionReason,
)
from casework.models import Beneficiary, Case
from partners.demo import DEMO_DEPARTMENT_CODE
from partners.models import Department, Pair

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
    _remplacement(pairs, today)
    return people


DEMO_DELEGATE_EMAIL = "conseillere@demo.binome.test"


def _remplacement(pairs: list[Pair], today: datetime.date) -> None:
    """The demo advisor replaces a colleague on leave for two weeks: their people appear in her
    portefeuille (and in the remplacements page)."""
    delegate = next(
        (p.advisor for p in pairs if p.advisor.email == DEMO_DELEGATE_EMAIL), pairs[0].advisor
    )
    replaced = next(p.advisor for p in pairs if p.advisor.pk != delegate.pk)
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
            author=pair.advisor if last or rng.random() < 0.8 else pair.social_worker,
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
            acting_user=pair.advisor,
        )
        return services.case_close(
            case=case, exit_reason=rng.choice(ExitReason.values), acting_user=pair.advisor
        )
    return case
