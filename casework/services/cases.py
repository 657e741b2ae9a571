"""The life of an accompaniment: the person, the proposal, the entry agreement or refusal, start,
suspension, resumption, reviews, extension, exit, and the handover to another binôme; with the
case fields the orientation app writes (diagnostic state, path and référent, next action due).
"""

import datetime
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casework import journal, permissions
from casework.enums import (
    OPEN_STATES,
    CaseState,
    DiagnosticState,
    ExitReason,
    JournalChannel,
    OrientationPath,
    SuspensionReason,
)
from casework.errors import ConsentRequired, InvalidInput
from casework.models import Beneficiary, Case, CasePairPeriod, Suspension
from casework.personal_data import with_names_after
from casework.services import webhooks
from casework.services._base import bump, lock_case, pair_label, require_state, save
from partners.enums import Role
from partners.errors import InvalidTransition
from partners.models import Department, Pair, PartnerSystem, Professional
from partners.services import PAIR_OBJECT, RIGHTS_TEXT_LENGTH, professional_label

ACCOMPANIMENT_LENGTH = relativedelta(months=12)
OLDEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 16


def check_birth_date(birth_date: datetime.date) -> None:
    today = timezone.localdate()
    if birth_date.year < OLDEST_BIRTH_YEAR or birth_date > today - relativedelta(
        years=YOUNGEST_AGE
    ):
        raise InvalidInput(
            "Cette date de naissance n'est pas plausible : vérifiez-la "
            f"(la personne a entre {YOUNGEST_AGE} et {today.year - OLDEST_BIRTH_YEAR} ans).",
            field="birth_date",
        )


@transaction.atomic
def beneficiary_create(
    *, department: Department, acting_user: Professional | None, **fields: Any
) -> Beneficiary:
    check_birth_date(fields["birth_date"])
    beneficiary = Beneficiary(department=department, **fields)
    save(beneficiary, acting_user)
    return beneficiary


@transaction.atomic
def case_propose(
    *,
    beneficiary: Beneficiary,
    pair: Pair,
    acting_user: Professional | None,
    proposed_on: datetime.date | None = None,
) -> Case:
    """Propose an accompaniment to a person; the pair gets its grants on the case."""
    if not pair.is_active:
        raise InvalidTransition("Ce binôme est terminé : choisissez un binôme en cours.")
    if pair.department_id != beneficiary.department_id:
        raise InvalidTransition("La personne et le binôme relèvent de départements différents.")
    if Case.objects.open().filter(beneficiary=beneficiary).exists():
        raise InvalidTransition("Cette personne a déjà un accompagnement en cours.")
    proposed_on = proposed_on or timezone.localdate()
    case = Case(
        beneficiary=beneficiary,
        pair=pair,
        referent=pair.lead,
        state=CaseState.PROPOSED,
        proposed_on=proposed_on,
    )
    save(case, acting_user)
    save(CasePairPeriod(case=case, pair=pair, started_on=proposed_on), acting_user)
    permissions.grant_pair(case, pair)
    webhooks.notify_partners(
        case=case, event=webhooks.PROPOSED, changes=["etat"], acting_user=acting_user
    )
    journal.record(
        department=pair.department,
        actor=acting_user,
        channel=JournalChannel.GRANT,
        purpose="Accompagnement proposé : droits d'accès donnés au binôme",
        case=case,
        recipient=pair_label(pair),
    )
    return case


@transaction.atomic
def case_record_entry_agreement(
    *, case: Case, acting_user: Professional, agreed_at: datetime.datetime | None = None
) -> Case:
    """The person agrees to enter the accompaniment: the diagnostic can start."""
    case = lock_case(case)
    require_state(case, [CaseState.PROPOSED], "enregistrer l'accord d'entrée")
    case.entry_agreed_at = agreed_at or timezone.now()
    case.entry_agreement_recorded_by = acting_user
    case.state = CaseState.DIAGNOSTIC
    bump(case, acting_user)
    return case


@transaction.atomic
def case_record_refusal(*, case: Case, acting_user: Professional) -> Case:
    """The person declines. Recorded, and without any consequence in the product."""
    case = lock_case(case)
    require_state(case, [CaseState.PROPOSED], "enregistrer le refus")
    case.state = CaseState.REFUSED
    case.refused_on = timezone.localdate()
    bump(case, acting_user)
    return case


