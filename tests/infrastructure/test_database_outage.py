"""PostgreSQL unreachable, then back, then hung: through a TCP proxy the test cuts
(tests/tcp_proxy.py), in front of the real test database. The web process is the test's own:
nothing restarts between the outage and the recovery.

Run with ``-s`` to see the measured times.
"""

import http.client
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connections
from django.test import Client

from partners.enums import Role
from partners.models import Professional
from partners.unavailable import RETRY_AFTER_SECONDS
from tests.conftest import log_in
from tests.partners.factories import TEST_PASSWORD, ProfessionalFactory
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

BASE_DIR = Path(__file__).resolve().parent.parent.parent

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
    caplog.clear()
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


# --- The same, end to end: gunicorn with two workers, over HTTP ----------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, cookie: str = "") -> tuple[int, dict[str, str], str, float]:
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    return response.status, dict(response.getheaders()), body, time.monotonic() - start


def http_log_in(port: int, email: str) -> str:
    """Log in through gunicorn's login form; the session cookie to send. The server makes the
    session on its own clock, the real one: a session made by the test would carry the suite's
    clock (tests/conftest.py), hours away from it, and be past its idle timeout."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/connexion/")
        page = connection.getresponse()
        form = page.read().decode()
        csrf_cookie = cookie_set(page, "csrftoken")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token is not None
        connection.request(
            "POST",
            "/connexion/",
            body=urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "username": email,
                    "password": TEST_PASSWORD,
                }
            ),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
            },
        )
        answer = connection.getresponse()
        body = answer.read().decode()
    finally:
        connection.close()
    assert answer.status == 302, body
    return f"sessionid={cookie_set(answer, 'sessionid')}"


def cookie_set(response: http.client.HTTPResponse, name: str) -> str:
    for header in response.msg.get_all("Set-Cookie") or []:
        cookie = SimpleCookie(header)
        if name in cookie:
            return cookie[name].value
    raise AssertionError(f"no {name} cookie")


@pytest.fixture
def gunicorn_through(proxy, tmp_path) -> Iterator[tuple[int, Path]]:
    """gunicorn (config/gunicorn.py, 2 workers) on the test database through the proxy, with
    persistent connections; its port and its log file."""
    port, log = free_port(), tmp_path / "gunicorn.log"
    name = connections["default"].settings_dict["NAME"]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "LOG_", "GUNICORN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,  # the sessions the test creates are signed with it
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{proxy.port}/{name}",
        DATABASE_CONN_MAX_AGE="60",
        # Behind PgBouncer (.ci/run's pass), the settings PgBouncer needs.
        DATABASE_PGBOUNCER=os.environ.get("DATABASE_PGBOUNCER", ""),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        LOG_FORMAT="json",
    )
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 — our own gunicorn configuration
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if http_get(port, "/sante/vivant")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_answers_503_while_the_database_is_away_and_recovers(proxy, gunicorn_through):
    port, log = gunicorn_through
    advisor = ProfessionalFactory(role=Role.ADVISOR, email="claire.dupont@example.fr")
    # Hashed as gunicorn's settings hash (the suite's own hasher is a fast one they do not know).
    advisor = Professional.objects.get(pk=advisor.pk)
    advisor.password = PBKDF2PasswordHasher().encode(TEST_PASSWORD, "sel-de-test")
    advisor.save(update_fields=["password"])
    cookie = http_log_in(port, "claire.dupont@example.fr")
    timeout = settings.DATABASE_CONNECT_TIMEOUT
    before = [http_get(port, PAGE, cookie) for _ in range(4)]  # both workers connected

    proxy.cut()
    cut = [http_get(port, PAGE, cookie) for _ in range(4)]
    ready_cut = http_get(port, "/sante/pret")
    alive_cut = http_get(port, "/sante/vivant")
    proxy.restore()
    back = [http_get(port, PAGE, cookie) for _ in range(4)]
    connections.close_all()
    proxy.hang()
    hung = [http_get(port, PAGE, cookie) for _ in range(4)]
    alive_hung = http_get(port, "/sante/vivant")
    proxy.restore()
    back_again = [http_get(port, PAGE, cookie) for _ in range(4)]

    assert [r[0] for r in before] == [200] * 4
    assert [r[0] for r in cut] == [503] * 4
    assert all(UNAVAILABLE in r[2] and r[1]["X-Request-ID"] in r[2] for r in cut)
    assert (ready_cut[0], json.loads(ready_cut[2])["echecs"]) == (503, ["base de données"])
    assert alive_cut[0] == 200
    assert [r[0] for r in back] == [200] * 4
    assert [r[0] for r in hung] == [503] * 4
    assert max(r[3] for r in hung) < timeout + 2
    assert alive_hung[0] == 200
    assert [r[0] for r in back_again] == [200] * 4
    output = log.read_text()
    assert "WORKER TIMEOUT" not in output  # no worker was killed
    lines = [json.loads(line) for line in output.splitlines() if '"binome.requests"' in line]
    assert [(line["route"], line["status"]) for line in lines[:2]] == [
        ("/connexion/", 200),
        ("/connexion/", 302),
    ]
    lines = lines[2:]
    assert [line["status"] for line in lines] == [200] * 4 + [503] * 4 + [200] * 4 + [503] * 4 + [
        200
    ] * 4
    assert {line["route"] for line in lines} == {PAGE}
    assert "claire.dupont" not in output
    print(
        f"\ngunicorn, 2 workers : coupure → 503 en {max(r[3] for r in cut):.3f} s au plus,"
        f" /sante/pret 503 en {ready_cut[3]:.3f} s; rétablie → 200 en"
        f" {max(r[3] for r in back):.3f} s au plus, sans redémarrage; bloquée → 503 en"
        f" {min(r[3] for r in hung):.3f}–{max(r[3] for r in hung):.3f} s,"
        f" /sante/vivant 200 en {alive_hung[3]:.3f} s"
    )
