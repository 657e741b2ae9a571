"""Login while the cache's Redis is stopped or hung: the throttle fails open (partners.throttle)."""

import logging
import time
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from config.settings.base import redis_cache
from tests.partners.factories import TEST_PASSWORD
from tests.redis_server import RedisServer, SilentServer

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

INVALID = "Adresse électronique ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion ont échoué."


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    with override_settings(CACHES={"default": redis_cache(server.url)}):
        yield server
    server.stop()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    with override_settings(CACHES={"default": redis_cache(server.url)}):
        yield server
    server.close()


def _login(email: str, password: str) -> tuple[int, str, float]:
    """A login from a fresh browser: (status, page, seconds)."""
    started = time.perf_counter()
    response = Client().post(reverse("login"), {"username": email, "password": password})
    return response.status_code, response.content.decode(), time.perf_counter() - started


def _fail_until_locked(email: str) -> list[int]:
    return [_login(email, "mauvais")[0] for _ in range(5)]


def test_login_throttle_locks_while_redis_runs_and_fails_open_when_it_stops(
    redis_server, pair, caplog
):
    email = pair.advisor.email

    assert _fail_until_locked(email) == [200] * 5
    status, page, _ = _login(email, TEST_PASSWORD)
    assert (status, THROTTLED in page) == (200, True)

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="partners.throttle"):
        right = _login(email, TEST_PASSWORD)
        wrong = _login(pair.social_worker.email, "mauvais")

    assert (right[0], wrong[0], INVALID in wrong[1], THROTTLED in wrong[1]) == (
        302, 200, True, False
    )  # fmt: skip
    assert right[2] < 1 and wrong[2] < 1, (right[2], wrong[2])
    warnings = [r.getMessage() for r in caplog.records if r.name == "partners.throttle"]
    assert len(warnings) == 2
    assert all("cache injoignable" in message for message in warnings)
    assert not any(email in message or "@" in message for message in warnings)

    redis_server.start()  # an empty Redis on the same port: counting starts again
    assert _fail_until_locked(email) == [200] * 5
    status, page, _ = _login(email, TEST_PASSWORD)
    assert (status, THROTTLED in page) == (200, True)


def test_login_answers_within_a_second_when_redis_hangs(silent_server, pair):
    right = _login(pair.advisor.email, TEST_PASSWORD)
    wrong = _login(pair.social_worker.email, "mauvais")

    assert (right[0], wrong[0], INVALID in wrong[1]) == (302, 200, True)
    assert right[2] < 1 and wrong[2] < 1, (right[2], wrong[2])
