"""The read replica, against a real streaming replica (`.ci/replica start`, then
DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<the same name as DATABASE_URL>).

The replica replays the primary's whole cluster, the test database included: the tests commit
their data on the primary (transactional tests), wait for the replica to replay it, and read the
pages through the router. To show which database served a page, replay is paused on the replica
and something new is committed on the primary: a page read on the replica does not show it."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dj_database_url
import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.enums import CaseState
from casework.models import InformationShare
from partners import replica
from partners.enums import Role
from tests.casework.factories import CaseFactory
from tests.conftest import log_in
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = [
    pytest.mark.replica,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, replica.REPLICA]),
]


def _scalar(alias: str, sql: str) -> object:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_for_replay(timeout: float = 15) -> None:
    """Until the replica has replayed everything the primary committed so far."""
    target = _scalar(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _scalar(replica.REPLICA, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        time.sleep(0.05)
    pytest.fail(f"La réplique n'a pas rejoué le primaire en {timeout} s.")


@contextmanager
def replay_paused() -> Iterator[None]:
    _scalar(replica.REPLICA, "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        _scalar(replica.REPLICA, "SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="module", autouse=True)
def real_replica(django_db_setup: None, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The replica alias, a test mirror of the primary, pointed at the real replica instead,
    on the test database's name."""
    url = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    connection = connections[replica.REPLICA]
    mirrored = connection.settings_dict
    connection.close()
    connection.settings_dict = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "HOST": url["HOST"],
        "PORT": url["PORT"],
    }
    with django_db_blocker.unblock():
        wait_for_replay()
        assert _scalar(replica.REPLICA, "SELECT pg_is_in_recovery()") is True
        assert _scalar(replica.REPLICA, "SELECT inet_server_port()") == int(url["PORT"])
    yield
    connection.close()
    connection.settings_dict = mirrored


@pytest.fixture(autouse=True)
def lag_measured_at_each_read(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.DATABASE_REPLICA_LAG_CHECK_INTERVAL = 0
    replica.forget_replica_lag()
    yield
    replica.forget_replica_lag()


def _data_queries(captured: CaptureQueriesContext) -> list[str]:
    """The page's queries, without the lag checks."""
    return [q["sql"] for q in captured.captured_queries if "pg_is_in_recovery" not in q["sql"]]


@contextmanager
def queries_by_database() -> Iterator[dict[str, CaptureQueriesContext]]:
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[replica.REPLICA]) as standby,
    ):
        yield {DEFAULT_DB_ALIAS: primary, replica.REPLICA: standby}


def _supervised_team(cases: int):  # type: ignore[no-untyped-def]
    department = DepartmentFactory()
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=advisor.organisation)
    pair = PairFactory(department=department, advisor=advisor)
    for _ in range(cases):
        CaseFactory(pair=pair, beneficiary__department=department, state=CaseState.ACTIVE)
    return supervisor, pair


def _open_cases(response) -> int:  # type: ignore[no-untyped-def]
    return response.context["board"].advisors[0].open_cases


def test_dashboard_read_is_served_by_the_replica(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATABASE_REPLICA_MAX_LAG = 3600
    supervisor, pair = _supervised_team(2)
    client = log_in(Client(), supervisor)
    wait_for_replay()

    with replay_paused():
        CaseFactory(pair=pair, beneficiary__department=pair.department, state=CaseState.ACTIVE)
        with queries_by_database() as captured:
            response = client.get(reverse("supervision"))

    # The primary holds 3 open cases; the page shows the replica's 2, and read only there.
    assert (response.status_code, _open_cases(response)) == (200, 2)
    assert any("casework_case" in sql for sql in _data_queries(captured[replica.REPLICA]))
    assert [s for s in _data_queries(captured[DEFAULT_DB_ALIAS]) if "casework_case" in s] == []


def test_export_read_on_the_replica_is_journaled_on_the_primary(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATABASE_REPLICA_MAX_LAG = 3600
    supervisor, pair = _supervised_team(2)
    client = log_in(Client(), supervisor)
    wait_for_replay()

    with replay_paused():
        CaseFactory(pair=pair, beneficiary__department=pair.department, state=CaseState.ACTIVE)
        with queries_by_database() as captured:
            response = client.get(reverse("supervision_export", args=["csv"]))

    rows = [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]
    # The figures of the replica (2 open cases, not the primary's 3); the journal row written
    # on the primary, in the request.
    assert {row[2] for row in rows if row[0] == "Accompagnements ouverts"} == {"2"}
    assert InformationShare.objects.filter(channel="export", actor=supervisor).count() == 1
    assert [s for s in _data_queries(captured[replica.REPLICA]) if "INSERT" in s] == []
    assert any("casework_case" in s for s in _data_queries(captured[replica.REPLICA]))


def test_a_professional_who_just_wrote_reads_the_primary(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATABASE_REPLICA_MAX_LAG = 3600
    department = DepartmentFactory()
    case = CaseFactory(pair__department=department, beneficiary__department=department)
    writer, other = (
        ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)
        for _ in range(2)
    )
    writer_client, other_client = log_in(Client(), writer), log_in(Client(), other)
    search = reverse("journal_search")
    wait_for_replay()
    rows_before = other_client.get(search).context["page"].paginator.count

    with replay_paused():
        # The write: the person's export, journaled on the primary.
        export = writer_client.post(reverse("person_export", args=[case.beneficiary.pk]))
        with queries_by_database() as writer_reads:
            writer_page = writer_client.get(search)
        other_page = other_client.get(search)
        with time_machine.travel(time.time() + settings.DATABASE_REPLICA_PIN + 1):
            later_page = writer_client.get(search)

    assert export.status_code == 200
    # The writer sees their export at once, read from the primary only.
    assert writer_page.context["page"].paginator.count == rows_before + 1
    assert _data_queries(writer_reads[replica.REPLICA]) == []
    # Someone else, and the writer once the pin is over, read the replica (replay paused).
    assert other_page.context["page"].paginator.count == rows_before
    assert later_page.context["page"].paginator.count == rows_before


def test_a_lagging_replica_is_bypassed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATABASE_REPLICA_MAX_LAG = 1
    supervisor, pair = _supervised_team(2)
    client = log_in(Client(), supervisor)
    wait_for_replay()

    with replay_paused():
        CaseFactory(pair=pair, beneficiary__department=pair.department, state=CaseState.ACTIVE)
        deadline = time.monotonic() + 15
        while (lag := replica.measure_replica_lag()) is not None and lag <= 1:
            assert time.monotonic() < deadline, "La réplique en pause ne prend pas de retard."
            time.sleep(0.1)
        with queries_by_database() as captured:
            response = client.get(reverse("supervision"))

    assert lag is not None and lag > settings.DATABASE_REPLICA_MAX_LAG
    assert (response.status_code, _open_cases(response)) == (200, 3)
    assert _data_queries(captured[replica.REPLICA]) == []
    assert any("casework_case" in sql for sql in _data_queries(captured[DEFAULT_DB_ALIAS]))