@transaction.atomic
def case_start(
    *, case: Case, acting_user: Professional, started_on: datetime.date | None = None
) -> Case:
    case = lock_case(case)
    if case.entry_agreed_at is None:
        raise ConsentRequired("L'accord de la personne pour entrer dans l'accompagnement manque.")
    require_state(case, [CaseState.DIAGNOSTIC], "démarrer l'accompagnement")
    started_on = started_on or timezone.localdate()
    _not_before(
        started_on,
        case.proposed_on,
        "Le démarrage ne peut pas précéder la proposition de l'accompagnement",
        field="started_on",
    )
    _start(case, started_on)
    bump(case, acting_user)
    return case


def _not_before(
    day: datetime.date, earliest: datetime.date | None, refusal: str, *, field: str
) -> None:
    """Refuse a date given by the caller that precedes a date already recorded."""
    if earliest is not None and day < earliest:
        raise InvalidInput(f"{refusal} ({earliest:%d/%m/%Y}).", field=field)


def _start(case: Case, started_on: datetime.date) -> None:
    """En cours from ``started_on``, for twelve months (paused while suspended)."""
    case.started_on = started_on
    case.planned_end_on = started_on + ACCOMPANIMENT_LENGTH
    case.state = CaseState.ACTIVE


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    reason: SuspensionReason | str,
    acting_user: Professional,
    started_on: datetime.date | None = None,
) -> Case:
    case = lock_case(case)
    require_state(case, [CaseState.ACTIVE], "suspendre l'accompagnement")
    started_on = started_on or timezone.localdate()
    _not_before(
        started_on,
        case.started_on,
        "La suspension ne peut pas précéder le début de l'accompagnement",
        field="started_on",
    )
    last_resumed_on = case.suspensions.aggregate(last=Max("ended_on"))["last"]
    _not_before(
        started_on,
        last_resumed_on,
        "La suspension ne peut pas précéder la reprise de la suspension précédente",
        field="started_on",
    )
    save(Suspension(case=case, reason=reason, started_on=started_on), acting_user)
    case.state = CaseState.SUSPENDED
    bump(case, acting_user)
    return case


@transaction.atomic
def case_resume(
    *, case: Case, acting_user: Professional, resumed_on: datetime.date | None = None
) -> Case:
    """Resume; the planned end moves by the length of the pause (the clock was stopped)."""
    case = lock_case(case)
    require_state(case, [CaseState.SUSPENDED], "reprendre l'accompagnement")
    suspension = case.suspensions.get(ended_on__isnull=True)
    resumed_on = resumed_on or timezone.localdate()
    _not_before(
        resumed_on,
        suspension.started_on,
        "La reprise ne peut pas précéder le début de la suspension",
        field="resumed_on",
    )
    suspension.ended_on = resumed_on
    save(suspension, acting_user)
    if case.planned_end_on is not None:
        case.planned_end_on += resumed_on - suspension.started_on
    case.state = CaseState.ACTIVE
    bump(case, acting_user)
    return case


@transaction.atomic
def case_close(
    *,
    case: Case,
    exit_reason: ExitReason | str,
    acting_user: Professional,
    closed_on: datetime.date | None = None,
) -> Case:
    case = lock_case(case)
    require_state(case, [CaseState.DIAGNOSTIC, CaseState.ACTIVE, CaseState.SUSPENDED], "clore")
    if case.end_review_on is None:
        raise InvalidTransition(
            "Le bilan de fin d'accompagnement, fait avec la personne, précède la sortie."
        )
    closed_on = closed_on or timezone.localdate()
    _not_before(
        closed_on,
        case.started_on or case.proposed_on,
        "La sortie ne peut pas précéder le début de l'accompagnement",
        field="closed_on",
    )
    if case.state == CaseState.SUSPENDED:
        open_suspension = case.suspensions.get(ended_on__isnull=True)
        _not_before(
            closed_on,
            open_suspension.started_on,
            "La sortie ne peut pas précéder le début de la suspension",
            field="closed_on",
        )
        open_suspension.ended_on = closed_on
        save(open_suspension, acting_user)
    case.state = CaseState.CLOSED
    case.exit_reason = exit_reason
    case.closed_on = closed_on
    bump(case, acting_user)
    return case


