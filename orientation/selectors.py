"""Reads of the diagnostic: what each viewer may see of it. Secret and shared parts are decided
here, on every request, from the grants and the accord de partage in force."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from casework import permissions
from casework.enums import ShareCategory, obstacle_share_category
from casework.models import Case, SharingAgreement
from casework.sharing import agreement_in_force
from orientation.criteria import Facts, Suggestion, suggest
from orientation.enums import Impact, RecommendationState
from orientation.models import (
    WEEKLY_HOURS_AIM,
    Action,
    ActionPlan,
    Diagnostic,
    Notification,
    Obstacle,
    ObstacleLift,
    OrientationDecision,
    Recommendation,
    SocialDetails,
)
from partners.models import Professional


def current_diagnostic(case: Case) -> Diagnostic | None:
    diagnostic = Diagnostic.objects.filter(case=case).order_by("-version").first()
    if diagnostic is not None:
        diagnostic.case = case  # already loaded, with what the pages need
    return diagnostic


def social_details_for(diagnostic: Diagnostic) -> SocialDetails:
    """Secret: call only for a social worker of the case."""
    return SocialDetails.objects.get(diagnostic=diagnostic)


@dataclass
class DiagnosticView:
    """The diagnostic as one viewer may see it."""

    diagnostic: Diagnostic
    social: bool  # the viewer is a social worker of the case: sees everything
    social_summary_shown: bool = False
    obstacles: list[Obstacle] = field(default_factory=list)
    social_details: SocialDetails | None = None
    hidden_on_social_side: bool = False  # something exists that the accord does not cover
    shared_categories: list[str] = field(default_factory=list)
    agreement: SharingAgreement | None = None


def diagnostic_for(diagnostic: Diagnostic, viewer: Professional) -> DiagnosticView:
    """The social worker sees everything; the advisor sees the social summary and each obstacle
    only as the accord de partage in force covers their category, never a disputed obstacle."""
    obstacles = _obstacles(diagnostic)
    if permissions.can_read_social_notes(viewer, diagnostic.case):
        return DiagnosticView(
            diagnostic=diagnostic,
            social=True,
            social_summary_shown=True,
            obstacles=obstacles,
            social_details=social_details_for(diagnostic),
        )
    return _shared_view(diagnostic, obstacles)


def _obstacles(diagnostic: Diagnostic) -> list[Obstacle]:
    return list(
        Obstacle.objects.filter(diagnostic=diagnostic)
        .select_related("raised_by")
        .order_by("category", "pk")
    )


def _shared_view(diagnostic: Diagnostic, obstacles: list[Obstacle]) -> DiagnosticView:
    """What crosses from the social side: the view of everyone but the case's social workers."""
    agreement = agreement_in_force(diagnostic.case)
    covered = set(agreement.categories) if agreement else set()
    view = DiagnosticView(diagnostic=diagnostic, social=False, agreement=agreement)
    if diagnostic.social_summary:
        if ShareCategory.SOCIAL_SUMMARY in covered:
            view.social_summary_shown = True
            view.shared_categories.append(ShareCategory.SOCIAL_SUMMARY)
        else:
            view.hidden_on_social_side = True
    for obstacle in obstacles:
        category = obstacle_share_category(obstacle.category)
        if obstacle.person_agrees and category in covered:
            view.obstacles.append(obstacle)
            if category not in view.shared_categories:
                view.shared_categories.append(category)
        else:
            view.hidden_on_social_side = True
    return view


