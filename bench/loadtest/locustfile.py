"""The load test's users (``locust -f bench/loadtest/locustfile.py``), run by ``python -m
bench.loadtest``.

Logged-in professionals of the seeded department, in the proportions of a working day: 80 % pair
members (portefeuille, a case page of their own, an interview logged by the htmx POST of that
page), 15 % supervisors (their dashboard), 5 % auditors (the journal search, after the second
factor). The accounts come from the JSON file named by ``LOADTEST_ACCOUNTS`` (written by
``bench.loadtest``: e-mails, the shared password, the auditor's TOTP key).

gunicorn runs with the production settings over plain HTTP on 127.0.0.1: these clients play the
TLS-terminating proxy. They send ``X-Forwarded-Proto: https`` (``SECURE_PROXY_SSL_HEADER``) and
an https Referer (Django's CSRF check of a secure request), and give back the ``Secure`` cookies
over HTTP, so that the production settings are run unchanged.
"""

import datetime
import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import gevent
from gevent.lock import Semaphore
from locust import HttpUser, between, task
from locust.env import Environment
from requests.cookies import create_cookie

from bench.cookies import SecureOverHttp

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/accompagnements/(\d+)/"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
LOGGED = "Entretien enregistré"
#: The journal search by a name: a few of the seed's last names (casework.scale.LAST_NAMES).
SEARCHED_NAMES = ("Martin", "Bernard", "Petit", "Durand")

#: The share of each role among the simulated users (issue 26).
WEIGHTS = {"pair": 80, "supervisor": 15, "auditor": 5}


@cache
def accounts() -> dict[str, Any]:
    path = os.environ.get("LOADTEST_ACCOUNTS")
    if not path:
        raise RuntimeError("LOADTEST_ACCOUNTS : le fichier des comptes de l'essai de charge.")
    with open(path, encoding="utf-8") as file:
        return dict(json.load(file))


_turns: dict[str, "itertools.count[int]"] = {}


def next_email(role: str) -> str:
    """The role's accounts in turn, so that the users spread over them."""
    emails = accounts()[role]
    turn = next(_turns.setdefault(role, itertools.count()))
    return str(emails[turn % len(emails)])


def totp_code(key: bytes) -> str:
    """The code the auditor's application shows now. ``LOADTEST_CLOCK_OFFSET`` (seconds) is for
    the smoke test only, against a test server whose clock is the suite's, not the wall clock."""
    from django_otp.oath import TOTP

    totp = TOTP(key)
    totp.time = time.time() + float(os.environ.get("LOADTEST_CLOCK_OFFSET", "0"))
    return f"{totp.token():06d}"


_logged_in = itertools.count(1)


def measure_from_now(environment: Environment) -> None:
    """Once every user has logged in: the statistics start again from zero and the run stops
    ``LOADTEST_SECONDS`` later (the driver's ``--run-time`` is only a bound). The logins (a
    password hash each, in a burst) are thus not in the figures of the pages."""
    runner = environment.runner
    if runner is None or next(_logged_in) != runner.target_user_count:
        return
    environment.stats.reset_all()
    seconds = os.environ.get("LOADTEST_SECONDS")
    if seconds:
        gevent.spawn_later(int(seconds), runner.quit)


class Professional(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self) -> None:
        self.client.cookies = SecureOverHttp()
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.log_in(next_email(self.role))
        measure_from_now(self.environment)

    def referer(self, path: str) -> dict[str, str]:
        host = (self.host or "").split("://", 1)[-1]
        return {"Referer": f"https://{host}{path}"}

    def csrf(self, html: str) -> str:
        found = CSRF_INPUT.search(html)
        if found is None:
            raise RuntimeError("pas de jeton CSRF dans la page")
        return found.group(1)

    def log_in(self, email: str) -> None:
        page = self.client.get("/connexion/", name="connexion")
        response = self.client.post(
            "/connexion/",
            {
                "csrfmiddlewaretoken": self.csrf(page.text),
                "username": email,
                "password": accounts()["password"],
            },
            headers=self.referer("/connexion/"),
            name="connexion",
        )
        if "/connexion/" in response.url:
            raise RuntimeError(f"connexion refusée pour {email}")


