import os

import pytest
from celery.contrib.testing.tasks import ping
from celery.contrib.testing.worker import start_worker

from config.celery import app
from tests.broker import drop_disabled_result_backend, result_backend

pytestmark = [pytest.mark.broker, pytest.mark.django_db]


@pytest.fixture
def broker_app():
    """The project's Celery app on the real broker (CELERY_BROKER_URL), not eager."""
    url = os.environ["CELERY_BROKER_URL"]
    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=result_backend(url), task_always_eager=False)
    drop_disabled_result_backend(app)
    yield app
    app.conf.update(previous)


def test_worker_answers_on_the_real_broker(broker_app):
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = ping.delay()

        assert (result.get(timeout=20), result.state) == ("pong", "SUCCESS")
