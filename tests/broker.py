"""The real broker of the broker-marked tests (CELERY_BROKER_URL): RabbitMQ in CI, or Redis."""

import os


def broker_url() -> str:
    return os.environ["CELERY_BROKER_URL"]


def result_backend(url: str) -> str:
    """Results travel back over the broker: RabbitMQ answers through Celery's rpc:// backend
    (Celery has no amqp:// result backend any more), Redis through its own URL."""
    return "rpc://" if url.startswith(("amqp://", "amqps://", "pyamqp://")) else url
