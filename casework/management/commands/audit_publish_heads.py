from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework import heads


class Command(BaseCommand):
    help = (
        "Publie la tête de la chaîne du journal de chaque département (numéro, empreinte et date "
        "de la dernière ligne), signée avec la clé Ed25519 gardée hors de la base : une ligne "
        "JSON par département ajoutée au fichier et envoyée au ou à la DPO du département. "
        "Chaque nuit (tâche beat) ; à relire avec audit_verify --heads (docs/audit.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            help="fichier des têtes publiées (lignes JSON, complété à chaque publication) ; "
            "par défaut BINOME_HEADS_FILE",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"] or settings.BINOME_HEADS_FILE
        if not path:
            raise CommandError(
                "Indiquez le fichier des têtes publiées (argument ou BINOME_HEADS_FILE)."
            )
        try:
            published = heads.publish(path=Path(path))
        except (heads.HeadsKeyMissing, OSError) as error:
            raise CommandError(f"Publication des têtes impossible : {error}") from error
        for item in published:
            sent = (
                f"envoyée au ou à la DPO ({len(item.recipients)} adresse(s))."
                if item.recipients
                else "aucun·e DPO actif·ve dans le département : dans le fichier seulement."
            )
            self.stdout.write(
                f"Département {item.department_code} : ligne n°{item.head.seq} "
                f"({item.head.hash[:12]}…), {sent}"
            )
        self.stdout.write(f"{len(published)} tête(s) signée(s) ajoutée(s) à {path}.")