def _referent_in(pair: Pair, previous: Professional) -> Professional:
    """The référent·e in the new pair: the same role as before when the pair has it (a suivi
    social seul has only its social worker)."""
    return pair.social_worker if previous.role == Role.SOCIAL_WORKER else pair.lead


@transaction.atomic
def case_reassign(
    *, case: Case, new_pair: Pair, reason: str, acting_user: Professional | None
) -> Case:
    """Hand a case over to another binôme: grants follow, the history of pairs is kept."""
    case = lock_case(case)
    if not case.is_open:
        raise InvalidTransition("Un accompagnement terminé ne change plus de binôme.")
    if not new_pair.is_active:
        raise InvalidTransition("Ce binôme est terminé : choisissez un binôme en cours.")
    if new_pair.pk == case.pair_id:
        raise InvalidTransition("L'accompagnement est déjà suivi par ce binôme.")
    if new_pair.department_id != case.pair.department_id:
        raise InvalidTransition("Le nouveau binôme relève d'un autre département.")
    today = timezone.localdate()
    period = case.pair_periods.get(ended_on__isnull=True)
    period.ended_on = today
    save(period, acting_user)
    save(
        CasePairPeriod(case=case, pair=new_pair, started_on=today, reason=reason.strip()),
        acting_user,
    )
    permissions.revoke_pair(case, case.pair)
    permissions.grant_pair(case, new_pair)
    previous = case.pair
    case.referent = _referent_in(new_pair, case.referent)
    case.pair = new_pair
    bump(case, acting_user)
    permissions.sync_delegations(case)
    journal.record(
        department=new_pair.department,
        actor=acting_user,
        channel=JournalChannel.GRANT,
        purpose="Changement de binôme : droits retirés au binôme précédent, donnés au nouveau",
        case=case,
        # Named for the journal's readers; the copies handed to the person cut the names
        # unless the department decided to show them (personal_data.without_names).
        recipient=with_names_after(
            f"{pair_label(new_pair)} ; retrait : {pair_label(previous)}",
            " ; ".join(professional_label(m) for m in new_pair.members),
            RIGHTS_TEXT_LENGTH,
        ),
        object_type=PAIR_OBJECT,
        object_id=str(new_pair.pk),
    )
    return case


@transaction.atomic
def cases_reassign_from(
    *, professional: Professional, new_pair: Pair, reason: str, acting_user: Professional | None
) -> list[Case]:
    """Hand over, in one step, every open case of a leaving professional's binômes."""
    cases = list(
        Case.objects.open()
        .filter(pair__in=Pair.objects.of(professional))
        .exclude(pair=new_pair)
        .select_related("pair", "referent")
        .order_by("pk")
    )
    return [
        case_reassign(case=case, new_pair=new_pair, reason=reason, acting_user=acting_user)
        for case in cases
    ]


@transaction.atomic
def case_set_diagnostic_state(
    *, case: Case, diagnostic_state: str, acting_user: Professional | None
) -> Case:
    """Written by the orientation app's diagnostic services (casework never imports them).

    When the diagnostic is locked while the case is « diagnostic en cours », the accompaniment
    starts.
    """
    case = lock_case(case)
    case.diagnostic_state = diagnostic_state
    if diagnostic_state == DiagnosticState.LOCKED and case.state == CaseState.DIAGNOSTIC:
        _start(case, timezone.localdate())
    bump(case, acting_user)
    return case


def referent_for_path(pair: Pair, path: str) -> Professional:
    """The référent unique follows from the path: the social worker for the social path, the
    advisor otherwise; the other member of the binôme is co-accompagnant·e. In a suivi social
    seul, the social worker alone is référent·e whatever the path."""
    return pair.social_worker if path == OrientationPath.SOCIAL else pair.lead


