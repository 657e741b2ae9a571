"""The reads and exports of orientation that the journal records, one function per event.

Views never write journal rows (see casework/journal_events.py): they call one of these with the
request's details as a ``RequestInfo``.
"""

from casework import journal
from casework.enums import JournalChannel, ShareCategory, obstacle_share_category
from casework.journal import RequestInfo
from casework.models import Case, InformationShare
from orientation.models import Obstacle
from orientation.selectors import DiagnosticView
from partners.models import Professional

SOCIAL_DETAILS = "social_details"


def diagnostic_viewed(
    *, actor: Professional, case: Case, view: DiagnosticView, purpose: str, info: RequestInfo
) -> InformationShare | None:
    """A page showing the diagnostic (or the plan built on it): one row when it shows social
    content, what crossed under the accord (advisor) or the social side's own (social worker)."""
    categories = list(view.shared_categories)
    if view.social:
        if view.social_details is not None and view.social_details.text:
            categories.append(SOCIAL_DETAILS)
        if view.diagnostic.social_summary:
            categories.append(ShareCategory.SOCIAL_SUMMARY)
        categories += [obstacle_share_category(o.category) for o in view.obstacles]
    if not categories:
        return None
    return journal.record(
        department=case.pair.department,
        actor=actor,
        channel=JournalChannel.VIEW,
        purpose=purpose,
        case=case,
        categories=categories,
        agreement=None if view.social else view.agreement,
        object_type="diagnostic",
        object_id=str(view.diagnostic.pk),
        info=info,
    )


def obstacle_rectification_viewed(
    *, actor: Professional, case: Case, obstacle: Obstacle, view: DiagnosticView, info: RequestInfo
) -> InformationShare:
    """The form to correct one obstacle, which shows it."""
    return journal.record(
        department=case.pair.department,
        actor=actor,
        channel=JournalChannel.VIEW,
        purpose="Rectification d'une difficulté du diagnostic",
        case=case,
        categories=[obstacle_share_category(obstacle.category)],
        agreement=None if view.social else view.agreement,
        object_type="obstacle",
        object_id=str(obstacle.pk),
        info=info,
    )


def dashboard_exported(
    *,
    actor: Professional,
    fmt: str,
    info: RequestInfo,
    what: str = "du tableau de bord",
    object_type: str = "tableau de bord",
) -> InformationShare:
    """A supervisor exports figures of their dashboard (no person's name) as CSV or XLSX:
    ``what`` says which (« du tableau de bord », « des délais »)."""
    return journal.record(
        department=actor.organisation.department,  # type: ignore[union-attr]
        actor=actor,
        channel=JournalChannel.EXPORT,
        purpose=f"Export {what} ({fmt.upper()}, chiffres sans nom de personne)",
        recipient=f"{actor.get_role_display()} (fichier {fmt.upper()})",
        object_type=object_type,
        info=info,
    )
