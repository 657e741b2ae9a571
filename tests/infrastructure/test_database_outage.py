"""PostgreSQL unreachable, then back, then hung: through a TCP proxy the test cuts
(tests/tcp_proxy.py), in front of the real test database. The web process is the test's own:
nothing restarts between the outage and the recovery.

Run with ``-s`` to see the measured times.
"""

import logging
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from partners.enums import Role
from partners.unavailable import RETRY_AFTER_SECONDS
from tests.conftest import log_in
from tests.partners.factories import ProfessionalFactory
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

UNAVAILABLE = "Binôme est momentanément indisponible"
#: A page of a logged-in advisor: its session and user come from the database.
PAGE = "/portefeuille/"


@pytest.fixture
def proxy(transactional_db: None) -> Iterator[TcpProxy]:
    """The default connection goes through a proxy to the test database, with persistent
    connections (``CONN_MAX_AGE`` 60) so that recovery needs the broken one closed."""
    settings_dict = connections["default"].settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT", "CONN_MAX_AGE")}
    tcp_proxy = TcpProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    connections.close_all()
    settings_dict.update(HOST="127.0.0.1", PORT=str(tcp_proxy.port), CONN_MAX_AGE=60)
    try:
        yield tcp_proxy
    finally:
        tcp_proxy.restore()
        connections.close_all()
        settings_dict.update(saved)
        tcp_proxy.stop()


def professional_client() -> Client:
    advisor = ProfessionalFactory(role=Role.ADVISOR)
    return log_in(Client(raise_request_exception=False), advisor)


def timed_get(client: Client, url: str):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - start


def test_database_cut_answers_503_then_recovers_without_restart(proxy, caplog):
    client = professional_client()
    assert client.get(PAGE).status_code == 200  # a persistent connection through the proxy

    proxy.cut()
    caplog.set_level(logging.INFO, logger="binome.requests")
    page, page_seconds = timed_get(client, PAGE)
    ready, ready_seconds = timed_get(client, "/sante/pret")
    alive = client.get("/sante/vivant")

    assert page.status_code == 503
    assert page["Retry-After"] == str(RETRY_AFTER_SECONDS)
    html = page.content.decode()
    assert UNAVAILABLE in html
    assert page["X-Request-ID"] in html  # the reference to give the support
    assert (ready.status_code, ready.json()["statut"], ready.json()["echecs"]) == (
        503,
        "indisponible",
        ["base de données"],
    )
    assert (alive.status_code, alive.json()) == (200, {"statut": "vivant"})
    # The request log line of the 503: the route although no view ran, no user loaded.
    logged = [
        (r.route, r.status, r.user_id, r.request_id)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "binome.requests"
    ]
    assert logged == [(PAGE, 503, None, page["X-Request-ID"])]

    proxy.restore()
    again, recovery_seconds = timed_get(client, PAGE)
    ready_again = client.get("/sante/pret")

    assert (again.status_code, ready_again.status_code) == (200, 200)
    assert UNAVAILABLE not in again.content.decode()
    print(
        f"\ncoupure : page 503 en {page_seconds:.3f} s, /sante/pret 503 en {ready_seconds:.3f} s;"
        f" rétablie : page 200 en {recovery_seconds:.3f} s"
    )


def test_hung_database_fails_within_the_connect_timeout(proxy):
    client = professional_client()
    timeout = settings.DATABASE_CONNECT_TIMEOUT
    assert client.get(PAGE).status_code == 200
    # Every request now opens a new connection to a server that accepts it and answers nothing.
    # (An established connection to a server that hangs is bounded by gunicorn's timeout alone:
    # docs/deployment.md, « Délais ».)
    connections.close_all()

    proxy.hang()
    page, page_seconds = timed_get(client, PAGE)
    ready, ready_seconds = timed_get(client, "/sante/pret")
    alive, alive_seconds = timed_get(client, "/sante/vivant")

    assert (page.status_code, UNAVAILABLE in page.content.decode()) == (503, True)
    assert (ready.status_code, ready.json()["echecs"]) == (503, ["base de données"])
    assert alive.status_code == 200
    assert timeout <= page_seconds < timeout + 2
    assert ready_seconds < timeout + 2
    assert alive_seconds < 0.5

    proxy.restore()
    assert client.get(PAGE).status_code == 200
    print(
        f"\nbase bloquée (connect_timeout {timeout} s) : page 503 en {page_seconds:.3f} s,"
        f" /sante/pret 503 en {ready_seconds:.3f} s, /sante/vivant 200 en {alive_seconds:.3f} s"
    )


def test_statement_timeout_is_set_on_every_connection(db):
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]
    assert statement_timeout == f"{settings.DATABASE_STATEMENT_TIMEOUT}s"
    options = connections["default"].settings_dict["OPTIONS"]
    assert options["connect_timeout"] == settings.DATABASE_CONNECT_TIMEOUT
