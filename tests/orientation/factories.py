from typing import Any

from casework.enums import CaseState, ObstacleCategory
from orientation import services
from orientation.models import Diagnostic, Obstacle
from tests.casework.factories import CaseFactory, secret_token


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
    advisor, social_worker = case.pair.advisor, case.pair.social_worker
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
