"""One-off requests to the social correspondents of a territory (« demandes ponctuelles »)."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework import journal
from casework.enums import (
    JournalChannel,
    ObstacleCategory,
    PersonAgreementMethod,
    SocialRequestState,
)
from casework.errors import ConsentRequired, InvalidInput
from casework.journal import RequestInfo
from casework.models import Beneficiary, Case, SocialRequest
from casework.services._base import save
from casework.services.cases import case_propose
from partners.access import is_advisor
from partners.errors import InvalidTransition
from partners.models import Organisation, Pair, Professional

#: The answer expected within this delay unless the advisor says otherwise.
SOCIAL_REQUEST_DELAY = datetime.timedelta(days=15)
SOCIAL_REQUEST_OBJECT = "demande ponctuelle"


def territory_correspondents(territory: Organisation) -> "Any":
    """The active social correspondents who answer for ``territory`` (it, or below it)."""
    return Professional.objects.filter(
        is_social_correspondent=True,
        is_active=True,
        organisation__path__startswith=territory.path,
    )


def _correspondents_label(territory: Organisation) -> str:
    return f"Correspondant·es sociaux·ales du territoire « {territory.name} »"


def is_territory_correspondent(user: Professional, social_request: SocialRequest) -> bool:
    organisation = user.organisation
    return (
        user.is_active
        and user.is_social_correspondent
        and organisation is not None
        and organisation.path.startswith(social_request.territory.path)
    )


@transaction.atomic
def social_request_create(
    *,
    beneficiary: Beneficiary,
    requester: Professional,
    territory: Organisation,
    category: ObstacleCategory | str,
    question: str,
    person_agreed: bool,
    agreement_method: PersonAgreementMethod | str,
    due_on: datetime.date | None = None,
    info: RequestInfo | None = None,
) -> SocialRequest:
    """An advisor asks the correspondents of the person's territory about one difficulty.

    The person's agreement to this request comes first: without it nothing is recorded.
    """
    if not person_agreed:
        raise ConsentRequired(
            "Recueillez d'abord l'accord de la personne : sa situation ne sera transmise aux "
            "correspondant·es sociaux·ales qu'avec cet accord."
        )
    if not is_advisor(requester) or not requester.is_active:
        raise InvalidTransition(
            "Une demande ponctuelle est adressée par un·e conseiller·ère France Travail."
        )
    if territory.department_id != beneficiary.department_id:
        raise InvalidInput("Ce territoire relève d'un autre département.", "territory")
    if category not in ObstacleCategory.values:
        raise InvalidInput("Choisissez la difficulté sur laquelle porte la demande.", "category")
    if agreement_method not in PersonAgreementMethod.values:
        raise InvalidInput(
            "Indiquez comment l'accord de la personne a été recueilli.", "agreement_method"
        )
    if not question.strip():
        raise InvalidInput("Écrivez la question posée aux correspondant·es.", "question")
    if not territory_correspondents(territory).exists():
        raise InvalidInput(
            "Aucun·e correspondant·e social·e ne répond pour ce territoire : choisissez-en un "
            "autre, ou adressez-vous à l'administration fonctionnelle.",
            "territory",
        )
    today = timezone.localdate()
    due_on = due_on or today + SOCIAL_REQUEST_DELAY
    if due_on < today:
        raise InvalidInput("La date de réponse attendue est déjà passée.", "due_on")
    now = timezone.now()
    social_request = SocialRequest(
        department_id=beneficiary.department_id,
        beneficiary=beneficiary,
        requester=requester,
        territory=territory,
        category=category,
        question=question.strip(),
        person_agreed_at=now,
        agreement_method=agreement_method,
        due_on=due_on,
        created_at=now,
    )
    save(social_request, requester)
    journal.record(
        department=beneficiary.department,
        actor=requester,
        channel=JournalChannel.REQUEST,
        purpose="Demande ponctuelle aux correspondant·es sociaux·ales, avec l'accord de la "
        f"personne ({PersonAgreementMethod(agreement_method).label.lower()})",
        beneficiary=beneficiary,
        categories=[f"obstacles:{category}"],
        recipient=_correspondents_label(territory),
        object_type=SOCIAL_REQUEST_OBJECT,
        object_id=str(social_request.pk),
        info=info,
    )
    return social_request


def _lock_request(social_request: SocialRequest) -> SocialRequest:
    return (
        SocialRequest.objects.select_for_update(of=("self",))
        .select_related("territory", "beneficiary__department", "requester")
        .get(pk=social_request.pk)
    )


def _require_pending(social_request: SocialRequest, action: str) -> None:
    if not social_request.is_pending:
        raise InvalidTransition(
            f"Impossible de {action} : la demande est « {social_request.get_state_display()} »."
        )


@transaction.atomic
def social_request_answer(
    *,
    social_request: SocialRequest,
    acting_user: Professional,
    answer: str,
    info: RequestInfo | None = None,
) -> SocialRequest:
    """A correspondent of the territory answers; the answer is journaled (it goes to the
    requester)."""
    social_request = _lock_request(social_request)
    if not is_territory_correspondent(acting_user, social_request):
        raise InvalidTransition(
            "Seul·es les correspondant·es sociaux·ales du territoire répondent à cette demande."
        )
    if social_request.state != SocialRequestState.OPEN:
        raise InvalidTransition(
            "Cette demande a déjà une réponse, ou elle est close : "
            f"« {social_request.get_state_display()} »."
        )
    if not answer.strip():
        raise InvalidInput("Écrivez la réponse.", "answer")
    social_request.answer = answer.strip()
    social_request.answered_by = acting_user
    social_request.answered_at = timezone.now()
    social_request.state = SocialRequestState.ANSWERED
    save(social_request, acting_user)
    requester = social_request.requester
    journal.record(
        department=social_request.beneficiary.department,
        actor=acting_user,
        channel=JournalChannel.ANSWER,
        purpose="Réponse d'un·e correspondant·e social·e à une demande ponctuelle",
        beneficiary=social_request.beneficiary,
        categories=[f"obstacles:{social_request.category}"],
        recipient=requester.job_title or requester.get_role_display(),
        object_type=SOCIAL_REQUEST_OBJECT,
        object_id=str(social_request.pk),
        info=info,
    )
    return social_request


@transaction.atomic
def social_request_close(
    *, social_request: SocialRequest, acting_user: Professional
) -> SocialRequest:
    """The requester or a correspondent of the territory closes the request."""
    social_request = _lock_request(social_request)
    if acting_user.pk != social_request.requester_id and not is_territory_correspondent(
        acting_user, social_request
    ):
        raise InvalidTransition("Seul·es le ou la demandeur·se et les correspondant·es closent.")
    _require_pending(social_request, "clore la demande")
    social_request.state = SocialRequestState.CLOSED
    social_request.closed_by = acting_user
    social_request.closed_at = timezone.now()
    save(social_request, acting_user)
    return social_request


@transaction.atomic
def social_request_to_case(
    *, social_request: SocialRequest, pair: Pair, acting_user: Professional
) -> Case:
    """The request becomes a proposed accompagnement by one of the requester's binômes, in one
    step. The request stays as it was (question, answer), closed, and points to the case."""
    social_request = _lock_request(social_request)
    if acting_user.pk != social_request.requester_id:
        raise InvalidTransition(
            "Seul·e le ou la conseiller·ère qui a fait la demande la transforme."
        )
    _require_pending(social_request, "proposer un accompagnement")
    if pair.advisor_id != acting_user.pk:
        raise InvalidInput("Choisissez l'un de vos binômes.", "pair")
    case = case_propose(beneficiary=social_request.beneficiary, pair=pair, acting_user=acting_user)
    social_request.case = case
    social_request.state = SocialRequestState.CONVERTED
    social_request.closed_by = acting_user
    social_request.closed_at = timezone.now()
    save(social_request, acting_user)
    return case
