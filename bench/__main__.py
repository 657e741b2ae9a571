"""``python -m bench --people N`` (``make bench ARGS="--people N"``).

Seeds the database with ``seed_scale`` when it holds no scale department (in a child process,
whose duration and peak memory are reported), reuses it when it holds the same scale, refuses
otherwise. Then, in this process, with Django's test Client against the real database: median
and p95 over repeated requests of the portefeuille (product, guardian's generic path, floor), the
case page, the supervisors' dashboards (precomputed, and the department's computed live) and
delays (with their drill-down), and interview logging (service, htmx POST, bare insert); the
partner API (bench/api.py: the listing page by page, appointment writes). Writes are rolled back
one by one, so a second run measures the same data. Prints a table and writes JSON to
bench/results/.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CASE_LINK = re.compile(r'href="/accompagnements/(\d+)/"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument(
        "--departments",
        type=int,
        default=1,
        help="départements de cette taille dans la base (le premier est mesuré)",
    )
    parser.add_argument("--repeat", type=int, default=100, help="requêtes mesurées par page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--reminders", type=int, default=10_000, help="rappels de rendez-vous envoyés par SMS"
    )
    parser.add_argument(
        "--api-ecritures",
        dest="api_writes",
        type=int,
        default=1_000,
        help="rendez-vous écrits par l'API partenaire (PUT), sur autant d'accompagnements",
    )
    parser.add_argument(
        "--seulement-api",
        dest="only_api",
        action="store_true",
        help="ne mesurer que l'API partenaire (lecture page par page, écritures de rendez-vous)",
    )
    parser.add_argument(
        "--sans-http",
        dest="http",
        action="store_false",
        help="sans la mesure des pages sur HTTP (gunicorn, réglages de production)",
    )
    parser.add_argument(
        "--seulement-http",
        dest="only_http",
        action="store_true",
        help="ne mesurer que les pages sur HTTP (temps de réponse, puis débit)",
    )
    parser.add_argument(
        "--concurrences",
        type=lambda value: [int(part) for part in value.split(",")],
        default=[4, 16],
        help="clients simultanés de la mesure du débit sur HTTP (2 processus gunicorn)",
    )
    parser.add_argument(
        "--debit-secondes",
        dest="throughput_seconds",
        type=float,
        default=15,
        help="durée de chaque mesure du débit, par page et par concurrence",
    )
    return parser.parse_args()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "0"  # no query log, no debug toolbar-like overheads: as in production
    # writes ask for the dashboards' refresh at the end of a window, as in production (not after
    # each write, as make run does without beat)
    os.environ.setdefault("BINOME_DASHBOARD_REFRESH_SECONDS", "120")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def kib_to_mib(kib: int) -> float:
    return round(kib / 1024, 1)


def seed_if_needed(people: int, departments: int = 1) -> dict[str, Any]:
    from django.db import connection

    from casework import scale
    from casework.models import Beneficiary

    department = scale.scale_department()
    # keyed by database and scale: the figures of the load of *this* database
    suffix = f"-{departments}dep" if departments > 1 else ""
    seed_file = RESULTS / f"seed-{connection.settings_dict['NAME']}-{people}{suffix}.json"
    if department is not None:
        held = Beneficiary.objects.filter(department=department).count()
        held_departments = scale.scale_departments()
        if (held, held_departments) != (people, departments):
            sys.exit(
                f"La base {connection.settings_dict['NAME']} contient déjà {held_departments} "
                f"département(s) d'essai de {held} personnes, pas {departments} de {people} : "
                "utilisez une autre base (DATABASE_URL) ou recréez-la (dropdb puis createdb)."
            )
        if seed_file.exists():
            return {**json.loads(seed_file.read_text()), "reused": True}
        return {"reused": True, "seconds": None, "peak_rss_mib": None}
    print(
        f"== seed_scale --people {people} --departments {departments} (processus fils)",
        file=sys.stderr,
    )
    started = time.monotonic()
    subprocess.run(  # noqa: S603 — our own command, no shell
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "seed_scale",
            "--people",
            str(people),
            "--departments",
            str(departments),
        ],
        check=True,
        env={**os.environ, "DEBUG": "0"},
    )
    result = {
        "reused": False,
        "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mib": kib_to_mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
        "load_average": os.getloadavg(),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    seed_file.write_text(json.dumps(result, indent=2))
    return result


def mirror_grants_into_guardian_generic_tables() -> int:
    """guardian's generic UserObjectPermission gets the same grants as the direct table, row for
    row (one audited COPY batch per 50,000 rows); GroupObjectPermission stays empty, as the product
    grants nothing to groups. Done once per database."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from guardian.models import UserObjectPermission

    from casework.models import Case, CaseUserObjectPermission
    from partners.audit import audited_copy

    case_type = ContentType.objects.get_for_model(Case)
    direct = CaseUserObjectPermission.objects.count()
    if UserObjectPermission.objects.filter(content_type=case_type).count() == direct:
        return direct
    if UserObjectPermission.objects.filter(content_type=case_type).exists():
        sys.exit("Les tables génériques de guardian sont à moitié remplies : recréez la base.")
    print(f"== copie de {direct} droits dans les tables génériques de guardian", file=sys.stderr)
    last_id, batch = 0, 50_000
    while True:
        rows = list(
            CaseUserObjectPermission.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "permission_id", "content_object_id", "user_id")[:batch]
        )
        if not rows:
            break
        last_id = rows[-1][0]
        audited_copy(
            model=UserObjectPermission,
            actor=None,
            description="banc d'essai — droits recopiés dans la table générique de guardian",
            columns=("permission_id", "content_type_id", "object_pk", "user_id"),
            rows=((perm, case_type.pk, str(case), user) for _, perm, case, user in rows),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE guardian_userobjectpermission")
        cursor.execute("ANALYZE guardian_groupobjectpermission")
    return direct


def _stats(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 2),
        "n": len(samples),
    }


