"""The supervisors' figures, precomputed: one snapshot per organisation (the supervisor's
perimeter is their organisation's subtree) and day. Computed by supervision.dashboard (one source
of truth), refreshed by Celery after the writes that change them (debounced: one pending refresh
per organisation and 5-minute window, through the outbox) and every night; the page reads it and
computes it live when there is none of the day. The drill-down lists stay live."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from casework.models import Case, Interview, PairContact, SharingAgreement
from orientation.models import Diagnostic, Recommendation, SupervisionSnapshot
from orientation.supervision import Dashboard, PairRow, ProfessionalRow, dashboard
from partners.enums import Role
from partners.models import Organisation, Pair, Professional
from partners.outbox.enqueue import enqueue_task

REFRESH_TASK = "orientation.tasks.refresh_supervision_snapshot"
#: At most one pending refresh per organisation within this window, in seconds.
DEBOUNCE_SECONDS = 5 * 60
#: The length of one segment of Organisation.path (partners.models.new_path_segment).
PATH_SEGMENT = 13


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def to_json(board: Dashboard) -> dict[str, Any]:
    """The figures, with ids in place of the professionals and pairs."""

    def person(row: ProfessionalRow) -> list[Any]:
        return [row.professional.pk, row.open_cases, row.overdue, row.seen_share]

    return {
        "target": board.target,
        "months": [month.isoformat() for month in board.months],
        "advisors": [person(row) for row in board.advisors],
        "social_workers": [person(row) for row in board.social_workers],
        "pairs": [[r.pair.pk, r.open_cases, r.contacts_7, r.contacts_30] for r in board.pairs],
        "diagnostics_waiting": board.diagnostics_waiting,
        "diagnostics_oldest": board.diagnostics_oldest and board.diagnostics_oldest.isoformat(),
        "recommendations_waiting": board.recommendations_waiting,
        "recommendations_oldest": board.recommendations_oldest
        and board.recommendations_oldest.isoformat(),
        "agreements_expiring": board.agreements_expiring,
        "overdue_total": board.overdue_total,
        "paths": board.paths,
        "exits": board.exits,
        "durable_rate_6": board.durable_rate_6,
        "durable_rate_12": board.durable_rate_12,
        "obstacles": board.obstacles,
    }


def from_json(figures: dict[str, Any]) -> Dashboard:
    """The Dashboard again: two queries (the professionals, the pairs with their members)."""
    people_ids = [row[0] for row in figures["advisors"] + figures["social_workers"]]
    people = Professional.objects.select_related("organisation").in_bulk(people_ids)
    pairs = Pair.objects.with_members().in_bulk([row[0] for row in figures["pairs"]])

    def person(row: list[Any]) -> ProfessionalRow:
        return ProfessionalRow(people[row[0]], row[1], row[2], list(row[3]))

    return Dashboard(
        target=figures["target"],
        months=[datetime.date.fromisoformat(month) for month in figures["months"]],
        advisors=[person(row) for row in figures["advisors"] if row[0] in people],
        social_workers=[person(row) for row in figures["social_workers"] if row[0] in people],
        pairs=[PairRow(pairs[r[0]], r[1], r[2], r[3]) for r in figures["pairs"] if r[0] in pairs],
        diagnostics_waiting=figures["diagnostics_waiting"],
        diagnostics_oldest=_day(figures["diagnostics_oldest"]),
        recommendations_waiting=figures["recommendations_waiting"],
        recommendations_oldest=_day(figures["recommendations_oldest"]),
        agreements_expiring=figures["agreements_expiring"],
        overdue_total=figures["overdue_total"],
        paths=[tuple(row) for row in figures["paths"]],
        exits=[tuple(row) for row in figures["exits"]],
        durable_rate_6=figures["durable_rate_6"],
        durable_rate_12=figures["durable_rate_12"],
        obstacles=[tuple(row) for row in figures["obstacles"]],
    )


def _supervisor_of(organisation: Organisation) -> Professional:
    """The perimeter of any supervisor of ``organisation`` (never saved)."""
    return Professional(role=Role.SUPERVISOR, organisation=organisation, is_active=True)


def compute(organisation: Organisation, today: datetime.date | None = None) -> SupervisionSnapshot:
    """The organisation's snapshot of ``today``, computed live and stored (replacing the day's)."""
    today = today or timezone.localdate()
    board = dashboard(_supervisor_of(organisation), today=today)
    snapshot, _ = SupervisionSnapshot.objects.update_or_create(
        organisation=organisation,
        day=today,
        defaults={"figures": to_json(board), "computed_at": timezone.now()},
    )
    return snapshot


def board_of(
    supervisor: Professional, today: datetime.date | None = None
) -> tuple[Dashboard, datetime.datetime]:
    """What the page and the export show: the day's snapshot, else computed now (and stored),
    with when it was computed."""
    today = today or timezone.localdate()
    organisation = supervisor.organisation
    if organisation is None:  # no perimeter to key a snapshot by: live, as before
        return dashboard(supervisor, today=today), timezone.now()
    snapshot = SupervisionSnapshot.objects.filter(organisation=organisation, day=today).first()
    if snapshot is None:
        with transaction.atomic():
            snapshot = compute(organisation, today)
    return from_json(snapshot.figures), snapshot.computed_at


def refresh(organisation_id: int, today: datetime.date | None = None) -> bool:
    """The task's body: recompute one organisation's snapshot. False when it no longer exists."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return False
    with transaction.atomic():
        compute(organisation, today)
    return True


