"""Liveness (``/sante/vivant``) and readiness (``/sante/pret``) for load balancers and monitoring.

The readiness checks are django-health-check checks, each with the French name of the part it
probes (``part``); the list is the ``BINOME_READINESS_CHECKS`` setting, so a new part (the outbox
lag, for one) is a class added there. Both answers are JSON, without authentication, without any
personal data, never cached, and reached before every other middleware
(``HealthCheckMiddleware``, first in ``MIDDLEWARE``): no session, no user, no database query for
liveness, and no HTTPS redirect or ``ALLOWED_HOSTS`` check for a probe that speaks plain HTTP to
the web process with the machine's address.
"""

import asyncio
import dataclasses
import datetime
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from health_check import checks
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import ServiceUnavailable

from partners.unavailable import RETRY_AFTER_SECONDS

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class ReadinessCheck(HealthCheck):
    """A readiness check: ``part`` names the part in ``/sante/pret``'s answer (French, shown to
    operators); ``not_applicable()`` returns why the part is not checked in this configuration,
    or None when it is."""

    part: ClassVar[str]

    @classmethod
    def not_applicable(cls) -> str | None:
        return None


@dataclasses.dataclass
class DatabaseReady(checks.Database, ReadinessCheck):
    """``SELECT 1`` on a connection of its own (django-health-check's check), within the
    connection's ``connect_timeout`` and ``statement_timeout``."""

    part: ClassVar[str] = "base de données"


@dataclasses.dataclass
class BrokerReady(ReadinessCheck):
    """Opens a connection to the Celery broker (Redis or RabbitMQ, through kombu with the
    broker's own connect and socket timeouts) and closes it."""

    part: ClassVar[str] = "courtier de tâches"
    timeout = datetime.timedelta(seconds=5)
    url: str = dataclasses.field(default_factory=lambda: settings.CELERY_BROKER_URL, repr=False)

    @classmethod
    def not_applicable(cls) -> str | None:
        if not settings.CELERY_BROKER_URL or settings.CELERY_TASK_ALWAYS_EAGER:
            return "aucun courtier configuré : les tâches s'exécutent dans le processus web"
        return None

    def run(self) -> None:
        try:
            with current_app.connection_for_write(self.url) as connection:
                connection.ensure_connection(max_retries=0)
        except Exception as error:  # kombu raises the transport's own errors
            raise ServiceUnavailable("broker unreachable") from error


@dataclasses.dataclass
class MailReady(checks.Mail, ReadinessCheck):
    """Opens and closes a connection to the SMTP server (django-health-check's check), only when
    the default mailer is SMTP (not the console of a first look, not the tests' memory)."""

    part: ClassVar[str] = "serveur de courriel"
    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=5), repr=False
    )

    @classmethod
    def not_applicable(cls) -> str | None:
        backend = settings.MAILERS.get("default", {}).get("BACKEND")
        if backend != SMTP_BACKEND:
            return "l'envoi ne passe pas par un serveur SMTP"
        return None


@dataclasses.dataclass
class OutboxReady(ReadinessCheck):
    """The outbox's relay keeps up (docs/architecture.md, « Outbox »): no message has been due
    for longer than ``BINOME_OUTBOX_MAX_LAG`` seconds. Beat relays every minute; a message waiting
    for its next attempt after an error is not due yet, so a mail server down shows on its own
    check, not here."""

    part: ClassVar[str] = "envois (boîte d'envoi)"
    timeout = datetime.timedelta(seconds=5)

    def run(self) -> None:
        from partners.outbox.models import OutboxMessage

        lag = datetime.timedelta(seconds=settings.BINOME_OUTBOX_MAX_LAG)
        try:
            late = OutboxMessage.objects.due(timezone.now() - lag).exists()
        except DatabaseError:
            return  # the database's own check names it; this one cannot tell
        finally:
            connection.close()  # this check's thread's own connection
        if late:
            raise ServiceUnavailable("outbox relay late")


def readiness_checks() -> list[type[ReadinessCheck]]:
    return [import_string(path) for path in settings.BINOME_READINESS_CHECKS]


#: The threads the checks' blocking calls run in. Process-wide, so that a call still hung when
#: its check's budget ends (a silent SMTP server) keeps a thread busy until its own client timeout
#: frees it, instead of holding the answer: an event loop waits for its default executor's
#: threads when it closes. All eight hung means every check times out: a 503, as it should.
_PROBE_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sante")


def run_checks(checks_to_run: list[HealthCheck]) -> list[HealthCheckResult]:
    """django-health-check's runner (each check with its wall-clock budget, all at once), on an
    event loop of its own in a thread of its own: whatever the calling thread runs (a WSGI
    worker, or a test that left an event loop behind), nothing is shared with it. The answer
    comes within the longest budget plus a second, whatever a probed part does."""

    async def gather() -> list[HealthCheckResult]:
        results = (check.get_result(executor=_PROBE_THREADS) for check in checks_to_run)
        return list(await asyncio.gather(*results))

    with ThreadPoolExecutor(max_workers=1) as loop_thread:
        return loop_thread.submit(lambda: asyncio.run(gather())).result()


def readiness(request: HttpRequest) -> HttpResponse:
    """``/sante/pret``: 200 ``{"statut": "pret", …}`` when every applicable part answers, else
    503 ``{"statut": "indisponible", "echecs": [<parts>], …}``. The errors themselves go to the
    logs (django-health-check logs each failure), never into the answer."""
    if request.method not in ("GET", "HEAD"):
        return not_allowed()
    applicable = [check for check in readiness_checks() if check.not_applicable() is None]
    results = run_checks([check() for check in applicable])
    outcome = {type(result.check): result.error is None for result in results}
    report: dict[str, str] = {}
    for check in readiness_checks():
        reason = check.not_applicable()
        if reason is not None:
            report[check.part] = f"non vérifié : {reason}"
        else:
            report[check.part] = "ok" if outcome[check] else "échec"
    failing = [part for part, state in report.items() if state == "échec"]
    body = {
        "statut": "indisponible" if failing else "pret",
        "echecs": failing,
        "verifications": report,
    }
    response = JsonResponse(
        body, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False}
    )
    if failing:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def not_allowed() -> HttpResponse:
    response = JsonResponse({"statut": "méthode non permise"}, status=405)
    response["Allow"] = "GET, HEAD"
    return response


def liveness(request: HttpRequest) -> HttpResponse:
    """``/sante/vivant``: the process answers. No dependency is touched."""
    if request.method not in ("GET", "HEAD"):
        return not_allowed()
    response = JsonResponse({"statut": "vivant"})
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """First in ``MIDDLEWARE``: answers the two health URLs before sessions, users, CSRF, HTTPS
    redirection and host validation, so that liveness never touches the database and no probe
    creates a session or a log line of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._views: dict[str, Callable[[HttpRequest], HttpResponse]] | None = None

    def views(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        if self._views is None:
            self._views = {
                reverse("health_live"): liveness,
                reverse("health_ready"): readiness,
            }
        return self._views

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.views().get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
