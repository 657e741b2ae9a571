"""What the person's space shows, computed on every request. Never social notes, social
details, the binôme's notes, points binôme, or anything about other people."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from casework.enums import CLOSED_FILE_STAGES, CaseState
from casework.models import (
    Appointment,
    Case,
    PersonMessage,
    PersonRequest,
    SharingAgreement,
    SpaceAccess,
)
from partners.models import Professional

#: The accompaniment's state, in the person's words.
STATE_SENTENCES = {
    CaseState.PROPOSED: (
        "Un accompagnement vous a été proposé. Vous n'avez pas encore dit si vous l'acceptez."
    ),
    CaseState.DIAGNOSTIC: (
        "Votre accompagnement a commencé : vous faites le point sur votre situation avec vos "
        "deux professionnel·les."
    ),
    CaseState.ACTIVE: "Votre accompagnement est en cours.",
    CaseState.SUSPENDED: "Votre accompagnement est en pause pour le moment.",
    CaseState.CLOSED: "Votre accompagnement est terminé.",
    CaseState.REFUSED: (
        "Vous avez refusé l'accompagnement proposé. Ce refus n'a aucune conséquence pour vous."
    ),
}

#: How many appointments the page lists.
UPCOMING_LIMIT = 10


@dataclass(frozen=True)
class Person:
    """A professional as the person sees them: name, job title, organisation, and their work
    e-mail address to reach them."""

    name: str
    job_title: str
    organisation: str
    email: str

    @classmethod
    def of(cls, professional: Professional, default_title: str) -> "Person":
        organisation = professional.organisation
        return cls(
            name=professional.full_name,
            job_title=professional.job_title or default_title,
            organisation=organisation.name if organisation is not None else "",
            email=professional.email,
        )


def is_archived(access: SpaceAccess) -> bool:
    return access.beneficiary.file_stage in CLOSED_FILE_STAGES


def space_case(access: SpaceAccess) -> Case:
    """The invitation's case, with its binôme and their organisations."""
    return Case.objects.select_related(
        "referent__organisation",
        "pair__advisor__organisation",
        "pair__social_worker__organisation",
    ).get(pk=access.case_id)


def upcoming(case: Case) -> QuerySet[Appointment]:
    """The case's appointments still to come, with whom (the person may ask to change them)."""
    return case.appointments.filter(planned_at__gte=timezone.now(), outcome="").select_related(
        "with_whom__organisation"
    )


def upcoming_appointments(case: Case) -> QuerySet[Appointment]:
    return upcoming(case).order_by("planned_at", "pk")[:UPCOMING_LIMIT]


#: How many sent messages the messages page lists.
SENT_LIMIT = 50


def sent_messages(access: SpaceAccess) -> QuerySet[PersonMessage]:
    """What the person sent from their space for this case, newest first: only their own
    words, never an answer or a professional's text."""
    return (
        PersonMessage.objects.filter(
            case_id=access.case_id, access__beneficiary_id=access.beneficiary_id
        )
        .select_related("appointment")
        .order_by("-sent_at", "-pk")[:SENT_LIMIT]
    )


def data_requests(access: SpaceAccess) -> QuerySet[PersonRequest]:
    """The person's requests about their data (sent from the space or recorded by the binôme),
    newest first, with the state and the DPO's answer to the person."""
    return PersonRequest.objects.filter(beneficiary_id=access.beneficiary_id).order_by(
        "-received_on", "-pk"
    )


def can_renew(case: Case, in_force: SharingAgreement | None) -> bool:
    """Whether the person may renew their accord from their space: none in force, one given
    before (a first accord is collected by the social worker, with the person)."""
    return in_force is None and case.sharing_agreements.exists()


def last_categories(case: Case) -> list[str]:
    """The categories of the case's newest accord: what a renewal proposes again."""
    last = case.sharing_agreements.order_by("-given_at", "-pk").first()
    return list(last.categories) if last is not None else []
