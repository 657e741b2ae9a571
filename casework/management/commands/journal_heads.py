from typing import Any

from django.core.management.base import BaseCommand

from casework import heads


class Command(BaseCommand):
    help = (
        "Affiche en JSON la tête de la chaîne du journal de chaque département (numéro et "
        "empreinte de la dernière ligne), à publier chaque jour hors de portée des "
        "administrateurs de la base (docs/audit.md) et à donner à restore_drill --published."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(heads.dumps(heads.current()))
