"""/sante/vivant and /sante/pret: answers, parts named, no session, no user, no personal data.

The failing parts are real: a port nobody listens on, a fake SMTP server on 127.0.0.1, the real
broker; PostgreSQL cut or hung is tests/infrastructure/test_database_outage.py.
"""

import dataclasses
import datetime
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.test import Client

from casework.models import InformationShare
from partners.health import ReadinessCheck
from tests.conftest import log_in
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"
NO_BROKER = "non vérifié : aucun courtier configuré : les tâches s'exécutent dans le processus web"
NO_SMTP = "non vérifié : l'envoi ne passe pas par un serveur SMTP"


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fake_smtp() -> Iterator[int]:
    """A minimal SMTP server on 127.0.0.1: greets, answers EHLO and QUIT; its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"220 fake ESMTP\r\n")
                for line in lines:
                    if line.upper().startswith(b"QUIT"):
                        conn.sendall(b"221 bye\r\n")
                        break
                    conn.sendall(b"250 fake\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def smtp_mailer(port: int) -> dict:
    return {"default": {"BACKEND": SMTP, "OPTIONS": {"host": "127.0.0.1", "port": port}}}


def test_liveness_touches_no_database_even_with_a_session(django_assert_num_queries):
    client = log_in(Client(), ProfessionalFactory())

    with django_assert_num_queries(0):
        response = client.get("/sante/vivant")

    assert (response.status_code, response.json()) == (200, {"statut": "vivant"})
    assert "no-store" in response["Cache-Control"]
    assert response.cookies == {}


def test_readiness_names_each_part_and_what_it_skipped():
    counts_before = [model.objects.count() for model in (Session, InformationShare, LogEntry)]

    response = Client().get("/sante/pret")

    assert (response.status_code, response.json()) == (
        200,
        {
            "statut": "pret",
            "echecs": [],
            "verifications": {
                "base de données": "ok",
                "courtier de tâches": NO_BROKER,
                "serveur de courriel": NO_SMTP,
                "envois (boîte d'envoi)": "ok",
            },
        },
    )
    assert response.cookies == {}
    # No session created, nothing journaled, nothing audited.
    assert [model.objects.count() for model in (Session, InformationShare, LogEntry)] == (
        counts_before
    )


def test_probes_pass_before_host_validation_and_https_redirect(settings):
    """A load balancer probes the process over plain HTTP with the machine's address."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["binome.example.fr"]
    client = Client(HTTP_HOST="10.0.0.5:8000")

    assert client.get("/sante/vivant").status_code == 200
    assert client.get("/sante/pret").status_code == 200
    assert client.get("/connexion/").status_code == 400  # every other URL still refuses it


def test_readiness_503_names_the_smtp_server_that_refuses(settings):
    settings.MAILERS = smtp_mailer(closed_port())

    response = Client().get("/sante/pret")

    assert (response.status_code, response.json()["statut"], response.json()["echecs"]) == (
        503,
        "indisponible",
        ["serveur de courriel"],
    )
    assert response.json()["verifications"]["serveur de courriel"] == "échec"
    assert response["Retry-After"] == "30"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never says a word (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


@dataclasses.dataclass
class SilentPartReady(ReadinessCheck):
    """A part whose client waits 20 s for a server that never answers (a hung DNS lookup or a
    library without its own timeout would do the same); its budget is 1 s."""

    part: ClassVar[str] = "partie muette"
    timeout = datetime.timedelta(seconds=1)
    port: ClassVar[int] = 0

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=20) as sock:
            sock.recv(1)


def test_readiness_answers_within_its_budget_when_a_part_hangs(settings, silent_port):
    SilentPartReady.port = silent_port
    settings.BINOME_READINESS_CHECKS = [
        *settings.BINOME_READINESS_CHECKS,
        f"{__name__}.SilentPartReady",
    ]
    started = time.monotonic()

    response = Client().get("/sante/pret")

    elapsed = time.monotonic() - started
    assert (response.status_code, response.json()["echecs"]) == (503, ["partie muette"])
    assert elapsed < 4, f"{elapsed:.1f} s"  # the budget and the second given to the client


def test_readiness_checks_the_smtp_server_when_configured(settings, fake_smtp):
    settings.MAILERS = smtp_mailer(fake_smtp)

    response = Client().get("/sante/pret")

    assert (response.status_code, response.json()["verifications"]["serveur de courriel"]) == (
        200,
        "ok",
    )


def test_readiness_503_names_the_unreachable_broker(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = Client().get("/sante/pret")

    assert (response.status_code, response.json()["echecs"]) == (503, ["courtier de tâches"])
    assert response.json()["verifications"]["base de données"] == "ok"


@pytest.mark.broker
def test_readiness_checks_the_real_broker(settings):
    settings.CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = Client().get("/sante/pret")

    assert (response.status_code, response.json()["verifications"]["courtier de tâches"]) == (
        200,
        "ok",
    )


def test_readiness_check_list_is_the_setting(settings):
    """The hook for new parts (the outbox lag): a check class added to the setting."""
    settings.BINOME_READINESS_CHECKS = ["partners.health.DatabaseReady"]

    response = Client().get("/sante/pret")

    assert response.json()["verifications"] == {"base de données": "ok"}


@pytest.mark.django_db(transaction=True)  # the check reads on a connection of its own
def test_readiness_503_names_the_outbox_when_its_relay_is_late(settings):
    """A message due for longer than the allowed lag: the relay (beat) is not running."""
    from django.utils import timezone

    from partners.outbox.models import OutboxMessage

    settings.BINOME_READINESS_CHECKS = ["partners.health.OutboxReady"]
    message = OutboxMessage.objects.create(
        kind="email",
        key="test:late",
        payload={"to": ["a@example.org"], "subject": "s", "body": "b"},
    )

    on_time = Client().get("/sante/pret")
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now()
        - datetime.timedelta(seconds=settings.BINOME_OUTBOX_MAX_LAG + 60)
    )
    late = Client().get("/sante/pret")

    assert on_time.status_code == 200
    assert (late.status_code, late.json()["echecs"]) == (503, ["envois (boîte d'envoi)"])
