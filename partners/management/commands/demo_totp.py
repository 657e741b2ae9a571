from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from partners import demo


class Command(BaseCommand):
    help = (
        "Affiche le code de double authentification du moment des comptes de démonstration "
        "(administration, audit). Seulement avec DEBUG activé."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Réservé à la démonstration (DEBUG activé).")
        devices = demo.demo_totp_devices()
        if not devices:
            raise CommandError("Aucun compte de démonstration : lancez d'abord « make run ».")
        for device in devices:
            code = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            self.stdout.write(f"  {device.user.email}  {code.token():06d}")
        self.stdout.write("Chaque code vaut 30 secondes (une minute de tolérance).")
