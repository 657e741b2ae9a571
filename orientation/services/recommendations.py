"""The préconisation, signed by both members of the binôme, validated by the supervisors when the
department asks for it; and the competent authority's orientation decision, which sets the path
and the référent unique.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from casework import services as case_services
from casework.enums import DiagnosticState
from casework.errors import InvalidInput
from casework.messages import sending
from casework.models import Case
from orientation.enums import (
    DecidingAuthority,
    DecisionBasis,
    NotificationKind,
    RecommendationState,
)
from orientation.models import Diagnostic, OrientationDecision, Recommendation
from orientation.selectors import criteria_suggestion
from orientation.services._base import _fresh, _member, _save, _signatures_complete
from orientation.services.notifications import _close_notifications, _notify, supervisors_of
from partners.access import is_advisor, is_supervisor
from partners.enums import OrientationAuthority
from partners.errors import InvalidTransition
from partners.models import PartnerSystem, Professional


def _sign_recommendation(recommendation: Recommendation, acting_user: Professional) -> None:
    now = timezone.now()
    if is_advisor(acting_user):
        if recommendation.advisor_signed_at is not None:
            raise InvalidTransition("Vous avez déjà signé cette préconisation.")
        recommendation.advisor_signed_by, recommendation.advisor_signed_at = acting_user, now
    elif recommendation.social_worker_signed_at is None:
        recommendation.social_worker_signed_by = acting_user
        recommendation.social_worker_signed_at = now
    elif recommendation.case.pair.advisor_id is not None:
        raise InvalidTransition("Vous avez déjà signé cette préconisation.")
    # (Signed while the case was a binôme's, now a suivi social seul's: signing again, alone,
    # completes it.)


def _after_signature(recommendation: Recommendation, acting_user: Professional) -> None:
    case = recommendation.case
    _close_notifications(case, NotificationKind.SIGNATURE, acting_user)
    if not _signatures_complete(recommendation, case):
        other = case.pair.co_member(acting_user)
        _notify(case, [other] if other is not None else [], NotificationKind.SIGNATURE)
        return
    if case.pair.department.supervisor_validates_recommendations:
        recommendation.state = RecommendationState.VALIDATION
        _notify(case, supervisors_of(case), NotificationKind.VALIDATION)
    else:
        recommendation.state = RecommendationState.AWAITING_DECISION
        _notify(case, [case.referent], NotificationKind.DECISION)


@transaction.atomic
def recommendation_create(
    *,
    case: Case,
    acting_user: Professional,
    path: str,
    rationale: str,
    person_agrees: bool,
    person_comment: str = "",
) -> Recommendation:
    """The binôme recommends a path, resting on a locked diagnostic, with the person's opinion;
    the author signs it at once and the other member is notified."""
    case = _fresh(case)
    _member(case, acting_user)
    diagnostic = (
        Diagnostic.objects.filter(case=case, state=DiagnosticState.LOCKED)
        .order_by("-version")
        .first()
    )
    if diagnostic is None:
        raise InvalidTransition("Une préconisation s'appuie sur un diagnostic signé et verrouillé.")
    if not rationale.strip():
        raise InvalidInput("Dites pourquoi le binôme préconise ce parcours.", "rationale")
    if not person_agrees and not person_comment.strip():
        raise InvalidInput(
            "La personne n'est pas d'accord : notez ce qu'elle en dit.", "person_comment"
        )
    open_ones = Recommendation.objects.filter(case=case).exclude(
        state__in=[RecommendationState.DECIDED, RecommendationState.REJECTED]
    )
    if open_ones.exists():
        raise InvalidTransition("Une préconisation est déjà en cours pour cette personne.")
    criteria_path = criteria_suggestion(diagnostic).path
    recommendation = Recommendation(
        case=case,
        diagnostic=diagnostic,
        path=path,
        rationale=rationale.strip(),
        criteria_path=criteria_path,
        is_reorientation=bool(case.orientation_path),
        person_agrees=person_agrees,
        person_comment=person_comment.strip(),
        created_by=acting_user,
    )
    _sign_recommendation(recommendation, acting_user)
    _save(recommendation, acting_user)
    _after_signature(recommendation, acting_user)
    _save(recommendation, acting_user)
    return recommendation


@transaction.atomic
def recommendation_sign(
    *, recommendation: Recommendation, acting_user: Professional
) -> Recommendation:
    recommendation = (
        Recommendation.objects.select_for_update()
        .select_related("case__pair__department")
        .get(pk=recommendation.pk)
    )
    _member(recommendation.case, acting_user)
    if recommendation.state != RecommendationState.SIGNING:
        raise InvalidTransition("Cette préconisation n'attend plus de signature.")
    _sign_recommendation(recommendation, acting_user)
    _after_signature(recommendation, acting_user)
    _save(recommendation, acting_user)
    return recommendation


@transaction.atomic
def recommendation_validate(
    *, recommendation: Recommendation, acting_user: Professional, approve: bool, comment: str = ""
) -> Recommendation:
    """The supervisor validates (or sends back, saying why) when the department asks for it."""
    recommendation = (
        Recommendation.objects.select_for_update()
        .select_related("case__pair")
        .get(pk=recommendation.pk)
    )
    case = recommendation.case
    if (
        not is_supervisor(acting_user)
        or not Case.objects.visible_to(acting_user).filter(pk=case.pk).exists()
    ):
        raise InvalidTransition("Seul·e l'encadrement de ce binôme valide ses préconisations.")
    if recommendation.state != RecommendationState.VALIDATION:
        raise InvalidTransition("Cette préconisation n'attend pas de validation.")
    if not approve and not comment.strip():
        raise InvalidInput("Dites au binôme pourquoi la préconisation lui est renvoyée.", "comment")
    recommendation.validated_by = acting_user
    recommendation.validated_at = timezone.now()
    recommendation.validation_comment = comment.strip()
    recommendation.state = (
        RecommendationState.AWAITING_DECISION if approve else RecommendationState.REJECTED
    )
    _save(recommendation, acting_user)
    _close_notifications(case, NotificationKind.VALIDATION)
    if approve:
        _notify(case, [case.referent], NotificationKind.DECISION)
    return recommendation


def authority_for(case: Case) -> str:
    """RSA recipients: the PCD, or France Travail by delegation (department setting);
    others: France Travail."""
    if not case.beneficiary.rsa_rights_and_duties:
        return DecidingAuthority.FRANCE_TRAVAIL
    if case.pair.department.rsa_orientation_authority == OrientationAuthority.FRANCE_TRAVAIL:
        return DecidingAuthority.FRANCE_TRAVAIL_DELEGATION
    return DecidingAuthority.PCD


REVIEW_AFTER = relativedelta(months=6)


@transaction.atomic
def decision_record(
    *,
    case: Case,
    acting_user: Professional,
    path: str,
    decided_on: datetime.date,
    reasons: str,
    recommendation: Recommendation | None = None,
    review_on: datetime.date | None = None,
    person_agrees: bool | None = None,
    person_comment: str = "",
) -> OrientationDecision:
    """Record the competent authority's decision (on a recommendation, or on the national
    criteria when the decision came first). The path sets the référent unique."""
    case = _fresh(case)
    _member(case, acting_user)
    return _record(
        case=case,
        acting_user=acting_user,
        path=path,
        decided_on=decided_on,
        reasons=reasons,
        recommendation=recommendation,
        review_on=review_on,
        person_agrees=person_agrees,
        person_comment=person_comment,
    )


def _record(
    *,
    case: Case,
    acting_user: Professional | None,
    path: str,
    decided_on: datetime.date,
    reasons: str,
    recommendation: Recommendation | None,
    review_on: datetime.date | None,
    person_agrees: bool | None,
    person_comment: str,
    partner: PartnerSystem | None = None,
    partner_ref: str = "",
) -> OrientationDecision:
    """The decision, on ``case`` locked by the caller: recorded by a member of the binôme
    (``acting_user``), or sent by a partner system (``partner`` and its id ``partner_ref``,
    ``acting_user`` None; the caller names the system in the audit rows). The same effects
    either way: the recommendation decided, the path and the référent set, the letter in the
    person's space."""
    if decided_on > timezone.localdate():
        raise InvalidInput("Une décision ne peut pas être datée dans le futur.", "decided_on")
    if not reasons.strip():
        raise InvalidInput("Recopiez les motifs de la décision.", "reasons")
    if recommendation is not None:
        recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if recommendation.case_id != case.pk:
            raise InvalidTransition("Cette préconisation concerne une autre personne.")
        if recommendation.state != RecommendationState.AWAITING_DECISION:
            raise InvalidTransition("Cette préconisation n'attend pas de décision.")
        person_agrees = recommendation.person_agrees
        person_comment = recommendation.person_comment
    review_on = review_on or decided_on + REVIEW_AFTER
    if review_on < decided_on:
        raise InvalidInput("Le réexamen ne peut précéder la décision.", "review_on")
    decision = OrientationDecision(
        case=case,
        path=path,
        authority=authority_for(case),
        basis=DecisionBasis.RECOMMENDATION if recommendation else DecisionBasis.NATIONAL_CRITERIA,
        recommendation=recommendation,
        decided_on=decided_on,
        reasons=reasons.strip(),
        review_on=review_on,
        is_reorientation=bool(case.orientation_path),
        person_agrees=person_agrees,
        person_comment=person_comment.strip(),
        recorded_by=acting_user,
        partner_system=partner,
        partner_ref=partner_ref,
    )
    _save(decision, acting_user)
    if recommendation is not None:
        recommendation.state = RecommendationState.DECIDED
        _save(recommendation, acting_user)
        _close_notifications(case, NotificationKind.DECISION)
    case_services.case_set_orientation(
        case=case, path=path, acting_user=acting_user, partner=partner
    )
    sending.new_document(case=case, document=f"decision:{decision.pk}", acting_user=acting_user)
    return decision
