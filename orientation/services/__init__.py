"""Every write of the orientation app: the diagnostic partagé, the préconisation and the
orientation decision, the plan d'action, and the in-app notifications they raise.

This package is the public face of those writes: callers import it and call its functions,
``from orientation import services; services.diagnostic_start(case=case, acting_user=user)``, and
never need to know which module holds a function. Inside, one module per sub-domain (as in
``casework.services``):

- ``diagnostic``: the diagnostic, its versions, its difficulties (obstacles) and social details;
- ``recommendations``: the préconisation, its signatures and validation, the decision;
- ``api_decisions``: the decision, sent by a partner system through the API;
- ``plan``: the plan d'action, its contract and actions, the frein levé;
- ``notifications``: in-app notifications and their e-mails, the supervisors of a case.

``_base`` holds the helpers they share (check the binôme, save under the audit actor, lock a
case). It is private to ``orientation``: other apps never import it, and an import-linter contract
(``pyproject.toml``) says so.
"""

from orientation.services.api_decisions import DecisionSent, api_decision_record
from orientation.services.diagnostic import (
    COPIED_FIELDS,
    ENTERED_STATES,
    FIELDS_BY_ROLE,
    SHARED_FIELDS,
    SIGNATURE_FIELDS,
    diagnostic_new_version,
    diagnostic_person_opinion,
    diagnostic_record_opinion,
    diagnostic_sign,
    diagnostic_start,
    diagnostic_update,
    obstacle_add,
    obstacle_rectify,
    obstacle_set_person_agrees,
    social_details_set,
)
from orientation.services.notifications import (
    notifications_email,
    notifications_sweep,
    supervisors_of,
)
from orientation.services.plan import (
    PERSON_MARKED,
    action_add,
    action_person_mark,
    action_set_status,
    obstacle_lift,
    plan_set_contract,
)
from orientation.services.recommendations import (
    REVIEW_AFTER,
    authority_for,
    decision_record,
    recommendation_create,
    recommendation_sign,
    recommendation_validate,
)

__all__ = [
    # diagnostic
    "SHARED_FIELDS",
    "FIELDS_BY_ROLE",
    "COPIED_FIELDS",
    "ENTERED_STATES",
    "SIGNATURE_FIELDS",
    "diagnostic_start",
    "diagnostic_update",
    "obstacle_add",
    "obstacle_set_person_agrees",
    "obstacle_rectify",
    "social_details_set",
    "diagnostic_person_opinion",
    "diagnostic_record_opinion",
    "diagnostic_sign",
    "diagnostic_new_version",
    # notifications
    "notifications_email",
    "notifications_sweep",
    "supervisors_of",
    # recommendations
    "recommendation_create",
    "recommendation_sign",
    "recommendation_validate",
    "authority_for",
    "REVIEW_AFTER",
    "decision_record",
    # api_decisions
    "DecisionSent",
    "api_decision_record",
    # plan
    "plan_set_contract",
    "action_add",
    "action_set_status",
    "action_person_mark",
    "PERSON_MARKED",
    "obstacle_lift",
]
