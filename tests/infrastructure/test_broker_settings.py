"""What the settings make of CELERY_BROKER_URL and CACHE_URL, read in a fresh process each time
(settings are computed once, at import)."""

import json
import os
import subprocess
import sys

from django.conf import settings

SECRET = "x7#kQ2!vN9@pL4$wR8^tY1&uI6*oP3(aS5)dF0_gH2+jK7=lZ9-cX4"
PRINT = """
import json, django
django.setup()
from django.conf import settings as s
from config.celery import app
names = ["CELERY_TASK_DEFAULT_QUEUE", "CELERY_TASK_DEFAULT_QUEUE_TYPE",
         "CELERY_TASK_DEFAULT_EXCHANGE_TYPE", "CELERY_TASK_CREATE_MISSING_QUEUE_TYPE",
         "CELERY_WORKER_DETECT_QUORUM_QUEUES", "CELERY_BROKER_TRANSPORT_OPTIONS", "CACHES"]
print(json.dumps({
    **{name: getattr(s, name, None) for name in names},
    "app": [app.conf.task_default_queue_type, app.conf.task_default_queue,
            app.conf.broker_transport_options],
}))
"""


def _settings(module: str, **env: str) -> tuple[int, dict | str]:  # type: ignore[type-arg]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    result = subprocess.run(  # noqa: S603 — our own settings
        [sys.executable, "-c", PRINT],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": SECRET, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode:
        return result.returncode, result.stderr.strip().splitlines()[-1]
    return 0, json.loads(result.stdout)


def test_rabbitmq_broker_gets_quorum_queues_and_publisher_confirms():
    code, values = _settings("config.settings.base", CELERY_BROKER_URL="amqp://u:p@mq:5672/b")

    assert code == 0
    assert isinstance(values, dict)
    visibility = {"visibility_timeout": 7200, "socket_connect_timeout": 3, "socket_timeout": 5}
    assert {k: v for k, v in values.items() if k != "CACHES"} == {
        "CELERY_TASK_DEFAULT_QUEUE": "binome",
        "CELERY_TASK_DEFAULT_QUEUE_TYPE": "quorum",
        "CELERY_TASK_DEFAULT_EXCHANGE_TYPE": "topic",
        "CELERY_TASK_CREATE_MISSING_QUEUE_TYPE": "quorum",
        "CELERY_WORKER_DETECT_QUORUM_QUEUES": True,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {**visibility, "confirm_publish": True},
        "app": ["quorum", "binome", {**visibility, "confirm_publish": True}],
    }


def test_redis_broker_keeps_celery_defaults_and_its_visibility_timeout():
    code, values = _settings("config.settings.base", CELERY_BROKER_URL="redis://r:6379/0")

    assert code == 0
    assert isinstance(values, dict)
    assert values["app"] == [
        "classic",
        "celery",
        {"visibility_timeout": 7200, "socket_connect_timeout": 3, "socket_timeout": 5},
    ]
    assert values["CELERY_TASK_DEFAULT_QUEUE_TYPE"] is None


def test_production_cache_is_never_the_broker():
    broker = {"ALLOWED_HOSTS": "binome.example.fr", "CELERY_BROKER_URL": "amqp://u:p@mq:5672/b"}

    _, default = _settings("config.settings.production", **broker)
    _, own = _settings("config.settings.production", **broker, CACHE_URL="redis://c:6379/2")
    refused = _settings(
        "config.settings.production",
        **{**broker, "CELERY_BROKER_URL": "redis://r:6379/0"},
        CACHE_URL="redis://r:6379/0",
    )

    assert isinstance(default, dict) and isinstance(own, dict)
    assert default["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert own["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://c:6379/2",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    assert refused == (
        1,
        "django.core.exceptions.ImproperlyConfigured: CACHE_URL doit désigner un autre Redis "
        "(ou une autre base Redis) que le courtier.",
    )


def test_a_redelivered_task_is_never_still_running_elsewhere():
    """Late acks give a dead worker's task to another; a worker that only lost the broker stops
    its running tasks first (the outbox's relay frees its rows on redelivery)."""
    from config.celery import app

    assert (
        app.conf.task_acks_late,
        app.conf.task_reject_on_worker_lost,
        app.conf.worker_cancel_long_running_tasks_on_connection_loss,
    ) == (True, True, True)
