"""Every write of the diagnostic partagé: drafted with the person, validated or contested by the
person, signed by both professionals, then locked; a change after locking is the next version."""

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework import permissions
from casework import services as case_services
from casework.enums import (
    CaseState,
    DiagnosticState,
    obstacle_share_category,
)
from casework.errors import ConsentRequired, InvalidInput
from casework.models import (
    Case,
    Rectification,
)
from casework.rights import record_rectifications
from orientation.enums import (
    ActionOwner,
    ActionStatus,
    DecidingAuthority,
    DecisionBasis,
    NotificationKind,
    RecommendationState,
)
from orientation.models import (
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
from orientation.selectors import criteria_suggestion
from partners.audit import acting_as
from partners.enums import OrientationAuthority, Role
from partners.errors import InvalidTransition
from partners.models import Professional

#: Who writes which part: the advisor the professional situation, the social worker the social
#: summary; both the person's words, strengths and the structured facts.
SHARED_FIELDS = {
    "person_words",
    "strengths",
    "active_last_two_years",
    "can_project_into_work",
    "education_level",
}
FIELDS_BY_ROLE: dict[str, set[str]] = {
    Role.ADVISOR: SHARED_FIELDS | {"professional_situation"},
    Role.SOCIAL_WORKER: SHARED_FIELDS | {"social_summary"},
}
COPIED_FIELDS = [*sorted(SHARED_FIELDS), "professional_situation", "social_summary"]
ENTERED_STATES = (CaseState.DIAGNOSTIC, CaseState.ACTIVE, CaseState.SUSPENDED)


def _member(case: Case, user: Professional) -> None:
    if not permissions.can_change_case(user, case):
        raise InvalidTransition("Seul le binôme de la personne écrit son diagnostic.")


def _social_worker(case: Case, user: Professional) -> None:
    if not permissions.can_read_social_notes(user, case):
        raise InvalidTransition("Seul·e le ou la travailleur·se social·e du binôme écrit ici.")


def _save(instance: Any, acting_user: Professional, update_fields: list[str] | None = None) -> None:
    instance.full_clean()
    with acting_as(acting_user):
        instance.save(update_fields=update_fields)


def _locked_editable(diagnostic: Diagnostic) -> Diagnostic:
    locked = Diagnostic.objects.select_for_update().select_related("case").get(pk=diagnostic.pk)
    if locked.state == DiagnosticState.LOCKED:
        raise InvalidTransition(
            "Ce diagnostic est verrouillé : il ne change plus. Créez une nouvelle version."
        )
    return locked


SIGNATURE_FIELDS = [
    "advisor_signed_by",
    "advisor_signed_at",
    "social_worker_signed_by",
    "social_worker_signed_at",
]


def _back_to_draft(diagnostic: Diagnostic) -> list[str]:
    """A change of content after the person's opinion: the person must see it again."""
    if diagnostic.state == DiagnosticState.DRAFT:
        return []
    diagnostic.state = DiagnosticState.DRAFT
    for field in SIGNATURE_FIELDS:
        setattr(diagnostic, field, None)
    return ["state", *SIGNATURE_FIELDS]


def _sync_case(diagnostic: Diagnostic, acting_user: Professional) -> None:
    case_services.case_set_diagnostic_state(
        case=diagnostic.case, diagnostic_state=diagnostic.state, acting_user=acting_user
    )


@transaction.atomic
def diagnostic_start(
    *, case: Case, acting_user: Professional, three_way: bool = True
) -> Diagnostic:
    """Open the first version, drafted in a three-way interview (recorded as such)."""
    _member(case, acting_user)
    if case.state not in ENTERED_STATES:
        raise ConsentRequired(
            "Le diagnostic commence une fois l'accord de la personne pour entrer enregistré."
        )
    if Diagnostic.objects.filter(case=case).exists():
        raise InvalidTransition("Ce diagnostic existe déjà.")
    diagnostic = Diagnostic(
        case=case,
        version=1,
        drafted_three_way=three_way,
        education_level=case.beneficiary.education_level,
        created_by=acting_user,
    )
    try:
        with transaction.atomic():
            _save(diagnostic, acting_user)
    except IntegrityError as error:
        raise InvalidTransition("Ce diagnostic existe déjà.") from error
    _save(SocialDetails(diagnostic=diagnostic), acting_user)
    _sync_case(diagnostic, acting_user)
    return diagnostic


@transaction.atomic
def diagnostic_update(
    *, diagnostic: Diagnostic, acting_user: Professional, fields: dict[str, Any]
) -> Diagnostic:
    """Write some sections. Only the given fields are saved, so that the two professionals
    editing their own sections at the same time do not overwrite each other."""
    diagnostic = _locked_editable(diagnostic)
    _member(diagnostic.case, acting_user)
    allowed = FIELDS_BY_ROLE.get(acting_user.role, set())
    refused = set(fields) - allowed
    if refused:
        raise InvalidTransition(
            "Cette partie du diagnostic est écrite par l'autre membre du binôme."
        )
    changed = [name for name, value in fields.items() if getattr(diagnostic, name) != value]
    if not changed:
        return diagnostic
    for name in changed:
        value = fields[name]
        setattr(diagnostic, name, value.strip() if isinstance(value, str) else value)
    _save(diagnostic, acting_user, update_fields=changed + _back_to_draft(diagnostic))
    _sync_case(diagnostic, acting_user)
    return diagnostic


@transaction.atomic
def obstacle_add(
    *,
    diagnostic: Diagnostic,
    acting_user: Professional,
    category: str,
    impact: str,
    in_persons_words: str,
    person_agrees: bool = True,
    person_refuses_writing: bool = False,
) -> Obstacle | None:
    """Write a difficulty as the person says it. If the person refuses that it be written,
    nothing is stored."""
    diagnostic = _locked_editable(diagnostic)
    _member(diagnostic.case, acting_user)
    if person_refuses_writing:
        return None
    if not in_persons_words.strip():
        raise InvalidInput("Écrivez la difficulté comme la personne la dit.", "in_persons_words")
    obstacle = Obstacle(
        diagnostic=diagnostic,
        category=category,
        impact=impact,
        in_persons_words=in_persons_words.strip(),
        raised_by=acting_user,
        person_agrees=person_agrees,
    )
    _save(obstacle, acting_user)
    reopened = _back_to_draft(diagnostic)
    if reopened:
        _save(diagnostic, acting_user, update_fields=reopened)
        _sync_case(diagnostic, acting_user)
    return obstacle


@transaction.atomic
def obstacle_set_person_agrees(
    *, obstacle: Obstacle, acting_user: Professional, agrees: bool
) -> Obstacle:
    """The person agrees with, or disputes, what is written. A disputed obstacle is never shared."""
    diagnostic = _locked_editable(obstacle.diagnostic)
    _member(diagnostic.case, acting_user)
    obstacle = Obstacle.objects.select_for_update().get(pk=obstacle.pk)
    obstacle.person_agrees = agrees
    _save(obstacle, acting_user, update_fields=["person_agrees"])
    reopened = _back_to_draft(diagnostic)
    if reopened:
        _save(diagnostic, acting_user, update_fields=reopened)
        _sync_case(diagnostic, acting_user)
    return obstacle


@transaction.atomic
def obstacle_rectify(
    *,
    obstacle: Obstacle,
    acting_user: Professional,
    reason: str,
    in_persons_words: str | None = None,
    impact: str | None = None,
    person_agrees: bool | None = None,
) -> list[Rectification]:
    """The person contests a difficulty as written: the correction is recorded with who, when
    and why. In a locked diagnostic it is made in the next version (the locked one stays as it
    was); either way the person sees the diagnostic again before it is signed."""
    diagnostic = (
        Diagnostic.objects.select_for_update().select_related("case").get(pk=obstacle.diagnostic_id)
    )
    _member(diagnostic.case, acting_user)
    if Diagnostic.objects.filter(case=diagnostic.case, version__gt=diagnostic.version).exists():
        raise InvalidTransition("Rectifiez la difficulté dans la version la plus récente.")
    if diagnostic.state == DiagnosticState.LOCKED:
        position = list(
            Obstacle.objects.filter(diagnostic=diagnostic)
            .order_by("pk")
            .values_list("pk", flat=True)
        ).index(obstacle.pk)
        diagnostic = diagnostic_new_version(diagnostic=diagnostic, acting_user=acting_user)
        obstacle = Obstacle.objects.filter(diagnostic=diagnostic).order_by("pk")[position]
    target = Obstacle.objects.select_for_update().get(pk=obstacle.pk)
    changes: dict[str, Any] = {}
    if in_persons_words is not None:
        if not in_persons_words.strip():
            raise InvalidInput(
                "Écrivez la difficulté comme la personne la dit.", "in_persons_words"
            )
        changes["in_persons_words"] = in_persons_words.strip()
    if impact is not None:
        changes["impact"] = impact
    if person_agrees is not None:
        changes["person_agrees"] = person_agrees
    rows = record_rectifications(
        instance=target,
        changes=changes,
        beneficiary=diagnostic.case.beneficiary,
        case=diagnostic.case,
        reason=reason,
        acting_user=acting_user,
        share_category=obstacle_share_category(target.category),
    )
    reopened = _back_to_draft(diagnostic)
    if reopened:
        _save(diagnostic, acting_user, update_fields=reopened)
    _sync_case(diagnostic, acting_user)
    return rows


@transaction.atomic
def social_details_set(
    *, diagnostic: Diagnostic, acting_user: Professional, text: str
) -> SocialDetails:
    diagnostic = _locked_editable(diagnostic)
    _social_worker(diagnostic.case, acting_user)
    details = SocialDetails.objects.select_for_update().get(diagnostic=diagnostic)
    details.text = text.strip()
    _save(details, acting_user, update_fields=["text"])
    return details


@transaction.atomic
def diagnostic_record_opinion(
    *, diagnostic: Diagnostic, acting_user: Professional, validated: bool, comment: str = ""
) -> Diagnostic:
    """The person validates or contests the content, in the presence of the professional who
    records it."""
    diagnostic = _locked_editable(diagnostic)
    _member(diagnostic.case, acting_user)
    if diagnostic.state != DiagnosticState.DRAFT:
        raise InvalidTransition("L'avis de la personne sur cette rédaction est déjà enregistré.")
    if not validated and not comment.strip():
        raise InvalidInput(
            "Notez ce que la personne conteste, dans ses mots.", "person_opinion_comment"
        )
    diagnostic.state = DiagnosticState.VALIDATED if validated else DiagnosticState.CONTESTED
    diagnostic.person_opinion_comment = comment.strip()
    diagnostic.person_opinion_recorded_by = acting_user
    diagnostic.person_opinion_at = timezone.now()
    _save(diagnostic, acting_user)
    _sync_case(diagnostic, acting_user)
    return diagnostic


@transaction.atomic
def diagnostic_sign(*, diagnostic: Diagnostic, acting_user: Professional) -> Diagnostic:
    """Sign as advisor or social worker of the case; the second signature locks the version."""
    diagnostic = _locked_editable(diagnostic)
    _member(diagnostic.case, acting_user)
    if diagnostic.state == DiagnosticState.DRAFT:
        raise InvalidTransition(
            "La personne valide ou conteste d'abord le diagnostic : les signatures viennent après."
        )
    now = timezone.now()
    if acting_user.role == Role.ADVISOR:
        if diagnostic.advisor_signed_at is not None:
            raise InvalidTransition("Vous avez déjà signé ce diagnostic.")
        diagnostic.advisor_signed_by, diagnostic.advisor_signed_at = acting_user, now
    else:
        if diagnostic.social_worker_signed_at is not None:
            raise InvalidTransition("Vous avez déjà signé ce diagnostic.")
        diagnostic.social_worker_signed_by, diagnostic.social_worker_signed_at = acting_user, now
    if diagnostic.advisor_signed_at and diagnostic.social_worker_signed_at:
        diagnostic.state = DiagnosticState.LOCKED
        diagnostic.locked_at = now
    _save(diagnostic, acting_user)
    _sync_case(diagnostic, acting_user)
    return diagnostic


@transaction.atomic
def diagnostic_new_version(*, diagnostic: Diagnostic, acting_user: Professional) -> Diagnostic:
    """Start the next version from a locked one; the locked version stays as it is."""
    locked = Diagnostic.objects.select_for_update().select_related("case").get(pk=diagnostic.pk)
    _member(locked.case, acting_user)
    if locked.state != DiagnosticState.LOCKED:
        raise InvalidTransition("Cette version n'est pas verrouillée : modifiez-la directement.")
    if Diagnostic.objects.filter(case=locked.case, version__gt=locked.version).exists():
        raise InvalidTransition("Une version plus récente existe déjà.")
    successor = Diagnostic(
        case=locked.case,
        version=locked.version + 1,
        drafted_three_way=False,
        created_by=acting_user,
        **{field: getattr(locked, field) for field in COPIED_FIELDS},
    )
    _save(successor, acting_user)
    for obstacle in Obstacle.objects.filter(diagnostic=locked).order_by("pk"):
        _save(
            Obstacle(
                diagnostic=successor,
                category=obstacle.category,
                impact=obstacle.impact,
                in_persons_words=obstacle.in_persons_words,
                raised_by=obstacle.raised_by,
                person_agrees=obstacle.person_agrees,
            ),
            acting_user,
        )
    details = SocialDetails.objects.get(diagnostic=locked)
    _save(SocialDetails(diagnostic=successor, text=details.text), acting_user)
    _sync_case(successor, acting_user)
    return successor


def _fresh(case: Case) -> Case:
    """The case as it is now, locked for this transaction (the caller's copy may be stale)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("pair__department", "pair__advisor", "pair__social_worker", "beneficiary")
        .get(pk=case.pk)
    )


def _notify(case: Case, recipients: list[Professional], kind: str) -> None:
    """In-app notifications; their e-mails leave once the transaction has committed."""
    created = [
        Notification.objects.create(recipient=recipient, case=case, kind=kind).pk
        for recipient in recipients
    ]
    if created:
        from orientation import tasks  # tasks import this module

        transaction.on_commit(lambda: tasks.send_notification_emails.delay(created))


@transaction.atomic
def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail each notification not e-mailed yet (idempotent: emailed_at). No names in them."""
    pending = (
        Notification.objects.select_for_update(of=("self",))
        .filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
    )
    sent = 0
    for notification in pending:
        send_mail(
            subject=f"Binôme : {NotificationKind(notification.kind).label.lower()}",
            message=f"Bonjour,\n\n{NotificationKind(notification.kind).label}.\n\n"
            f"Le détail : {settings.BINOME_SITE_URL}/notifications/\n",
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        sent += 1
    return sent


def _close_notifications(case: Case, kind: str, recipient: Professional | None = None) -> None:
    pending = Notification.objects.filter(case=case, kind=kind, done_at__isnull=True)
    if recipient is not None:
        pending = pending.filter(recipient=recipient)
    pending.update(done_at=timezone.now())


def supervisors_of(case: Case) -> list[Professional]:
    """The active supervisors whose organisation subtree holds a member of the case's binôme."""
    paths = [
        member.organisation.path
        for member in (case.pair.advisor, case.pair.social_worker)
        if member.organisation is not None
    ]
    supervisors = Professional.objects.filter(
        role=Role.SUPERVISOR, is_active=True, organisation__department=case.pair.department_id
    ).select_related("organisation")
    return [
        s
        for s in supervisors
        if s.organisation and any(path.startswith(s.organisation.path) for path in paths)
    ]


def _sign_recommendation(recommendation: Recommendation, acting_user: Professional) -> None:
    now = timezone.now()
    if acting_user.role == Role.ADVISOR:
        if recommendation.advisor_signed_at is not None:
            raise InvalidTransition("Vous avez déjà signé cette préconisation.")
        recommendation.advisor_signed_by, recommendation.advisor_signed_at = acting_user, now
    else:
        if recommendation.social_worker_signed_at is not None:
            raise InvalidTransition("Vous avez déjà signé cette préconisation.")
        recommendation.social_worker_signed_by = acting_user
        recommendation.social_worker_signed_at = now


def _after_signature(recommendation: Recommendation, acting_user: Professional) -> None:
    case = recommendation.case
    _close_notifications(case, NotificationKind.SIGNATURE, acting_user)
    if not (recommendation.advisor_signed_at and recommendation.social_worker_signed_at):
        other = case.pair.co_member(acting_user)
        _notify(case, [other], NotificationKind.SIGNATURE)
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
    criteria_path, _ = criteria_suggestion(diagnostic)
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
        acting_user.role != Role.SUPERVISOR
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
    )
    _save(decision, acting_user)
    if recommendation is not None:
        recommendation.state = RecommendationState.DECIDED
        _save(recommendation, acting_user)
        _close_notifications(case, NotificationKind.DECISION)
    case_services.case_set_orientation(case=case, path=path, acting_user=acting_user)
    return decision


def _plan_of(case: Case, acting_user: Professional) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        plan = ActionPlan(case=case)
        _save(plan, acting_user)
    return plan


def _sync_next_action(case: Case, plan: ActionPlan, acting_user: Professional) -> None:
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
) -> ActionPlan:
    """The contrat d'engagement (or, for older cases, the CER or PPAE) the plan belongs to."""
    case = _fresh(case)
    _member(case, acting_user)
    if signed_on is not None and signed_on > timezone.localdate():
        raise InvalidInput("La signature ne peut pas être datée dans le futur.", "signed_on")
    plan = _plan_of(case, acting_user)
    plan.contract_kind = kind
    plan.contract_reference = reference.strip()
    plan.contract_signed_on = signed_on
    _save(plan, acting_user)
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
