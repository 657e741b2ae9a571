import datetime
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.enums import Role
from partners.models import Professional
from tests.partners.factories import PairFactory, ProfessionalFactory
from tests.template_guard import TemplateQueryGuard, is_project_template

CHROMIUM = "/usr/bin/chromium"

# --- The suite's clock ------------------------------------------------------------------------
# The whole session runs at a chosen date, so that no test depends on the wall clock:
# BINOME_TEST_TODAY=2028-02-29 make test. Default: the real date in Paris. The clock starts at
# 10:00 (Paris) that day and ticks from there; a test that needs another moment travels inside it.
# Dates in tests are built from the ``today`` fixture, never computed when a module is imported.
TEST_TODAY_VARIABLE = "BINOME_TEST_TODAY"
_PARIS = ZoneInfo("Europe/Paris")
_CLOCK = pytest.StashKey[time_machine.travel]()


def suite_today() -> datetime.date:
    """The date the suite runs at (``BINOME_TEST_TODAY``, or the real date in Paris)."""
    value = os.environ.get(TEST_TODAY_VARIABLE, "").strip()
    if not value:
        return datetime.datetime.now(_PARIS).date()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"{TEST_TODAY_VARIABLE}={value!r} : date attendue au format AAAA-MM-JJ."
        ) from None


def pytest_configure(config: pytest.Config) -> None:
    start = datetime.datetime.combine(suite_today(), datetime.time(10, 0), tzinfo=_PARIS)
    clock = time_machine.travel(start, tick=True)
    clock.start()
    config.stash[_CLOCK] = clock


def pytest_unconfigure(config: pytest.Config) -> None:
    clock = config.stash.get(_CLOCK, None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config: pytest.Config) -> str:
    origin = TEST_TODAY_VARIABLE if os.environ.get(TEST_TODAY_VARIABLE) else "date du jour"
    return f"Date des tests : {suite_today():%Y-%m-%d} ({origin})"


@contextmanager
def module_transaction(django_db_blocker: Any) -> Iterator[None]:
    """For data built once and shared by a module's tests (a module-scoped fixture): a
    transaction rolled back when the module ends; each test runs in its own savepoint inside."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def today() -> datetime.date:
    """« Today » for the test: the suite's date (see ``BINOME_TEST_TODAY``)."""
    return timezone.localdate()


def _deselection_reasons() -> dict[str, str]:
    """Markers whose tests cannot run here, with the reason."""
    reasons = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        reasons["postgres"] = "la base n'est pas PostgreSQL (DATABASE_URL non défini)"
    if not os.environ.get("DATABASE_REPLICA_URL"):
        reasons["replica"] = "DATABASE_REPLICA_URL n'est pas défini (.ci/replica start)"
    if not os.environ.get("CELERY_BROKER_URL"):
        reasons["broker"] = "CELERY_BROKER_URL n'est pas défini"
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("amqp"):
        reasons["rabbitmq"] = "CELERY_BROKER_URL ne désigne pas RabbitMQ (amqp://)"
    if not shutil.which("redis-server"):
        reasons["redis"] = "redis-server est absent (apt-get install redis-server)"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        reasons["browser"] = f"{CHROMIUM} est absent (apt-get install chromium)"
    return reasons


@pytest.hookimpl(trylast=True)  # after ``-m``: a pass may leave a marker out on purpose
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (never skip) the tests this machine cannot run; in CI, refuse to."""
    reasons = _deselection_reasons()
    kept, deselected = [], []
    for item in items:
        blocked = [marker for marker in reasons if item.get_closest_marker(marker)]
        (deselected if blocked else kept).append(item)
    if not deselected:
        return
    why = "; ".join(f"{marker} : {reason}" for marker, reason in reasons.items())
    if os.environ.get("CI"):
        raise pytest.UsageError(f"En CI, aucun test n'est désélectionné ({why}).")
    config.hook.pytest_deselected(items=deselected)
    items[:] = kept
    config.stash[_DESELECTION_NOTE] = f"{len(deselected)} test(s) désélectionné(s) : {why}"


_DESELECTION_NOTE = pytest.StashKey[str]()
#: Set by the access-matrix test: how many (URL, method, variant, viewer) it checked.
CHECKED_COMBINATIONS = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    checked = config.stash.get(CHECKED_COMBINATIONS, None)
    if checked:
        terminalreporter.write_line(f"Matrice d'accès : {checked} combinaisons vérifiées.")
    note = config.stash.get(_DESELECTION_NOTE, None)
    if note:
        terminalreporter.write_line(note, yellow=True)


@pytest.fixture(autouse=True)
def template_query_guard() -> Iterator[TemplateQueryGuard]:
    """Every test fails if one of our templates queries the database while rendering."""
    guard = TemplateQueryGuard(is_project_template)
    with guard.installed():
        yield guard
    if guard.offending:
        lines = "\n".join(f"  {name}: {sql}" for name, sql in guard.offending)
        pytest.fail(f"Requêtes SQL pendant le rendu d'un gabarit :\n{lines}", pytrace=False)


def log_in(client: Client, professional: Professional) -> Client:
    """Log ``client`` in as ``professional``; for the roles that must give a second factor
    (admin, auditor), with a TOTP device already verified in the session."""
    client.force_login(professional)
    if professional.role in settings.BINOME_OTP_REQUIRED_ROLES:
        device, _created = TOTPDevice.objects.get_or_create(
            user=professional, defaults={"name": "Test", "confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def login_client(db: None) -> Callable[[Professional], Client]:
    def make(professional: Professional) -> Client:
        return log_in(Client(), professional)

    return make


#: The tables whose TRUNCATE PostgreSQL refuses while they hold rows (casework 0011).
JOURNAL_TABLES = ("casework_informationshare", "auditlog_logentry", "casework_ledgerhead")


@pytest.fixture(autouse=True)
def journal_emptied_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a transactional test on PostgreSQL, pytest-django's flush TRUNCATEs every table,
    which the journal's trigger refuses while the journal holds rows: empty those tables first,
    as their owner would, with the triggers off for this transaction only. Set up right after
    the database helper, so that it runs before the helper's flush."""
    if "_django_db_helper" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # SQLite has no trigger; a test in a transaction is rolled back, not flushed
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(JOURNAL_TABLES)} CASCADE")


@pytest.fixture(autouse=True)
def clear_cache() -> Iterator[None]:
    """Login throttling counts failures in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pair(db: None):  # type: ignore[no-untyped-def]
    return PairFactory()


@pytest.fixture
def professionals_by_role(pair) -> dict[str, Professional]:  # type: ignore[no-untyped-def]
    """One professional per role, all in the pair's department."""
    department = pair.department
    return {
        Role.ADVISOR: pair.advisor,
        Role.SOCIAL_WORKER: pair.social_worker,
        Role.SUPERVISOR: ProfessionalFactory(
            role=Role.SUPERVISOR, organisation=pair.advisor.organisation
        ),
        Role.ADMIN: ProfessionalFactory(role=Role.ADMIN, organisation__department=department),
        Role.AUDITOR: ProfessionalFactory(role=Role.AUDITOR, organisation__department=department),
    }