@transaction.atomic
def case_set_orientation(
    *,
    case: Case,
    path: str,
    acting_user: Professional | None,
    partner: PartnerSystem | None = None,
) -> Case:
    """Written by the orientation app when a decision is recorded: path and référent
    (``acting_user`` None and ``partner`` the system when a partner system sent the decision
    through the API)."""
    case = lock_case(case)
    referent = referent_for_path(case.pair, path)
    changed_referent = referent.pk != case.referent_id
    case.orientation_path = path
    case.referent = referent
    bump(case, acting_user)
    if changed_referent:
        journal.record(
            department=case.pair.department,
            actor=acting_user,
            channel=JournalChannel.GRANT,
            purpose="Changement de référent unique à la suite de la décision d'orientation",
            case=case,
            recipient=f"{referent.job_title or referent.get_role_display()} "
            f"({referent.organisation.name if referent.organisation else ''})",
            actor_label=partner.name if partner is not None else "",
            actor_organisation=partner.organisation if partner is not None else "",
        )
    return case


@transaction.atomic
def case_set_next_action_due(
    *, case: Case, due_on: datetime.date | None, acting_user: Professional | None
) -> Case:
    """Written by the orientation app's plan services: the earliest open action's due date
    (``acting_user`` None: the person, marking their own action from their space)."""
    case = lock_case(case)
    if case.next_action_due_on != due_on:
        case.next_action_due_on = due_on
        bump(case, acting_user)
    return case


@transaction.atomic
def case_record_end_review(*, case: Case, summary: str, acting_user: Professional) -> Case:
    """The end-of-accompaniment review, made with the person (« bilan de fin »)."""
    case = lock_case(case)
    require_state(case, OPEN_STATES, "faire le bilan de fin d'accompagnement")
    if not summary.strip():
        raise InvalidInput("Résumez le bilan fait avec la personne.", "summary")
    case.end_review_on = timezone.localdate()
    case.end_review = summary.strip()
    bump(case, acting_user)
    return case


@transaction.atomic
def case_record_six_month_review(*, case: Case, summary: str, acting_user: Professional) -> Case:
    case = lock_case(case)
    require_state(case, [CaseState.ACTIVE, CaseState.SUSPENDED], "faire le bilan à six mois")
    if not summary.strip():
        raise InvalidInput("Résumez le bilan à six mois.", "summary")
    case.six_month_review_on = timezone.localdate()
    case.six_month_review = summary.strip()
    bump(case, acting_user)
    return case


@transaction.atomic
def case_review_done(*, case: Case, acting_user: Professional) -> Case:
    """The binôme has looked at what the CAF/MSA flow signalled (« à examiner »): the mark goes;
    whatever they decided is recorded by its own service (a closure, a handover…)."""
    case = lock_case(case)
    if not case.review_reason:
        raise InvalidInput("Rien n'est à examiner sur cet accompagnement.")
    case.review_reason, case.review_detail, case.review_since = "", "", None
    bump(case, acting_user)
    return case


MAX_EXTENSION_MONTHS = 6


@transaction.atomic
def case_extend(*, case: Case, months: int, acting_user: Professional) -> Case:
    """Extend the accompaniment (the planned end moves by ``months``)."""
    case = lock_case(case)
    require_state(case, [CaseState.ACTIVE, CaseState.SUSPENDED], "prolonger l'accompagnement")
    if not 1 <= months <= MAX_EXTENSION_MONTHS or case.planned_end_on is None:
        raise InvalidInput(f"Une prolongation va de 1 à {MAX_EXTENSION_MONTHS} mois.", "months")
    case.planned_end_on += relativedelta(months=months)
    case.extended_times += 1
    bump(case, acting_user)
    return case


class MilestoneDates(Protocol):
    """What ``milestones_due`` reads: a ``Case``, or a row of the portefeuille read as values."""

    @property
    def state(self) -> str: ...
    @property
    def started_on(self) -> datetime.date | None: ...
    @property
    def six_month_review_on(self) -> datetime.date | None: ...
    @property
    def planned_end_on(self) -> datetime.date | None: ...


def milestones_due(case: MilestoneDates, today: datetime.date | None = None) -> list[str]:
    """What is due soon on an accompaniment under way (shown, never acted upon)."""
    today = today or timezone.localdate()
    due: list[str] = []
    if case.state != CaseState.ACTIVE or case.started_on is None:
        return due
    if case.six_month_review_on is None and case.started_on + relativedelta(
        months=6
    ) <= today + datetime.timedelta(days=30):
        due.append("Bilan à six mois")
    if case.planned_end_on and case.planned_end_on <= today + datetime.timedelta(days=30):
        due.append("Bilan de fin d'accompagnement (ou prolongation)")
    return due
