"""The partner API's benchmark (issue 25): a partner system of the scale department, registered
for the bench with ``followup:read`` and ``appointments:write`` and a key issued by
``partner_key_issue``, calls the API with Django's test Client, in this process:

- the listing: ``GET /api/v1/cases/``, then each ``next`` until there is none (the cursor, 50
  rows a page by default), every page writing the journal rows of its reading;
- the writes: ``PUT /api/v1/cases/<id>/appointments/<partner_ref>/`` on distinct open cases (the
  same ones again when the department has fewer open cases than writes), each convening the
  person with a new id.

The system's rate limit is set out of reach: the bench measures the API, not its throttle
(which still counts every call in the cache). Everything (the system, its key, the journal rows,
the appointments) is rolled back at the end: the database is left as it was, and no COMMIT is
timed.
"""

import datetime
import json
import statistics
import time
from typing import Any

from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.api.selectors import partner_cases
from casework.enums import OPEN_STATES
from partners.api import services as api_services
from partners.api.models import Scope
from partners.models import Department

LIST_URL = "/api/v1/cases/"
PLACE = "Agence France Travail, 12 avenue de la République"
#: Out of reach of the bench's calls.
UNLIMITED_PER_MINUTE = 1_000_000_000


def _stats(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 2),
    }


def _queries(client: Client, url: str) -> dict[str, float]:
    """The page's SQL: how many statements, and the sum of their times (ms)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} : {response.status_code}")
    sql_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    return {"queries": len(captured.captured_queries), "sql_ms": round(sql_ms, 1)}


def measure_listing(client: Client, expected: int) -> dict[str, Any]:
    """Every page, in order, following ``next``; then the queries of the first, middle and last
    pages (requested once more, outside the timing)."""
    url: str | None = LIST_URL
    urls: list[str] = []
    samples: list[float] = []
    ids: set[int] = set()
    rows = open_rows = 0
    started = time.perf_counter()
    while url is not None:
        before = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - before) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} : {response.status_code}")
        page = response.json()
        rows += len(page["results"])
        open_rows += sum(1 for row in page["results"] if row["state"] in OPEN_STATES)
        ids.update(row["id"] for row in page["results"])
        urls.append(url)
        url = page["next"]
    seconds = time.perf_counter() - started
    sql = {
        "premiere": _queries(client, urls[0]),
        "milieu": _queries(client, urls[len(urls) // 2]),
        "derniere": _queries(client, urls[-1]),
    }
    return {
        "pages": len(urls),
        "rows": rows,
        "open_rows": open_rows,
        "every_case_once": rows == len(ids) == expected,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1),
        "page": _stats(samples),
        "queries_per_page": {page: figures["queries"] for page, figures in sql.items()},
        "sql_ms_per_page": {page: figures["sql_ms"] for page, figures in sql.items()},
    }


def measure_writes(client: Client, case_ids: list[int], count: int) -> dict[str, Any]:
    """``count`` PUTs, each a new appointment (201) a week ahead, on the cases in turn."""
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    start += datetime.timedelta(days=7)

    def put(case_id: int, ref: str, index: int) -> None:
        planned_at = start + datetime.timedelta(minutes=index % 480)
        response = client.put(
            f"{LIST_URL}{case_id}/appointments/{ref}/",
            json.dumps({"planned_at": planned_at.isoformat(), "place": PLACE}),
            content_type="application/json",
        )
        if response.status_code != 201:
            raise RuntimeError(f"PUT {case_id}/{ref} : {response.status_code} {response.content!r}")

    samples: list[float] = []
    started = time.perf_counter()
    for index in range(count):
        before = time.perf_counter()
        put(case_ids[index % len(case_ids)], f"banc-{index}", index)
        samples.append((time.perf_counter() - before) * 1000)
    seconds = time.perf_counter() - started
    with CaptureQueriesContext(connection) as captured:
        put(case_ids[0], "banc-requetes", 0)
    return {
        "writes": count,
        "cases": min(count, len(case_ids)),
        "seconds": round(seconds, 2),
        "writes_per_second": round(count / seconds, 1),
        "write": _stats(samples),
        "queries_per_write": len(captured.captured_queries),
        "sql_ms_per_write": round(
            sum(float(query["time"]) for query in captured.captured_queries) * 1000, 1
        ),
    }


def measure_api(department: Department, writes: int) -> dict[str, Any]:
    with override_settings(ALLOWED_HOSTS=["testserver"]), transaction.atomic():
        partner = api_services.partner_system_create(
            department=department,
            name="Banc d'essai de l'API",
            organisation="Banc d'essai",
            scopes=[Scope.FOLLOWUP_READ, Scope.APPOINTMENTS_WRITE],
            requests_per_minute=UNLIMITED_PER_MINUTE,
            acting_user=None,
        )
        issued = api_services.partner_key_issue(partner=partner, acting_user=None)
        client = Client(headers={"Authorization": f"Bearer {issued.secret}"})
        readable = partner_cases(partner)
        listing = measure_listing(client, readable.count())
        open_ids = list(
            readable.filter(state__in=OPEN_STATES).order_by("pk").values_list("pk", flat=True)
        )
        results = {
            "department_open_cases": len(open_ids),
            "listing": listing,
            "appointments": measure_writes(client, open_ids[:writes], writes),
        }
        transaction.set_rollback(True)
    return results
