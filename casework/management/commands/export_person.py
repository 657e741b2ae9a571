from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework import rights
from casework.models import Beneficiary
from partners.enums import Role
from partners.models import Professional


class Command(BaseCommand):
    help = (
        "Produit l'export complet des données d'une personne (droit d'accès) : un fichier JSON "
        "et un document lisible en français (HTML imprimable). L'export est inscrit au journal."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("beneficiary_id", type=int, help="numéro de la personne")
        parser.add_argument(
            "--output-dir", default=".", help="dossier où écrire les deux fichiers (défaut : .)"
        )
        parser.add_argument(
            "--by", help="adresse électronique du ou de la DPO qui produit l'export (journal)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        beneficiary = (
            Beneficiary.objects.select_related("department")
            .filter(pk=options["beneficiary_id"])
            .first()
        )
        if beneficiary is None:
            raise CommandError(f"Aucune personne n°{options['beneficiary_id']}.")
        actor = None
        if options["by"]:
            actor = Professional.objects.filter(
                email=options["by"], role=Role.AUDITOR, is_active=True
            ).first()
            if actor is None:
                raise CommandError(f"{options['by']} n'est pas un·e auditeur·rice actif·ve.")
        export = rights.person_export(beneficiary=beneficiary, acting_user=actor)
        directory = Path(options["output_dir"])
        directory.mkdir(parents=True, exist_ok=True)
        for suffix, text in (("json", export.json_text), ("html", export.html_text)):
            path = directory / f"{export.basename}.{suffix}"
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Écrit : {path}")
