import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework import heads, journal
from partners.models import Department


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne de hachage du journal des accès et des partages de chaque département "
        "et, avec --heads, qu'elle porte encore chaque tête publiée. Code de sortie 0 si tout "
        "est intact, 1 en nommant la première ligne qui ne va pas ou les lignes manquantes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--department", help="code d'un seul département")
        parser.add_argument(
            "--heads",
            metavar="FICHIER",
            help="fichier des têtes publiées et signées (écrit par audit_publish_heads)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        published = _read_heads(options["heads"]) if options["heads"] else None
        departments = Department.objects.order_by("code")
        if options["department"]:
            departments = departments.filter(code=options["department"])
        checked, broken = 0, False
        for department in departments:
            report = journal.verify(department)
            checked += report.checked
            if report.intact:
                self.stdout.write(
                    f"Département {report.department_code} : {report.checked} lignes, intact."
                )
            else:
                broken = True
                self.stdout.write(
                    self.style.ERROR(f"Département {report.department_code} : {report.problem}")
                )
        self.stdout.write(f"{checked} lignes vérifiées.")
        if published is not None:
            if options["department"]:
                published = [item for item in published if item[0] == options["department"]]
            for comparison in heads.verify_published(published):
                if comparison.ok:
                    self.stdout.write(comparison.describe())
                else:
                    broken = True
                    self.stdout.write(self.style.ERROR(comparison.describe()))
            self.stdout.write(f"{len(published)} tête(s) publiée(s) comparée(s).")
        if broken:
            sys.exit(1)


def _read_heads(path: str) -> list[tuple[str, heads.Head]]:
    try:
        return heads.read_signed(Path(path).read_text(encoding="utf-8"), heads.public_key())
    except (OSError, ValueError) as error:
        raise CommandError(f"Têtes publiées ({path}) : {error}") from error
