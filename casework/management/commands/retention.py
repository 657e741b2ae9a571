from typing import Any

from django.core.management.base import BaseCommand

from casework import retention
from partners.models import Department


class Command(BaseCommand):
    help = (
        "Cycle de vie des dossiers : avis au référent, archive intermédiaire, élimination "
        "(avec le visa des Archives). --dry-run liste qui change d'étape et quand, sans rien "
        "écrire."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="lister sans rien écrire")
        parser.add_argument(
            "--days",
            type=int,
            default=retention.DEFAULT_HORIZON_DAYS,
            help="avec --dry-run : horizon en jours (défaut : %(default)s)",
        )
        parser.add_argument("--department", help="code d'un seul département")

    def handle(self, *args: Any, **options: Any) -> None:
        departments = Department.objects.order_by("code")
        if options["department"]:
            departments = departments.filter(code=options["department"])
        for department in departments:
            self.stdout.write(f"Département {department.code} {department.name}")
            if options["dry_run"]:
                moves = list(retention.retention_schedule(department, horizon_days=options["days"]))
                for move in moves:
                    self.stdout.write(f"  {move.label}")
                self.stdout.write(
                    f"  {len(moves)} dossier(s) changeront d'étape d'ici {options['days']} jours."
                )
                continue
            report = retention.retention_run(department=department)
            self.stdout.write(
                f"  {len(report.notices)} avis envoyés, {len(report.notices_cancelled)} avis "
                f"annulés, {len(report.archived)} archivés, {len(report.disposed)} éliminés, "
                f"{len(report.waiting_for_visa)} en attente du visa des Archives."
            )
