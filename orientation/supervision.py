"""The supervisors' dashboard: figures about their organisation subtree, computed in a constant
number of queries. Metadata only; no figure about a single person beyond the drill-down lists;
social workers are never ranked on contact frequency; obstacle counts below 5 are hidden."""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Count, DateField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from casework.enums import (
    OPEN_STATES,
    BreachStep,
    CaseState,
    DiagnosticState,
    ExitReason,
    ObstacleCategory,
    OrientationPath,
)
from casework.models import (
    BreachReport,
    Case,
    CaseQuerySet,
    Interview,
    PairContact,
    SharingAgreement,
    closed_files,
    overdue_threshold,
)
from orientation.enums import RecommendationState
from orientation.models import Diagnostic, Obstacle, Recommendation
from partners.enums import Role
from partners.models import Pair, Professional
from partners.selectors import supervised_organisations

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

SMALL_COUNT = 5


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
    overdue_total: int  # open cases without an interview with their référent, in the subtree
    paths: list[tuple[str, str, int]]
    exits: list[tuple[str, str, int]]
    durable_rate_6: int | None
    durable_rate_12: int | None
    obstacles: list[tuple[str, str]]  # (label, count or « moins de 5 »)
    #: The subtree's signalements de manquement by step: totals only, « moins de 5 » below 5.
    breach_steps: list[tuple[str, str]] = field(default_factory=list)

    @property
    def to_act_on(self) -> list[tuple[str, int]]:
        """« À traiter »: the figures that call for an action, by drill-down slug, first on the
        supervisor's start page."""
        return [
            ("sans-entretien", self.overdue_total),
            ("diagnostics", sum(self.diagnostics_waiting.values())),
            ("preconisations", sum(self.recommendations_waiting.values())),
            ("accords", self.agreements_expiring),
        ]


def supervised_cases(supervisor: Professional) -> CaseQuerySet[Case]:
    return Case.objects.visible_to(supervisor)


