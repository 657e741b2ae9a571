"""The supervisors' dashboard, precomputed (docs/architecture.md, « Tableaux de bord
précalculés »): a snapshot per organisation, for the day, that the dashboard page reads instead of
recomputing the figures of a whole subtree on each view.

- Refreshed by the task ``orientation.tasks.refresh_dashboards`` for a whole department: after the
  writes that change the figures (a write of the case row goes through ``casework.services.
  _base.bump``; of a diagnostic, obstacle or préconisation through orientation's ``_save``; of an
  accord, a breach report or a point binôme through casework's ``save``: each calls
  ``casework.services.dashboards.dashboards_changed``),
  debounced through the outbox: the writes of a binôme in a window of
  ``BINOME_DASHBOARD_REFRESH_SECONDS`` share one row, due at the window's end, and a row finds
  the department already refreshed since that end when another binôme's row came first (see
  :func:`refresh_after`); and nightly (beat), so that the month's figures follow the calendar.
- The page says when the figures were computed; without a snapshot of the day (a new
  organisation, before the first night), it computes them live, as before. Drill-down lists and
  exports stay live.
- The snapshot holds the delays' figures too (``orientation.delays``: some 15,000 cases read for a
  department's supervisor), read by :func:`delays_of` in the same way.
- A snapshot holds figures and the ids of the professionals and binômes of its rows, never a
  person: the page loads the professionals and binômes it names (two queries), and drops the
  ones no longer there.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from orientation import delays
from orientation.models import DashboardSnapshot
from orientation.supervision import Dashboard, PairRow, ProfessionalRow, dashboard
from partners.enums import Role
from partners.models import Department, Pair, Professional


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def encode(board: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON: figures, labels, and the ids of the rows' professionals and pairs."""

    def professional(row: ProfessionalRow) -> dict[str, Any]:
        return {
            "id": row.professional.pk,
            "open": row.open_cases,
            "overdue": row.overdue,
            "seen": row.seen_share,
        }

    return {
        "target": board.target,
        "months": [month.isoformat() for month in board.months],
        "advisors": [professional(row) for row in board.advisors],
        "social_workers": [professional(row) for row in board.social_workers],
        "pairs": [
            {
                "id": row.pair.pk,
                "open": row.open_cases,
                "c7": row.contacts_7,
                "c30": row.contacts_30,
            }
            for row in board.pairs
        ],
        "diagnostics_waiting": {str(k): v for k, v in board.diagnostics_waiting.items()},
        "diagnostics_oldest": _day(board.diagnostics_oldest),
        "recommendations_waiting": {str(k): v for k, v in board.recommendations_waiting.items()},
        "recommendations_oldest": _day(board.recommendations_oldest),
        "agreements_expiring": board.agreements_expiring,
        "overdue_total": board.overdue_total,
        "paths": [[str(value), str(label), count] for value, label, count in board.paths],
        "exits": [[str(value), str(label), count] for value, label, count in board.exits],
        "durable_rate_6": board.durable_rate_6,
        "durable_rate_12": board.durable_rate_12,
        "obstacles": [[str(label), shown] for label, shown in board.obstacles],
        "breach_steps": [[str(label), shown] for label, shown in board.breach_steps],
    }


#: The fields of a professional that the dashboard prints.
NAMES = ("first_name", "last_name")


def decode(figures: dict[str, Any]) -> Dashboard:
    """A snapshot's dashboard, with its professionals and pairs loaded (two queries)."""
    rows = [*figures["advisors"], *figures["social_workers"]]
    # Only what the page prints of them (names): a department's page lists hundreds.
    professionals = Professional.objects.only(*NAMES).in_bulk([row["id"] for row in rows])
    pairs = (
        Pair.objects.select_related("advisor", "social_worker")
        .only(
            "advisor_id",
            "social_worker_id",
            *(f"{member}__{name}" for member in ("advisor", "social_worker") for name in NAMES),
        )
        .in_bulk([row["id"] for row in figures["pairs"]])
    )

    def professional_rows(items: list[dict[str, Any]]) -> list[ProfessionalRow]:
        return [
            ProfessionalRow(professionals[row["id"]], row["open"], row["overdue"], row["seen"])
            for row in items
            if row["id"] in professionals
        ]

    return Dashboard(
        target=figures["target"],
        months=[datetime.date.fromisoformat(month) for month in figures["months"]],
        advisors=professional_rows(figures["advisors"]),
        social_workers=professional_rows(figures["social_workers"]),
        pairs=[
            PairRow(pairs[row["id"]], row["open"], row["c7"], row["c30"])
            for row in figures["pairs"]
            if row["id"] in pairs
        ],
        diagnostics_waiting=figures["diagnostics_waiting"],
        diagnostics_oldest=_date(figures["diagnostics_oldest"]),
        recommendations_waiting=figures["recommendations_waiting"],
        recommendations_oldest=_date(figures["recommendations_oldest"]),
        agreements_expiring=figures["agreements_expiring"],
        overdue_total=figures["overdue_total"],
        paths=[(value, label, count) for value, label, count in figures["paths"]],
        exits=[(value, label, count) for value, label, count in figures["exits"]],
        durable_rate_6=figures["durable_rate_6"],
        durable_rate_12=figures["durable_rate_12"],
        obstacles=[(label, shown) for label, shown in figures["obstacles"]],
        breach_steps=[(label, shown) for label, shown in figures["breach_steps"]],
    )


