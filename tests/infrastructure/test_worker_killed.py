"""A whole worker killed with SIGKILL in the middle of a task: RabbitMQ's quorum queue gives the
unacknowledged message back at once, and the restarted worker runs it within a minute."""

import time
import uuid
from collections.abc import Iterator

import pytest
from kombu import Connection

from config.celery import app
from tests.broker import broker_url
from tests.celery_worker import Worker, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.rabbitmq]


@pytest.fixture
def worker(tmp_path) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    queue = f"binome-drill-{uuid.uuid4().hex[:8]}"
    worker = Worker(queue, tmp_path / "worker.log", imports="tests.celery_drill")
    yield worker
    worker.kill()
    with Connection(broker_url()) as connection:
        channel = connection.channel()
        channel.queue_delete(queue)
        channel.exchange_delete(queue)


def test_whole_worker_killed_mid_task_is_redelivered_within_a_minute(worker, tmp_path):
    folder = tmp_path / "attempts"
    folder.mkdir()
    worker.start()
    app.conf.task_always_eager = False  # the test settings' eager mode, for this send only
    try:
        with Connection(broker_url()) as connection:
            app.send_task(
                "tests.celery_drill.sleep_then_finish",
                args=[str(folder), 120],
                queue=worker.queue,
                connection=connection,
            )
    finally:
        app.conf.task_always_eager = True
    started = wait_for(lambda: (folder / "started-1").exists(), 90)
    worker.kill()  # SIGKILL to the main process and its child, mid-task
    killed_at = time.monotonic()
    worker.start()
    done = wait_for(lambda: (folder / "done").exists(), 60)
    elapsed = time.monotonic() - killed_at
    print(f"Tâche relivrée et terminée {elapsed:.1f} s après le redémarrage du worker.")

    log = worker.tail()
    assert started, log
    assert done, log
    assert sorted(p.name for p in folder.iterdir()) == ["done", "started-1", "started-2"]
    assert (folder / "done").read_text() == "2"
    assert elapsed < 60
