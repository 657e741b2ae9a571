"""Measure a CAF/MSA flow import on PostgreSQL (docs/deployment.md § 12, « Measured »).

    DATABASE_URL=postgres://…/binome_bench DJANGO_SETTINGS_MODULE=config.settings.test \\
        python -m tests.casework.rsa_flow_bench 20000 /tmp/flux.xml --dedicated-database
    /usr/bin/time -v python manage.py rsa_flow_import /tmp/flux.xml --department 21

Writes a monthly flow of N households (a claimant and a partner each; one in ten suspended, one in
97 closed) and makes half of the claimants known to Binôme in department 21 (inserted directly,
RSA details blank, so the import updates each of them). Run it on a DEDICATED database only: it
forgets the department's previous imports so the same file can be measured again.
"""

import argparse
import datetime
import os
import pathlib
import sys

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("households", type=int)
    parser.add_argument("path", type=pathlib.Path)
    parser.add_argument("--dedicated-database", action="store_true", required=True)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL : une base PostgreSQL dédiée à la mesure.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.db import connection

    from partners.models import Department
    from tests.casework.flows import FlowPersonSpec, HouseholdSpec, write_flow

    today = datetime.date.today()  # noqa: DTZ011 (a measurement, not a test)
    department, _ = Department.objects.get_or_create(code="21", defaults={"name": "Côte-d'Or"})

    def households():
        for i in range(args.households):
            born = datetime.date(1970, 1, 1) + datetime.timedelta(days=i % 9000)
            yield HouseholdSpec(
                number=f"{i:07d}",
                persons=[
                    FlowPersonSpec(f"NOM{i}", "Émile", born, "DEM", f"{i:07d}X"),
                    FlowPersonSpec(f"NOM{i}", "Zoé", datetime.date(1972, 1, 1), "CJT"),
                ],
                state="3" if i % 10 == 0 else ("5" if i % 97 == 0 else "2"),
                suspension=("01", today) if i % 10 == 0 else None,
                closing=("PCG", today) if i % 97 == 0 else None,
            )

    with args.path.open("wb") as target:
        write_flow(target, households(), created_on=today, kind="M")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM casework_flowimport WHERE department_id = %s", [department.pk])
        cursor.execute(
            "UPDATE casework_beneficiary SET rsa_paying_body = '', rsa_number = '', "
            "rsa_role = '', rsa_status = '', rsa_status_reason = '', rsa_status_on = NULL, "
            "rsa_flow_on = NULL, rsa_rights_and_duties = false "
            "WHERE department_id = %s AND france_travail_id LIKE '%%X'",
            [department.pk],
        )
        cursor.execute(
            """
            INSERT INTO casework_beneficiary (department_id, first_name, last_name, birth_date,
                france_travail_id, rsa_paying_body, rsa_number, rsa_role, rsa_rights_and_duties,
                rsa_status, phone, email, address, postal_code, city, qpv_resident,
                education_level, created_at, file_stage)
            SELECT %s, 'Émile', 'NOM' || g, DATE '1970-01-01' + (g %% 9000),
                lpad(g::text, 7, '0') || 'X', '', '', '', false, '', '', '', '', '', '', false,
                '', now(), 'active'
            FROM generate_series(0, %s - 1, 2) g
            WHERE NOT EXISTS (SELECT 1 FROM casework_beneficiary
                              WHERE france_travail_id = lpad(g::text, 7, '0') || 'X')
            """,
            [department.pk, args.households],
        )
    print(f"{args.path} : {args.path.stat().st_size} octets, {args.households} foyers.")


if __name__ == "__main__":
    main()
