"""The real broker of the broker-marked tests (CELERY_BROKER_URL): RabbitMQ in CI, or Redis."""

import os

from celery import Celery
from celery.backends.base import DisabledBackend


def broker_url() -> str:
    return os.environ["CELERY_BROKER_URL"]


def result_backend(url: str) -> str:
    """Results travel back over the broker: RabbitMQ answers through Celery's rpc:// backend
    (Celery has no amqp:// result backend any more), Redis through its own URL."""
    return "rpc://" if url.startswith(("amqp://", "amqps://", "pyamqp://")) else url


def drop_disabled_result_backend(app: Celery) -> None:
    """Celery keeps the result backend it built on first use. An eager run earlier in the session
    (``result_backend`` unset) leaves the « no backend » one, which a test that now configures a
    real result backend must not inherit."""
    if isinstance(app._backend_cache, DisabledBackend):
        app._backend_cache = None
    if isinstance(getattr(app._local, "backend", None), DisabledBackend):
        del app._local.backend
