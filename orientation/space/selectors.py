"""What the person's space shows of orientation, computed on every request: their diagnostic,
their orientation decisions, their contrat d'engagement and plan d'action.

The person reads their own words, strengths, situations, social summary and every difficulty of
theirs, those the accord de partage does not cover and those they dispute included (DESIGN.md,
« The person's own space »). Never the social details (``SocialDetails`` is never queried here),
the social notes, the binôme's notes or points binôme, or anything of another person: every
query starts from the case of the person's access.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.enums import CaseState
from casework.models import SpaceAccess
from casework.space import selectors as space_selectors
from orientation.enums import ActionOwner, ActionStatus, DiagnosticState
from orientation.models import Action, ActionPlan, Diagnostic, Obstacle, OrientationDecision


@dataclass(frozen=True)
class DiagnosticShown:
    """One version of the diagnostic as the person sees it."""

    diagnostic: Diagnostic
    obstacles: list[Obstacle]

    @property
    def awaiting(self) -> bool:
        """A draft: the person's opinion comes before the signatures."""
        return self.diagnostic.state == DiagnosticState.DRAFT

    @property
    def signed(self) -> bool:
        return self.diagnostic.state == DiagnosticState.LOCKED


def diagnostic_shown(diagnostic: Diagnostic) -> DiagnosticShown:
    """The version with every difficulty of the person's, in a stable order."""
    return DiagnosticShown(
        diagnostic=diagnostic,
        obstacles=list(Obstacle.objects.filter(diagnostic=diagnostic).order_by("category", "pk")),
    )


def diagnostic_documents(access: SpaceAccess) -> list[Diagnostic]:
    """The diagnostic among the person's documents, newest first: the last signed version, and
    the version still open after it (awaiting their opinion or the signatures), if any. The
    older signed versions are replaced by the last one."""
    last_signed = (
        Diagnostic.objects.filter(case_id=access.case_id, state=DiagnosticState.LOCKED)
        .order_by("-version")
        .values("pk")[:1]
    )
    return list(
        Diagnostic.objects.filter(case_id=access.case_id)
        .filter(~Q(state=DiagnosticState.LOCKED) | Q(pk__in=last_signed))
        .order_by("-version")
    )


def decisions(access: SpaceAccess) -> QuerySet[OrientationDecision]:
    """The orientation decisions about the person, newest first."""
    return OrientationDecision.objects.filter(case_id=access.case_id).order_by("-decided_on", "-pk")


def plan(access: SpaceAccess) -> ActionPlan | None:
    """The person's contrat d'engagement and plan d'action, once the binôme wrote one."""
    return (
        ActionPlan.objects.filter(case_id=access.case_id)
        .select_related("hours_adjusted_for")
        .first()
    )


def actions(access: SpaceAccess) -> list[Action]:
    """The actions of the person's plan, with the difficulty each one works on (the person's
    own: they see every one of them)."""
    return list(
        Action.objects.filter(plan__case_id=access.case_id)
        .select_related("obstacle")
        .order_by("due_on", "pk")
    )


def own_actions(access: SpaceAccess) -> QuerySet[Action]:
    """The actions the person may mark done: theirs (owner « la personne »), not abandoned.
    Any other action, of another owner or of another person, is the same 404 as a missing one."""
    return Action.objects.filter(plan__case_id=access.case_id, owner=ActionOwner.PERSON).exclude(
        status=ActionStatus.DROPPED
    )


def may_mark(action: Action) -> bool:
    return action.owner == ActionOwner.PERSON and action.status != ActionStatus.DROPPED


# The download of what the space shows ------------------------------------------------------------


def _person(person: space_selectors.Person) -> dict[str, str]:
    return {
        "nom": person.name,
        "fonction": person.job_title,
        "organisation": person.organisation,
        "courriel": person.email,
    }


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _diagnostic(shown: DiagnosticShown) -> dict[str, Any]:
    diagnostic = shown.diagnostic
    return {
        "version": diagnostic.version,
        "etat": diagnostic.get_state_display(),
        "redige_le": _date(diagnostic.drafted_on),
        "ce_que_vous_nous_avez_dit": diagnostic.person_words,
        "vos_atouts": diagnostic.strengths,
        "votre_situation_pour_l_emploi": diagnostic.professional_situation,
        "votre_situation_de_vie": diagnostic.social_summary,
        "difficultes": [
            {
                "categorie": obstacle.get_category_display(),
                "avec_vos_mots": obstacle.in_persons_words,
                "vous_etes_d_accord": obstacle.person_agrees,
            }
            for obstacle in shown.obstacles
        ],
        "votre_avis_le": _date(diagnostic.person_opinion_at),
        "votre_commentaire": diagnostic.person_opinion_comment,
        "verrouille_le": _date(diagnostic.locked_at),
    }


def _decision(decision: OrientationDecision) -> dict[str, Any]:
    return {
        "decidee_le": _date(decision.decided_on),
        "par": decision.get_authority_display(),
        "parcours": decision.get_path_display(),
        "reorientation": decision.is_reorientation,
        "motifs": decision.reasons,
        "reexamen_au_plus_tard_le": _date(decision.review_on),
        "vous_etiez_d_accord": decision.person_agrees,
        "votre_commentaire": decision.person_comment,
    }


def _action(action: Action) -> dict[str, Any]:
    return {
        "action": action.title,
        "qui": action.get_owner_display(),
        "partenaire": action.partner_name,
        "echeance": _date(action.due_on),
        "etat": action.get_status_display(),
        "faite_le": _date(action.done_on),
        "difficulte": action.obstacle.get_category_display() if action.obstacle else None,
        "votre_commentaire": action.person_comment,
    }


def space_data(access: SpaceAccess) -> dict[str, Any]:
    """What the space shows, as data: the same selectors as its pages (``casework.space``'s for
    the accompaniment and the appointments, this module's for the documents and the plan)."""
    case = space_selectors.space_case(access)
    action_plan = plan(access)
    return {
        "telecharge_le": timezone.localtime().isoformat(timespec="seconds"),
        "accompagnement": {
            "etat": space_selectors.STATE_SENTENCES[CaseState(case.state)],
            "commence_le": _date(case.started_on),
            "prevu_jusqu_au": _date(case.planned_end_on),
            "referent": _person(space_selectors.Person.of(case.referent, "référent·e")),
            "co_accompagnant": (
                _person(space_selectors.Person.of(case.co_accompagnant, "co-accompagnant·e"))
                if case.co_accompagnant is not None
                else None
            ),
        },
        "prochains_rendez_vous": [
            {
                "le": timezone.localtime(appointment.planned_at).isoformat(timespec="minutes"),
                "lieu": appointment.place,
                "avec": space_selectors.Person.of(appointment.with_whom, "").name,
            }
            for appointment in space_selectors.upcoming_appointments(case)
        ],
        "diagnostic": [
            _diagnostic(diagnostic_shown(diagnostic)) for diagnostic in diagnostic_documents(access)
        ],
        "decisions_d_orientation": [_decision(decision) for decision in decisions(access)],
        "contrat_et_plan_d_action": None
        if action_plan is None
        else {
            "contrat": action_plan.get_contract_kind_display(),
            "reference": action_plan.contract_reference,
            "signe_le": _date(action_plan.contract_signed_on),
            "actions": [_action(action) for action in actions(access)],
        },
    }
