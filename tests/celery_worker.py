"""A real Celery worker in a process group of its own, for the tests that kill it with SIGKILL
(tests/infrastructure/test_worker_killed.py, test_reminders_worker_killed.py)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` every tenth of a second for at most ``seconds``; its last answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


class Worker:
    """``celery -A config worker`` (prefork, one child) consuming ``queue``; ``env`` replaces
    the test process's environment when given (a worker on the test database, say)."""

    def __init__(
        self, queue: str, log: Path, *, env: dict[str, str] | None = None, imports: str = ""
    ) -> None:
        self.queue, self.log, self.env, self.imports = queue, log, env, imports
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-Q", self.queue, "-n", f"{self.queue}@%h",
            "--pool", "prefork", "--concurrency", "1",
            "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        ]  # fmt: skip
        if self.imports:
            command += ["-I", self.imports]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (a fixed command)
                command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the whole worker is killed
            )

    def children(self) -> list[int]:
        """The pool's processes (the main process's children)."""
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_child(self) -> None:
        """SIGKILL to the pool's process only: the main process forks a new one."""
        children = self.children()
        assert children, "le worker n'a aucun processus à arrêter"
        for pid in children:
            os.kill(pid, signal.SIGKILL)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """``sig`` to the whole process group: the main process and its children."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.process = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