def criteria_suggestion(diagnostic: Diagnostic) -> Suggestion:
    """The path the national orientation criteria (``orientation.criteria``) point to, with the
    facts read and the criterion that applied, from the diagnostic's structured facts. A
    decision aid shown on the form: never stored as a score, never applied automatically.

    It counts only the difficulties that crossed from the social side (``_shared_view``): both
    members of the binôme read the same suggestion, and it never tells the advisor that a
    difficulty they may not see exists (a count of « difficultés à impact fort » would).
    """
    shared = _shared_view(diagnostic, _obstacles(diagnostic)).obstacles
    facts = Facts(
        active_last_two_years=diagnostic.active_last_two_years,
        can_project_into_work=diagnostic.can_project_into_work,
        strong_difficulties=sum(1 for obstacle in shared if obstacle.impact == Impact.STRONG),
    )
    return suggest(facts, diagnostic.case.pair.department.orientation_criteria_source)


def recommendations_of(case: Case) -> list[Recommendation]:
    return list(
        Recommendation.objects.filter(case=case)
        .select_related("advisor_signed_by", "social_worker_signed_by", "validated_by")
        .order_by("created_at", "pk")
    )


def decisions_of(case: Case) -> list[OrientationDecision]:
    return list(
        OrientationDecision.objects.filter(case=case)
        .select_related("recorded_by__organisation", "partner_system", "recommendation")
        .order_by("decided_on", "pk")
    )


def recommendations_to_validate(supervisor: Professional) -> QuerySet[Recommendation]:
    """Recommendations waiting for this supervisor's validation (cases of their subtree)."""
    return (
        Recommendation.objects.filter(
            state=RecommendationState.VALIDATION,
            case__in=Case.objects.visible_to(supervisor).values("pk"),
        )
        .select_related("case__beneficiary", "case__pair__advisor", "case__pair__social_worker")
        .order_by("created_at", "pk")
    )


def recommendations_awaiting_decision(professional: Professional) -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(
            state=RecommendationState.AWAITING_DECISION,
            case__in=Case.objects.visible_to(professional).values("pk"),
        )
        .select_related("case__beneficiary", "case__pair__advisor", "case__pair__social_worker")
        .order_by("created_at", "pk")
    )


def notifications_of(professional: Professional) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=professional, done_at__isnull=True)
        .select_related("case__beneficiary", "social_request__beneficiary")
        .order_by("-created_at", "-pk")
    )


def plan_of(case: Case) -> ActionPlan | None:
    return ActionPlan.objects.filter(case=case).select_related("hours_adjusted_for").first()


#: Said of an adjustment whose difficulty the reader may not see (the accord does not cover it).
ADJUSTED_FOR_SOCIAL_REASONS = "ajusté pour des raisons relevant du côté social"


def weekly_hours_sentence(plan: ActionPlan | None, *, reason_shown: bool) -> str:
    """The contract's aim of hours in plain words. The difficulty that justifies an adjustment
    is named only to who may see it (``reason_shown``: the social side, the person, or an
    advisor whose accord de partage covers it); otherwise the generic sentence."""
    if plan is None:
        return ""
    hours = plan.weekly_hours
    said = f"{hours} heure{'s' if hours > 1 else ''} d'activité par semaine"
    if plan.hours_adjusted_for is None:
        return f"Objectif : {said}."
    reason = (
        f"en raison de : {plan.hours_adjusted_for.get_category_display().lower()}"
        if reason_shown
        else ADJUSTED_FOR_SOCIAL_REASONS
    )
    if hours == 0:
        return (
            f"Pas d'objectif d'heures d'activité pour le moment (au lieu de {WEEKLY_HOURS_AIM} "
            f"heures), {reason}."
        )
    return f"Objectif : {said} (au lieu de {WEEKLY_HOURS_AIM}), {reason}."


def actions_of(plan: ActionPlan | None) -> QuerySet[Action]:
    if plan is None:
        return Action.objects.none()
    return Action.objects.filter(plan=plan).select_related("obstacle").order_by("due_on", "pk")


def lifts_of(case: Case) -> list[ObstacleLift]:
    return list(
        ObstacleLift.objects.filter(obstacle__diagnostic__case=case)
        .select_related("obstacle", "recorded_by")
        .order_by("lifted_on", "pk")
    )
