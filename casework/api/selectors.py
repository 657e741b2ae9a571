"""The cases a partner system reaches through the API (every scope)."""

from casework.enums import CaseState
from casework.models import Case, CaseQuerySet, closed_files
from partners.models import PartnerSystem


def partner_cases(partner: PartnerSystem) -> "CaseQuerySet[Case]":
    """Its department's cases, except the files in archive (the DPO's only) and the
    accompaniments the person refused (a refusal has no consequence: it never leaves Binôme).
    Another department's case is the same 404 as a missing one."""
    return (
        Case.objects.filter(pair__department_id=partner.department_id)
        .exclude(state=CaseState.REFUSED)
        .exclude(beneficiary__in=closed_files())
    )
