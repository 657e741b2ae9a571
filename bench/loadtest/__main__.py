"""``python -m bench.loadtest`` (``make loadtest``): gunicorn with the production settings under
the locust scenario of bench/loadtest/locustfile.py, on 127.0.0.1, at 8, 32 and 64 users.

Needs DATABASE_URL (a dedicated PostgreSQL database): seeds it with ``seed_scale`` when empty
(bench's logic), gives a pool of the seeded professionals a password drawn for this run and the
auditor a TOTP device (never in production: the scale department only), collects the static
files, starts gunicorn (``config/gunicorn.py``, production settings, 2 workers, 127.0.0.1:8123),
then runs locust headless at each step for ``LOADTEST_SECONDS`` (60) counted once every
simulated user has logged in (the statistics start then: the logins are not in them). The load
average and the web workers' resident memory are sampled every second. Prints a French table and
writes JSON to bench/results/. The interviews logged stay in the database.
"""

import argparse
import contextlib
import csv
import datetime
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
BIND = "127.0.0.1:8123"
#: Accounts given a password, per role: enough for every simulated user of the largest step.
POOL = 64


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--users", default="8,32,64", help="utilisateurs simulés, par palier")
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS", "60"))
    )
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


def prepare_accounts(directory: Path) -> Path:
    """The pool's e-mails, this run's password and the auditor's TOTP key, in a file for
    locust. Only in the scale department (casework.scale), so never a real account."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casework import scale
    from partners import selectors
    from partners.enums import Role
    from partners.models import Pair, Professional

    department = scale.scale_department()
    if department is None:
        sys.exit("Aucun département d'essai dans la base.")
    pairs = Pair.objects.filter(department=department).order_by("pk")
    # One member per binôme, the advisor and the social worker in turn: two simulated users on
    # different accounts never log an interview on the same case (a version conflict), as long
    # as the seed has binômes enough (at 2,000 people, 4: the users share the accounts).
    turns = ((pair.advisor_id, pair.social_worker_id)[i % 2] for i, pair in enumerate(pairs))
    members = [pk for pk in turns if pk][:POOL]
    in_department = Professional.objects.filter(organisation__department=department)
    pool = {
        "pair": list(Professional.objects.filter(pk__in=members).order_by("pk")),
        "supervisor": list(in_department.filter(role=Role.SUPERVISOR).order_by("pk")[:POOL]),
        "auditor": list(in_department.filter(role=Role.AUDITOR).order_by("pk")[:1]),
    }
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        for user in (user for users in pool.values() for user in users):
            user.set_password(password)
            user.save(update_fields=["password"])
        auditor = pool["auditor"][0]
        # the device the code page checks (make bench may have given the auditor one already)
        device = selectors.second_factor_device(auditor)
        if device is None:
            device = TOTPDevice.objects.create(user=auditor, name="Essai de charge", confirmed=True)
    path = directory / "accounts.json"
    path.write_text(
        json.dumps(
            {
                **{role: [user.email for user in users] for role, users in pool.items()},
                "password": password,
                "auditor_totp_key": device.key,
            }
        )
    )
    return path


def server_env() -> dict[str, str]:
    """The production settings, as a deployment gives them, on 127.0.0.1."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Required by the production settings; the pages measured publish no task.
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": BIND,
        "DEBUG": "0",
    }


