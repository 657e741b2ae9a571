import importlib
import importlib.util
import resource
import sys
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from casework import scale

#: Apps that add rows to each chunk, with a ``scale`` module holding ``chunk_rows`` and ``MODELS``.
SCALE_APPS = ("orientation",)


class Command(BaseCommand):
    help = (
        "Charge un grand département d'essai (100 000 personnes par défaut) par COPY, pour "
        "mesurer les performances. PostgreSQL seulement, sur une base dédiée."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=scale.DEFAULT_PEOPLE,
            help=f"nombre de personnes accompagnées ({scale.DEFAULT_PEOPLE} par défaut)",
        )
        parser.add_argument(
            "--departments",
            type=int,
            default=1,
            help="nombre de départements de cette taille (1 par défaut ; le premier est mesuré)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="graine du tirage aléatoire")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale charge les données par COPY : il faut PostgreSQL (DATABASE_URL). "
                "Pour un premier essai sur SQLite, utilisez « manage.py seed_demo »."
            )
        if options["people"] < 100:
            raise CommandError("Il faut au moins 100 personnes (--people).")
        if not 1 <= options["departments"] <= 20:
            raise CommandError("Entre 1 et 20 départements (--departments).")
        existing = scale.scale_department()
        if existing is not None:
            raise CommandError(
                f"Cette base contient déjà le département d'essai ({existing.code}) : "
                "chargez-le dans une base neuve (dropdb puis createdb)."
            )
        extensions, models = [], []
        for app_label in SCALE_APPS:
            module_name = f"{apps.get_app_config(app_label).name}.scale"
            if importlib.util.find_spec(module_name) is not None:
                module = importlib.import_module(module_name)
                extensions.append(module.chunk_rows)
                models.extend(module.MODELS)
        report = scale.seed(
            people=options["people"],
            departments=options["departments"],
            seed=options["seed"],
            extensions=extensions,
            extension_models=models,
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"  {label} : {count}")
        self.stdout.write(
            self.style.SUCCESS(
                (
                    f"Départements d'essai chargés ({options['departments']}) : "
                    if options["departments"] > 1
                    else "Département d'essai chargé : "
                )
                + f"{report.people} personnes "
                f"en {report.seconds:.1f} s, mémoire maximale {peak / 1024:.0f} Mio."
            )
        )
        sys.stderr.flush()
