"""The bench's pages over HTTP, as production serves them: gunicorn with the production settings
on 127.0.0.1 (``bench.loadtest``'s server), one worker, one client keeping its connection alive,
the requests in turn. Twice: with persistent database connections (``DATABASE_CONN_MAX_AGE``,
60 s by default) and with a connection opened per request (0), the difference being what a
deployment without persistent connections nor PgBouncer pays on every page.

The sessions are made here, in the database gunicorn reads (as a login leaves them): the
measure starts at the page, not at the login form.
"""

import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

#: The pages measured over HTTP: (name in the bench's table, who asks, URL name, URL args).
PAGES = (
    ("portefeuille", "advisor", "caseload", ()),
    ("fiche_accompagnement", "advisor", "case_detail", ("case",)),
    ("tableau_de_bord", "supervisor", "supervision", ()),
    ("space_home", "person", "space_home", ()),
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


def measure_over_http(who: dict[str, Any], repeat: int, warmup: int) -> dict[str, Any]:
    """Median and p95 of each page over HTTP, with persistent connections and without."""
    from django.conf import settings
    from django.test import override_settings
    from django.urls import reverse

    from bench.cookies import SecureOverHttp
    from bench.loadtest.__main__ import BIND, gunicorn

    # The server's secret signs the sessions and the login's hash: the sessions are made with it.
    secret = secrets.token_urlsafe(50)
    with override_settings(SECRET_KEY=secret):
        keys = {
            "advisor": _session_key(who["advisor"]),
            "supervisor": _session_key(who["supervisor"]),
            "person": _session_key(access=who["person_access"]),
        }
    urls = {
        name: reverse(url_name, args=[who[arg].pk for arg in args])
        for name, _who, url_name, args in PAGES
    }
    # One client per asker for both runs: it keeps the cookies the server gives back (the
    # person's session is renewed as they go).
    clients = {asker: requests.Session() for asker in keys}
    for asker, client in clients.items():
        client.cookies = SecureOverHttp()  # the server's renewed Secure cookies, sent back
        client.headers["X-Forwarded-Proto"] = "https"
        client.cookies.set(settings.SESSION_COOKIE_NAME, keys[asker], domain="127.0.0.1")
    results: dict[str, Any] = {}
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
