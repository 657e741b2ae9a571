"""Every write of the casework app: people, accompaniments, interviews, notes, points binôme,
accords de partage, appointments, demandes ponctuelles, the territory's offer, collective actions,
remplacements.

This package is the public face of those writes: callers import it and call its functions,
``from casework import services; services.case_start(case=case, acting_user=user)``, and never
need to know which module holds a function. Inside, one module per sub-domain (HackSoft's
styleguide, Zulip's ``zerver/actions/``):

- ``cases``: the life of an accompaniment, and the case fields the orientation app writes;
- ``interviews``: interviews, notes, social notes, points binôme;
- ``agreements``: the accord de partage;
- ``appointments``: convocations and their outcome;
- ``breach``: the signalement de manquement, step by step;
- ``api_appointments``: the same, written by a partner system through the API;
- ``social_requests``: demandes ponctuelles to the social correspondents;
- ``directory``: the territory's offer (offre d'insertion);
- ``programmes``: collective actions;
- ``delegations``: remplacements.

``_base`` holds the helpers they share (save under the audit actor, lock a case, check its
state). It is private to ``casework``: other apps use the functions listed in ``__all__``, and an
import-linter contract (``pyproject.toml``) forbids them to import ``_base``.
"""

from casework.services.agreements import (
    AGREEMENT_LENGTH_AFTER_END,
    DEFAULT_AGREEMENT_LENGTH,
    agreement_record,
    agreement_withdraw,
    default_agreement_expiry,
)
from casework.services.api_appointments import (
    api_appointment_cancel,
    api_appointment_outcome,
    api_appointment_put,
    partner_appointment,
)
from casework.services.appointments import (
    appointment_cancel,
    appointment_move,
    appointment_plan,
    appointment_record_outcome,
)
from casework.services.breach import OBJECT_TYPE as BREACH_OBJECT_TYPE
from casework.services.breach import (
    breach_decision,
    breach_inform,
    breach_observations,
    breach_observations_from_space,
    breach_remobilised,
    breach_report,
    breach_transmit,
    may_transmit,
)
from casework.services.cases import (
    ACCOMPANIMENT_LENGTH,
    MAX_EXTENSION_MONTHS,
    OLDEST_BIRTH_YEAR,
    YOUNGEST_AGE,
    beneficiary_create,
    case_close,
    case_extend,
    case_propose,
    case_reassign,
    case_record_end_review,
    case_record_entry_agreement,
    case_record_refusal,
    case_record_six_month_review,
    case_resume,
    case_review_done,
    case_set_diagnostic_state,
    case_set_next_action_due,
    case_set_orientation,
    case_start,
    case_suspend,
    cases_reassign_from,
    check_birth_date,
    milestones_due,
    referent_for_path,
)
from casework.services.delegations import (
    MAX_DELEGATION_LENGTH,
    can_organise_delegation,
    delegation_give,
    delegation_revoke,
    delegations_expire,
)
from casework.services.directory import (
    directory_import,
    directory_source,
    resource_save,
)
from casework.services.interviews import (
    check_interview_dates,
    interview_log,
    note_add,
    pair_contact_record,
    social_note_add,
)
from casework.services.programmes import (
    attendance_record,
    can_take_attendance,
    enrolment_create,
    programme_add_session,
    programme_create,
)
from casework.services.social_requests import (
    SOCIAL_REQUEST_DELAY,
    SOCIAL_REQUEST_OBJECT,
    is_territory_correspondent,
    social_request_answer,
    social_request_close,
    social_request_create,
    social_request_to_case,
    territory_correspondents,
)

__all__ = [
    # cases
    "ACCOMPANIMENT_LENGTH",
    "OLDEST_BIRTH_YEAR",
    "YOUNGEST_AGE",
    "check_birth_date",
    "beneficiary_create",
    "case_propose",
    "case_record_entry_agreement",
    "case_record_refusal",
    "case_start",
    "case_suspend",
    "case_resume",
    "case_close",
    "case_reassign",
    "cases_reassign_from",
    "case_set_diagnostic_state",
    "referent_for_path",
    "case_set_orientation",
    "case_set_next_action_due",
    "case_record_end_review",
    "case_record_six_month_review",
    "case_review_done",
    "MAX_EXTENSION_MONTHS",
    "case_extend",
    "milestones_due",
    # interviews
    "check_interview_dates",
    "interview_log",
    "note_add",
    "social_note_add",
    "pair_contact_record",
    # agreements
    "AGREEMENT_LENGTH_AFTER_END",
    "DEFAULT_AGREEMENT_LENGTH",
    "default_agreement_expiry",
    "agreement_record",
    "agreement_withdraw",
    # api_appointments
    "api_appointment_put",
    "api_appointment_cancel",
    "api_appointment_outcome",
    "partner_appointment",
    # appointments
    "appointment_cancel",
    "appointment_move",
    "appointment_plan",
    "appointment_record_outcome",
    "BREACH_OBJECT_TYPE",
    "breach_decision",
    "breach_inform",
    "breach_observations",
    "breach_observations_from_space",
    "breach_remobilised",
    "breach_report",
    "breach_transmit",
    "may_transmit",
    # social_requests
    "SOCIAL_REQUEST_DELAY",
    "SOCIAL_REQUEST_OBJECT",
    "territory_correspondents",
    "is_territory_correspondent",
    "social_request_create",
    "social_request_answer",
    "social_request_close",
    "social_request_to_case",
    # directory
    "directory_source",
    "resource_save",
    "directory_import",
    # programmes
    "programme_create",
    "programme_add_session",
    "enrolment_create",
    "can_take_attendance",
    "attendance_record",
    # delegations
    "MAX_DELEGATION_LENGTH",
    "can_organise_delegation",
    "delegation_give",
    "delegation_revoke",
    "delegations_expire",
]
