"""The SQL the real pages run uses indexes on the big tables, with production's planner settings.

The data is generated inside the test with generate_series (50,000 accompaniments, 200,000
interviews, 100,000 journal rows), analysed, and rolled back with the test's transaction. The
queries are captured from the real views (not copied by hand), explained in JSON, and any
sequential scan of the accompaniment, interview or journal tables fails the test. The planner's
``enable_*`` switches are never touched: the settings are those of config/settings/base.py
(docs/deployment.md).
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import Case, LedgerHead
from casework.space import services as space_services
from partners.enums import Role
from partners.models import Pair, Professional
from tests.casework.test_person_space import log_in_person
from tests.conftest import log_in
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CASES = 50_000
INTERVIEWS_PER_CASE = 4
JOURNAL_PER_CASE = 2
PAIRS = 60
BIG_TABLES = {"casework_case", "casework_interview", "casework_informationshare"}


def _generate(department_id: int, pairs: list[Pair]) -> None:
    ids = [pair.pk for pair in pairs]
    journal_seq = LedgerHead.objects.get(department_id=department_id).seq
    codenames = ("view_case", "change_case", "view_social_notes")
    permissions = dict(
        Permission.objects.filter(
            content_type__app_label="casework", codename__in=codenames
        ).values_list("codename", "pk")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO casework_beneficiary (department_id, first_name, last_name, birth_date,
                france_travail_id, rsa_paying_body, rsa_number, rsa_role, rsa_rights_and_duties,
                rsa_status, phone, email, address, postal_code, city, qpv_resident,
                education_level, created_at, file_stage)
            SELECT %s, 'Prénom' || g, 'Nom' || (g %% 997), DATE '1980-01-01' + (g %% 9000),
                lpad(g::text, 8, '0'), '', '', '', true, '', '', '', '', '', '', false, '', now(),
                'active'
            FROM generate_series(1, %s) g
            """,
            [department_id, CASES],
        )
        # 30 % open (active), 70 % closed, spread over the pairs
        cursor.execute(
            """
            INSERT INTO casework_case (beneficiary_id, pair_id, referent_id, state, proposed_on,
                entry_agreed_at, started_on, planned_end_on, closed_on, exit_reason,
                last_contact_on, last_interview_on, last_interview_by_id,
                last_referent_interview_on, orientation_path, diagnostic_state, six_month_review,
                extended_times, end_review_on, end_review, version, created_at)
            SELECT b.id, p.id, p.advisor_id,
                CASE WHEN b.n %% 10 < 3 THEN 'active' ELSE 'closed' END,
                CURRENT_DATE - (b.n %% 900) - 30, now(), CURRENT_DATE - (b.n %% 900),
                CURRENT_DATE - (b.n %% 900) + 365,
                CASE WHEN b.n %% 10 < 3 THEN NULL ELSE CURRENT_DATE - (b.n %% 300) END,
                CASE WHEN b.n %% 10 < 3 THEN '' ELSE 'other' END,
                CURRENT_DATE - (b.n %% 60), CURRENT_DATE - (b.n %% 60), p.advisor_id,
                CURRENT_DATE - (b.n %% 60), 'emploi', 'locked', '', 0,
                CASE WHEN b.n %% 10 < 3 THEN NULL ELSE CURRENT_DATE - (b.n %% 300) END,
                '', 1, now()
            FROM (SELECT id, (row_number() OVER (ORDER BY id))::int AS n FROM casework_beneficiary
                  WHERE department_id = %s) b
            JOIN partners_pair p ON p.id = (%s::bigint[])[1 + b.n %% %s]
            """,
            [department_id, ids, len(ids)],
        )
        cursor.execute(
            """
            INSERT INTO casework_caseuserobjectpermission (user_id, permission_id,
                content_object_id)
            SELECT g.user_id, g.permission_id, c.id
            FROM casework_case c JOIN partners_pair p ON p.id = c.pair_id
            CROSS JOIN LATERAL (VALUES (p.advisor_id, %(view)s), (p.advisor_id, %(change)s),
                (p.social_worker_id, %(view)s), (p.social_worker_id, %(change)s),
                (p.social_worker_id, %(social)s)) AS g(user_id, permission_id)
            WHERE p.department_id = %(department)s
            """,
            {
                "view": permissions["view_case"],
                "change": permissions["change_case"],
                "social": permissions["view_social_notes"],
                "department": department_id,
            },
        )
        cursor.execute(
            """
            INSERT INTO casework_interview (case_id, author_id, occurred_on, channel, three_way,
                interpreter, summary, created_at)
            SELECT c.id, c.referent_id, c.started_on + k * 30, 'phone', false, false, '', now()
            FROM casework_case c JOIN partners_pair p ON p.id = c.pair_id
            CROSS JOIN generate_series(1, %s) k
            WHERE p.department_id = %s
            """,
            [INTERVIEWS_PER_CASE, department_id],
        )
        # A loader, like seed_scale: without the journal's insert trigger that probes every
        # monthly partition for a fork (docs/architecture.md), as only the owner can.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO casework_informationshare (department_id, seq, prev_hash, hash, at,
                actor_id, actor_organisation, actor_job_title, case_id, beneficiary_id,
                object_type, object_id, category, recipient, basis, purpose, channel,
                request_id)
            SELECT %s, n, lpad(n::text, 64, '0'), lpad((n + 1)::text, 64, '0'),
                now() - (n || ' minutes')::interval, c.referent_id, '', '', c.id,
                c.beneficiary_id, '', '', '', '', 'legal', 'Consultation', 'view', ''
            FROM (SELECT c.*, (row_number() OVER (ORDER BY c.id, k))::int + %s AS n
                  FROM casework_case c JOIN partners_pair p ON p.id = c.pair_id
                  CROSS JOIN generate_series(1, %s) k WHERE p.department_id = %s) c
            """,
            # after the rows already there (the pairs' accounts and formations)
            [department_id, journal_seq, JOURNAL_PER_CASE, department_id],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute(  # the head follows, so that the application's own rows chain on
            """
            UPDATE casework_ledgerhead h SET seq = last.seq, hash = last.hash
            FROM (SELECT seq, hash FROM casework_informationshare WHERE department_id = %s
                  ORDER BY seq DESC LIMIT 1) last
            WHERE h.department_id = %s
            """,
            [department_id, department_id],
        )
        for table in (
            "casework_beneficiary",
            "casework_case",
            "casework_caseuserobjectpermission",
            "casework_interview",
            "casework_informationshare",
            "partners_pair",
            "partners_professional",
            "partners_organisation",
        ):
            cursor.execute(f"ANALYZE {table}")


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _sequential_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    return sorted(
        {
            node["Relation Name"]
            for node in _nodes(plan[0]["Plan"])
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
        }
    )


def _selects_of(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]


@pytest.fixture
def world() -> dict[str, Any]:
    # A bulk load, not a page: the statement timeout (20 s, docs/deployment.md) does not apply
    # to it, nor to the check of its deferred foreign keys at the end of the test's transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")
    department = DepartmentFactory()
    pairs = [PairFactory(department=department) for _ in range(PAIRS)]
    _generate(department.pk, pairs)
    advisor = pairs[0].advisor
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=advisor.organisation)
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation=advisor.organisation)
    case = Case.objects.filter(pair=pairs[0], state="active").order_by("pk").first()
    return {"advisor": advisor, "supervisor": supervisor, "auditor": auditor, "case": case}


def _client(professional: Professional) -> Client:
    return log_in(Client(), professional)  # with the second factor for the auditor


def _person_client(case: Case) -> Client:
    """The case's person, invited and logged into their space."""
    email = "personne.plans@exemple.fr"
    space_services.space_invite(case=case, email=email, acting_user=case.pair.social_worker)
    return log_in_person(Client(), email)