def _month_starts(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    return [first - relativedelta(months=n) for n in (2, 1, 0)]


class AddMonths(Func):
    """``date`` plus ``months`` calendar months, as ``relativedelta(months=months)``: the same
    day, or the last day of the month when it has no such day (31 August + 6 months = 28 or 29
    February). PostgreSQL's interval arithmetic does exactly that; SQLite's ``date()`` overflows
    into the next month instead, so the result is capped at that month's last day."""

    output_field = DateField()

    def __init__(self, expression: str, months: int) -> None:
        super().__init__(expression)
        self.months = months

    def as_sql(
        self,
        compiler: "SQLCompiler",
        connection: "BaseDatabaseWrapper",
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + make_interval(months => %s))::date", (*params, self.months)

    def as_sqlite(
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper", **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"min(date({sql}, %s), date({sql}, 'start of month', %s, '-1 day'))",
            (*params, f"+{self.months} months", *params, f"+{self.months + 1} months"),
        )


def _durable_exit_within(months: int, cutoff: datetime.date) -> Q:
    """Accompaniments started on or before ``cutoff`` that ended in a durable job at most
    ``months`` calendar months after they started."""
    return Q(
        exit_reason=ExitReason.DURABLE_JOB,
        closed_on__isnull=False,
        started_on__lte=cutoff,
        closed_on__lte=AddMonths("started_on", months),
    )


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
    members = {pair.pk: (pair.advisor_id, pair.social_worker_id) for pair in all_pairs}
    # One pass over the subtree's cases (an index-only scan of the covering index on
    # (pair, state)): counted in SQL per binôme, référent, state, path and exit reason, with the
    # overdue ones, those started at least 6 and 12 months ago and the durable-job exits within
    # 6 and 12 months; a few thousand groups, not 50,000 rows (docs/performance.md).
    cutoffs = {months_after: today - relativedelta(months=months_after) for months_after in (6, 12)}
    groups = (
        cases.with_overdue(threshold)
        .values_list("pair_id", "referent_id", "state", "orientation_path", "exit_reason")
        .annotate(
            count=Count("pk"),
            overdue_count=Count("pk", filter=Q(overdue=True)),
            eligible_6=Count("pk", filter=Q(started_on__lte=cutoffs[6])),
            eligible_12=Count("pk", filter=Q(started_on__lte=cutoffs[12])),
            durable_6=Count("pk", filter=_durable_exit_within(6, cutoffs[6])),
            durable_12=Count("pk", filter=_durable_exit_within(12, cutoffs[12])),
        )
        .order_by()
    )
    per_pair: Counter[int] = Counter()
    overdue_total = 0
    as_referent: Counter[int] = Counter()
    path_counts: Counter[str] = Counter()
    exit_counts: Counter[str] = Counter()
    eligible = {6: 0, 12: 0}
    durable = {6: 0, 12: 0}
    for (
        pair_id,
        referent_id,
        state,
        path,
        reason,
        count,
        overdue,
        eligible_6,
        eligible_12,
        durable_6,
        durable_12,
    ) in groups:
        if state in OPEN_STATES:
            per_pair[pair_id] += count
            as_referent[referent_id] += count
            for member in members[pair_id]:
                if member in rows:
                    rows[member].open_cases += count
            overdue_total += overdue
            if referent_id in rows:
                rows[referent_id].overdue += overdue
            if path:
                path_counts[path] += count
        if state == CaseState.CLOSED:
            exit_counts[reason] += count
        eligible[6] += eligible_6
        eligible[12] += eligible_12
        durable[6] += durable_6
        durable[12] += durable_12

    months = _month_starts(today)
    ends = [*months[1:], months[-1] + relativedelta(months=1)]
    # The open cases each référent saw, per month (interviews by someone else do not count):
    # one count of distinct cases per month, in one group per author.
    seen = (
        Interview.objects.filter(
            case__pair_id__in=pair_ids,  # one join with the cases (their référent), not two
            case__state__in=OPEN_STATES,
            occurred_on__gte=months[0],
            occurred_on__lt=ends[-1],
            author_id=F("case__referent_id"),
        )
        .exclude(case__beneficiary__in=closed_files())  # as visible_to
        .values_list("author_id")
        .annotate(
            **{
                f"seen_{index}": Count(
                    "case_id", distinct=True, filter=Q(occurred_on__gte=start, occurred_on__lt=end)
                )
                for index, (start, end) in enumerate(zip(months, ends, strict=True))
            }
        )
        .order_by()
    )
    seen_by = {author_id: counts for author_id, *counts in seen}
    for row in rows.values():
        if row.professional.role != Role.ADVISOR:
            continue  # social workers work on request: never measured on contact frequency
        counts = seen_by.get(row.professional.pk, [0] * len(months))
        row.seen_share = [_percent(count, as_referent[row.professional.pk]) for count in counts]

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
        Diagnostic.objects.waiting().filter(case__in=cases).values_list("state", "drafted_on")
    )
    recommendations = list(
        Recommendation.objects.waiting().filter(case__in=cases).values_list("state", "created_at")
    )
    agreements = SharingAgreement.objects.expiring(today).filter(case__in=cases).count()
    # the obstacles of the latest version of each open case's diagnostic, counted in SQL: the
    # obstacles joined to their diagnostic, without a newer version of it (an index-only scan
    # of the obstacles' covering index per diagnostic)
    newer = Diagnostic.objects.filter(
        case_id=OuterRef("diagnostic__case_id"), version__gt=OuterRef("diagnostic__version")
    )
    obstacle_counts = dict(
        Obstacle.objects.filter(diagnostic__case__in=cases.open())
        .exclude(Exists(newer))
        .values_list("category")
        .annotate(count=Count("*"))
        .order_by()
    )
    breach_counts = dict(
        BreachReport.objects.filter(case__in=cases)
        .annotate(procedure_step=_BREACH_STEP)
        .values_list("procedure_step")
        .annotate(count=Count("*"))
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
        overdue_total=overdue_total,
        paths=[(p, OrientationPath(p).label, path_counts[p]) for p in OrientationPath.values],
        exits=[
            (r, ExitReason(r).label, exit_counts[r]) for r in ExitReason.values if exit_counts[r]
        ],
        durable_rate_6=_percent(durable[6], eligible[6]),
        durable_rate_12=_percent(durable[12], eligible[12]),
        obstacles=[
            (
                ObstacleCategory(category).label,
                str(count) if count >= SMALL_COUNT else f"moins de {SMALL_COUNT}",
            )
            for category, count in sorted(obstacle_counts.items())
        ],
        breach_steps=[
            (step.label, _at_least_five(breach_counts.get(step.value, 0))) for step in BreachStep
        ],
    )


#: ``BreachReport.step``, in SQL.
_BREACH_STEP = models.Case(
    models.When(remobilised_on__isnull=False, then=Value(BreachStep.REMOBILISED.value)),
    models.When(~Q(decision=""), then=Value(BreachStep.DECIDED.value)),
    models.When(transmitted_at__isnull=False, then=Value(BreachStep.TRANSMITTED.value)),
    models.When(informed_at__isnull=False, then=Value(BreachStep.INFORMED.value)),
    default=Value(BreachStep.DRAFTED.value),
    output_field=models.CharField(),
)


def _at_least_five(count: int) -> str:
    return str(count) if count >= SMALL_COUNT else f"moins de {SMALL_COUNT}"


@dataclass(frozen=True)
class DrillDown:
    """What a drill-down is asked for: the day, and the professional or value of the row."""

    today: datetime.date
    threshold: datetime.date
    professional_id: int | None = None
    value: str = ""


def _followed_by(cases: CaseQuerySet[Case], ask: DrillDown) -> CaseQuerySet[Case]:
    cases = cases.open()
    if ask.professional_id:
        cases = cases.filter(
            Q(pair__advisor_id=ask.professional_id) | Q(pair__social_worker_id=ask.professional_id)
        )
    return cases


def _overdue(cases: CaseQuerySet[Case], ask: DrillDown) -> CaseQuerySet[Any]:
    """(Cases annotated with ``overdue``: a queryset of annotated cases, hence ``Any``.)"""
    overdue = _followed_by(cases, ask).overdue(ask.threshold)
    return overdue.filter(referent_id=ask.professional_id) if ask.professional_id else overdue


