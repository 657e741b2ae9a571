"""The reads and exports that the journal records, one function per event, named for it.

Views never write journal rows: they call one of these (or ``casework.printing.render_print`` for
a printed document, or a service that journals its write) with the request's details as a
``RequestInfo``. A page that shows secret or shared content gets its event here.
"""

from django.db.models import Model

from casework import journal
from casework.enums import JournalChannel
from casework.journal import RequestInfo
from casework.models import Beneficiary, Case, InformationShare, SocialRequest
from casework.services import SOCIAL_REQUEST_OBJECT
from partners.models import Department, PartnerSystem, Professional

SOCIAL_NOTES = "social_notes"


def case_page_viewed(
    *,
    actor: Professional,
    case: Case,
    social_notes: list[Model],
    delegation_id: int | None,
    info: RequestInfo,
) -> InformationShare | None:
    """A case page: one row when it shows social notes, or when a remplaçant·e opens it (the use
    of a remplacement is journaled at each page view, so that the person's journal shows every
    access made in someone's place); none otherwise."""
    if not social_notes and delegation_id is None:
        return None
    purposes = []
    if delegation_id is not None:
        purposes.append("Consultation de l'accompagnement en remplacement")
    if social_notes:
        purposes.append("Consultation des notes sociales de l'accompagnement")
    return journal.record(
        department=case.pair.department,
        actor=actor,
        channel=JournalChannel.VIEW,
        purpose=" ; ".join(purposes),
        case=case,
        categories=[SOCIAL_NOTES] if social_notes else [],
        object_type="notes sociales" if social_notes else "remplacement",
        object_id=(
            ",".join(str(note.pk) for note in social_notes) if social_notes else str(delegation_id)
        ),
        info=info,
    )


def rectifications_viewed(
    *, actor: Professional, case: Case, categories: list[str], info: RequestInfo
) -> InformationShare:
    """The social side reads the history of corrections of its own content."""
    return journal.record(
        department=case.pair.department,
        actor=actor,
        channel=JournalChannel.VIEW,
        purpose="Consultation de l'historique des rectifications",
        case=case,
        categories=categories,
        info=info,
    )


def archived_file_viewed(
    *, actor: Professional, person: Beneficiary, info: RequestInfo
) -> InformationShare:
    """The DPO opens a file in intermediate archive."""
    return journal.record(
        department=person.department,
        actor=actor,
        channel=JournalChannel.VIEW,
        purpose="Consultation d'un dossier en archive intermédiaire",
        beneficiary=person,
        object_type="beneficiary",
        object_id=str(person.pk),
        info=info,
    )


def social_request_viewed(
    *, actor: Professional, social_request: SocialRequest, info: RequestInfo
) -> InformationShare:
    """A one-off request's page (its question and answer) is read."""
    return journal.record(
        department=social_request.beneficiary.department,
        actor=actor,
        channel=JournalChannel.VIEW,
        purpose="Consultation d'une demande ponctuelle",
        beneficiary=social_request.beneficiary,
        categories=[f"obstacles:{social_request.category}"],
        object_type=SOCIAL_REQUEST_OBJECT,
        object_id=str(social_request.pk),
        info=info,
    )


def journal_exported(
    *, actor: Professional, department: Department, count: int, query: str, info: RequestInfo
) -> InformationShare:
    """The auditor exports journal rows as CSV."""
    return journal.record(
        department=department,
        actor=actor,
        channel=JournalChannel.EXPORT,
        purpose=f"Export du journal ({count} lignes) : {query or 'tout'}",
        recipient=f"{actor.get_role_display()} (fichier CSV)",
        object_type="journal",
        info=info,
    )


def api_cases_read(
    *, partner: PartnerSystem, cases: list[Case], scope: str, info: RequestInfo
) -> list[InformationShare]:
    """A partner system read these cases through the API (a page of the list, or one case): one
    row per case, written in one statement (channel « api », no professional actor; the system
    and its organisation are named, and are the recipient)."""
    shares = [
        journal.entry(
            department=partner.department,
            actor=None,
            actor_label=partner.name,
            actor_organisation=partner.organisation,
            channel=JournalChannel.API,
            purpose=f"Lecture du suivi de l'accompagnement par un système partenaire ({scope})",
            case=case,
            recipient=str(partner)[:255],
            object_type=journal.API_CASE_OBJECT,
            object_id=str(case.pk),
            info=info,
        )
        for case in cases
    ]
    journal.record_many(partner.department, shares)
    return shares
