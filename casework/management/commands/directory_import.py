import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework import services
from partners.models import Department


class Command(BaseCommand):
    help = (
        "Importe l'offre d'insertion d'un département depuis un fichier JSON du schéma national "
        '(data·inclusion : {"structures": [...], "services": [...]}). Tout ou rien : une ligne '
        "refusée et rien n'est importé (code de sortie 1, chaque ligne refusée est listée)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("department", help="code du département (ex. 21)")
        parser.add_argument("path", help="fichier JSON au schéma national")

    def handle(self, *args: Any, **options: Any) -> None:
        department = Department.objects.filter(code=options["department"]).first()
        if department is None:
            raise CommandError(f"Département inconnu : {options['department']}")
        document = Path(options["path"]).read_bytes()
        report = services.directory_import(
            department=department, document=document, acting_user=None
        )
        if not report.ok:
            for rejection in report.rejected:
                self.stdout.write(
                    self.style.ERROR(
                        f"{rejection.section}, ligne {rejection.line}, {rejection.field} : "
                        f"{rejection.reason}"
                    )
                )
            self.stdout.write(f"{len(report.rejected)} refus : rien n'a été importé.")
            sys.exit(1)
        self.stdout.write(
            f"Import terminé : {report.created} créée(s), {report.updated} modifiée(s), "
            f"{report.unchanged} inchangée(s)."
        )
