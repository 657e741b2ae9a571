"""The plan d'action: the contract it belongs to (contrat d'engagement, CER, PPAE), its actions
and their status (the earliest due date is the case's next action due), the person marking their
own actions done from their space, and the lifting of a difficulty (frein levé) by the référent
unique with the person.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from casework import journal
from casework import services as case_services
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.messages import sending
from casework.models import Case, SpaceAccess
from orientation.enums import ActionOwner, ActionStatus
from orientation.models import (
    PERSON_COMMENT_MAX_LENGTH,
    WEEKLY_HOURS_AIM,
    WEEKLY_HOURS_MAX,
    Action,
    ActionPlan,
    Obstacle,
    ObstacleLift,
)
from orientation.services._base import _fresh, _member, _save
from partners.audit import acting_as_person
from partners.errors import InvalidTransition
from partners.models import Professional


def _plan_of(case: Case, acting_user: Professional) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        plan = ActionPlan(case=case)
        _save(plan, acting_user)
    return plan


def _sync_next_action(case: Case, plan: ActionPlan, acting_user: Professional | None) -> None:
    open_actions = Action.objects.filter(
        plan=plan, status__in=[ActionStatus.TO_DO, ActionStatus.IN_PROGRESS], due_on__isnull=False
    )
    due = open_actions.order_by("due_on").values_list("due_on", flat=True).first()
    case_services.case_set_next_action_due(case=case, due_on=due, acting_user=acting_user)


@transaction.atomic
def plan_set_contract(
    *,
    case: Case,
    acting_user: Professional,
    kind: str,
    reference: str,
    signed_on: datetime.date | None,
    weekly_hours: int = WEEKLY_HOURS_AIM,
    adjusted_for: Obstacle | None = None,
) -> ActionPlan:
    """The contrat d'engagement (or, for older cases, the CER or PPAE) the plan belongs to, and
    its aim of hours of activity a week: 15, adjusted down to none for a difficulty of the
    person's diagnostic. An aim agreed with the person, never a counter: nothing compares the
    activities done with it, warns or reports."""
    case = _fresh(case)
    _member(case, acting_user)
    if signed_on is not None and signed_on > timezone.localdate():
        raise InvalidInput("La signature ne peut pas être datée dans le futur.", "signed_on")
    if not 0 <= weekly_hours <= WEEKLY_HOURS_MAX:
        raise InvalidInput(
            f"L'objectif est entre 0 et {WEEKLY_HOURS_MAX} heures par semaine.", "weekly_hours"
        )
    if weekly_hours >= WEEKLY_HOURS_AIM:
        adjusted_for = None
    elif adjusted_for is None:
        raise InvalidInput(
            f"Sous {WEEKLY_HOURS_AIM} heures, l'objectif s'ajuste pour une difficulté du "
            "diagnostic : choisissez laquelle.",
            "adjusted_for",
        )
    elif adjusted_for.diagnostic.case_id != case.pk:
        raise InvalidTransition("Cette difficulté concerne une autre personne.")
    plan = _plan_of(case, acting_user)
    newly_signed = signed_on is not None and signed_on != plan.contract_signed_on
    plan.contract_kind = kind
    plan.contract_reference = reference.strip()
    plan.contract_signed_on = signed_on
    plan.weekly_hours = weekly_hours
    plan.hours_adjusted_for = adjusted_for
    _save(plan, acting_user)
    if newly_signed:  # the signed contrat and its plan, among the person's documents
        sending.new_document(
            case=case, document=f"plan:{plan.pk}:{signed_on:%Y%m%d}", acting_user=acting_user
        )
    return plan


@transaction.atomic
def action_add(
    *,
    case: Case,
    acting_user: Professional,
    title: str,
    owner: str,
    due_on: datetime.date | None = None,
    partner_name: str = "",
    obstacle: Obstacle | None = None,
    weekly_hours: int | None = None,
) -> Action:
    case = _fresh(case)
    _member(case, acting_user)
    if not title.strip():
        raise InvalidInput("Décrivez l'action.", "title")
    if owner == ActionOwner.PARTNER and not partner_name.strip():
        raise InvalidInput("Nommez le partenaire qui porte l'action.", "partner_name")
    if obstacle is not None and obstacle.diagnostic.case_id != case.pk:
        raise InvalidTransition("Cette difficulté concerne une autre personne.")
    plan = _plan_of(case, acting_user)
    action = Action(
        plan=plan,
        title=title.strip(),
        owner=owner,
        partner_name=partner_name.strip(),
        due_on=due_on,
        obstacle=obstacle,
        weekly_hours=weekly_hours,
    )
    _save(action, acting_user)
    _sync_next_action(case, plan, acting_user)
    return action


@transaction.atomic
def action_set_status(*, action: Action, acting_user: Professional, status: str) -> Action:
    action = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
    case = _fresh(action.plan.case)
    _member(case, acting_user)
    if status not in ActionStatus.values:
        raise InvalidInput("État inconnu.", "status")
    action.status = status
    action.done_on = timezone.localdate() if status == ActionStatus.DONE else None
    _save(action, acting_user)
    _sync_next_action(case, action.plan, acting_user)
    return action


#: The journal's words for the person's act, shown on the case's timeline to the binôme.
PERSON_MARKED = {
    True: "Action du plan marquée faite",
    False: "Action du plan marquée pas encore faite",
}
#: The refusal of an action that is not the person's to mark.
NOT_YOURS = "Cette action n'est pas la vôtre : vos professionnel·les la suivent."


@transaction.atomic
def action_person_mark(
    *,
    access: SpaceAccess,
    action: Action,
    done: bool,
    comment: str = "",
    info: RequestInfo | None = None,
) -> Action:
    """The person marks one of their own actions done, or « pas encore faite » again, with a short
    comment, from their space: their own act (audited under their access, journal channel
    « person »). Only an action of their case whose owner is the person, and not abandoned."""
    action = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
    case = _fresh(action.plan.case)
    if case.pk != access.case_id or action.owner != ActionOwner.PERSON:
        raise InvalidTransition(NOT_YOURS)
    if action.status == ActionStatus.DROPPED:
        raise InvalidTransition("Cette action est abandonnée : parlez-en à votre référent·e.")
    comment = comment.strip()
    if len(comment) > PERSON_COMMENT_MAX_LENGTH:
        raise InvalidInput(
            f"Votre commentaire est trop long : {PERSON_COMMENT_MAX_LENGTH} caractères au plus.",
            "comment",
        )
    action.status = ActionStatus.DONE if done else ActionStatus.TO_DO
    action.done_on = timezone.localdate() if done else None
    action.person_comment = comment
    action.full_clean()
    with acting_as_person(access.pk):
        action.save()
        _sync_next_action(case, action.plan, None)
    journal.record_person_act(
        case=case,
        purpose=PERSON_MARKED[done],
        object_type="action",
        object_id=str(action.pk),
        info=info,
    )
    return action


@transaction.atomic
def obstacle_lift(
    *, obstacle: Obstacle, acting_user: Professional, person_agrees: bool
) -> ObstacleLift:
    """A difficulty is « levée » when the person and the référent agree."""
    obstacle = Obstacle.objects.select_related("diagnostic").get(pk=obstacle.pk)
    case = _fresh(obstacle.diagnostic.case)
    if acting_user.pk != case.referent_id:
        raise InvalidTransition("Le ou la référent·e unique, avec la personne, lève un frein.")
    if not person_agrees:
        raise InvalidInput("Un frein n'est levé que si la personne est d'accord.", "person_agrees")
    if ObstacleLift.objects.filter(obstacle=obstacle).exists():
        raise InvalidTransition("Ce frein est déjà levé.")
    lift = ObstacleLift(
        obstacle=obstacle,
        lifted_on=timezone.localdate(),
        recorded_by=acting_user,
        person_agrees=True,
    )
    _save(lift, acting_user)
    return lift
