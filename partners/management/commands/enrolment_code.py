from typing import Any

from django.core.management.base import BaseCommand, CommandError

from partners import services
from partners.errors import DomainError
from partners.models import Professional


class Command(BaseCommand):
    help = (
        "Émet un code d'enrôlement de la double authentification pour un compte "
        "d'administration ou d'audit (le premier administrateur d'un déploiement, ou quand "
        "aucun autre administrateur ne peut le faire) et l'affiche une fois."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="adresse électronique du compte")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip().lower()
        professional = Professional.objects.filter(email=email).first()
        if professional is None:
            raise CommandError(f"Aucun compte n'a l'adresse {email}.")
        try:
            code = services.enrolment_code_issue(professional=professional, acting_user=None)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Code d'enrôlement de {professional.email} : {code}\n"
            "Valable 7 jours, une seule fois, avec la première activation de la double "
            "authentification. Remettez-le par téléphone ou en main propre, jamais par e-mail."
        )