def test_planner_settings_are_production_ones():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        random_page_cost = cursor.fetchone()[0]
        cursor.execute("SHOW effective_io_concurrency")
        io_concurrency = cursor.fetchone()[0]
    # Behind PgBouncer the connection sends no startup options: the server's settings give the
    # same values (ALTER DATABASE … SET; in CI, .ci/pgbouncer's connect_query).
    expected_options = (
        None
        if settings.DATABASE_PGBOUNCER
        else "-c random_page_cost=1.1 -c effective_io_concurrency=200"
        f" -c statement_timeout={settings.DATABASE_STATEMENT_TIMEOUT}s"
    )
    assert settings.DATABASES["default"]["OPTIONS"].get("options") == expected_options
    assert (random_page_cost, io_concurrency) == ("1.1", "200")


def test_pages_use_indexes_on_the_big_tables(world):
    advisor, case = world["advisor"], world["case"]
    as_advisor = _client(advisor)
    pages = {
        "portefeuille": _selects_of(as_advisor, reverse("caseload")),
        "fiche": _selects_of(as_advisor, reverse("case_detail", args=[case.pk])),
        "journal de l'accompagnement": _selects_of(
            as_advisor, reverse("case_journal", args=[case.pk])
        ),
        "tableau de bord": _selects_of(_client(world["supervisor"]), reverse("supervision")),
        "journal du département": _selects_of(_client(world["auditor"]), reverse("journal_search")),
        "journal d'une personne": _selects_of(
            _client(world["auditor"]),
            f"{reverse('journal_search')}?person={case.beneficiary_id}",
        ),
        "changements de droits": _selects_of(_client(world["auditor"]), reverse("rights_changes")),
        "journal de la personne, dans son espace": _selects_of(
            _person_client(case), reverse("space_journal")
        ),
    }
    assert Case.objects.count() >= CASES

    scans = {
        (page, sql[:160]): tables
        for page, queries in pages.items()
        for sql in queries
        if (tables := _sequential_scans(sql))
    }

    assert scans == {}
