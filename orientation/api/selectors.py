"""What a partner system reads of a case: the follow-up, and nothing secret.

Readable (DESIGN.md, « Data out »): the state, the référent·e and the co-accompagnant·e (their
role, organisation and job title, never their names), the path, the dates, the contract's
reference and dates, the appointments (date, place, cancelled or not). Never: notes, social notes,
the social summary, social details, obstacles, interview summaries, the person's identity, an
appointment's outcome (an absence is never transmitted on its own), anything an accord de partage
would have to cover.
"""

import datetime
from typing import Any, TypedDict

from django.db.models import Prefetch

from casework.api import selectors as casework_selectors
from casework.enums import AppointmentOutcome
from casework.models import Appointment, Case, CaseQuerySet
from orientation.models import ActionPlan
from partners.api.models import PartnerSystem
from partners.models import Professional


class MemberData(TypedDict):
    role: str
    organisation: str
    job_title: str


class ContractData(TypedDict):
    kind: str
    reference: str
    signed_on: datetime.date | None


class AppointmentData(TypedDict):
    id: int
    planned_at: datetime.datetime
    place: str
    cancelled: bool


class CaseFollowup(TypedDict):
    id: int
    state: str
    orientation_path: str | None
    proposed_on: datetime.date
    started_on: datetime.date | None
    planned_end_on: datetime.date | None
    closed_on: datetime.date | None
    referent: MemberData
    co_accompagnant: MemberData | None
    contract: ContractData | None
    appointments: list[AppointmentData]


def partner_cases(partner: PartnerSystem) -> "CaseQuerySet[Case]":
    """The cases a partner system may read (``casework.api.selectors.partner_cases``: its
    department's, but the files in archive and the refused accompaniments), with what the
    follow-up shows."""
    return (
        casework_selectors.partner_cases(partner)
        .select_related(
            "beneficiary",  # for the journal row's person; never serialised
            "referent__organisation",
            "pair__advisor__organisation",
            "pair__social_worker__organisation",
        )
        .prefetch_related(
            Prefetch("appointments", queryset=Appointment.objects.order_by("planned_at", "pk"))
        )
    )


def _member(professional: Professional) -> MemberData:
    organisation = professional.organisation
    return {
        "role": professional.role,
        "organisation": organisation.name if organisation is not None else "",
        "job_title": professional.job_title or professional.get_role_display(),
    }


def followups(cases: list[Case]) -> list[CaseFollowup]:
    """The follow-up of each case (one more query: their contracts)."""
    plans: dict[int, Any] = {
        plan.case_id: plan for plan in ActionPlan.objects.filter(case__in=[c.pk for c in cases])
    }
    return [_followup(case, plans.get(case.pk)) for case in cases]


def _followup(case: Case, plan: ActionPlan | None) -> CaseFollowup:
    contract: ContractData | None = None
    if plan is not None and (plan.contract_reference or plan.contract_signed_on):
        contract = {
            "kind": plan.contract_kind,
            "reference": plan.contract_reference,
            "signed_on": plan.contract_signed_on,
        }
    return {
        "id": case.pk,
        "state": case.state,
        "orientation_path": case.orientation_path or None,
        "proposed_on": case.proposed_on,
        "started_on": case.started_on,
        "planned_end_on": case.planned_end_on,
        "closed_on": case.closed_on,
        "referent": _member(case.referent),
        "co_accompagnant": (
            _member(case.co_accompagnant) if case.co_accompagnant is not None else None
        ),
        "contract": contract,
        "appointments": [
            {
                "id": appointment.pk,
                "planned_at": appointment.planned_at,
                "place": appointment.place,
                "cancelled": appointment.outcome == AppointmentOutcome.CANCELLED,
            }
            for appointment in case.appointments.all()
        ],
    }
