"""What the person's space shows, computed on every request. Never social notes, social
details, the binôme's notes, points binôme, or anything about other people."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from casework.enums import (
    CLOSED_FILE_STAGES,
    CaseState,
    JournalBasis,
    JournalChannel,
    journal_category_labels,
)
from casework.journal import API_CASE_OBJECT, PERSON_MESSAGE
from casework.models import (
    Appointment,
    BreachReport,
    Case,
    InformationShare,
    PersonMessage,
    PersonRequest,
    SharingAgreement,
    SpaceAccess,
)
from casework.personal_data import without_names
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


def breach_reports(case: Case) -> QuerySet[BreachReport]:
    """The case's signalements de manquement, newest first: the person sees every step."""
    return BreachReport.objects.filter(case=case).order_by("-reported_at", "-pk")


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


# The person's journal of accesses and shares (« Qui a consulté mon dossier »).

#: Who acted, on a row without a professional: the person themselves, or Binôme on its own (a
#: nightly task, a change made from the command line).
YOU_FROM_YOUR_SPACE = "Vous, depuis votre espace"
AUTOMATIC = "Binôme (automatique)"
#: The journal's natures, in the person's words where the professionals' differ.
CHANNEL_WORDS: dict[str, str] = {
    JournalChannel.GRANT: "Accès à votre dossier donné",
    JournalChannel.REVOKE: "Accès à votre dossier retiré",
    JournalChannel.PERSON: "Votre démarche",
    JournalChannel.MESSAGE: "Message envoyé",
    JournalChannel.IMPORT: "Informations reçues de la CAF ou de la MSA",
    JournalChannel.API: "Lu par un logiciel partenaire",
}
#: What was seen or sent, where the journal's word is a technical one.
OBJECT_WORDS = {
    "beneficiary": "votre dossier",
    "flow_import": "votre situation RSA",
    PERSON_MESSAGE: "votre message au binôme",
    API_CASE_OBJECT: "le suivi de votre accompagnement (état, référent·e, dates, rendez-vous)",
    "signalement": "le signalement de manquement",
}
BASIS_WORDS: dict[str, str] = {
    JournalBasis.AGREEMENT: "votre accord de partage",
    JournalBasis.LEGAL: "la mission du département (la loi)",
}
#: The only columns the person's journal reads: never the ip, the request id or the hashes.
JOURNAL_FIELDS = (
    "at",
    "seq",
    "channel",
    "actor_id",
    "actor_organisation",
    "actor_job_title",
    "object_type",
    "category",
    "recipient",
    "basis",
    "purpose",
)


@dataclass(frozen=True)
class JournalLine:
    """One row of the journal as the person reads it (RGPD art. 15: who saw or received what,
    when, why, on which basis). ``name`` is empty unless the department shows names."""

    at: datetime.datetime
    who: str
    organisation: str
    name: str
    what: str
    categories: str
    why: str
    to_whom: str
    basis: str


def journal_rows(access: SpaceAccess, *, with_names: bool) -> QuerySet[InformationShare]:
    """Every journal row about the person (their cases and the person themselves), newest
    first, whatever the case or the binôme; nobody else's. The actor is joined only when the
    department shows names."""
    rows = InformationShare.objects.filter(beneficiary_id=access.beneficiary_id).order_by(
        "-at", "-seq"
    )
    if with_names:
        return rows.select_related("actor").only(
            *JOURNAL_FIELDS, "actor__first_name", "actor__last_name"
        )
    return rows.only(*JOURNAL_FIELDS)


def journal_line(row: InformationShare, *, with_names: bool) -> JournalLine:
    """A row in the person's words. The categories are all named: they are the person's own
    (the secret of a category is kept from the advisor, not from the person, whose space shows
    their difficulties). Names in the recipient are cut unless the department shows names."""
    if row.actor_id is not None:
        who = row.actor_job_title
    elif row.channel == JournalChannel.PERSON:
        who = YOU_FROM_YOUR_SPACE
    else:
        who = row.actor_job_title or AUTOMATIC
    channel = CHANNEL_WORDS.get(row.channel, row.get_channel_display())
    thing = OBJECT_WORDS.get(row.object_type, row.object_type)
    return JournalLine(
        at=row.at,
        who=who,
        organisation=row.actor_organisation,
        name=row.actor.full_name if with_names and row.actor is not None else "",
        what=f"{channel} : {thing}" if thing else channel,
        categories=journal_category_labels(row.category, name_secret=True),
        why=row.purpose,
        to_whom=row.recipient if with_names else without_names(row.recipient),
        basis=BASIS_WORDS.get(row.basis, row.get_basis_display()),
    )
