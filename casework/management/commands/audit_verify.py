import sys
from typing import Any

from django.core.management.base import BaseCommand

from casework import journal
from partners.models import Department


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne de hachage du journal des accès et des partages de chaque département. "
        "Code de sortie 0 si elles sont intactes, 1 en nommant la première ligne qui ne va pas."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--department", help="code d'un seul département")

    def handle(self, *args: Any, **options: Any) -> None:
        departments = Department.objects.order_by("code")
        if options["department"]:
            departments = departments.filter(code=options["department"])
        checked, broken = 0, []
        for department in departments:
            report = journal.verify(department)
            checked += report.checked
            if report.intact:
                self.stdout.write(
                    f"Département {report.department_code} : {report.checked} lignes, intact."
                )
            else:
                broken.append(report)
                self.stdout.write(
                    self.style.ERROR(f"Département {report.department_code} : {report.problem}")
                )
        self.stdout.write(f"{checked} lignes vérifiées.")
        if broken:
            sys.exit(1)
