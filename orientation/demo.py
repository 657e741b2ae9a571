"""Diagnostics for the demo department's people: locked for most accompaniments under way,
drafts for those in « diagnostic en cours ». Idempotent."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from casework.demo import DEMO_PERSON_EMAIL
from casework.enums import CaseState, ObstacleCategory, OrientationPath
from casework.models import Case, SpaceAccess
from orientation import services
from orientation.enums import Impact
from orientation.models import Diagnostic
from partners.demo import DEMO_DEPARTMENT_CODE

PATHS = [OrientationPath.EMPLOI, OrientationPath.SOCIOPROFESSIONNEL, OrientationPath.SOCIAL]
WORDS = {
    ObstacleCategory.HOUSING: "Je suis hébergée chez ma sœur, ça ne peut pas durer.",
    ObstacleCategory.MOBILITY: "Je n'ai pas le permis et le bus passe deux fois par jour.",
    ObstacleCategory.CHILDCARE: "Je n'ai personne pour garder mon fils le mercredi.",
    ObstacleCategory.FINANCES: "J'ai des dettes de loyer, je n'ose plus ouvrir le courrier.",
    ObstacleCategory.HEALTH: "J'ai mal au dos, je ne peux pas porter de charges.",
    ObstacleCategory.DIGITAL: "Je n'arrive pas à faire mes démarches sur internet.",
}
#: The secret detailed elements of the social side, in one diagnostic out of SOCIAL_DETAILS_EVERY
#: (the first of each binôme's included): never shown to the advisor, whatever the accord.
SOCIAL_DETAILS = [
    "Dette de loyer d'environ 1 200 € ; plan d'apurement en discussion avec le bailleur. "
    "Dossier FSL maintien dans le logement à déposer.",
    "Suivi médical pour des lombalgies ; une demande de reconnaissance de la qualité de "
    "travailleur handicapé (RQTH) est envisagée avec la personne, à son rythme.",
    "Séparation récente ; hébergée par un tiers avec son enfant. Demande de logement social "
    "renouvelée, priorité DALO à étudier.",
    "Dossier de surendettement en cours d'instruction à la Banque de France ; aucune saisie.",
]
SOCIAL_DETAILS_EVERY = 3


@transaction.atomic
def seed_more(*, people: int) -> int:
    cases = list(
        Case.objects.filter(pair__department__code=DEMO_DEPARTMENT_CODE)
        .filter(state__in=[CaseState.DIAGNOSTIC, CaseState.ACTIVE, CaseState.SUSPENDED])
        .select_related("pair__advisor", "pair__social_worker", "beneficiary")
        .order_by("pk")
    )
    if not cases or Diagnostic.objects.filter(case__in=cases).exists():
        return 0
    rng = random.Random(21)  # noqa: S311 — demo data
    first_of_pair = {case.pair_id: case.pk for case in reversed(cases)}
    # Rosalie's diagnostic awaits her opinion, in her space: housing and health, not signed.
    rosalie = set(
        SpaceAccess.objects.active()
        .filter(email=DEMO_PERSON_EMAIL)
        .values_list("case_id", flat=True)
    )
    for number, case in enumerate(cases):
        advisor, social_worker = case.pair.lead, case.pair.social_worker
        diagnostic = services.diagnostic_start(case=case, acting_user=social_worker)
        services.diagnostic_update(
            diagnostic=diagnostic,
            acting_user=advisor,
            fields={
                "person_words": "Je voudrais retrouver un travail stable, près de chez moi.",
                "strengths": "Sérieuse, à l'aise avec le public, expérience en vente.",
                "professional_situation": "Sans emploi depuis plus d'un an ; dernier poste en "
                "grande distribution.",
                "active_last_two_years": rng.random() < 0.5,
                "can_project_into_work": rng.random() < 0.7,
            },
        )
        services.diagnostic_update(
            diagnostic=diagnostic,
            acting_user=social_worker,
            fields={"social_summary": "Vit seule avec un enfant ; démarches de logement en cours."},
        )
        if number % SOCIAL_DETAILS_EVERY == 0 or first_of_pair[case.pair_id] == case.pk:
            services.social_details_set(
                diagnostic=diagnostic,
                acting_user=social_worker,
                text=SOCIAL_DETAILS[number % len(SOCIAL_DETAILS)],
            )
        categories = rng.sample(list(WORDS), 2)
        if case.pk in rosalie:
            categories = [ObstacleCategory.HOUSING, ObstacleCategory.HEALTH]
        for category in categories:
            services.obstacle_add(
                diagnostic=diagnostic,
                acting_user=social_worker,
                category=category,
                impact=rng.choice(Impact.values),
                in_persons_words=WORDS[category],
            )
        if case.state == CaseState.DIAGNOSTIC or case.pk in rosalie:
            continue
        services.diagnostic_record_opinion(
            diagnostic=diagnostic, acting_user=social_worker, validated=True
        )
        services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)
        services.diagnostic_sign(diagnostic=diagnostic, acting_user=advisor)
        if rng.random() < 0.7:  # most have had their orientation decided
            path = rng.choice(PATHS)
            services.decision_record(
                case=case,
                acting_user=advisor,
                path=path,
                decided_on=timezone.localdate() - datetime.timedelta(days=rng.randint(5, 60)),
                reasons="Orientation décidée par le président du conseil départemental.",
            )
    return len(cases)