@contextlib.contextmanager
def gunicorn(
    workers: int, log: Path, extra_env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    env = {**server_env(), "GUNICORN_WORKERS": str(workers), **(extra_env or {})}
    subprocess.run(  # noqa: S603 — our own command, no shell
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        check=True,
        env=env,
    )
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(server)
            yield server
        finally:
            server.terminate()
            server.wait(timeout=60)


def wait_ready(server: subprocess.Popen[bytes]) -> None:
    request = urllib.request.Request(  # noqa: S310 — our own server
        f"http://{BIND}/connexion/", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(120):
        if server.poll() is not None:
            sys.exit("gunicorn s'est arrêté au démarrage : voir son journal.")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(request, timeout=5) as response,  # noqa: S310
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    sys.exit("gunicorn ne répond pas sur " + BIND)


def rss_mib(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def workers_of(master: int) -> list[int]:
    try:
        import psutil
    except ImportError:
        children = Path(f"/proc/{master}/task/{master}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return [child.pid for child in psutil.Process(master).children()]


class Sampler(threading.Thread):
    """Every second: the load average and each web worker's resident memory."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.stopped = threading.Event()
        self.load: list[float] = []
        self.worker_peak_mib = 0.0
        self.workers_peak_mib = 0.0

    def run(self) -> None:
        while not self.stopped.wait(1):
            self.load.append(os.getloadavg()[0])
            sizes = [rss_mib(pid) for pid in workers_of(self.master)]
            if sizes:
                self.worker_peak_mib = max(self.worker_peak_mib, max(sizes))
                self.workers_peak_mib = max(self.workers_peak_mib, sum(sizes))


def run_step(
    users: int, seconds: int, accounts: Path, directory: Path, master: int
) -> dict[str, Any]:
    prefix = directory / f"palier-{users}"
    sampler = Sampler(master)
    sampler.start()
    started = time.monotonic()
    subprocess.run(  # noqa: S603
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "loadtest" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://{BIND}",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 8)),
            "--run-time",  # a bound: the locustfile stops the run `seconds` after the logins
            f"{seconds + 180}s",
            "--only-summary",
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
        ],
        check=False,  # locust exits 1 when a request failed: the error rate says it
        env={
            **os.environ,
            "LOADTEST_ACCOUNTS": str(accounts),
            "LOADTEST_SECONDS": str(seconds),
            "PYTHONPATH": str(ROOT),  # the locustfile imports bench.loadtest
        },
        stdout=subprocess.DEVNULL,
        stderr=Path(f"{prefix}.log").open("wb"),  # noqa: SIM115 — closed with the process
    )
    sampler.stopped.set()
    sampler.join()
    pages = read_stats(Path(f"{prefix}_stats.csv"))
    return {
        "users": users,
        "seconds": round(time.monotonic() - started, 1),
        "pages": pages,
        "load_average_max": round(max(sampler.load, default=0.0), 2),
        "load_average_end": round(os.getloadavg()[0], 2),
        "worker_rss_peak_mib": round(sampler.worker_peak_mib, 1),
        "workers_rss_peak_mib": round(sampler.workers_peak_mib, 1),
    }


def read_stats(path: Path) -> dict[str, dict[str, float]]:
    """locust's CSV, one row per request name and the « Aggregated » total."""
    pages = {}
    with path.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            count = int(row["Request Count"])
            if not count:  # a request made before the statistics started (the logins)
                continue
            pages[row["Name"] if row["Name"] != "Aggregated" else "total"] = {
                "requests": count,
                "requests_per_s": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "error_rate": round(int(row["Failure Count"]) / count, 4) if count else 0.0,
            }
    return pages


def print_table(steps: list[dict[str, Any]]) -> None:
    print(f"\n{'page':<30} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'erreurs':>8}")
    for step in steps:
        print(
            f"== {step['users']} utilisateurs — charge max {step['load_average_max']}, "
            f"mémoire max d'un worker {step['worker_rss_peak_mib']} Mio, "
            f"des workers {step['workers_rss_peak_mib']} Mio"
        )
        for name, page in step["pages"].items():
            print(
                f"{name:<30} {page['requests_per_s']:>7} {page['p50_ms']:>8.0f} "
                f"{page['p95_ms']:>8.0f} {page['p99_ms']:>8.0f} {page['error_rate']:>8.1%}"
            )


def main() -> None:
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("make loadtest mesure PostgreSQL : définissez DATABASE_URL (une base dédiée).")
    sys.path.insert(0, str(ROOT))
    from bench.__main__ import seed_if_needed, setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seed = seed_if_needed(args.people)
    steps = []
    with tempfile.TemporaryDirectory(prefix="binome-loadtest-") as tmp:
        directory = Path(tmp)
        accounts = prepare_accounts(directory)
        connection.close()
        with gunicorn(args.workers, directory / "gunicorn.log") as server:
            for users in (int(n) for n in args.users.split(",")):
                print(f"== {users} utilisateurs, {args.seconds} s", file=sys.stderr)
                steps.append(run_step(users, args.seconds, accounts, directory, server.pid))
    result = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": connection.settings_dict["NAME"],
        "people": args.people,
        "seed": seed,
        "gunicorn_workers": args.workers,
        "seconds_per_step": args.seconds,
        "cpus": os.cpu_count(),
        "steps": steps,
    }
    print_table(steps)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"loadtest-{datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nRésultats : {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
