"""The application's PostgreSQL role, as docs/deployment.md § 3 sets it up with
config/postgres/app_role_grants.sql: it owns nothing, writes the journal and the audit trail
with INSERT only, and can neither TRUNCATE nor change the schema."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from casework import journal, partitions
from casework.enums import JournalChannel
from casework.models import InformationShare
from partners.enums import Role
from tests.partners.factories import DepartmentFactory, ProfessionalFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

GRANTS = Path(settings.BASE_DIR) / "config" / "postgres" / "app_role_grants.sql"


def _as_application_role() -> str:
    """A role made for this test only (rolled back with it), given the documented grants."""
    role = f"{connection.settings_dict['NAME']}_app"
    sql = (
        GRANTS.read_text(encoding="utf-8")
        .replace(':"app_role"', connection.ops.quote_name(role))
        .replace(":'app_role'", f"'{role}'")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {connection.ops.quote_name(role)} NOLOGIN")
        cursor.execute(sql)
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    return role


def test_application_role_only_selects_and_inserts_on_the_journal():
    department = DepartmentFactory()
    role = _as_application_role()

    # What the application does works: journal rows (its head moved), audited writes.
    rows = [
        journal.record(
            department=department, actor=None, channel=JournalChannel.VIEW, purpose=f"Vue {i}"
        )
        for i in range(2)
    ]
    ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)
    assert [row.seq for row in rows] == [1, 2]
    assert journal.verify(department).problem == ""

    for statement, refusal in (
        ("UPDATE casework_informationshare SET purpose = 'x'", "table casework_informationshare"),
        ("DELETE FROM casework_informationshare", "table casework_informationshare"),
        ("TRUNCATE casework_informationshare", "table casework_informationshare"),
        ("UPDATE auditlog_logentry SET object_repr = 'x'", "table auditlog_logentry"),
        ("DELETE FROM auditlog_logentry", "table auditlog_logentry"),
        ("TRUNCATE auditlog_logentry", "table auditlog_logentry"),
        ("DELETE FROM casework_ledgerhead", "table casework_ledgerhead"),
        ("TRUNCATE partners_department CASCADE", "table partners_department"),
        ("DELETE FROM django_migrations", "table django_migrations"),
        ("ALTER TABLE casework_informationshare DISABLE TRIGGER ALL", "casework_informationshare"),
        ("CREATE TABLE intrus (id int)", "schema public"),
    ):
        with (
            pytest.raises(DatabaseError, match=f"(permission denied|must be owner) .*{refusal}"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles "
            "WHERE rolname = %s)",
            [role],
        )
        assert cursor.fetchone() == (0,)
    # and the auditor's account creation, written under the application role too
    assert InformationShare.objects.filter(department=department).count() == 3


def test_application_role_creates_journal_partitions_through_the_function_only(today):
    month = today.replace(year=today.year + 10, day=1)
    name = f"casework_informationshare_{month:%Y_%m}"
    role = _as_application_role()

    # The beat's task, under the application's role: the month's partition, owned by the owner.
    assert partitions.journal_partitions_create(today=month, months_ahead=0) == [name]
    assert partitions.journal_partitions_create(today=month, months_ahead=0) == []
    assert partitions.audit_partitions_create(today=month, months_ahead=0) == [
        f"auditlog_logentry_{month:%Y_%m}"
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles "
            "WHERE rolname = %s)",
            [role],
        )
        assert cursor.fetchone() == (0,)

    for statement, refusal in (
        (f"SELECT count(*) FROM {name}", f"permission denied for table {name}"),  # noqa: S608 — a table named by the test
        (f"DELETE FROM {name}", f"permission denied for table {name}"),  # noqa: S608 — a table named by the test
        (
            "CREATE TABLE intrus PARTITION OF casework_informationshare "
            "FOR VALUES FROM ('1990-01-01') TO ('1990-02-01')",
            "(permission denied|must be owner)",
        ),
        (
            "SELECT binome_journal_guard_partition('casework_informationshare_default')",
            "permission denied for function binome_journal_guard_partition",
        ),
    ):
        with (
            pytest.raises(DatabaseError, match=refusal),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