def refresh_all(today: datetime.date | None = None) -> int:
    """The nightly run: every organisation with an active supervisor in it."""
    ids = (
        Professional.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .exclude(organisation=None)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return sum(refresh(pk, today) for pk in sorted(set(ids)))


def _ancestors_paths(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]


def pair_figures_changed(pair_id: int | None) -> int:
    """After a write that changes the figures of a pair's cases: one refresh per organisation
    whose subtree holds a member of the pair and that has a snapshot of the day, at most one
    pending per organisation and window. Inside the write's transaction (without one, e.g. a
    fixture, nothing: the nightly run catches up); the number of refreshes enqueued."""
    if pair_id is None or not transaction.get_connection().in_atomic_block:
        return 0
    paths = {
        ancestor
        for members in Pair.objects.filter(pk=pair_id).values_list(
            "advisor__organisation__path", "social_worker__organisation__path"
        )
        for path in members
        if path
        for ancestor in _ancestors_paths(path)
    }
    if not paths:
        return 0
    now = timezone.now()
    window = int(now.timestamp()) // DEBOUNCE_SECONDS
    # Trailing: the refresh runs at the window's end, after every write of the window.
    window_end = datetime.datetime.fromtimestamp((window + 1) * DEBOUNCE_SECONDS, tz=datetime.UTC)
    targets = SupervisionSnapshot.objects.filter(
        organisation__path__in=paths, day=timezone.localdate(now)
    ).values_list("organisation_id", "organisation__department_id")
    return sum(
        enqueue_task(
            key=f"supervision-snapshot:{org_id}:{window}",
            task=REFRESH_TASK,
            kwargs={"organisation_id": org_id},
            department=department_id,
            not_before=window_end,
        )
        for org_id, department_id in targets
    )


class _AfterCommit:
    """The pairs and cases one transaction wrote, whose perimeters get a refresh once it has
    committed: one callback, hence one look-up, per transaction (a rollback drops it with the
    writes). Run after the commit, so that the writes themselves cost no query more."""

    def __init__(self) -> None:
        self.pair_ids: set[int] = set()
        self.case_ids: set[int] = set()

    def __call__(self) -> None:
        pair_ids = set(self.pair_ids)
        if self.case_ids:
            pair_ids |= set(
                Case.objects.filter(pk__in=self.case_ids)
                .exclude(pair=None)
                .values_list("pair_id", flat=True)
            )
        with transaction.atomic():
            for pair_id in sorted(pair_ids):
                pair_figures_changed(pair_id)


def _pending() -> _AfterCommit:
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)
    for sids, func, _ in connection.run_on_commit:
        if isinstance(func, _AfterCommit) and sids == here:
            return func
    pending = _AfterCommit()
    transaction.on_commit(pending, robust=True)
    return pending


def _on_save(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if getattr(instance, "pair_id", None) is not None:
        _pending().pair_ids.add(instance.pair_id)
    elif getattr(instance, "case_id", None) is not None:
        _pending().case_ids.add(instance.case_id)


#: The writes that change a supervisor's figures: the case (state, référent, path, exit…, and
#: every service that bumps its version), its interviews and contacts, agreements, diagnostics,
#: recommendations (the obstacles count once their diagnostic is saved).
WATCHED = (Case, Interview, PairContact, SharingAgreement, Diagnostic, Recommendation)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"snapshot-{model._meta.label}")
