"""The casework forms, one module per sub-domain like casework/views/; import them from here."""

from casework.forms.agreements import AgreementForm
from casework.forms.appointments import (
    AppointmentChangeForm,
    AppointmentForm,
    BreachDecisionForm,
    BreachObservationsForm,
    BreachRemobilisedForm,
    BreachReportForm,
    MilestoneForm,
    OutcomeForm,
)
from casework.forms.cases import BeneficiaryForm, TransitionForm
from casework.forms.delegations import DelegationForm
from casework.forms.directory import DirectoryImportForm, DirectorySearchForm, ResourceForm
from casework.forms.handovers import CaseHandoverForm, HandoverForm
from casework.forms.imports import (
    FlowDecisionForm,
    FlowUploadForm,
    ListMappingForm,
    ListUploadForm,
)
from casework.forms.interviews import InterviewForm, NoteForm, PairContactForm
from casework.forms.journal import JournalSearchForm
from casework.forms.programmes import EnrolmentForm, ProgrammeForm, ProgrammeSessionForm
from casework.forms.rights import (
    DisposalApprovalForm,
    IdentityRectificationForm,
    InterviewRectificationForm,
    PersonRequestAnswerForm,
    PersonRequestForm,
    PersonSearchForm,
)
from casework.forms.social_requests import (
    SocialRequestAnswerForm,
    SocialRequestForm,
    SocialRequestToCaseForm,
)

__all__ = [
    "AgreementForm",
    "AppointmentChangeForm",
    "AppointmentForm",
    "BeneficiaryForm",
    "BreachDecisionForm",
    "BreachObservationsForm",
    "BreachRemobilisedForm",
    "BreachReportForm",
    "CaseHandoverForm",
    "DelegationForm",
    "DirectoryImportForm",
    "FlowDecisionForm",
    "FlowUploadForm",
    "ListMappingForm",
    "ListUploadForm",
    "DirectorySearchForm",
    "DisposalApprovalForm",
    "EnrolmentForm",
    "HandoverForm",
    "IdentityRectificationForm",
    "InterviewForm",
    "InterviewRectificationForm",
    "JournalSearchForm",
    "MilestoneForm",
    "NoteForm",
    "OutcomeForm",
    "PairContactForm",
    "PersonRequestAnswerForm",
    "PersonRequestForm",
    "PersonSearchForm",
    "ProgrammeForm",
    "ProgrammeSessionForm",
    "ResourceForm",
    "SocialRequestAnswerForm",
    "SocialRequestForm",
    "SocialRequestToCaseForm",
    "TransitionForm",
]
