"""``orientation:write``: a partner system (France Travail's, the department's) records the
competent authority's orientation decision for a case of its department, through the API.

The same flow as in the browser (``recommendations._record``): on the recommendation awaiting a
decision if the case has one (the person's opinion is the one given with it), on the national
criteria otherwise (the person's opinion is then unknown: never invented); the path sets the
référent unique and the decision letter is announced in the person's space. No professional
acts: ``acting_user`` is None, the decision names the system (``partner_system``) and its own id
(``partner_ref``, unique per system), the audit rows name it through
``partners.audit.acting_as_partner``, and every call writes one journal row (channel « api », the
system and its organisation as actor).

Idempotent by the partner's id: the same id with the same content is the same decision (nothing
more is written but the journal row); with another content, a refusal (``PartnerRefReused``).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from casework import journal
from casework.enums import OPEN_STATES, JournalChannel
from casework.errors import InvalidInput, PartnerRefReused
from casework.journal import RequestInfo
from casework.models import Case
from casework.services.api_appointments import PARTNER_REF
from orientation.enums import RecommendationState
from orientation.models import OrientationDecision, Recommendation
from orientation.services._base import _fresh
from orientation.services.recommendations import REVIEW_AFTER, _record
from partners.api.models import Scope
from partners.audit import acting_as_partner
from partners.errors import InvalidTransition
from partners.models import PartnerSystem

#: The journal's name for what these calls write.
API_DECISION_OBJECT = "décision d'orientation"


@dataclass(frozen=True)
class DecisionSent:
    """What a partner system sends: the authority's decision, as the letter says it."""

    path: str
    decided_on: datetime.date
    reasons: str
    review_on: datetime.date | None = None

    def same_as(self, decision: OrientationDecision) -> bool:
        """Whether ``decision`` says the same (a review date left out is the default one)."""
        return (
            decision.path == self.path
            and decision.decided_on == self.decided_on
            and decision.reasons == self.reasons.strip()
            and decision.review_on == (self.review_on or self.decided_on + REVIEW_AFTER)
        )


def _journal(
    *,
    partner: PartnerSystem,
    case: Case,
    decision: OrientationDecision,
    what: str,
    info: RequestInfo,
) -> None:
    journal.record(
        department=case.pair.department,
        actor=None,
        actor_label=partner.name,
        actor_organisation=partner.organisation,
        channel=JournalChannel.API,
        purpose=f"{what} par un système partenaire ({Scope.ORIENTATION_WRITE.value})",
        case=case,
        object_type=API_DECISION_OBJECT,
        object_id=str(decision.pk),
        info=info,
    )


@transaction.atomic
def api_decision_record(
    *,
    partner: PartnerSystem,
    case: Case,
    partner_ref: str,
    sent: DecisionSent,
    info: RequestInfo,
) -> tuple[OrientationDecision, bool]:
    """Record the decision the system sent under ``partner_ref`` (a new id), or find the one it
    already sent (the same id and the same content). Returns the decision and whether it is
    new. Refused: an id already used for another decision or another case, a case whose
    accompaniment is over."""
    if not PARTNER_REF.fullmatch(partner_ref):
        raise InvalidInput("Cet identifiant de décision n'est pas valide.", "partner_ref")
    case = _fresh(case)
    existing = OrientationDecision.objects.filter(
        partner_system=partner, partner_ref=partner_ref
    ).first()
    if existing is not None:
        if existing.case_id != case.pk:
            raise PartnerRefReused(
                "Cet identifiant désigne déjà une décision d'orientation d'un autre accompagnement."
            )
        if not sent.same_as(existing):
            raise PartnerRefReused(
                "Cet identifiant désigne déjà une décision d'orientation différente : "
                "une nouvelle décision prend un nouvel identifiant."
            )
        _journal(
            partner=partner,
            case=case,
            decision=existing,
            what="Décision d'orientation envoyée à nouveau, inchangée,",
            info=info,
        )
        return existing, False
    if case.state not in OPEN_STATES:
        raise InvalidTransition(
            "Impossible d'enregistrer une décision d'orientation : l'accompagnement est "
            f"« {case.get_state_display()} »."
        )
    awaiting = (
        Recommendation.objects.filter(case=case, state=RecommendationState.AWAITING_DECISION)
        .order_by("-pk")
        .first()
    )
    with acting_as_partner(partner):
        decision = _record(
            case=case,
            acting_user=None,
            path=sent.path,
            decided_on=sent.decided_on,
            reasons=sent.reasons,
            recommendation=awaiting,
            review_on=sent.review_on,
            person_agrees=None,  # on a recommendation, its own; else unknown, never invented
            person_comment="",
            partner=partner,
            partner_ref=partner_ref,
        )
    _journal(
        partner=partner,
        case=case,
        decision=decision,
        what="Décision d'orientation enregistrée",
        info=info,
    )
    return decision, True
