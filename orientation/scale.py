"""seed_scale's orientation rows: for each generated accompaniment, the diagnostic its
``diagnostic_state`` says, its obstacles, and for the oriented ones the préconisation and the
decision behind ``orientation_path``. Called by ``casework.scale`` chunk by chunk (see
``casework/management/commands/seed_scale.py``)."""

import datetime

from django.db import models

from casework.enums import DiagnosticState, ObstacleCategory
from casework.scale import ChunkContext, TableRows, _at
from orientation.enums import DecidingAuthority, DecisionBasis, Impact, RecommendationState
from orientation.models import Diagnostic, Obstacle, OrientationDecision, Recommendation

MODELS: tuple[type[models.Model], ...] = (Diagnostic, Obstacle, Recommendation, OrientationDecision)

DIAGNOSTIC_COLUMNS = (
    "id", "case_id", "version", "state", "drafted_three_way", "drafted_on", "person_words",
    "strengths", "professional_situation", "social_summary", "education_level",
    "person_opinion_comment", "person_opinion_recorded_by_id", "person_opinion_at",
    "advisor_signed_by_id", "advisor_signed_at", "social_worker_signed_by_id",
    "social_worker_signed_at", "locked_at", "created_by_id",
)  # fmt: skip
OBSTACLE_COLUMNS = (
    "id", "diagnostic_id", "category", "impact", "in_persons_words", "raised_by_id",
    "person_agrees",
)  # fmt: skip
RECOMMENDATION_COLUMNS = (
    "id", "case_id", "diagnostic_id", "path", "rationale", "criteria_path", "is_reorientation",
    "person_agrees", "person_comment", "state", "created_by_id", "created_at",
    "advisor_signed_by_id", "advisor_signed_at", "social_worker_signed_by_id",
    "social_worker_signed_at", "validation_comment",
)  # fmt: skip
DECISION_COLUMNS = (
    "id", "case_id", "path", "authority", "basis", "recommendation_id", "decided_on", "reasons",
    "review_on", "is_reorientation", "person_comment", "recorded_by_id", "recorded_at",
    "partner_ref",
)  # fmt: skip
WORDS = {
    ObstacleCategory.HOUSING: "Je suis hébergé·e chez ma sœur, ce n'est pas stable.",
    ObstacleCategory.HEALTH: "J'ai mal au dos, je ne peux pas porter.",
    ObstacleCategory.MOBILITY: "Je n'ai pas le permis et le bus passe deux fois par jour.",
    ObstacleCategory.CHILDCARE: "Je n'ai pas de place en crèche pour le petit.",
    ObstacleCategory.FINANCES: "J'ai des dettes de loyer.",
    ObstacleCategory.FAMILY: "Je m'occupe de ma mère.",
    ObstacleCategory.ADMINISTRATIVE: "Les papiers, je n'y arrive pas seul·e.",
    ObstacleCategory.LANGUAGE: "J'ai du mal à écrire en français.",
    ObstacleCategory.DIGITAL: "Je n'ai pas d'ordinateur.",
}
CATEGORIES = list(WORDS)
IMPACTS = [Impact.STRONG] * 3 + [Impact.MEDIUM] * 5 + [Impact.NONE] * 2


def chunk_rows(context: ChunkContext) -> list[TableRows]:
    rng = context.rng
    with_diagnostic = [seed for seed in context.cases if seed.diagnostic_state]
    first = context.reserve(Diagnostic, len(with_diagnostic))
    diagnostics, obstacles, recommendations, decisions = [], [], [], []
    oriented = []
    for offset, seed in enumerate(with_diagnostic):
        pk = first + offset
        advisor, social = seed.pair.advisor.pk, seed.pair.social_worker.pk
        drafted = (seed.started_on or context.today) - datetime.timedelta(days=10)
        drafted = max(drafted, seed.proposed_on)
        locked = seed.diagnostic_state == DiagnosticState.LOCKED
        signed = locked or seed.diagnostic_state == DiagnosticState.SIGNED
        opinion = seed.diagnostic_state != DiagnosticState.DRAFT
        at = _at(drafted, rng)
        diagnostics.append(
            (
                pk,
                seed.pk,
                1,
                seed.diagnostic_state,
                True,
                drafted,
                "Je veux retrouver un travail près de chez moi.",
                "Ponctuel·le, aime le contact.",
                "Dernier emploi il y a trois ans.",
                "",
                seed.education_level,
                "Pas d'accord avec ce qui est écrit."
                if seed.diagnostic_state == "contested"
                else "",
                advisor if opinion else None,
                at if opinion else None,
                advisor if signed else None,
                at if signed else None,
                social if signed else None,
                at if signed else None,
                at if locked else None,
                advisor,
            )  # fmt: skip
        )
        for category in rng.sample(CATEGORIES, rng.choice((0, 1, 2, 2, 3, 3, 4))):
            obstacles.append(
                (pk, category, rng.choice(IMPACTS), WORDS[category], social, rng.random() < 0.95)
            )
        if locked and seed.orientation_path:
            oriented.append((seed, pk, drafted, at))
    first_obstacle = context.reserve(Obstacle, len(obstacles))
    first_recommendation = context.reserve(Recommendation, len(oriented))
    first_decision = context.reserve(OrientationDecision, len(oriented))
    for offset, (seed, diagnostic_pk, drafted, at) in enumerate(oriented):
        recommendation_pk = first_recommendation + offset
        advisor, social = seed.pair.advisor.pk, seed.pair.social_worker.pk
        recommendations.append(
            (
                recommendation_pk,
                seed.pk,
                diagnostic_pk,
                seed.orientation_path,
                "Préconisation établie avec la personne.",
                seed.orientation_path,
                False,
                True,
                "",
                RecommendationState.DECIDED,
                advisor,
                at,
                advisor,
                at,
                social,
                at,
                "",
            )  # fmt: skip
        )
        decided_on = drafted + datetime.timedelta(days=7)
        decisions.append(
            (
                first_decision + offset,
                seed.pk,
                seed.orientation_path,
                DecidingAuthority.PCD,
                DecisionBasis.RECOMMENDATION,
                recommendation_pk,
                decided_on,
                "Décision conforme à la préconisation du binôme.",
                decided_on + datetime.timedelta(days=365),
                False,
                "",
                advisor,
                _at(decided_on, rng),
                "",
            )  # fmt: skip
        )
    return [
        TableRows(Diagnostic, DIAGNOSTIC_COLUMNS, diagnostics),
        TableRows(
            Obstacle, OBSTACLE_COLUMNS, [(first_obstacle + i, *r) for i, r in enumerate(obstacles)]
        ),
        TableRows(Recommendation, RECOMMENDATION_COLUMNS, recommendations),
        TableRows(OrientationDecision, DECISION_COLUMNS, decisions),
    ]