def timed_interleaved(
    calls: dict[str, Callable[[], Any]], repeat: int, warmup: int, *, roll_back: bool = False
) -> dict[str, dict[str, float]]:
    """Median and p95 of each call, the calls taking turns (a, b, c, a, b, c…) so that the noise
    of a shared machine falls on all of them alike. With ``roll_back``, each call runs in its own
    transaction, rolled back after it (only the call is timed): every write measures the same
    database."""
    from django.db import transaction

    def one(call: Callable[[], Any]) -> float:
        if not roll_back:
            started = time.perf_counter()
            call()
            return (time.perf_counter() - started) * 1000
        with transaction.atomic():
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return elapsed

    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(warmup):
        for call in calls.values():
            one(call)
    for _ in range(repeat):
        for name, call in calls.items():
            samples[name].append(one(call))
    return {name: _stats(values) for name, values in samples.items()}


def query_count(call: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def sql_ms(call: Callable[[], Any], turns: int = 20) -> float:
    """Mean time a call spends waiting for PostgreSQL (statements sent and answered), in ms."""
    from django.db import connection

    spent = 0.0

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal spent
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent += time.perf_counter() - started

    with connection.execute_wrapper(timer):
        for _ in range(turns):
            call()
    return round(spent / turns * 1000, 2)


def rolled_back(call: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``call`` in a transaction that is rolled back (timed inside it)."""
    from django.db import transaction

    def run() -> None:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)

    return run


def subjects() -> dict[str, Any]:
    from django.db.models import Count

    from casework import scale
    from casework.enums import CaseState
    from casework.models import Beneficiary, Case, Interview
    from partners.enums import Role
    from partners.models import Pair, Professional

    department = scale.scale_department()
    pair = Pair.objects.filter(department=department).order_by("pk").first()
    if pair is None:
        sys.exit("Aucun binôme dans le département d'essai.")
    advisor = Professional.objects.select_related("organisation__department").get(pk=pair.lead.pk)
    case = (
        Case.objects.filter(pair=pair, state=CaseState.ACTIVE, referent=advisor)
        .order_by("pk")
        .first()
    )
    if case is None:
        sys.exit("Aucun accompagnement en cours du référent dans le premier binôme.")
    supervisor = Professional.objects.get(
        role=Role.SUPERVISOR,
        organisation__department=department,
        organisation__name="France Travail — Direction territoriale Nord",
    )
    department_supervisor = Professional.objects.get(
        role=Role.SUPERVISOR,
        organisation__department=department,
        organisation__name="Conseil départemental — Direction de l'insertion",
    )
    auditor = Professional.objects.get(role=Role.AUDITOR, organisation__department=department)
    # the auditor's search by a name many people bear (the journal of each of them)
    common_name = (
        Beneficiary.objects.filter(department=department)
        .values("last_name")
        .annotate(people=Count("pk"))
        .order_by("-people", "last_name")
        .values_list("last_name", flat=True)
        .first()
    )
    return {
        "advisor": advisor,
        "case": case,
        "supervisor": supervisor,
        "department_supervisor": department_supervisor,
        "auditor": auditor,
        "common_name": common_name,
        "case_interviews": Interview.objects.filter(case=case).count(),
        "person_access": person_access(case),
    }


#: The person's pages measured, as the case's person sees them (DESIGN.md: < 100 ms median).
SPACE_PAGES = (
    "space_home",
    "space_agreement",
    "space_diagnostic",
    "space_messages",
    "space_data_requests",
    "space_journal",
    "space_documents",
    "space_plan",
)


def person_access(case: Any) -> Any:
    """The case's person's access to their space: the one in force, or a new invitation."""
    from casework.models import SpaceAccess
    from casework.space import services as space_services

    access = SpaceAccess.objects.active().filter(case=case).first()
    if access is None:
        access = space_services.space_invite(
            case=case,
            email=f"personne-{case.beneficiary_id}@banc.binome.test",
            acting_user=case.pair.social_worker,
        )
    return access


def auditor_client(auditor: Any) -> Any:
    """A client logged in as the auditor, with the second factor given in the session (a TOTP
    device of theirs, made once in the bench's database), as after the code page."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from partners.selectors import second_factor_device

    device = second_factor_device(auditor) or TOTPDevice.objects.create(
        user=auditor, name="Banc d'essai", confirmed=True
    )
    client = Client()
    client.force_login(auditor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def person_client(access: Any) -> Any:
    """A client holding the person's session, as the code login leaves it."""
    from django.test import Client

    from casework.space import session as space_session

    client = Client()
    session = client.session
    now = time.time()
    session[space_session.ACCESS_ID] = access.pk
    session[space_session.LOGIN_AT] = now
    session[space_session.LAST_SEEN] = now
    session.save()
    return client


def measure(repeat: int, warmup: int) -> dict[str, Any]:
    from auditlog.context import disable_auditlog
    from django.test import Client, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from casework import services
    from casework.enums import InterviewChannel
    from casework.models import Case, Interview
    from orientation import delays, snapshots
    from orientation.supervision import dashboard, supervised_cases

    who = subjects()
    advisor, case, supervisor = who["advisor"], who["case"], who["supervisor"]
    head = who["department_supervisor"]
    # the supervisors' dashboards precomputed, as the refresh after writes or the night leaves them
    started = time.perf_counter()
    written = snapshots.refresh(supervisor.organisation.department_id)
    refresh_seconds = round(time.perf_counter() - started, 1)
    results: dict[str, Any] = {
        "snapshots": {"written": written, "seconds": refresh_seconds},
        "subjects": {
            "advisor_open_cases": Case.objects.visible_to(advisor).open().count(),
            "case_interviews": who["case_interviews"],
            "journal_name": who["common_name"],
            "supervisor_open_cases": supervised_cases(supervisor).open().count(),
            "department_supervisor_open_cases": supervised_cases(head).open().count(),
            "delays_cohort": delays.cohort(supervisor, timezone.localdate()).count(),
        },
    }

    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        as_advisor, as_supervisor, as_head = Client(), Client(), Client()
        as_auditor = auditor_client(who["auditor"])
        # a search by name is posted, kept in the session and shown by the next pages
        by_name = auditor_client(who["auditor"])
        posted = by_name.post(reverse("journal_search"), {"person": who["common_name"]})
        if posted.status_code != 302:
            raise RuntimeError(f"recherche par nom dans le journal : {posted.status_code}")
        as_advisor.force_login(advisor)
        as_supervisor.force_login(supervisor)
        as_head.force_login(head)

        def get(client: Client, url: str) -> Callable[[], Any]:
            def call() -> None:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} : {response.status_code}")

            return call

        as_person = person_client(who["person_access"])
        pages = {
            **{name: get(as_person, reverse(name)) for name in SPACE_PAGES},
            "portefeuille": get(as_advisor, reverse("caseload")),
            "portefeuille_guardian": get(as_advisor, reverse("bench_caseload_guardian")),
            "portefeuille_plancher": get(as_advisor, reverse("bench_caseload_floor")),
            "fiche_accompagnement": get(as_advisor, reverse("case_detail", args=[case.pk])),
            "tableau_de_bord": get(as_supervisor, reverse("supervision")),
            "tableau_de_bord_departement": get(as_head, reverse("supervision")),
            # what the page computed on each view before the snapshots (and still does without
            # one): the department's figures, live
            "calcul_direct_departement": lambda: dashboard(head),
            "delais": get(as_supervisor, reverse("supervision_delays")),
            "delais_liste": get(as_supervisor, reverse("supervision_delays_list")),
            # the delays computed live, as the page does without a snapshot of the day
            "calcul_direct_delais": lambda: delays.delays(supervisor),
            # the auditor's journal search: the latest rows of the department, one person's
            "journal": get(as_auditor, reverse("journal_search")),
            "journal_personne": get(
                as_auditor, f"{reverse('journal_search')}?person={case.beneficiary_id}"
            ),
            "journal_nom": get(by_name, reverse("journal_search")),
        }
        # the three portefeuilles list the same 50 people in the same order
        first_rows = {
            name: CASE_LINK.findall(as_advisor.get(reverse(url)).content.decode())
            for name, url in (
                ("portefeuille", "caseload"),
                ("portefeuille_guardian", "bench_caseload_guardian"),
                ("portefeuille_plancher", "bench_caseload_floor"),
            )
        }
        groups = (
            ("portefeuille", "portefeuille_guardian", "portefeuille_plancher"),
            ("fiche_accompagnement",),
            ("tableau_de_bord", "tableau_de_bord_departement", "calcul_direct_departement"),
            ("delais", "delais_liste", "calcul_direct_delais"),
            ("journal", "journal_personne", "journal_nom"),
            SPACE_PAGES,
        )
        for group in groups:
            print(f"   mesure : {', '.join(group)}", file=sys.stderr)
            timings = timed_interleaved({name: pages[name] for name in group}, repeat, warmup)
            for name in group:
                results[name] = {
                    **timings[name],
                    "queries": query_count(pages[name]),
                    "sql_ms": sql_ms(pages[name]),
                }

        today = timezone.localdate()
        url = reverse("interview_log", args=[case.pk])

        def service() -> None:
            services.interview_log(
                case=Case.objects.get(pk=case.pk),
                author=advisor,
                occurred_on=today,
                channel=InterviewChannel.PHONE,
                summary="Point téléphonique.",
            )

        def htmx_post() -> None:
            response = as_advisor.post(
                url,
                {
                    "occurred_on": today.isoformat(),
                    "channel": InterviewChannel.PHONE,
                    "summary": "Point téléphonique.",
                    "version": Case.objects.get(pk=case.pk).version,
                },
                headers={"HX-Request": "true"},
            )
            if response.status_code != 200:
                raise RuntimeError(f"{url} : {response.status_code}")

        def bare_insert() -> None:
            with disable_auditlog():
                Interview.objects.create(
                    case_id=case.pk,
                    author=advisor,
                    occurred_on=today,
                    channel=InterviewChannel.PHONE,
                    summary="Point téléphonique.",
                )

        writes = {
            "entretien_service": service,
            "entretien_htmx": htmx_post,
            "entretien_insert_nu": bare_insert,
        }
        print(f"   mesure : {', '.join(writes)}", file=sys.stderr)
        timings = timed_interleaved(writes, repeat, warmup, roll_back=True)
        for name, call in writes.items():
            results[name] = {**timings[name], "queries": query_count(rolled_back(call))}
    results["same_rows"] = (
        first_rows["portefeuille"]
        == first_rows["portefeuille_guardian"]
        == first_rows["portefeuille_plancher"]
    )
    return results


def measure_reminders_of_scale(count: int) -> dict[str, Any]:
    from bench.reminders import measure_reminders
    from casework import scale

    print(f"   mesure : {count} rappels par SMS", file=sys.stderr)
    department = scale.scale_department()
    if department is None:
        sys.exit("Aucun département d'essai.")
    return measure_reminders(department, count)


def measure_api_of_scale(writes: int) -> dict[str, Any]:
    from bench.api import measure_api
    from casework import scale

    print(
        f"   mesure : API partenaire, lecture page par page et {writes} écritures", file=sys.stderr
    )
    department = scale.scale_department()
    if department is None:
        sys.exit("Aucun département d'essai.")
    return measure_api(department, writes)


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("nan")


def machine() -> dict[str, Any]:
    from django.db import connection

    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": connection.pg_version,  # type: ignore[attr-defined]
    }


def api_targets(api: dict[str, Any]) -> dict[str, bool]:
    queries = api["listing"]["queries_per_page"]
    return {
        "API : chaque accompagnement lisible lu une fois, page par page": api["listing"][
            "every_case_once"
        ],
        "API : autant de requêtes SQL à la dernière page qu'à la première": (
            queries["premiere"] == queries["milieu"] == queries["derniere"]
        ),
    }


def report(
    people: int, seed: dict[str, Any], grants: int, measured: dict[str, Any]
) -> dict[str, Any]:

    rss = kib_to_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    floor, product = measured["portefeuille_plancher"], measured["portefeuille"]
    guardian = measured["portefeuille_guardian"]
    bare = measured["entretien_insert_nu"]
    ratios = {
        "portefeuille_sur_plancher_mediane": ratio(product["median_ms"], floor["median_ms"]),
        "guardian_sur_portefeuille_mediane": ratio(guardian["median_ms"], product["median_ms"]),
        "service_sur_insert_nu_mediane": ratio(
            measured["entretien_service"]["median_ms"], bare["median_ms"]
        ),
        "portefeuille_sur_plancher_p95": ratio(product["p95_ms"], floor["p95_ms"]),
        "guardian_sur_portefeuille_p95": ratio(guardian["p95_ms"], product["p95_ms"]),
        "guardian_sur_plancher_p95": ratio(guardian["p95_ms"], floor["p95_ms"]),
        "service_sur_insert_nu_p95": ratio(measured["entretien_service"]["p95_ms"], bare["p95_ms"]),
        "htmx_sur_insert_nu_p95": ratio(measured["entretien_htmx"]["p95_ms"], bare["p95_ms"]),
    }
    targets = {
        "portefeuille p95 ≤ 1,5 × plancher": ratios["portefeuille_sur_plancher_p95"] <= 1.5,
        "tableau de bord p95 ≤ 300 ms": measured["tableau_de_bord"]["p95_ms"] <= 300,
        "tableau de bord du département (précalculé), médiane ≤ 2 × portefeuille": (
            measured["tableau_de_bord_departement"]["median_ms"]
            <= 2 * measured["portefeuille"]["median_ms"]
        ),
        "délais p95 ≤ 300 ms": measured["delais"]["p95_ms"] <= 300,
        "délais, liste p95 ≤ 300 ms": measured["delais_liste"]["p95_ms"] <= 300,
        "journal de l'auditeur·rice p95 ≤ 300 ms": max(
            measured[name]["p95_ms"] for name in ("journal", "journal_personne", "journal_nom")
        )
        <= 300,
        "service d'entretien p95 ≤ 20 ms": measured["entretien_service"]["p95_ms"] <= 20,
        "POST htmx p95 ≤ 100 ms": measured["entretien_htmx"]["p95_ms"] <= 100,
        "processus de mesure < 300 Mio": rss < 300,
        **{
            f"espace de la personne, {name}, médiane < 100 ms": measured[name]["median_ms"] < 100
            for name in SPACE_PAGES
        },
        **api_targets(measured["api"]),
        "rappels : tous remis au fournisseur, aucun deux fois": (
            measured["rappels"]["sms_received"] == measured["rappels"]["queued"]
            and measured["rappels"]["sms_received_twice"] == 0
        ),
    }
    if seed.get("seconds") is not None and people >= 100_000:
        targets["seed_scale < 10 min"] = seed["seconds"] < 600
        targets["seed_scale < 2 Gio"] = seed["peak_rss_mib"] < 2048
    return {
        "people": people,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seed": seed,
        "guardian_generic_grants": grants,
        "measures": measured,
        "ratios": ratios,
        "bench_peak_rss_mib": rss,
        "targets": targets,
    }


def print_table(result: dict[str, Any]) -> None:
    m = result["measures"]
    load = result["machine"]["load_average"]
    where = f" × {result['departments']} départements" if result.get("departments", 1) > 1 else ""
    print(f"\nBanc d'essai — {result['people']} personnes{where} — charge {load}")
    print(f"{'mesure':<28}{'médiane ms':>12}{'p95 ms':>10}{'requêtes':>10}{'dont SQL ms':>13}")
    for name in (
        "portefeuille",
        "portefeuille_guardian",
        "portefeuille_plancher",
        "fiche_accompagnement",
        "tableau_de_bord",
        "tableau_de_bord_departement",
        "calcul_direct_departement",
        "delais",
        "delais_liste",
        "calcul_direct_delais",
        "journal",
        "journal_personne",
        "journal_nom",
        "entretien_service",
        "entretien_htmx",
        "entretien_insert_nu",
        *SPACE_PAGES,
    ):
        row = m[name]
        sql = f"{row['sql_ms']:>13.2f}" if "sql_ms" in row else ""
        print(f"{name:<28}{row['median_ms']:>12.2f}{row['p95_ms']:>10.2f}{row['queries']:>10}{sql}")
    if "http" in m:
        print_http(m, in_process=m)
    print("\nrapports")
    for name, value in result["ratios"].items():
        print(f"  {name:<34}{value:>8}")
    s = m["subjects"]
    print(
        f"\nportefeuille de {s['advisor_open_cases']} accompagnements ouverts ; fiche avec "
        f"{s['case_interviews']} entretiens ; tableau de bord sur {s['supervisor_open_cases']} "
        f"accompagnements ouverts ({s['department_supervisor_open_cases']} pour l'encadrant·e "
        f"du département) ; {m['snapshots']['written']} tableaux de bord précalculés en "
        f"{m['snapshots']['seconds']} s ; délais sur une cohorte de {s['delays_cohort']} "
        f"accompagnements proposés en douze mois ; journal cherché par le nom « "
        f"{s['journal_name']} » ; mêmes 50 lignes sur les trois chemins : "
        f"{m['same_rows']}"
    )
    seed = result["seed"]
    if seed.get("seconds") is not None:
        print(
            f"seed_scale : {seed['seconds']} s, mémoire maximale {seed['peak_rss_mib']} Mio"
            + (" (mesuré lors du chargement de cette base)" if seed.get("reused") else "")
        )
    print(f"mémoire maximale du processus de mesure : {result['bench_peak_rss_mib']} Mio")
    r = m["rappels"]
    print(
        f"rappels : {r['queued']} mis en file en {r['queue_seconds']} s "
        f"({r['queue_per_second']}/s), {r['relayed']} remis au faux fournisseur par un relais "
        f"en {r['relay_seconds']} s "
        f"({r['relay_per_second']}/s) ; reçus {r['sms_received']}, reçus deux fois "
        f"{r['sms_received_twice']}, erreurs {r['relay_errors']}"
    )
    print_api(m["api"])
    for target, ok in result["targets"].items():
        print(f"  [{'ok' if ok else 'MANQUÉ'}] {target}")


def print_http(m: dict[str, Any], in_process: dict[str, Any] | None) -> None:
    """The latency over HTTP beside the in-process one (when measured), then the throughput."""
    print(
        "\nsur HTTP (gunicorn, réglages de production, 1 processus, connexion HTTP gardée)"
        f"\n{'page':<24}{'en processus':>14}{'connexions persistantes':>26}"
        f"{'une connexion par requête':>28}"
    )
    for name, row in m["http"].items():
        kept, fresh = row["persistantes"], row["une_par_requete"]
        alone = f"{in_process[name]['median_ms']:>14.2f}" if in_process else f"{'—':>14}"
        print(
            f"{name:<24}{alone}"
            f"{kept['median_ms']:>14.2f} (p95 {kept['p95_ms']:>6.2f})"
            f"{fresh['median_ms']:>16.2f} (p95 {fresh['p95_ms']:>6.2f})"
        )
    print(
        "\ndébit sur HTTP (gunicorn, réglages de production, 2 processus, connexions "
        "persistantes)"
        f"\n{'page':<30}{'clients':>8}{'requêtes/s':>12}{'médiane ms':>12}{'p95 ms':>10}"
        f"{'erreurs':>9}{'charge':>8}"
    )
    for name, steps in m["debit"].items():
        for row in steps.values():
            print(
                f"{name:<30}{row['concurrence']:>8}{row['requetes_par_seconde']:>12.1f}"
                f"{row['median_ms']:>12.2f}{row['p95_ms']:>10.2f}{row['erreurs']:>9}"
                f"{row['charge']:>8.2f}"
            )


def print_api(api: dict[str, Any]) -> None:
    listing, writes = api["listing"], api["appointments"]
    queries = listing["queries_per_page"]
    print(
        f"API partenaire, lecture (followup:read, GET /api/v1/cases/ puis « next ») : "
        f"{listing['pages']} pages, {listing['rows']} accompagnements dont "
        f"{listing['open_rows']} ouverts (le département en a {api['department_open_cases']}), "
        f"{listing['seconds']} s, {listing['rows_per_second']} lignes/s ; par page : médiane "
        f"{listing['page']['median_ms']} ms, p95 {listing['page']['p95_ms']} ms ; requêtes SQL "
        f"par page : {queries['premiere']} (première), {queries['milieu']} (milieu), "
        f"{queries['derniere']} (dernière), dont SQL "
        f"{' / '.join(str(ms) for ms in listing['sql_ms_per_page'].values())} ms"
    )
    print(
        f"API partenaire, écritures (appointments:write, PUT …/appointments/<id>/) : "
        f"{writes['writes']} rendez-vous sur {writes['cases']} accompagnements, "
        f"{writes['seconds']} s, {writes['writes_per_second']} écritures/s ; médiane "
        f"{writes['write']['median_ms']} ms, p95 {writes['write']['p95_ms']} ms ; "
        f"{writes['queries_per_write']} requêtes SQL par écriture, dont SQL "
        f"{writes['sql_ms_per_write']} ms"
    )


def main() -> None:
    args = parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("Le banc d'essai mesure PostgreSQL : définissez DATABASE_URL.")
    call_command("migrate", verbosity=0)
    seed = seed_if_needed(args.people, args.departments)
    if args.only_api:
        api = measure_api_of_scale(args.api_writes)
        result = {
            "people": args.people,
            "departments": args.departments,
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "seed": seed,
            "measures": {"api": api},
            "targets": api_targets(api),
        }
        load = result["machine"]["load_average"]
        print(f"\nBanc d'essai de l'API — {args.people} personnes — charge {load}")
        print_api(api)
        for target, ok in result["targets"].items():
            print(f"  [{'ok' if ok else 'MANQUÉ'}] {target}")
        write_result(result, f"bench-api-{args.people}")
        return
    if args.only_http:
        from orientation import snapshots

        # the supervisors' figures as the nightly task leaves them (measure() does the same)
        snapshots.refresh(subjects()["supervisor"].organisation.department_id)
        http = measure_http(args)
        result = {
            "people": args.people,
            "departments": args.departments,
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "seed": seed,
            "measures": http,
        }
        load = result["machine"]["load_average"]
        print(f"\nBanc d'essai sur HTTP — {args.people} personnes — charge {load}")
        print_http(http, in_process=None)
        write_result(result, f"bench-http-{args.people}")
        return
    grants = mirror_grants_into_guardian_generic_tables()
    measured = measure(args.repeat, args.warmup)
    measured["rappels"] = measure_reminders_of_scale(args.reminders)
    measured["api"] = measure_api_of_scale(args.api_writes)
    if args.http:
        measured |= measure_http(args)
    result = {**report(args.people, seed, grants, measured), "departments": args.departments}
    print_table(result)
    suffix = f"-{args.departments}dep" if args.departments > 1 else ""
    write_result(result, f"bench-{args.people}{suffix}")


def measure_http(args: argparse.Namespace) -> dict[str, Any]:
    """The pages over HTTP: each one's latency, then the throughput at each concurrency."""
    from bench.over_http import measure_over_http, measure_throughput

    who = subjects()
    return {
        "http": measure_over_http(who, args.repeat, args.warmup),
        "debit": measure_throughput(
            who, args.concurrences, args.throughput_seconds, warmup=args.warmup
        ),
    }


def write_result(result: dict[str, Any], name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"\nRésultats : {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
