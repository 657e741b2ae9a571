"""The supervisors' dashboard precomputed (orientation/snapshots.py): the snapshot's figures are
the live ones, writes ask for one refresh per binôme and window through the outbox, the task the
outbox publishes refreshes the department once per window, the page reads the snapshot and says
when it was computed, and falls back on the live figures without one."""

import datetime
import queue
import threading
import time
from dataclasses import asdict

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.enums import AgreementMethod, InterviewChannel, PairContactChannel, ShareCategory
from orientation import services, snapshots, tasks
from orientation.models import DashboardSnapshot
from orientation.supervision import dashboard
from partners.enums import Role
from partners.models import Department, OutboxMessage
from tests.casework.factories import CaseFactory
from tests.orientation.factories import lock, make_diagnostic
from tests.orientation.test_supervision import _team
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

REFRESH = "orientation.tasks.refresh_dashboards"


def _refresh_rows() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(payload__task=REFRESH).order_by("pk"))


def _board_as_data(board):  # type: ignore[no-untyped-def]
    """Every figure of a dashboard, its rows named by their professional's and pair's ids."""
    data = asdict(board)
    for key in ("advisors", "social_workers"):
        data[key] = [(row["professional"].pk, *list(row.values())[1:]) for row in data[key]]
    data["pairs"] = [(row["pair"].pk, *list(row.values())[1:]) for row in data["pairs"]]
    return data


def test_snapshot_figures_equal_the_live_computation():
    supervisor, advisor, pairs, cases = _team(3)
    for case in cases[:5]:
        make_diagnostic(case, obstacles=[("housing", "Logement", True)])
    lock(make_diagnostic(cases[5], obstacles=[("health", "Santé", True)]))
    services.recommendation_create(
        case=cases[5], acting_user=advisor, path="emploi", rationale="Projet", person_agrees=True
    )
    CaseFactory(pair=pairs[0], beneficiary__department=pairs[0].department, state="closed")

    assert snapshots.refresh(supervisor.organisation.department_id) == 1
    board, computed_at = snapshots.board_of(supervisor)

    assert computed_at is not None
    live = dashboard(supervisor)
    assert _board_as_data(board) == _board_as_data(live)
    # the fixture's figures are there, not empty lists that would compare equal
    assert (board.advisors[0].open_cases, board.advisors[0].overdue) == (6, 4)
    assert board.recommendations_waiting == {"En attente de signature": 1}
    assert ("Logement", "5") in board.obstacles


