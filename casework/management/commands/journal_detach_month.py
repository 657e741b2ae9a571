import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework import partitions


class Command(BaseCommand):
    help = (
        "Détache du journal des accès et des partages son mois le plus ancien (PostgreSQL, en "
        "tant que propriétaire de la base), passé la durée de conservation de chaque "
        "département et quand plus aucune personne qu'il nomme n'a de dossier. La table "
        "détachée reste dans la base, hors du journal, pour l'archive (docs/deployment.md § 3)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("month", help="le mois, AAAA-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = datetime.date.fromisoformat(f"{options['month']}-01")
        except ValueError as error:
            raise CommandError(
                f"Mois attendu sous la forme AAAA-MM : {options['month']}"
            ) from error
        try:
            detached = partitions.journal_month_detach(month=month, today=timezone.localdate())
        except partitions.DetachRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        chains = ", ".join(
            f"{code} jusqu'à la ligne n°{seq}" for code, seq in detached.last_seqs.items()
        )
        self.stdout.write(
            f"{detached.table} détachée : {detached.rows} lignes ({chains or 'aucune chaîne'})."
        )
