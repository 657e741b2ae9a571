"""casework's tables, one module per sub-domain (docs/architecture.md § casework/models).

Every name other code imports is re-exported here: ``from casework.models import Case`` is the
one way in. The modules refer to each other's models by import where the dependency runs one way
(``cases`` imports ``people`` and ``delegations``), and by ``"casework.Case"`` string where it
would make a cycle (``delegations``).
"""

from casework.models.agreements import (
    AGREEMENT_WARNING_DAYS,
    SharingAgreement,
    SharingAgreementQuerySet,
)
from casework.models.cases import (
    FOLLOWED_STATES,
    Case,
    CasePairPeriod,
    CaseQuerySet,
    OverdueAnnotations,
    Suspension,
    overdue_threshold,
)
from casework.models.delegations import (
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Delegation,
    DelegationQuerySet,
    live_grant,
)
from casework.models.followup import (
    Appointment,
    BreachReport,
    Interview,
    Note,
    PairContact,
    SocialNote,
)
from casework.models.imports import FlowImport
from casework.models.ledger import (
    GENESIS_HASH,
    AppendOnlyQuerySet,
    DetachedJournalMonth,
    InformationShare,
    LedgerHead,
)
from casework.models.messages import (
    MessageConsent,
    MessageConsentQuerySet,
    MessageTemplate,
    SentMessage,
)
from casework.models.offer import (
    Attendance,
    Enrolment,
    Programme,
    ProgrammeSession,
    Resource,
    ResourceQuerySet,
)
from casework.models.people import Beneficiary, DisposalApproval, closed_files
from casework.models.rights import PersonRequest, PersonRequestQuerySet, Rectification
from casework.models.social_requests import SocialRequest, SocialRequestQuerySet
from casework.models.space import (
    PersonMessage,
    PersonMessageKind,
    SpaceAccess,
    SpaceAccessQuerySet,
    SpaceCode,
)

__all__ = [
    "AGREEMENT_WARNING_DAYS",
    "FOLLOWED_STATES",
    "GENESIS_HASH",
    "AppendOnlyQuerySet",
    "Appointment",
    "Attendance",
    "Beneficiary",
    "BreachReport",
    "Case",
    "CaseGroupObjectPermission",
    "CasePairPeriod",
    "CaseQuerySet",
    "CaseUserObjectPermission",
    "Delegation",
    "DelegationQuerySet",
    "DetachedJournalMonth",
    "DisposalApproval",
    "Enrolment",
    "FlowImport",
    "InformationShare",
    "Interview",
    "LedgerHead",
    "MessageConsent",
    "MessageConsentQuerySet",
    "MessageTemplate",
    "Note",
    "OverdueAnnotations",
    "PairContact",
    "PersonRequest",
    "PersonRequestQuerySet",
    "Programme",
    "ProgrammeSession",
    "Rectification",
    "Resource",
    "ResourceQuerySet",
    "SentMessage",
    "SharingAgreement",
    "SharingAgreementQuerySet",
    "SocialNote",
    "SocialRequest",
    "SocialRequestQuerySet",
    "PersonMessage",
    "PersonMessageKind",
    "SpaceAccess",
    "SpaceAccessQuerySet",
    "SpaceCode",
    "Suspension",
    "closed_files",
    "live_grant",
    "overdue_threshold",
]
