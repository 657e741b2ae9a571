"""The supervisors' delays (DESIGN.md, « Since 2025 »): from the proposal of an accompaniment to
the orientation decision, to the first appointment held with the référent·e, and to the signature
of the contrat d'engagement; per organisation of the subtree (the référent·e's) and per month of
proposal, over the last twelve months.

For each step: how many cases of the cohort reached it, the median delay in days among them, and
the share of the cohort that reached it within 15, 30 and 45 days, counted only over the cases
proposed at least that many days ago (a case proposed last week cannot have waited 30 days yet).
A figure about fewer than 5 cases is not shown (« moins de 5 »): supervisors see totals of at least
5. One query for the figures, whatever the number of cases, read as plain tuples (a supervisor of a
department has some 15,000 cases in the cohort: building model instances cost most of the page);
no delay is stored, and none is shown for a person outside the drill-down list, which the
dashboard's drill-downs already open.

The start is the proposal: the CAF/MSA flow carries no date of entry into the RSA that Binôme keeps
(data minimisation), so « from the RSA entry » is not measured.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from casework.enums import AppointmentOutcome
from casework.models import Appointment, Case
from orientation.models import ActionPlan, OrientationDecision
from orientation.supervision import SMALL_COUNT, supervised_cases
from partners.models import Organisation, Professional

WINDOWS = (15, 30, 45)
MONTHS = 12


class Step(StrEnum):
    DECISION = "decision"
    APPOINTMENT = "rendez-vous"
    CONTRACT = "contrat"


STEP_LABELS = {
    Step.DECISION: "Jusqu'à la décision d'orientation",
    Step.APPOINTMENT: "Jusqu'au premier rendez-vous honoré avec le ou la référent·e",
    Step.CONTRACT: "Jusqu'à la signature du contrat d'engagement",
}
HIDDEN = f"moins de {SMALL_COUNT}"


@dataclass(frozen=True)
class CaseDelays:
    """One case of the cohort: its proposal and the days to each step it reached."""

    case_id: int
    proposed_on: datetime.date
    organisation_id: int | None
    days: dict[Step, int | None]

    @property
    def ordered(self) -> list[int | None]:
        """The days to each step, in the steps' order (None: not reached yet)."""
        return [self.days[step] for step in Step]


@dataclass
class StepFigures:
    reached: int
    median: float | None  # days; None below 5 cases reached
    shares: dict[int, int | None]  # window → percent; None below 5 cases old enough

    def shown(self, value: float | int | None) -> str:
        return HIDDEN if value is None else f"{value:g}"


@dataclass
class DelayRow:
    label: str
    cohort: int
    steps: dict[Step, StepFigures] = field(default_factory=dict)
    #: The drill-down's query string (« organisation=3 », « mois=2026-05 »), empty for the total.
    query: str = ""

    @property
    def hidden(self) -> bool:
        return self.cohort < SMALL_COUNT


@dataclass
class Delays:
    since: datetime.date
    today: datetime.date
    total: DelayRow
    by_organisation: list[DelayRow]
    by_month: list[DelayRow]


@dataclass(frozen=True)
class Cells:
    """A row of one step's table, as the page shows it."""

    row: DelayRow
    reached: int
    median: float | None
    shares: list[tuple[int, int | None]]


def tables(board: Delays) -> list[tuple[Step, str, list[tuple[str, list[Cells]]]]]:
    """The page's tables: for each step, the organisations (after the whole subtree) and the
    months."""

    def cells(rows: list[DelayRow], step: Step) -> list[Cells]:
        return [
            Cells(
                row=row,
                reached=row.steps[step].reached,
                median=row.steps[step].median,
                shares=[(window, row.steps[step].shares[window]) for window in WINDOWS],
            )
            for row in rows
        ]

    return [
        (
            step,
            STEP_LABELS[step],
            [
                ("par organisation", cells([board.total, *board.by_organisation], step)),
                ("par mois de proposition", cells(board.by_month, step)),
            ],
        )
        for step in Step
    ]


