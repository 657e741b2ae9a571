import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework.imports.services import rsa_flow_apply
from partners.models import Department, Professional


class Command(BaseCommand):
    help = (
        "Importe un flux bénéficiaires CAF ou MSA (XML national, windows-1252 ou UTF-8, quotidien "
        "ou mensuel) pour un département : met à jour la situation RSA des personnes déjà connues, "
        "tout ou rien. Un fichier refusé : rien n'est importé (code de sortie 1, chaque erreur "
        "est listée avec sa ligne). Voir docs/deployment.md § 12."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="le fichier du flux (XML)")
        parser.add_argument("--department", required=True, help="code du département (ex. 21)")
        parser.add_argument(
            "--dry-run", action="store_true", help="essai à blanc : le rapport, sans rien écrire"
        )
        parser.add_argument(
            "--by", default="", help="adresse électronique du ou de la professionnel·le qui importe"
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=10_000,
            help="une ligne de progression toutes les N personnes lues (10 000 par défaut)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        department = Department.objects.filter(code=options["department"]).first()
        if department is None:
            raise CommandError(f"Département inconnu : {options['department']}")
        acting_user = None
        if options["by"]:
            acting_user = Professional.objects.filter(
                email=options["by"],
                is_active=True,
                organisation__department=department,
            ).first()
            if acting_user is None:
                raise CommandError(
                    f"Aucun·e professionnel·le actif·ve du département {department.code} "
                    f"avec l'adresse {options['by']}"
                )
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")

        def progress(count: int) -> None:
            self.stdout.write(f"… {count} personne(s) lue(s)")

        with path.open("rb") as stream:
            report = rsa_flow_apply(
                department=department,
                stream=stream,
                file_name=path.name,
                acting_user=acting_user,
                dry_run=options["dry_run"],
                progress=progress,
                progress_every=max(1, options["progress_every"]),
            )
        for line in report.lines():
            self.stdout.write(line)
        if report.error_count:
            sys.exit(1)
