"""The bench's pages over HTTP, as production serves them: gunicorn with the production settings
on 127.0.0.1 (``bench.loadtest``'s server).

Latency: one worker, one client keeping its connection alive, the requests in turn. Twice: with
persistent database connections (``DATABASE_CONN_MAX_AGE``, 60 s by default) and with a
connection opened per request (0), the difference being what a deployment without persistent
connections nor PgBouncer pays on every page.

Throughput: two sync workers (as on this 2-core machine), N clients asking the same page at once
for a given time, each keeping its connection alive; requests per second, median and p95 of the
answers, errors, and the load average at the end of each measure.

The sessions are made here, in the database gunicorn reads (as a login leaves them): the
measure starts at the page, not at the login form.
"""

import contextlib
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from bench.cookies import SecureOverHttp

#: The sync workers serving the throughput measure (the machine's cores).
WORKERS = 2

#: The pages measured over HTTP: (name in the bench's table, who asks, URL name, URL args).
PAGES = (
    ("portefeuille", "advisor", "caseload", ()),
    ("fiche_accompagnement", "advisor", "case_detail", ("case",)),
    ("tableau_de_bord", "supervisor", "supervision", ()),
    ("space_home", "person", "space_home", ()),
)

#: The pages whose throughput is measured, as the issue's table of 2 workers (docs/performance.md).
THROUGHPUT_PAGES = (
    ("portefeuille", "advisor", "caseload", ()),
    ("fiche_accompagnement", "advisor", "case_detail", ("case",)),
    ("tableau_de_bord", "supervisor", "supervision", ()),
    ("tableau_de_bord_departement", "department_supervisor", "supervision", ()),
)


def _session_key(user: Any = None, access: Any = None) -> str:
    """A session of the database's store, as a professional's login or the person's code
    leaves it."""
    from django.conf import settings
    from django.test import Client

    from bench.__main__ import person_client

    if access is not None:
        client = person_client(access)
    else:
        client = Client()
        client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _stats(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 2),
    }


def _timed(session: requests.Session, url: str, repeat: int, warmup: int) -> dict[str, float]:
    samples = []
    for turn in range(warmup + repeat):
        started = time.perf_counter()
        response = session.get(url, allow_redirects=False, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url} : {response.status_code} sur HTTP")
        if turn >= warmup:
            samples.append(elapsed)
    return _stats(samples)


def _client(cookie: str) -> requests.Session:
    """A client with the asker's session on 127.0.0.1, sending back what the server renews."""
    from django.conf import settings

    client = requests.Session()
    client.cookies = SecureOverHttp()  # the server's renewed Secure cookies, sent back
    client.headers["X-Forwarded-Proto"] = "https"
    client.cookies.set(settings.SESSION_COOKIE_NAME, cookie, domain="127.0.0.1")
    return client


def _throughput(
    url: str, cookie: str, concurrency: int, seconds: float, warmup: int
) -> dict[str, Any]:
    """``concurrency`` clients asking ``url`` in a loop for ``seconds``: requests per second
    (every answer received until the last client stops, over the time until then)."""
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)
    stop = threading.Event()

    def ask(client: requests.Session) -> None:
        started = time.perf_counter()
        try:
            status = client.get(url, allow_redirects=False, timeout=30).status_code
        except requests.RequestException as error:
            status, reason = 0, type(error).__name__
        else:
            reason = str(status)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            if status == 200:
                samples.append(elapsed)
            else:
                errors.append(reason)

    def loop() -> None:
        with _client(cookie) as client:
            for _ in range(warmup):
                client.get(url, allow_redirects=False, timeout=30)
            ready.wait()
            while not stop.is_set():
                ask(client)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=120)
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.perf_counter() - started
    if not samples:
        raise RuntimeError(f"{url} : aucune réponse 200 sur HTTP ({errors[:3]})")
    return {
        "concurrence": concurrency,
        "requetes_par_seconde": round(len(samples) / elapsed, 1),
        "reponses": len(samples),
        **_stats(samples),
        "erreurs": len(errors),
        "charge": round(os.getloadavg()[0], 2),
    }


@contextlib.contextmanager
def _sessions(who: dict[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    """The server's secret and a session per asker, made with it (it signs the sessions and
    the login's hash)."""
    from django.test import override_settings

    secret = secrets.token_urlsafe(50)
    with override_settings(SECRET_KEY=secret):
        keys = {
            asker: _session_key(who[asker])
            for asker in ("advisor", "supervisor", "department_supervisor")
        }
        keys["person"] = _session_key(access=who["person_access"])
    yield secret, keys


def _urls(
    pages: tuple[tuple[str, str, str, tuple[str, ...]], ...], who: dict[str, Any]
) -> dict[str, str]:
    from django.urls import reverse

    return {
        name: reverse(url_name, args=[who[arg].pk for arg in args])
        for name, _who, url_name, args in pages
    }


def measure_over_http(who: dict[str, Any], repeat: int, warmup: int) -> dict[str, Any]:
    """Median and p95 of each page over HTTP, with persistent connections and without."""
    from bench.loadtest.__main__ import BIND, gunicorn

    urls = _urls(PAGES, who)
    results: dict[str, Any] = {}
    with _sessions(who) as (secret, keys):
        # One client per asker for both runs: it keeps the cookies the server gives back (the
        # person's session is renewed as they go).
        clients = {asker: _client(key) for asker, key in keys.items()}
        try:
            for label, max_age in (("persistantes", "60"), ("une_par_requete", "0")):
                print(f"   mesure sur HTTP : connexions {label.replace('_', ' ')}", file=sys.stderr)
                with tempfile.TemporaryDirectory() as directory:
                    log = Path(directory) / "gunicorn.log"
                    env = {"DATABASE_CONN_MAX_AGE": max_age, "SECRET_KEY": secret}
                    with gunicorn(1, log, extra_env=env):
                        for name, asker, _url_name, _args in PAGES:
                            results.setdefault(name, {})[label] = _timed(
                                clients[asker], f"http://{BIND}{urls[name]}", repeat, warmup
                            )
        finally:
            for client in clients.values():
                client.close()
    return results


def measure_throughput(
    who: dict[str, Any], concurrencies: list[int], seconds: float, warmup: int
) -> dict[str, Any]:
    """Requests per second of each page of THROUGHPUT_PAGES at each concurrency, served by
    WORKERS sync workers with persistent database connections."""
    from bench.loadtest.__main__ import BIND, gunicorn

    urls = _urls(THROUGHPUT_PAGES, who)
    results: dict[str, Any] = {}
    with _sessions(who) as (secret, keys), tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "gunicorn.log"
        with gunicorn(WORKERS, log, extra_env={"SECRET_KEY": secret}):
            for name, asker, _url_name, _args in THROUGHPUT_PAGES:
                for concurrency in concurrencies:
                    print(f"   débit sur HTTP : {name}, {concurrency} clients", file=sys.stderr)
                    results.setdefault(name, {})[str(concurrency)] = _throughput(
                        f"http://{BIND}{urls[name]}", keys[asker], concurrency, seconds, warmup
                    )
    return results
