import importlib
import importlib.util
from base64 import b32encode
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from partners import demo

DEMO_PASSWORD = "demo-binome-2026"  # noqa: S105 — only set when DEBUG is on
#: Apps that contribute demo data, lowest layer first; each may have a
#: ``demo.seed_more(*, people)``.
DEMO_APPS = ("casework", "orientation")


class Command(BaseCommand):
    help = "Charge le département de démonstration (idempotent) et affiche une connexion par rôle."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=300,
            help="nombre de personnes accompagnées à créer (300 par défaut)",
        )
        parser.add_argument(
            "--new-api-key",
            action="store_true",
            help="remplacer la clé d'API du partenaire de démonstration et afficher la nouvelle",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = DEMO_PASSWORD if settings.DEBUG else None
        logins = demo.seed(password=password)
        more_lines: list[str] = []
        for app_label in DEMO_APPS:
            module_name = f"{apps.get_app_config(app_label).name}.demo"
            if importlib.util.find_spec(module_name) is not None:
                module = importlib.import_module(module_name)
                module.seed_more(people=options["people"])
                # An app's own logins (the person's space), printed after the professionals'.
                more_lines += getattr(module, "demo_lines", list)()
        partner_key = demo.seed_partner(new_key=options["new_api_key"])

        self.stdout.write(
            self.style.SUCCESS(f"Département de démonstration : {demo.DEMO_DEPARTMENT_NAME}")
        )
        self.stdout.write("Connexions de démonstration (une par rôle) :")
        width = max(len(role) for role, _ in logins)
        for role, email in logins:
            self.stdout.write(f"  {role.ljust(width)}  {email}")
        for line in more_lines:
            self.stdout.write(f"  {line}")
        if password:
            key = b32encode(bytes.fromhex(demo.DEMO_TOTP_KEY)).decode().rstrip("=")
            self.stdout.write(f"  Mot de passe de chaque compte : {password}")
            self.stdout.write(
                "  L'administration et l'audit demandent aussi un code de double "
                "authentification : « make code » (ou « .venv/bin/python manage.py demo_totp ») "
                "affiche le code du moment ; ou ajoutez la clé "
                f"{key} à une application "
                "d'authentification."
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    "  DEBUG est désactivé : aucun mot de passe de démonstration n'est posé. "
                    "Utilisez « manage.py changepassword <adresse> »."
                )
            )
        self.write_partner_key(partner_key)

    def write_partner_key(self, partner_key: demo.DemoPartnerKey) -> None:
        self.stdout.write(
            f"Système partenaire de démonstration : {demo.DEMO_PARTNER_NAME}, "
            f"{demo.DEMO_PARTNER_ORGANISATION} ({', '.join(demo.DEMO_PARTNER_SCOPES)})"
        )
        if partner_key.secret is None:
            self.stdout.write(
                f"  Une clé d'API est déjà en vigueur (préfixe {partner_key.prefix}) : seule son "
                "empreinte est gardée, elle ne peut pas être réaffichée. Pour une nouvelle clé "
                "(l'ancienne cesse aussitôt de fonctionner) : « .venv/bin/python manage.py "
                "seed_demo --new-api-key »."
            )
            return
        site = settings.BINOME_SITE_URL.rstrip("/")
        self.stdout.write(f"  Clé d'API (affichée une seule fois) : {partner_key.secret}")
        self.stdout.write(
            f'  Essai : curl -H "Authorization: Bearer {partner_key.secret}" {site}/api/v1/cases/'
        )
