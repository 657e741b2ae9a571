"""The timeouts fit together (docs/deployment.md, « Délais »): whatever waits on PostgreSQL, the
broker, the cache or the SMTP server gives up, and answers, before gunicorn kills the worker."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config import gunicorn
from partners.health import BrokerReady, DatabaseReady, MailReady

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def test_every_wait_ends_before_gunicorn_kills_the_worker():
    transport = settings.CELERY_BROKER_TRANSPORT_OPTIONS

    assert settings.DATABASE_CONNECT_TIMEOUT < settings.DATABASE_STATEMENT_TIMEOUT
    assert gunicorn.timeout > settings.DATABASE_STATEMENT_TIMEOUT
    assert gunicorn.timeout > settings.BINOME_EMAIL_TIMEOUT
    assert gunicorn.timeout > settings.CELERY_BROKER_CONNECTION_TIMEOUT
    assert transport["socket_connect_timeout"] < transport["socket_timeout"] < gunicorn.timeout
    # A request cut by a restart gets at least as long as its longest statement.
    assert gunicorn.graceful_timeout >= settings.DATABASE_STATEMENT_TIMEOUT
    # /sante/pret answers (each check runs within its timeout + 1 s, all at once) well before.
    checks = [DatabaseReady(), BrokerReady(url="redis://unused"), MailReady()]
    assert max(check.timeout.total_seconds() + 1 for check in checks) < gunicorn.timeout / 2
    assert gunicorn.accesslog is None  # the request log line replaces it (no query string)


def test_production_settings_carry_the_timeouts():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "LOG_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x7#kQ2!vN9@pL4$wR8^tY1&uI6*oP3(aS5)dF0_gH2+jK7=lZ9-cX4",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CACHE_URL="redis://127.0.0.1:6379/1",
        DATABASE_URL="postgres://binome@db.example.fr:5432/binome",
        EMAIL_HOST="smtp.example.fr",
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'db': s.DATABASES['default']['OPTIONS'],"
        " 'cache': s.CACHES['default']['OPTIONS'], 'mail': s.MAILERS['default']['OPTIONS'],"
        " 'log': s.LOGGING['handlers']['console']['formatter']}))"
    )

    result = subprocess.run(  # noqa: S603 — our own settings
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    values = json.loads(result.stdout)
    assert values["db"] == {
        "options": "-c random_page_cost=1.1 -c effective_io_concurrency=200"
        " -c statement_timeout=20s",
        "connect_timeout": 3,
    }
    assert values["cache"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    assert (values["mail"]["host"], values["mail"]["timeout"]) == ("smtp.example.fr", 10)
    assert values["log"] == "json"