def refresh(department_id: int, today: datetime.date | None = None) -> int:
    """Recompute the snapshot of every organisation of the department that has an active
    supervisor (a subtree's figures do not depend on which of its supervisors looks). The number
    of snapshots written."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # One refresh of a department at a time: one that began earlier and computes slower
        # cannot write its older figures over a newer one's. FOR NO KEY UPDATE: the writes that
        # only refer to the department (FOR KEY SHARE) go on.
        Department.objects.select_for_update(no_key=True).filter(pk=department_id).first()
        return _refresh(department_id, today)


def _refresh(department_id: int, today: datetime.date) -> int:
    supervisors: dict[int, Professional] = {}
    for supervisor in (
        Professional.objects.filter(
            role=Role.SUPERVISOR, is_active=True, organisation__department_id=department_id
        )
        .select_related("organisation__department")
        .order_by("organisation_id", "pk")
    ):
        if supervisor.organisation_id is not None:  # the filter above says so
            supervisors.setdefault(supervisor.organisation_id, supervisor)
    written = 0
    for organisation_id, supervisor in supervisors.items():
        figures = encode(dashboard(supervisor, today))
        figures["delays"] = delays.encode(delays.delays(supervisor, today))
        DashboardSnapshot.objects.update_or_create(
            organisation_id=organisation_id,
            defaults={"computed_on": today, "computed_at": timezone.now(), "figures": figures},
        )
        written += 1
    return written


def _snapshot(
    supervisor: Professional, today: datetime.date
) -> tuple[dict[str, Any], datetime.datetime] | None:
    """The figures of the supervisor's organisation computed for ``today``, and when."""
    if supervisor.organisation_id is None:
        return None
    snapshot = (
        DashboardSnapshot.objects.filter(
            organisation_id=supervisor.organisation_id, computed_on=today
        )
        .only("computed_at", "figures")
        .first()
    )
    return None if snapshot is None else (snapshot.figures, snapshot.computed_at)


def board_of(
    supervisor: Professional, today: datetime.date | None = None
) -> tuple[Dashboard, datetime.datetime | None]:
    """The supervisor's dashboard: the snapshot of their organisation for the day, with when it
    was computed; computed live (and ``None``) when there is none yet."""
    today = today or timezone.localdate()
    found = _snapshot(supervisor, today)
    if found is not None:
        try:
            return decode(found[0]), found[1]
        except KeyError:  # written before a figure was added: the next refresh rewrites it
            pass
    return dashboard(supervisor, today), None


def delays_of(
    supervisor: Professional, today: datetime.date | None = None
) -> tuple[delays.Delays, datetime.datetime | None]:
    """The supervisor's delays, from the snapshot like :func:`board_of`, or computed live."""
    today = today or timezone.localdate()
    found = _snapshot(supervisor, today)
    if found is not None:
        try:
            return delays.decode(found[0]["delays"]), found[1]
        except KeyError:
            pass
    return delays.delays(supervisor, today), None


def refresh_after(*, pair_id: int, due: str | None) -> int:
    """The outbox's refresh after the writes of a binôme's window ending at ``due`` (ISO):
    nothing when every snapshot of the department was computed since (another binôme's row of
    the same window came first); otherwise :func:`refresh` of the department."""
    department_id = Pair.objects.values_list("department_id", flat=True).get(pk=pair_id)
    snapshots = DashboardSnapshot.objects.filter(organisation__department_id=department_id)
    if (
        due is not None
        and snapshots.exists()
        and not snapshots.filter(computed_at__lt=datetime.datetime.fromisoformat(due)).exists()
    ):
        return 0
    return refresh(department_id)
