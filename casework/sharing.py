"""What crosses from the social side: evaluated on every request from the agreement in force."""

import datetime

from casework import permissions
from casework.enums import ShareCategory
from casework.models import Case, SharingAgreement
from partners.models import Professional


def agreement_in_force(case: Case, today: datetime.date | None = None) -> SharingAgreement | None:
    """The case's current agreement if it is neither withdrawn, replaced nor expired, and names
    the case's current binôme (after a handover the person is asked again)."""
    return (
        SharingAgreement.objects.in_force(today)
        .filter(case=case, pair_id=case.pair_id)
        .order_by("-given_at")
        .first()
    )


def share_category_labels(agreement: SharingAgreement | None) -> list[str]:
    """The categories an agreement covers, in words and in the enum's order (« Difficultés :
    logement »…): what the case page says the person accepted to share."""
    if agreement is None:
        return []
    return [category.label for category in ShareCategory if category in agreement.categories]


def sharing_covers(
    case: Case, user: Professional, category: ShareCategory | str
) -> SharingAgreement | None:
    """The agreement under which ``category`` may be shown to ``user`` now, or None.

    Only members of the case's current binôme receive shared content. Never cached, never turned
    into a permission: a withdrawal or an expiry takes effect on the next request.
    """
    if not permissions.can_change_case(user, case):
        return None
    agreement = agreement_in_force(case)
    if agreement is None or str(category) not in agreement.categories:
        return None
    return agreement
