from typing import Any

from casework.enums import CaseState, ObstacleCategory
from orientation import services
from orientation.models import Diagnostic, Obstacle, OrientationDecision, Recommendation
from tests.casework.factories import CaseFactory, secret_token
from tests.clock import FIRST_INTERVIEW, days_ago


def make_diagnostic(
    case: Any = None,
    *,
    obstacles: list[tuple[str, str, bool]] | None = None,
    social_summary: str = "Hébergée chez sa sœur depuis trois mois.",
    social_details: str | None = None,
) -> Diagnostic:
    """A draft diagnostic written through the services: both sections, obstacles given as
    (category, words, the person agrees), and secret social details carrying a canary."""
    case = case or CaseFactory(state=CaseState.ACTIVE)
    social_worker = case.pair.social_worker
    # In a suivi social seul (no advisor), the social worker writes the professional part too.
    advisor = case.pair.advisor or social_worker
    diagnostic = services.diagnostic_start(case=case, acting_user=social_worker)
    services.diagnostic_update(
        diagnostic=diagnostic,
        acting_user=advisor,
        fields={
            "person_words": "Je veux travailler dans la restauration.",
            "strengths": "Ponctuelle, aime le contact.",
            "professional_situation": "Sans emploi depuis 2024, CAP cuisine.",
        },
    )
    services.diagnostic_update(
        diagnostic=diagnostic, acting_user=social_worker, fields={"social_summary": social_summary}
    )
    services.social_details_set(
        diagnostic=diagnostic,
        acting_user=social_worker,
        text=social_details if social_details is not None else f"Dettes, {secret_token()}",
    )
    if obstacles is None:
        obstacles = [(ObstacleCategory.HOUSING, "Je n'ai pas de logement à moi", True)]
    for category, words, agrees in obstacles:
        services.obstacle_add(
            diagnostic=diagnostic,
            acting_user=social_worker,
            category=category,
            impact="strong",
            in_persons_words=words,
            person_agrees=agrees,
        )
    diagnostic.refresh_from_db()
    return diagnostic


def obstacles_of(diagnostic: Diagnostic) -> list[Obstacle]:
    return list(Obstacle.objects.filter(diagnostic=diagnostic).order_by("pk"))


def lock(diagnostic: Diagnostic) -> Diagnostic:
    """The person validates, both professionals sign: the version is locked."""
    case = diagnostic.case
    services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=case.pair.social_worker, validated=True
    )
    services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.social_worker)
    return services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor)


def make_recommendation(
    case: Any, *, path: str = "socioprofessionnel", person_agrees: bool = True, comment: str = ""
) -> Recommendation:
    """A recommendation on a locked diagnostic, signed by both members."""
    if not Diagnostic.objects.filter(case=case, state="locked").exists():
        lock(make_diagnostic(case))
    recommendation = services.recommendation_create(
        case=case,
        acting_user=case.pair.advisor,
        path=path,
        rationale="Projet en restauration, logement à stabiliser d'abord.",
        person_agrees=person_agrees,
        person_comment=comment,
    )
    return services.recommendation_sign(
        recommendation=recommendation, acting_user=case.pair.social_worker
    )


def make_decided_case(case: Any) -> tuple[Recommendation, OrientationDecision]:
    recommendation = make_recommendation(case)
    decision = services.decision_record(
        case=case,
        acting_user=case.pair.advisor,
        path=recommendation.path,
        decided_on=days_ago(FIRST_INTERVIEW),
        reasons="Suit la préconisation du binôme.",
        recommendation=recommendation,
    )
    recommendation.refresh_from_db()
    return recommendation, decision