@dataclass(frozen=True)
class Figure:
    """One figure of the dashboard, declared once: its label (the screen's heading, the
    drill-down's title, the export's section) and, if it has one, the cases behind it."""

    label: str
    cases: Callable[[CaseQuerySet[Case], DrillDown], CaseQuerySet[Case]] | None = None


#: Every figure, by the slug of its drill-down URL (``/encadrement/<slug>/``).
FIGURES: dict[str, Figure] = {
    "ouverts": Figure("Accompagnements ouverts", _followed_by),
    "sans-entretien": Figure(
        "Sans entretien avec le ou la référent·e depuis plus de 30 jours", _overdue
    ),
    "vus": Figure("Personnes vues par leur référent·e dans le mois (%)"),
    "points-binome": Figure("Points binôme"),
    "diagnostics": Figure(
        "Diagnostics en attente de validation ou de signature",
        lambda cases, ask: cases.filter(pk__in=Diagnostic.objects.waiting().values("case_id")),
    ),
    "preconisations": Figure(
        "Préconisations en attente",
        lambda cases, ask: cases.filter(pk__in=Recommendation.objects.waiting().values("case_id")),
    ),
    "accords": Figure(
        "Accords de partage qui expirent dans les 30 jours",
        lambda cases, ask: cases.filter(
            pk__in=SharingAgreement.objects.expiring(ask.today).values("case_id")
        ),
    ),
    "parcours": Figure(
        "Parcours", lambda cases, ask: cases.open().filter(orientation_path=ask.value)
    ),
    "sorties": Figure(
        "Sorties", lambda cases, ask: cases.filter(state=CaseState.CLOSED, exit_reason=ask.value)
    ),
    "emploi-durable": Figure("Sorties en emploi durable (%)"),
    "freins": Figure("Freins périphériques (diagnostics en cours)"),
    # Totals of the subtree only: no list, no person, no professional behind them.
    "signalements": Figure("Signalements de manquement, par étape"),
}


def drill_down(
    supervisor: Professional,
    figure: str,
    *,
    professional_id: int | None = None,
    value: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """The cases behind a figure (metadata only); ``KeyError`` if it has no drill-down."""
    filter_cases = FIGURES[figure].cases
    if filter_cases is None:
        raise KeyError(figure)
    today = today or timezone.localdate()
    department = supervisor.organisation.department  # type: ignore[union-attr]
    ask = DrillDown(today, overdue_threshold(department, today), professional_id, value)
    return (
        filter_cases(supervised_cases(supervisor), ask)
        .select_related("beneficiary", "referent")
        .order_by("beneficiary__last_name", "beneficiary__first_name", "pk")
        .distinct()
    )


def _export_percent(value: int | None) -> int | str:
    """A rate for the export: 0 stays 0; only « not measurable » is an empty cell."""
    return "" if value is None else value


def export_rows(board: Dashboard) -> list[list[object]]:
    """Every figure the screen shows, as (section, label, value) rows for CSV and XLSX."""
    label = {slug: figure.label for slug, figure in FIGURES.items()}
    rows: list[list[object]] = [["section", "libellé", "valeur"]]
    for row in board.advisors + board.social_workers:
        name = row.professional.full_name
        rows.append([label["ouverts"], name, row.open_cases])
        rows.append([label["sans-entretien"], name, row.overdue])
        for month, share in zip(board.months, row.seen_share, strict=True):
            rows.append([f"{label['vus']}, {month:%m/%Y}", name, _export_percent(share)])
    for pair_row in board.pairs:
        pair = pair_row.pair.members_names
        rows.append([label["ouverts"], pair, pair_row.open_cases])
        rows.append([f"{label['points-binome']} (7 jours)", pair, pair_row.contacts_7])
        rows.append([f"{label['points-binome']} (30 jours)", pair, pair_row.contacts_30])
    for slug, waiting, oldest in (
        ("diagnostics", board.diagnostics_waiting, board.diagnostics_oldest),
        ("preconisations", board.recommendations_waiting, board.recommendations_oldest),
    ):
        for state, count in waiting.items():
            rows.append([label[slug], state, count])
        rows.append(
            [label[slug], "la plus ancienne depuis le", f"{oldest:%d/%m/%Y}" if oldest else ""]
        )
    rows.append([label["accords"], "", board.agreements_expiring])
    for _, path, count in board.paths:
        rows.append([label["parcours"], path, count])
    for _, reason, count in board.exits:
        rows.append([label["sorties"], reason, count])
    rows.append([label["emploi-durable"], "dans les 6 mois", _export_percent(board.durable_rate_6)])
    rows.append(
        [label["emploi-durable"], "dans les 12 mois", _export_percent(board.durable_rate_12)]
    )
    for category, shown in board.obstacles:
        rows.append([label["freins"], category, shown])
    for step, shown in board.breach_steps:
        rows.append([label["signalements"], step, shown])
    return rows
