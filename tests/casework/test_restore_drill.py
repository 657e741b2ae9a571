import json
from io import StringIO
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from casework import heads, journal
from casework.enums import JournalChannel
from casework.management.commands import restore_drill
from casework.models import GENESIS_HASH
from partners.demo import DEMO_DEPARTMENT_CODE
from partners.models import Department, Professional
from tests.casework.test_published_heads import write_keys
from tests.partners.factories import DepartmentFactory, ProfessionalFactory
from tests.refusals import refused


def _record(department: Department, actor: Professional, count: int = 1) -> None:
    for index in range(count):
        journal.record(
            department=department, actor=actor, channel=JournalChannel.VIEW, purpose=f"Vue {index}"
        )


def _drill(tmp_path, published: dict[str, heads.Head]) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "heads.json"
    path.write_text(heads.dumps(published), encoding="utf-8")
    return _drill_file(path)


def _drill_file(path: Path) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("restore_drill", "--published", str(path), stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def _restored_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [f"{connection.settings_dict['NAME'][:30]}_restore_drill_%"],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_drill_matches_published_heads_then_names_a_tampered_department(tmp_path):
    # seed_demo takes minutes on a loaded machine: CI runs the drill on it (`make restore-drill`).
    demo = DepartmentFactory(code=DEMO_DEPARTMENT_CODE)
    _record(demo, ProfessionalFactory(organisation__department=demo), count=120)
    other = DepartmentFactory(code="21")
    _record(other, ProfessionalFactory(organisation__department=other), count=3)
    published = heads.current()
    _record(demo, Professional.objects.filter(organisation__department=demo).first())

    code, report = _drill(tmp_path, published)

    demo_head = published[DEMO_DEPARTMENT_CODE]
    # its professional's account creation, then 3 rows
    assert (code, published["21"]) == (0, heads.Head(4, published["21"].hash))
    assert demo_head.seq > 100
    assert "Département 21 : 4 lignes, intact." in report
    assert "Département 21 : tête identique à la tête publiée (ligne n°4)." in report
    assert (
        f"Département {DEMO_DEPARTMENT_CODE} : la chaîne prolonge la tête publiée "
        f"(ligne n°{demo_head.seq}) de 1 ligne(s), jusqu'à la ligne n°{demo_head.seq + 1}."
    ) in report
    for part in ("Sauvegarde (pg_dump, format custom)", "Restauration (pg_restore)", "Durées :"):
        assert part in report
    assert report.rstrip().endswith("Exercice de restauration : réussi.")

    tampered = {**published, "21": heads.Head(2, "f" * 64)}
    code, report = _drill(tmp_path, tampered)

    assert code == 1
    assert (
        "Département 21 : la ligne n°2 ne porte pas l'empreinte publiée (ffffffffffff…) : "
        "chaîne divergente."
    ) in report
    assert f"Département {DEMO_DEPARTMENT_CODE} : la chaîne prolonge" in report
    assert report.rstrip().endswith("Exercice de restauration : ÉCHEC.")
    assert _restored_databases() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_drill_reads_the_signed_heads_and_refuses_a_forged_one(
    tmp_path, settings, monkeypatch
):
    _key, private, public = write_keys(tmp_path)
    settings.BINOME_HEADS_SIGNING_KEY_FILE = str(private)
    settings.BINOME_HEADS_PUBLIC_KEY_FILE = str(public)
    monkeypatch.setenv("BINOME_HEADS_PUBLIC_KEY_FILE", str(public))  # the check's own process
    department = DepartmentFactory(code="21")
    actor = ProfessionalFactory(organisation__department=department)
    _record(department, actor, count=3)
    signed = tmp_path / "heads.jsonl"
    call_command("audit_publish_heads", str(signed), stdout=StringIO())
    _record(department, actor)

    code, report = _drill_file(signed)

    assert code == 0
    assert (
        "Département 21 : la chaîne prolonge la tête publiée (ligne n°4) de 1 ligne(s), "
        "jusqu'à la ligne n°5."
    ) in report
    line = json.loads(signed.read_text(encoding="utf-8"))
    signed.write_text(json.dumps({**line, "seq": 9}) + "\n", encoding="utf-8")
    with refused(
        CommandError,
        f"Têtes publiées ({signed}) : ligne 1 (département 21, ligne n°9) : signature invalide, "
        "tête falsifiée ou modifiée après sa publication ; fichier refusé, rien n'est vérifié.",
    ):
        _drill_file(signed)
    assert _restored_databases() == []


@pytest.mark.django_db
def test_heads_compare_names_lost_rows_and_a_missing_department():
    department = DepartmentFactory(code="21")
    _record(department, ProfessionalFactory(organisation__department=department), count=2)
    found = heads.current()["21"]
    published = {"21": heads.Head(5, "a" * 64), "35": heads.Head(0, GENESIS_HASH)}

    comparisons = heads.compare(published)

    assert [c.describe() for c in comparisons] == [
        "Département 21 : la chaîne s'arrête à la ligne n°3, avant la tête publiée (ligne n°5) : "
        "2 ligne(s) perdue(s) (n°4 à n°5).",
        "Département 35 : département absent de cette base.",
    ]
    assert found.seq == 3  # the account creation, then 2 rows


def test_journal_heads_prints_what_restore_drill_reads(db):
    department = DepartmentFactory(code="21")
    _record(department, ProfessionalFactory(organisation__department=department))
    out = StringIO()

    call_command("journal_heads", stdout=out)

    assert heads.loads(out.getvalue()) == heads.current()
    assert list(json.loads(out.getvalue())["heads"]) == ["21"]
    with pytest.raises(ValueError, match="fichier de têtes publiées illisible"):
        heads.loads('{"têtes": {}}')


def test_the_copy_and_the_dump_keep_every_libpq_option_of_the_database_url():
    """TLS to a managed server: the check of the copy and pg_dump/createdb connect as the
    application does (sslmode, its root certificate, the server's role), not in the clear."""
    url = (
        "postgres://binome:s%40cret@db.interne:6432/binome"
        "?sslmode=verify-full&sslrootcert=/etc/binome/ca.pem&target_session_attrs=read-write"
    )

    copy = restore_drill._url(url, "binome_restore_drill_1")
    env = restore_drill._pg_env(dj_database_url.parse(url))

    expected = {
        "PGHOST": "db.interne",
        "PGPORT": "6432",
        "PGUSER": "binome",
        "PGPASSWORD": "s@cret",
        "PGSSLMODE": "verify-full",
        "PGSSLROOTCERT": "/etc/binome/ca.pem",
        "PGTARGETSESSIONATTRS": "read-write",
    }
    assert copy == url.replace("/binome?", "/binome_restore_drill_1?")
    assert {name: env.get(name) for name in expected} == expected


def test_the_maintenance_tools_run_without_the_webs_statement_timeout():
    """createdb and dropdb read PGOPTIONS: the application's 20-second statement timeout (in
    DATABASE_URL's options) must not cancel the drop of a large copy on a busy server."""
    url = "postgres://binome@db.interne/binome?options=-c%20statement_timeout%3D20s"

    env = restore_drill._pg_env(dj_database_url.parse(url))

    assert env["PGOPTIONS"] == "-c statement_timeout=20s -c statement_timeout=0"
