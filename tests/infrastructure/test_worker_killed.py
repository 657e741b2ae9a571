"""A whole worker killed with SIGKILL in the middle of a task: RabbitMQ's quorum queue gives the
unacknowledged message back at once, and the restarted worker runs it within a minute."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

from config.celery import app
from tests.broker import broker_url

pytestmark = [pytest.mark.broker, pytest.mark.rabbitmq]


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


class Worker:
    def __init__(self, queue: str, log: Path) -> None:
        self.queue, self.log = queue, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-I", "tests.celery_drill", "-Q", self.queue, "-n", f"{self.queue}@%h",
            "--pool", "prefork", "--concurrency", "1",
            "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (a fixed command)
                command,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the whole worker is killed
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def worker(tmp_path) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    queue = f"binome-drill-{uuid.uuid4().hex[:8]}"
    worker = Worker(queue, tmp_path / "worker.log")
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
    started = _wait_for(lambda: (folder / "started-1").exists(), 90)
    worker.kill()  # SIGKILL to the main process and its child, mid-task
    killed_at = time.monotonic()
    worker.start()
    done = _wait_for(lambda: (folder / "done").exists(), 60)
    elapsed = time.monotonic() - killed_at
    print(f"Tâche relivrée et terminée {elapsed:.1f} s après le redémarrage du worker.")

    log = worker.log.read_text(errors="replace")[-3000:]
    assert started, log
    assert done, log
    assert sorted(p.name for p in folder.iterdir()) == ["done", "started-1", "started-2"]
    assert (folder / "done").read_text() == "2"
    assert elapsed < 60
