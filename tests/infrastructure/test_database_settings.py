"""The database settings as production reads them from its environment: persistent connections
checked before reuse, PgBouncer's transaction mode, the read replica (docs/deployment.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def production_databases(**variables: str) -> dict[str, Any]:
    """``DATABASES`` of config.settings.production with these variables, in a fresh process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x7#kQ2!vN9@pL4$wR8^tY1&uI6*oP3(aS5)dF0_gH2+jK7=lZ9-cX4",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://binome@db.example.fr:5432/binome",
        **variables,
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS,"
        " 'pin': s.DATABASE_REPLICA_PIN, 'max_lag': s.DATABASE_REPLICA_MAX_LAG}, default=str))"
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
    return json.loads(result.stdout)


def test_connections_persist_for_a_minute_and_are_checked_before_reuse() -> None:
    default = production_databases()["databases"]["default"]

    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, True)
    assert default.get("DISABLE_SERVER_SIDE_CURSORS", False) is False
    assert "prepare_threshold" not in default["OPTIONS"]


def test_behind_pgbouncer_no_server_side_cursor_prepared_statement_nor_startup_option() -> None:
    default = production_databases(DATABASE_PGBOUNCER="1")["databases"]["default"]

    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    # psycopg prepares nothing on the server; PgBouncer refuses the `options` startup parameter.
    assert default["OPTIONS"] == {"connect_timeout": 3, "prepare_threshold": None}
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, True)


def test_replica_alias_only_with_its_url_and_a_test_mirror_of_the_primary() -> None:
    without = production_databases()
    values = production_databases(
        DATABASE_REPLICA_URL="postgres://binome@replica.example.fr:5432/binome",
        DATABASE_REPLICA_MAX_LAG="3",
    )

    replica = values["databases"]["replica"]
    assert list(without["databases"]) == ["default"]
    assert (replica["HOST"], replica["TEST"]["MIRROR"]) == ("replica.example.fr", "default")
    assert replica["OPTIONS"] == values["databases"]["default"]["OPTIONS"]
    assert values["routers"] == ["config.db_router.ReplicaRouter"]
    # The pin outlasts the lag tolerated plus the interval between two checks of it (2 s).
    assert (values["max_lag"], values["pin"]) == (3.0, 6.0)
