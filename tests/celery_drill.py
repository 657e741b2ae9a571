"""A task for the worker-killing test only (tests/infrastructure/test_worker_killed.py), loaded by
the worker it starts with ``-I tests.celery_drill``: the first attempt sleeps (and is killed
there), a redelivered attempt finishes at once. Each attempt leaves a file in ``folder``."""

import time
from pathlib import Path

from config.celery import app


@app.task(name="tests.celery_drill.sleep_then_finish")
def sleep_then_finish(folder: str, seconds: float) -> int:
    path = Path(folder)
    attempt = len(list(path.glob("started-*"))) + 1
    (path / f"started-{attempt}").write_text(str(time.time()))
    if attempt == 1:
        time.sleep(seconds)
    (path / "done").write_text(str(attempt))
    return attempt
