"""The restore drill (docs/deployment.md, « Restauration »): dump, restore into a new database,
verify the journal there, and compare each department's head with the heads published before.

The check of the restored copy runs in a second process of this command (``--check-restored``)
whose DATABASE_URL names the copy: the same code as ``audit_verify``, on the copy only."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from casework import heads, journal
from partners.models import Department


class Command(BaseCommand):
    help = (
        "Exercice de restauration (PostgreSQL) : sauvegarde la base (pg_dump), la restaure dans "
        "une base neuve (pg_restore), y vérifie le journal (comme audit_verify) et compare la "
        "tête de chaque département aux têtes publiées. Code de sortie 0 si tout concorde, 1 sinon."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--published",
            help="fichier des têtes publiées : lignes signées d'audit_publish_heads (vérifiées "
            "avec la clé publique) ou JSON de journal_heads ; par défaut, les têtes lues juste "
            "avant la sauvegarde",
        )
        parser.add_argument(
            "--keep", action="store_true", help="garder la base restaurée (sinon supprimée)"
        )
        parser.add_argument(
            "--check-restored",
            action="store_true",
            help="(étape interne) vérifier la base configurée, la copie restaurée, contre "
            "--published",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "L'exercice de restauration demande PostgreSQL (DATABASE_URL) : la base "
                "configurée n'en est pas une."
            )
        if options["check_restored"]:
            published = _read(options["published"])
            if not self._check(published):
                sys.exit(1)
            return
        if options["published"]:
            _read(options["published"])  # refused here, before the dump, if it cannot be trusted
            origin = options["published"]
        else:
            origin = "lues juste avant la sauvegarde"
        source = connection.settings_dict
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        target = f"{source['NAME'][:30]}_restore_drill_{stamp}"
        env = _pg_env(source)
        self.stdout.write(f"Exercice de restauration de la base {source['NAME']} vers {target}.")
        with tempfile.TemporaryDirectory(prefix="binome-drill-") as folder:
            dump = Path(folder) / "binome.dump"
            if options["published"]:
                heads_file = Path(options["published"]).resolve()
            else:
                heads_file = Path(folder) / "heads.json"
                heads_file.write_text(heads.dumps(heads.current()), encoding="utf-8")
            started = time.perf_counter()
            _run(["pg_dump", "--format=custom", f"--file={dump}", source["NAME"]], env)
            dump_seconds = time.perf_counter() - started
            self.stdout.write(
                f"Sauvegarde (pg_dump, format custom) : {dump_seconds:.1f} s, "
                f"{_size(dump.stat().st_size)}."
            )
            _run(["createdb", target], env)
            try:
                started = time.perf_counter()
                restore = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}"]
                _run([*restore, str(dump)], env)
                restore_seconds = time.perf_counter() - started
                self.stdout.write(
                    f"Restauration (pg_restore) : {restore_seconds:.1f} s, base restaurée de "
                    f"{_size(_database_size(target))}."
                )
                self.stdout.write(f"Têtes publiées : {origin}.")
                started = time.perf_counter()
                check = subprocess.run(  # noqa: S603 (this very command, on the copy)
                    [
                        sys.executable,
                        str(settings.BASE_DIR / "manage.py"),
                        "restore_drill",
                        "--check-restored",
                        f"--published={heads_file}",
                    ],
                    env={**os.environ, "DATABASE_URL": _url(os.environ["DATABASE_URL"], target)},
                    capture_output=True,
                    text=True,
                    check=False,
                )
                verify_seconds = time.perf_counter() - started
                self.stdout.write(check.stdout.rstrip())
                if check.returncode not in (0, 1):
                    raise CommandError(f"Vérification impossible : {check.stderr.strip()}")
            finally:
                if options["keep"]:
                    self.stdout.write(f"Base restaurée gardée : {target}.")
                else:
                    _run(["dropdb", "--force", target], env)
                    self.stdout.write(f"Base restaurée supprimée : {target}.")
        total = dump_seconds + restore_seconds + verify_seconds
        self.stdout.write(
            f"Durées : sauvegarde {dump_seconds:.1f} s, restauration {restore_seconds:.1f} s, "
            f"vérification {verify_seconds:.1f} s ; total {total:.1f} s."
        )
        if check.returncode:
            self.stdout.write(self.style.ERROR("Exercice de restauration : ÉCHEC."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("Exercice de restauration : réussi."))

    def _check(self, published: list[tuple[str, heads.Head]]) -> bool:
        """On the restored copy: every chain intact (as audit_verify), every published head kept."""
        ok, checked = True, 0
        for department in Department.objects.order_by("code"):
            report = journal.verify(department)
            checked += report.checked
            if report.intact:
                self.stdout.write(
                    f"Département {report.department_code} : {report.checked} lignes, intact."
                )
            else:
                ok = False
                self.stdout.write(f"Département {report.department_code} : {report.problem}")
        self.stdout.write(f"{checked} lignes vérifiées dans la base restaurée.")
        for comparison in heads.verify_published(published):
            ok = ok and comparison.ok
            self.stdout.write(comparison.describe())
        return ok


def _read(path: str | None) -> list[tuple[str, heads.Head]]:
    """The published heads: signed lines (every signature checked) or journal_heads' JSON."""
    if not path:
        raise CommandError("--check-restored demande --published.")
    try:
        text = Path(path).read_text(encoding="utf-8")
        if heads.is_signed(text):
            return heads.read_signed(text, heads.public_key())
        return list(heads.loads(text).items())
    except (OSError, ValueError) as error:
        raise CommandError(f"Têtes publiées ({path}) : {error}") from error


#: libpq keywords Django passes through ``OPTIONS``, and the variables pg_dump, pg_restore,
#: createdb and dropdb read them from (TLS, the server's role, the planner ``options``…).
LIBPQ_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


def _pg_env(source: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the server of the default database (pg_dump, createdb…): its host,
    port, user, password and every libpq option of ``DATABASE_URL``. The web's statement timeout
    never bounds them: pg_dump and pg_restore set their own to 0, and so does ``PGOPTIONS`` for
    createdb and dropdb (dropping a large database on a busy server outlasts 20 seconds)."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if source.get(key):
            env[variable] = str(source[key])
    if source.get("PASSWORD"):
        env["PGPASSWORD"] = str(source["PASSWORD"])
    for keyword, value in (source.get("OPTIONS") or {}).items():
        if keyword in LIBPQ_VARIABLES and value not in (None, ""):
            env[LIBPQ_VARIABLES[keyword]] = str(value)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c statement_timeout=0".strip()
    return env


def _url(database_url: str, name: str) -> str:
    """``DATABASE_URL`` naming the database ``name`` instead: every other part (credentials,
    host, port, the options of its query string) is the same."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{quote(name, safe='')}"))


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{command[0]} a échoué ({result.returncode}) : {result.stderr.strip()}")


def _database_size(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(%s)", [name])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} Mo"
