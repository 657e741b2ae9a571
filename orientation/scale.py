"""seed_scale's orientation rows: for each generated accompaniment, the diagnostic its
``diagnostic_state`` says, its obstacles, and for the oriented ones the préconisation and the
decision behind ``orientation_path``. Called by ``casework.scale`` chunk by chunk (see
``casework/management/commands/seed_scale.py``)."""

import datetime
from typing import Any

from django.db import models

from casework.enums import AppointmentKind, AppointmentOutcome, DiagnosticState, ObstacleCategory
from casework.models import Appointment
from casework.scale import CaseSeed, ChunkContext, TableRows, _at
from orientation.enums import (
    ContractKind,
    DecidingAuthority,
    DecisionBasis,
    Impact,
    RecommendationState,
)
from orientation.models import (
    WEEKLY_HOURS_AIM,
    ActionPlan,
    Diagnostic,
    Obstacle,
    OrientationDecision,
    Recommendation,
)

MODELS: tuple[type[models.Model], ...] = (
    Diagnostic,
    Obstacle,
    Recommendation,
    OrientationDecision,
    Appointment,
    ActionPlan,
)

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
APPOINTMENT_COLUMNS = (
    "id", "case_id", "planned_at", "kind", "place", "with_whom_id", "convened_by_id", "outcome",
    "person_explanation", "outcome_recorded_by_id", "outcome_recorded_at", "partner_ref",
)  # fmt: skip
PLAN_COLUMNS = (
    "id", "case_id", "contract_kind", "contract_reference", "contract_signed_on", "weekly_hours",
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
    appointments, plans = after_the_decision(context, decisions)
    return [
        TableRows(Diagnostic, DIAGNOSTIC_COLUMNS, diagnostics),
        TableRows(
            Obstacle, OBSTACLE_COLUMNS, [(first_obstacle + i, *r) for i, r in enumerate(obstacles)]
        ),
        TableRows(Recommendation, RECOMMENDATION_COLUMNS, recommendations),
        TableRows(OrientationDecision, DECISION_COLUMNS, decisions),
        TableRows(Appointment, APPOINTMENT_COLUMNS, appointments),
        TableRows(ActionPlan, PLAN_COLUMNS, plans),
    ]


def after_the_decision(
    context: ChunkContext, decisions: list[tuple[Any, ...]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """For the oriented accompaniments, what the supervisors' delays measure after the decision:
    the first appointment held with the référent·e (most of them, 3 to 40 days later) and the
    contrat d'engagement signed at it or up to three weeks after (most of those)."""
    rng, today = context.rng, context.today
    by_pk: dict[int, CaseSeed] = {seed.pk: seed for seed in context.cases}
    held: list[tuple[CaseSeed, datetime.date]] = []
    for decision in decisions:
        seed, decided_on = by_pk[decision[1]], decision[6]
        day = decided_on + datetime.timedelta(days=rng.randrange(3, 41))
        if day <= today and rng.random() < 0.85:
            held.append((seed, day))
    first_appointment = context.reserve(Appointment, len(held))
    appointments, signed = [], []
    for offset, (seed, day) in enumerate(held):
        at = _at(day, rng)
        referent = seed.referent.pk
        appointments.append(
            (
                first_appointment + offset,
                seed.pk,
                at,
                AppointmentKind.FOLLOW_UP,
                "Agence, bureau 2",
                referent,
                referent,
                AppointmentOutcome.HELD,
                "",
                referent,
                at,
                "",
            )  # fmt: skip
        )
        contract_on = day + datetime.timedelta(days=rng.choice((0, 0, 0, 7, 14, 21)))
        if contract_on <= today and rng.random() < 0.8:
            signed.append((seed, contract_on))
    first_plan = context.reserve(ActionPlan, len(signed))
    plans = [
        (
            first_plan + offset,
            seed.pk,
            ContractKind.CONTRAT_ENGAGEMENT,
            f"CE-{seed.pk}",
            signed_on,
            WEEKLY_HOURS_AIM,
        )  # fmt: skip
        for offset, (seed, signed_on) in enumerate(signed)
    ]
    return appointments, plans
