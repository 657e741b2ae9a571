"""Every write of the diagnostic partagé: drafted with the person, validated or contested by the
person, signed by both professionals, then locked; a change after locking is the next version.
With its difficulties (obstacles: written, agreed or disputed, rectified) and the social details
only the social worker writes.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework import journal
from casework import services as case_services
from casework.enums import (
    AppointmentKind,
    AppointmentOutcome,
    CaseState,
    DiagnosticState,
    obstacle_share_category,
)
from casework.errors import ConsentRequired, InvalidInput
from casework.journal import RequestInfo
from casework.messages import sending
from casework.models import Appointment, Case, Rectification
from casework.rights import record_rectifications
from orientation.models import Diagnostic, Obstacle, SocialDetails
from orientation.services._base import _member, _save, _signatures_complete, _social_worker
from partners.access import is_advisor
from partners.audit import acting_as_person
from partners.enums import Role
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
    """Open the first version, drafted in a three-way interview (recorded as such), tied to the
    tripartite diagnostic appointment held for it, if any (the latest)."""
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
        from_appointment=(
            Appointment.objects.filter(
                case=case, kind=AppointmentKind.DIAGNOSTIC, outcome=AppointmentOutcome.HELD
            )
            .order_by("-planned_at", "-pk")
            .first()
        ),
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
    if diagnostic.case.pair.advisor_id is None:  # suivi social seul: one writer for every part
        allowed = allowed | {"professional_situation"}
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
def diagnostic_person_opinion(
    *,
    diagnostic: Diagnostic,
    access_id: int,
    validated: bool,
    comment: str = "",
    info: RequestInfo | None = None,
) -> Diagnostic:
    """The person validates or contests the diagnostic from their space, before the binôme signs:
    the same rules as when a professional records it in interview, as the person's own act (no
    professional recorded it; journal channel « person »)."""
    diagnostic = _locked_editable(diagnostic)
    if diagnostic.state != DiagnosticState.DRAFT:
        raise InvalidTransition("Votre avis sur ce diagnostic est déjà enregistré.")
    if not validated and not comment.strip():
        raise InvalidInput("Écrivez avec vos mots ce que vous contestez.", "comment")
    diagnostic.state = DiagnosticState.VALIDATED if validated else DiagnosticState.CONTESTED
    diagnostic.person_opinion_comment = comment.strip()
    diagnostic.person_opinion_recorded_by = None
    diagnostic.person_opinion_at = timezone.now()
    diagnostic.full_clean()
    with acting_as_person(access_id):
        diagnostic.save()
        case_services.case_set_diagnostic_state(
            case=diagnostic.case, diagnostic_state=diagnostic.state, acting_user=None
        )
    journal.record_person_act(
        case=diagnostic.case,
        purpose=f"Avis sur le diagnostic : {'validé' if validated else 'contesté'}",
        object_type="diagnostic",
        object_id=str(diagnostic.pk),
        info=info,
    )
    return diagnostic


@transaction.atomic
def diagnostic_sign(*, diagnostic: Diagnostic, acting_user: Professional) -> Diagnostic:
    """Sign as advisor or social worker of the case; the second signature locks the version (in
    a suivi social seul, the social worker's signature alone, after the person's opinion)."""
    diagnostic = _locked_editable(diagnostic)
    _member(diagnostic.case, acting_user)
    if diagnostic.state == DiagnosticState.DRAFT:
        raise InvalidTransition(
            "La personne valide ou conteste d'abord le diagnostic : les signatures viennent après."
        )
    now = timezone.now()
    if is_advisor(acting_user):
        if diagnostic.advisor_signed_at is not None:
            raise InvalidTransition("Vous avez déjà signé ce diagnostic.")
        diagnostic.advisor_signed_by, diagnostic.advisor_signed_at = acting_user, now
    elif diagnostic.social_worker_signed_at is None:
        diagnostic.social_worker_signed_by, diagnostic.social_worker_signed_at = acting_user, now
    elif diagnostic.case.pair.advisor_id is not None:
        raise InvalidTransition("Vous avez déjà signé ce diagnostic.")
    # (Signed while the case was a binôme's, now a suivi social seul's: signing again, alone,
    # completes it.)
    if _signatures_complete(diagnostic, diagnostic.case):
        diagnostic.state = DiagnosticState.LOCKED
        diagnostic.locked_at = now
    _save(diagnostic, acting_user)
    _sync_case(diagnostic, acting_user)
    if diagnostic.state == DiagnosticState.LOCKED:  # the signed copy joins the person's documents
        sending.new_document(
            case=diagnostic.case, document=f"diagnostic:{diagnostic.pk}", acting_user=acting_user
        )
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