def test_writes_of_a_window_ask_for_one_refresh_per_binome_due_at_its_end():
    supervisor, advisor, pairs, cases = _team(2)
    start = timezone.now()
    window = 120
    slot_end = datetime.datetime.fromtimestamp(
        (int(start.timestamp() // window) + 1) * window, tz=datetime.UTC
    )

    with time_machine.travel(start, tick=False):
        OutboxMessage.objects.filter(payload__task=REFRESH).delete()
        for case in (cases[0], cases[1], cases[2]):  # two of the first binôme, one of the second
            case_services.interview_log(
                case=case,
                author=advisor,
                occurred_on=timezone.localdate(),
                channel=InterviewChannel.PHONE,
                summary="Point.",
            )

    rows = _refresh_rows()
    assert [row.payload["kwargs"]["pair_id"] for row in rows] == [pairs[0].pk, pairs[1].pk]
    assert {row.next_attempt_at for row in rows} == {slot_end}
    assert {row.payload["kwargs"]["due"] for row in rows} == {slot_end.isoformat()}


def test_writes_beside_the_case_row_ask_for_a_refresh_of_their_binome():
    """A préconisation, a point binôme and an accord change figures without writing the case
    row (``bump``): each asks for its binôme's refresh all the same."""
    supervisor, advisor, pairs, cases = _team(3)
    pair = pairs[0]
    lock(make_diagnostic(cases[0], obstacles=[("health", "Santé", True)]))

    def rows_after(write) -> list[int]:  # type: ignore[no-untyped-def]
        OutboxMessage.objects.filter(payload__task=REFRESH).delete()
        write()
        return [row.payload["kwargs"]["pair_id"] for row in _refresh_rows()]

    assert rows_after(
        lambda: services.recommendation_create(
            case=cases[0],
            acting_user=advisor,
            path="emploi",
            rationale="Projet",
            person_agrees=True,
        )
    ) == [pair.pk]
    assert rows_after(
        lambda: case_services.pair_contact_record(
            pair=pair,
            author=advisor,
            occurred_on=timezone.localdate(),
            channel=PairContactChannel.PHONE,
            cases=[cases[0]],
        )
    ) == [pair.pk]
    assert rows_after(
        lambda: case_services.agreement_record(
            case=cases[0],
            categories=[ShareCategory.OBSTACLES_HOUSING],
            how_obtained=AgreementMethod.SIGNED_FORM,
            acting_user=pair.social_worker,
        )
    ) == [pair.pk]


def test_the_first_row_of_a_window_refreshes_and_the_next_binome_finds_it_done():
    supervisor, advisor, pairs, cases = _team(2)
    department_id = pairs[0].department_id
    due = timezone.now()

    with time_machine.travel(due + datetime.timedelta(seconds=5), tick=False):
        assert tasks.refresh_dashboards(pair_id=pairs[0].pk, due=due.isoformat()) == 1
        assert tasks.refresh_dashboards(pair_id=pairs[1].pk, due=due.isoformat()) == 0
    # a later window's row refreshes again
    later = due + datetime.timedelta(minutes=2)
    with time_machine.travel(later + datetime.timedelta(seconds=5), tick=False):
        assert tasks.refresh_dashboards(pair_id=pairs[1].pk, due=later.isoformat()) == 1
    snapshot = DashboardSnapshot.objects.get(organisation__department_id=department_id)
    assert snapshot.computed_at == later + datetime.timedelta(seconds=5)


def test_the_night_refreshes_every_organisation_with_a_supervisor():
    supervisor, advisor, pairs, cases = _team(1)
    other = ProfessionalFactory(
        role=Role.SUPERVISOR, organisation__department=supervisor.organisation.department
    )
    ProfessionalFactory(role=Role.SUPERVISOR, organisation=supervisor.organisation)  # same subtree

    assert tasks.refresh_all_dashboards() == 2
    assert set(DashboardSnapshot.objects.values_list("organisation_id", flat=True)) == {
        supervisor.organisation_id,
        other.organisation_id,
    }


def test_page_reads_the_snapshot_and_says_when_it_was_computed(login_client):
    supervisor, advisor, pairs, cases = _team(2)
    computed = timezone.now().replace(hour=7, minute=45, second=0, microsecond=0)
    with time_machine.travel(computed, tick=False):
        snapshots.refresh(supervisor.organisation.department_id)
    # a write after the snapshot: the page shows the snapshot until the refresh
    CaseFactory(pair=pairs[0], beneficiary__department=pairs[0].department, state="active")
    client = login_client(supervisor)

    response = client.get(reverse("supervision"))

    assert response.context["board"].advisors[0].open_cases == 4
    local = timezone.localtime(computed)
    assert f"Chiffres calculés le {local:%d/%m/%Y} à {local:%H:%M}" in response.text
    # the drill-down stays live
    listed = client.get(reverse("supervision_list", args=["ouverts"]))
    assert listed.context["page"].paginator.count == 5


def test_page_computes_live_without_a_snapshot_of_the_day(login_client):
    supervisor, advisor, pairs, cases = _team(2)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    with time_machine.travel(yesterday, tick=False):
        snapshots.refresh(supervisor.organisation.department_id)
    CaseFactory(pair=pairs[0], beneficiary__department=pairs[0].department, state="active")
    client = login_client(supervisor)

    response = client.get(reverse("supervision"))

    assert response.context["board"].advisors[0].open_cases == 5
    assert "Chiffres calculés à l'instant." in response.text


@pytest.mark.parametrize("size", [2, 6])
def test_page_from_its_snapshot_in_constant_queries(size, login_client, django_assert_num_queries):
    supervisor, *_ = _team(size)
    snapshots.refresh(supervisor.organisation.department_id)
    client = login_client(supervisor)

    # session and professional, the snapshot, its professionals and its binômes with their members
    with django_assert_num_queries(5):
        response = client.get(reverse("supervision"))

    assert response.context["board"].advisors[0].open_cases == 2 * size
    assert response.context["computed_at"] is not None


def test_a_snapshot_without_a_figure_added_since_is_computed_live(login_client):
    supervisor, advisor, pairs, cases = _team(2)
    snapshots.refresh(supervisor.organisation.department_id)
    snapshot = DashboardSnapshot.objects.get()
    del snapshot.figures["breach_steps"]  # as written before the breach reports' totals
    snapshot.save()

    response = login_client(supervisor).get(reverse("supervision"))

    assert response.context["computed_at"] is None
    assert "Chiffres calculés à l'instant." in response.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refreshes_of_a_department_take_turns():
    """A refresh waits for the one under way in its department: a slower one that began earlier
    cannot write its older figures over a newer one's."""
    supervisor, advisor, pairs, cases = _team(1)
    department_id = supervisor.organisation.department_id
    errors: list[BaseException] = []
    backend = queue.Queue[int]()

    def refresh() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend.put(cursor.fetchone()[0])
            snapshots.refresh(department_id)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():  # the refresh under way holds its department
        Department.objects.select_for_update(no_key=True).get(pk=department_id)
        waiting = threading.Thread(target=refresh)
        waiting.start()
        pid = backend.get(timeout=10)
        with connection.cursor() as cursor:
            for _ in range(200):  # until the second refresh waits on the lock (10 s at most)
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid]
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the second refresh did not wait for the first")
        assert not DashboardSnapshot.objects.exists()
    waiting.join(timeout=30)

    assert errors == []
    assert DashboardSnapshot.objects.filter(organisation=supervisor.organisation).exists()
