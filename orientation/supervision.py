"""The supervisors' dashboard: figures about their organisation subtree, computed in a constant
number of queries. Metadata only; no figure about a single person beyond the drill-down lists;
social workers are never ranked on contact frequency; obstacle counts below 5 are hidden."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.enums import (
    ACTIVE_FILE_STAGES,
    OPEN_STATES,
    CaseState,
    DiagnosticState,
    ExitReason,
    ObstacleCategory,
    OrientationPath,
)
from casework.models import (
    Case,
    CaseQuerySet,
    Interview,
    PairContact,
    SharingAgreement,
    overdue_threshold,
)
from orientation.enums import RecommendationState
from orientation.models import Diagnostic, Obstacle, Recommendation
from partners.enums import Role
from partners.models import Pair, Professional
from partners.selectors import supervised_organisations

SMALL_COUNT = 5
AGREEMENT_WARNING_DAYS = 30
WAITING_DIAGNOSTIC_STATES = ["draft", "validated", "contested"]
WAITING_RECOMMENDATION_STATES = [
    RecommendationState.SIGNING,
    RecommendationState.VALIDATION,
    RecommendationState.AWAITING_DECISION,
]


@dataclass
class ProfessionalRow:
    professional: Professional
    open_cases: int = 0
    overdue: int = 0
    seen_share: list[int | None] = field(default_factory=list)  # percent, per month


@dataclass
class PairRow:
    pair: Pair
    open_cases: int = 0
    contacts_7: int = 0
    contacts_30: int = 0


@dataclass
class Dashboard:
    target: int
    months: list[datetime.date]
    advisors: list[ProfessionalRow]
    social_workers: list[ProfessionalRow]
    pairs: list[PairRow]
    diagnostics_waiting: dict[str, int]
    diagnostics_oldest: datetime.date | None
    recommendations_waiting: dict[str, int]
    recommendations_oldest: datetime.date | None
    agreements_expiring: int
    paths: list[tuple[str, str, int]]
    exits: list[tuple[str, str, int]]
    durable_rate_6: int | None
    durable_rate_12: int | None
    obstacles: list[tuple[str, str]]  # (label, count or « moins de 5 »)


def supervised_cases(supervisor: Professional) -> CaseQuerySet:
    return Case.objects.visible_to(supervisor)


def _month_starts(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    return [first - relativedelta(months=n) for n in (2, 1, 0)]


def _within_months(start: datetime.date, end: datetime.date, months: int) -> bool:
    """``end <= start + months`` (calendar months), relativedelta only near the boundary."""
    days = (end - start).days
    if days <= 28 * months:
        return True
    if days > 31 * months:
        return False
    return end <= start + relativedelta(months=months)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def dashboard(supervisor: Professional, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    department = supervisor.organisation.department  # type: ignore[union-attr]
    threshold = overdue_threshold(department, today)
    subtree = supervised_organisations(supervisor).values("pk")
    # Every pair with a member in the subtree, fetched once: the cases are then filtered on a
    # list of pair ids, which the planner estimates from its statistics (docs/performance.md).
    all_pairs = list(
        Pair.objects.filter(
            Q(advisor__organisation__in=subtree) | Q(social_worker__organisation__in=subtree)
        )
        .with_members()
        .order_by("advisor__last_name", "social_worker__last_name", "pk")
    )
    pair_ids = [pair.pk for pair in all_pairs]
    cases = supervised_cases(supervisor).filter(pair_id__in=pair_ids)  # the same cases

    team = list(
        Professional.objects.filter(
            organisation__in=subtree, role__in=[Role.ADVISOR, Role.SOCIAL_WORKER], is_active=True
        ).order_by("last_name", "first_name", "pk")
    )
    rows = {p.pk: ProfessionalRow(p) for p in team}
    # The open cases, counted in SQL per (pair, référent): a few hundred groups, not 15,000 rows.
    open_cases = cases.filter(state__in=OPEN_STATES)
    open_groups = (
        open_cases.with_overdue(threshold)
        .values_list("pair_id", "pair__advisor_id", "pair__social_worker_id", "referent_id")
        .annotate(count=Count("pk"), overdue_count=Count("pk", filter=Q(overdue=True)))
        .order_by()
    )
    per_pair: Counter[int] = Counter()
    as_referent: Counter[int] = Counter()
    for pair_id, advisor_id, social_id, referent_id, count, overdue_count in open_groups:
        per_pair[pair_id] += count
        as_referent[referent_id] += count
        for member in (advisor_id, social_id):
            if member in rows:
                rows[member].open_cases += count
        if referent_id in rows:
            rows[referent_id].overdue += overdue_count

    months = _month_starts(today)
    # the open cases each référent saw, per month (interviews by someone else do not count)
    seen_by = {
        (author_id, year, number): count
        for author_id, year, number, count in Interview.objects.filter(
            case__pair_id__in=pair_ids,  # one join with the cases (their référent), not two
            case__state__in=OPEN_STATES,
            case__beneficiary__file_stage__in=ACTIVE_FILE_STAGES,  # as visible_to
            occurred_on__gte=months[0],
            author_id=F("case__referent_id"),
        )
        .values_list("author_id", "occurred_on__year", "occurred_on__month")
        .annotate(count=Count("case_id", distinct=True))
        .order_by()
    }
    for row in rows.values():
        if row.professional.role != Role.ADVISOR:
            continue  # social workers work on request: never measured on contact frequency
        for month in months:
            seen_count = seen_by.get((row.professional.pk, month.year, month.month), 0)
            row.seen_share.append(_percent(seen_count, as_referent[row.professional.pk]))

    pairs = [pair for pair in all_pairs if pair.is_active]
    contacts = list(
        PairContact.objects.filter(
            pair__in=pairs, occurred_on__gte=today - datetime.timedelta(days=30)
        ).values_list("pair_id", "occurred_on")
    )
    pair_rows = []
    for pair in pairs:
        dates = [day for pair_id, day in contacts if pair_id == pair.pk]
        pair_rows.append(
            PairRow(
                pair=pair,
                open_cases=per_pair[pair.pk],
                contacts_7=sum(day >= today - datetime.timedelta(days=7) for day in dates),
                contacts_30=len(dates),
            )
        )

    diagnostics = list(
        Diagnostic.objects.filter(case__in=cases, state__in=WAITING_DIAGNOSTIC_STATES).values_list(
            "state", "drafted_on"
        )
    )
    recommendations = list(
        Recommendation.objects.filter(
            case__in=cases, state__in=WAITING_RECOMMENDATION_STATES
        ).values_list("state", "created_at")
    )
    agreements = SharingAgreement.objects.filter(
        case__in=cases.filter(state__in=OPEN_STATES),
        withdrawn_at__isnull=True,
        replaced_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=AGREEMENT_WARNING_DAYS),
    ).count()
    # Every case of the subtree, counted in SQL by state, path and exit reason, with how many
    # started at least 6 and 12 months ago; then the dates of the durable-job exits only.
    cutoffs = {months_after: today - relativedelta(months=months_after) for months_after in (6, 12)}
    groups = list(
        cases.values_list("state", "orientation_path", "exit_reason")
        .annotate(
            count=Count("pk"),
            eligible_6=Count("pk", filter=Q(started_on__lte=cutoffs[6])),
            eligible_12=Count("pk", filter=Q(started_on__lte=cutoffs[12])),
        )
        .order_by()
    )
    path_counts: Counter[str] = Counter()
    exit_counts: Counter[str] = Counter()
    eligible = {6: 0, 12: 0}
    for state, path, reason, count, eligible_6, eligible_12 in groups:
        if state in OPEN_STATES and path:
            path_counts[path] += count
        if state == CaseState.CLOSED:
            exit_counts[reason] += count
        eligible[6] += eligible_6
        eligible[12] += eligible_12
    durable_exits = list(
        cases.filter(
            exit_reason=ExitReason.DURABLE_JOB,
            closed_on__isnull=False,
            started_on__lte=cutoffs[6],
        ).values_list("started_on", "closed_on")
    )

    def durable_rate(months_after: int) -> int | None:
        """Of the accompaniments started at least ``months_after`` months ago, the share that
        ended in a durable job within that time."""
        durable = [
            1
            for start, end in durable_exits
            if start is not None  # filtered in SQL; said again for the type checker
            and end is not None
            and start <= cutoffs[months_after]
            and _within_months(start, end, months_after)
        ]
        return _percent(len(durable), eligible[months_after])

    # the obstacles of the latest version of each open case's diagnostic, counted in SQL
    newer = Diagnostic.objects.filter(case_id=OuterRef("case_id"), version__gt=OuterRef("version"))
    latest = (
        Diagnostic.objects.filter(case__in=cases.filter(state__in=OPEN_STATES))
        .exclude(Exists(newer))
        .values("pk")
    )
    obstacle_counts = dict(
        Obstacle.objects.filter(diagnostic__in=latest)
        .values_list("category")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return Dashboard(
        target=department.caseload_target,
        months=months,
        advisors=[r for r in rows.values() if r.professional.role == Role.ADVISOR],
        social_workers=[r for r in rows.values() if r.professional.role == Role.SOCIAL_WORKER],
        pairs=pair_rows,
        diagnostics_waiting={
            DiagnosticState(state).label: count
            for state, count in Counter(state for state, _ in diagnostics).items()
        },
        diagnostics_oldest=min((day for _, day in diagnostics), default=None),
        recommendations_waiting={
            RecommendationState(state).label: count
            for state, count in Counter(state for state, _ in recommendations).items()
        },
        recommendations_oldest=min(
            (timezone.localdate(at) for _, at in recommendations), default=None
        ),
        agreements_expiring=agreements,
        paths=[(p, OrientationPath(p).label, path_counts[p]) for p in OrientationPath.values],
        exits=[
            (r, ExitReason(r).label, exit_counts[r]) for r in ExitReason.values if exit_counts[r]
        ],
        durable_rate_6=durable_rate(6),
        durable_rate_12=durable_rate(12),
        obstacles=[
            (
                ObstacleCategory(category).label,
                str(count) if count >= SMALL_COUNT else f"moins de {SMALL_COUNT}",
            )
            for category, count in sorted(obstacle_counts.items())
        ],
    )


DRILL_DOWNS = {
    "ouverts": "Accompagnements ouverts",
    "sans-entretien": "Sans entretien avec le ou la référent·e depuis plus de 30 jours",
    "diagnostics": "Diagnostics en attente de validation ou de signature",
    "preconisations": "Préconisations en attente",
    "accords": "Accords de partage qui expirent dans les 30 jours",
    "parcours": "Parcours",
    "sorties": "Sorties",
}


def drill_down(
    supervisor: Professional,
    figure: str,
    *,
    professional_id: int | None = None,
    value: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """The cases behind a figure (metadata only)."""
    today = today or timezone.localdate()
    cases = supervised_cases(supervisor)
    department = supervisor.organisation.department  # type: ignore[union-attr]
    if figure in ("ouverts", "sans-entretien"):
        cases = cases.filter(state__in=OPEN_STATES)
        if professional_id:
            cases = cases.filter(
                Q(pair__advisor_id=professional_id) | Q(pair__social_worker_id=professional_id)
            )
    if figure == "sans-entretien":
        cases = cases.overdue(overdue_threshold(department, today))
        if professional_id:
            cases = cases.filter(referent_id=professional_id)
    elif figure == "diagnostics":
        cases = cases.filter(
            pk__in=Diagnostic.objects.filter(state__in=WAITING_DIAGNOSTIC_STATES).values("case_id")
        )
    elif figure == "preconisations":
        cases = cases.filter(
            pk__in=Recommendation.objects.filter(state__in=WAITING_RECOMMENDATION_STATES).values(
                "case_id"
            )
        )
    elif figure == "accords":
        cases = cases.filter(
            state__in=OPEN_STATES,
            sharing_agreements__withdrawn_at__isnull=True,
            sharing_agreements__replaced_at__isnull=True,
            sharing_agreements__expires_on__gte=today,
            sharing_agreements__expires_on__lte=today
            + datetime.timedelta(days=AGREEMENT_WARNING_DAYS),
        )
    elif figure == "parcours":
        cases = cases.filter(state__in=OPEN_STATES, orientation_path=value)
    elif figure == "sorties":
        cases = cases.filter(state=CaseState.CLOSED, exit_reason=value)
    return (
        cases.select_related("beneficiary", "referent")
        .order_by("beneficiary__last_name", "beneficiary__first_name", "pk")
        .distinct()
    )
