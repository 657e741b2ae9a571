from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework.errors import FlowConfirmationRefused
from casework.imports.services import pending_lines, rsa_flow_confirm
from casework.models import FlowImport
from partners.models import Professional


class Command(BaseCommand):
    help = (
        "Les rapprochements « à confirmer » d'un import de flux CAF/MSA (personnes reconnues "
        "seulement par leurs nom, prénom et date de naissance) : sans --person, la liste ; avec "
        "--person, la confirmation par un·e professionnel·le (--by), qui applique la situation RSA "
        "du flux à cette personne."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("flow_import", type=int, help="le numéro de l'import")
        parser.add_argument("--person", type=int, help="le numéro de la personne dans Binôme")
        parser.add_argument("--by", default="", help="adresse du ou de la professionnel·le")

    def handle(self, *args: Any, **options: Any) -> None:
        flow_import = FlowImport.objects.filter(pk=options["flow_import"]).first()
        if flow_import is None:
            raise CommandError(f"Import inconnu : n°{options['flow_import']}")
        if options["person"] is None:
            lines = pending_lines(flow_import)
            for line in lines:
                self.stdout.write(f"À confirmer : personne n°{line['beneficiary']}")
            self.stdout.write(f"{len(lines)} rapprochement(s) à confirmer.")
            return
        acting_user = Professional.objects.filter(email=options["by"], is_active=True).first()
        if acting_user is None:
            raise CommandError("Indiquez avec --by l'adresse d'un·e professionnel·le actif·ve.")
        try:
            rsa_flow_confirm(
                flow_import=flow_import,
                beneficiary_id=options["person"],
                acting_user=acting_user,
            )
        except FlowConfirmationRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"Rapprochement confirmé : situation RSA de la personne n°{options['person']} "
            "mise à jour."
        )