def since(today: datetime.date) -> datetime.date:
    """The first day of the oldest month measured (twelve months, the current one included)."""
    return today.replace(day=1) - relativedelta(months=MONTHS - 1)


#: The annotations of ``_annotated``: the day each step was reached, in the steps' order.
STEP_DAYS = ("decided_on", "first_held_on", "contract_on")


def _annotated(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with the date each step was reached (none when not yet)."""
    decision = OrientationDecision.objects.filter(case=OuterRef("pk")).order_by("decided_on")
    held = Appointment.objects.filter(
        case=OuterRef("pk"),
        outcome=AppointmentOutcome.HELD,
        with_whom=OuterRef("referent_id"),
    ).order_by("planned_at")
    contract = ActionPlan.objects.filter(case=OuterRef("pk"))
    return cases.annotate(
        decided_on=Subquery(decision.values("decided_on")[:1]),
        # The day, in the department's time zone, computed by the database.
        first_held_on=Subquery(held.values(day=TruncDate("planned_at"))[:1]),
        contract_on=Subquery(contract.values("contract_signed_on")[:1]),
        organisation_id=F("referent__organisation_id"),
    )


def cohort(supervisor: Professional, today: datetime.date) -> QuerySet[Case]:
    """The cases of the supervisor's subtree proposed in the months measured, with their steps."""
    return _annotated(
        supervised_cases(supervisor).filter(proposed_on__gte=since(today), proposed_on__lte=today)
    )


def _days(start: datetime.date, end: datetime.date | None) -> int | None:
    if end is None:
        return None
    return max((end - start).days, 0)  # a decision taken before the proposal waited nothing


def delays_of(row: Any) -> CaseDelays:
    """A case of ``cohort`` (an annotated row) as its delays."""
    return CaseDelays(
        case_id=row.pk,
        proposed_on=row.proposed_on,
        organisation_id=row.organisation_id,
        days={
            Step.DECISION: _days(row.proposed_on, row.decided_on),
            Step.APPOINTMENT: _days(row.proposed_on, row.first_held_on),
            Step.CONTRACT: _days(row.proposed_on, row.contract_on),
        },
    )


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole >= SMALL_COUNT else None


#: A case of the cohort as the figures read it: its age in days (today − proposal) and the days
#: it waited for each step, in the steps' order (None: not reached yet).
Waits = tuple[int, tuple[int | None, ...]]


def figures(label: str, cases: list[Waits], query: str) -> DelayRow:
    row = DelayRow(label=label, cohort=len(cases), query=query)
    ages = [age for age, _ in cases]
    for index, step in enumerate(Step):
        waited = [days[index] for _, days in cases]
        reached = [days for days in waited if days is not None]
        shares = {}
        for window in WINDOWS:
            old_enough = [days for age, days in zip(ages, waited, strict=True) if age >= window]
            within = [days for days in old_enough if days is not None and days <= window]
            shares[window] = _percent(len(within), len(old_enough))
        row.steps[step] = StepFigures(
            reached=len(reached),
            median=statistics.median(reached) if len(reached) >= SMALL_COUNT else None,
            shares=shares,
        )
    return row


def delays(supervisor: Professional, today: datetime.date | None = None) -> Delays:
    """The figures of the supervisor's subtree: two queries (the cases, their organisations)."""
    today = today or timezone.localdate()
    by_organisation: dict[int | None, list[Waits]] = defaultdict(list)
    by_month: dict[datetime.date, list[Waits]] = defaultdict(list)
    cases: list[Waits] = []
    rows = (
        cohort(supervisor, today)
        .order_by()
        .values_list("proposed_on", "referent__organisation_id", *STEP_DAYS)
    )
    for proposed_on, organisation_id, *ends in rows:
        case = ((today - proposed_on).days, tuple(_days(proposed_on, end) for end in ends))
        cases.append(case)
        by_organisation[organisation_id].append(case)
        by_month[proposed_on.replace(day=1)].append(case)
    names = dict(
        Organisation.objects.filter(pk__in=[pk for pk in by_organisation if pk]).values_list(
            "pk", "name"
        )
    )
    first = since(today)
    months = [first + relativedelta(months=n) for n in range(MONTHS)]
    return Delays(
        since=first,
        today=today,
        total=figures("Ensemble", cases, ""),
        by_organisation=sorted(
            (
                figures(
                    names.get(pk, "Sans organisation") if pk else "Sans organisation",
                    group,
                    f"organisation={pk or 0}",
                )
                for pk, group in by_organisation.items()
            ),
            key=lambda row: row.label,
        ),
        by_month=[
            figures(f"{month:%m/%Y}", by_month.get(month, []), f"mois={month:%Y-%m}")
            for month in months
        ],
    )


def encode(board: Delays) -> dict[str, Any]:
    """The figures as JSON, for the dashboard's snapshot (orientation/snapshots.py)."""

    def row(item: DelayRow) -> dict[str, Any]:
        return {
            "label": item.label,
            "cohort": item.cohort,
            "query": item.query,
            "steps": {
                str(step): [
                    figures_.reached,
                    figures_.median,
                    [figures_.shares[w] for w in WINDOWS],
                ]
                for step, figures_ in item.steps.items()
            },
        }

    return {
        "since": board.since.isoformat(),
        "today": board.today.isoformat(),
        "total": row(board.total),
        "by_organisation": [row(item) for item in board.by_organisation],
        "by_month": [row(item) for item in board.by_month],
    }


def decode(data: dict[str, Any]) -> Delays:
    """The figures of :func:`encode` (a ``KeyError`` when written before a figure was added)."""

    def row(item: dict[str, Any]) -> DelayRow:
        steps = {}
        for step in Step:
            reached, median, shares = item["steps"][str(step)]
            steps[step] = StepFigures(reached, median, dict(zip(WINDOWS, shares, strict=True)))
        return DelayRow(item["label"], item["cohort"], steps, item["query"])

    return Delays(
        since=datetime.date.fromisoformat(data["since"]),
        today=datetime.date.fromisoformat(data["today"]),
        total=row(data["total"]),
        by_organisation=[row(item) for item in data["by_organisation"]],
        by_month=[row(item) for item in data["by_month"]],
    )


def drill_down(
    supervisor: Professional,
    *,
    organisation_id: int | None = None,
    month: datetime.date | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """The cases behind a row (metadata only), with the dates of their steps."""
    today = today or timezone.localdate()
    cases = cohort(supervisor, today)
    if organisation_id is not None:
        cases = (
            cases.filter(referent__organisation_id=organisation_id)
            if organisation_id
            else cases.filter(referent__organisation__isnull=True)
        )
    if month is not None:
        cases = cases.filter(
            proposed_on__gte=month, proposed_on__lt=month + relativedelta(months=1)
        )
    return cases.select_related("beneficiary", "referent").order_by(
        "proposed_on", "beneficiary__last_name", "pk"
    )


def export_rows(board: Delays) -> Iterable[list[object]]:
    """Every figure of the page as rows for CSV (hidden figures say so)."""
    yield [
        "regroupement",
        "ligne",
        "accompagnements proposés",
        "étape",
        "étape atteinte",
        "délai médian (jours)",
        *[f"part en {window} jours ou moins (%)" for window in WINDOWS],
    ]
    for group, rows in (
        ("ensemble", [board.total]),
        ("organisation", board.by_organisation),
        ("mois de proposition", board.by_month),
    ):
        for row in rows:
            for step in Step:
                if row.hidden:
                    yield [group, row.label, HIDDEN, STEP_LABELS[step], "", "", "", "", ""]
                    continue
                figures_ = row.steps[step]
                yield [
                    group,
                    row.label,
                    row.cohort,
                    STEP_LABELS[step],
                    figures_.reached,
                    figures_.shown(figures_.median),
                    *[figures_.shown(figures_.shares[window]) for window in WINDOWS],
                ]