class PairMember(Professional):
    """An advisor or a social worker of a binôme."""

    weight = WEIGHTS["pair"]
    role = "pair"

    def on_start(self) -> None:
        self.cases: list[int] = []
        self.case: int | None = None
        self.version = ""
        super().on_start()

    @task(3)
    def caseload(self) -> None:
        response = self.client.get("/portefeuille/", name="portefeuille")
        self.cases = [int(pk) for pk in CASE_LINK.findall(response.text)] or self.cases

    @task(4)
    def case_page(self) -> None:
        if not self.cases:
            return
        self.case = random.choice(self.cases)  # noqa: S311 — a choice of page, not a secret
        response = self.client.get(f"/accompagnements/{self.case}/", name="accompagnement")
        found = VERSION_INPUT.search(response.text)
        self.version = found.group(1) if found else ""
        self.token = self.csrf(response.text) if found else ""

    @task(2)
    def log_interview(self) -> None:
        if self.case is None or not self.version:
            self.case_page()
        if self.case is None or not self.version:
            return  # no open case in this portefeuille
        path = f"/accompagnements/{self.case}/entretiens/"
        with self.client.post(
            path,
            {
                "csrfmiddlewaretoken": self.token,
                "version": self.version,
                "occurred_on": datetime.date.today().isoformat(),  # noqa: DTZ011 — the form's day
                "channel": "phone",
                "summary": "Point téléphonique : démarches en cours.",
            },
            headers={"HX-Request": "true", **self.referer(f"/accompagnements/{self.case}/")},
            name="entretien (htmx)",
            catch_response=True,
        ) as response:
            found = VERSION_INPUT.search(response.text)
            self.version = found.group(1) if found else ""
            if response.status_code == 200 and LOGGED not in response.text:
                # another simulated user of the same account logged one first (ConcurrentChange)
                response.failure("entretien non enregistré (conflit de version)")


class Supervisor(Professional):
    weight = WEIGHTS["supervisor"]
    role = "supervisor"

    @task
    def dashboard(self) -> None:
        self.client.get("/tableau-de-bord/", name="tableau de bord")


#: One auditor's session shared by the auditor users of a run: a TOTP code is accepted once
#: (django-otp refuses a code at or before the last one used), and the seed has one auditor.
#: Locust runs each step in its own process: the first step's session is left in a file beside
#: the accounts for the next ones, which would otherwise wait up to 30 s for a fresh code.
_auditor_cookies: list[http.cookiejar.Cookie] = []
_auditor_lock = Semaphore()


def _saved_session() -> Path:
    return Path(os.environ["LOADTEST_ACCOUNTS"]).with_name("session-auditeur.json")


class Auditor(Professional):
    weight = WEIGHTS["auditor"]
    role = "auditor"

    def on_start(self) -> None:
        self.client.cookies = SecureOverHttp()
        self.client.headers["X-Forwarded-Proto"] = "https"
        with _auditor_lock:
            if not _auditor_cookies and not self.resume_session():
                self.log_in(next_email(self.role))
                self.second_factor()
                _auditor_cookies.extend(iter(self.client.cookies))
                _saved_session().write_text(
                    json.dumps([[c.name, c.value, c.domain, c.path] for c in _auditor_cookies])
                )
        for cookie in _auditor_cookies:
            self.client.cookies.set_cookie(cookie)
        measure_from_now(self.environment)

    def resume_session(self) -> bool:
        """The session a previous step left, if the journal still opens with it."""
        if not _saved_session().exists():
            return False
        for name, value, domain, path in json.loads(_saved_session().read_text()):
            self.client.cookies.set_cookie(create_cookie(name, value, domain=domain, path=path))
        page = self.client.get("/journal/", name="reprise de session")
        if page.status_code != 200 or "/journal/" not in page.url:
            self.client.cookies.clear()
            return False
        _auditor_cookies.extend(iter(self.client.cookies))
        return True

    def second_factor(self) -> None:
        key = bytes.fromhex(accounts()["auditor_totp_key"])
        path = "/double-authentification/code/"
        for _attempt in range(2):
            page = self.client.get(path, name="double authentification")
            response = self.client.post(
                path,
                {"csrfmiddlewaretoken": self.csrf(page.text), "token": totp_code(key)},
                headers=self.referer(path),
                name="double authentification",
            )
            if path not in response.url:
                return
            # this code was used already (a previous step): the next one, 30 s at most later
            time.sleep(30 - time.time() % 30 + 1)
        raise RuntimeError("double authentification refusée")

    @task(3)
    def journal(self) -> None:
        self.client.get("/journal/", name="journal (recherche)")

    @task(1)
    def search_by_name(self) -> None:
        token = self.csrf(self.client.get("/journal/", name="journal (recherche)").text)
        self.client.post(
            "/journal/",
            {"csrfmiddlewaretoken": token, "person": random.choice(SEARCHED_NAMES)},  # noqa: S311
            headers=self.referer("/journal/"),
            name="journal (recherche par nom)",
        )
