import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework import directory
from casework.models import Resource
from partners.models import Department


class Command(BaseCommand):
    help = (
        "Exporte l'offre d'insertion d'un département au schéma national (data·inclusion), "
        "en JSON sur la sortie standard ou dans un fichier."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("department", help="code du département (ex. 21)")
        parser.add_argument("--output", "-o", help="fichier à écrire (sinon la sortie standard)")

    def handle(self, *args: Any, **options: Any) -> None:
        department = Department.objects.filter(code=options["department"]).first()
        if department is None:
            raise CommandError(f"Département inconnu : {options['department']}")
        document = directory.export(Resource.objects.of_department(department.pk).order_by("pk"))
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as output:
                output.write(text)
            self.stdout.write(f"{len(document['services'])} ressource(s) exportée(s).")
        else:
            self.stdout.write(text)
