"""The territory's offer in the national inclusion-offer schema (data·inclusion, schema v1).

The exchanged document is the schema's two lists in one JSON object,
``{"structures": [...], "services": [...]}``: each of our resources is a *service*, its provider
a *structure*. Every row is validated by the schema's own pydantic models
(``data_inclusion.schema.v1.Service`` and ``Structure``), then by our model; ``read`` returns
either the rows to write or the rejected rows (line, field, reason), never a part of them.
Our obstacle categories and the schema's themes map through ``CATEGORY_OF_THEME``.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from data_inclusion.schema.v1 import Service, Structure, Thematique
from django.core.exceptions import ValidationError
from pydantic import ValidationError as SchemaError

from casework.enums import ObstacleCategory
from casework.models import Resource
from partners.models import Department

#: Our category for a theme's family (the part before « -- »), or for one theme exactly.
CATEGORY_OF_FAMILY = {
    "logement-hebergement": ObstacleCategory.HOUSING,
    "sante": ObstacleCategory.HEALTH,
    "mobilite": ObstacleCategory.MOBILITY,
    "difficultes-financieres": ObstacleCategory.FINANCES,
    "famille": ObstacleCategory.FAMILY,
    "difficultes-administratives-ou-juridiques": ObstacleCategory.ADMINISTRATIVE,
    "numerique": ObstacleCategory.DIGITAL,
}
CATEGORY_OF_THEME = {
    "famille--garde-denfants": ObstacleCategory.CHILDCARE,
    "lecture-ecriture-calcul--maitriser-le-francais": ObstacleCategory.LANGUAGE,
}


def category_of(theme: str) -> str | None:
    """Our obstacle category for one of the schema's themes (None: no difficulty of ours)."""
    if theme in CATEGORY_OF_THEME:
        return CATEGORY_OF_THEME[theme]
    return CATEGORY_OF_FAMILY.get(theme.split("--")[0])


def categories_of(themes: Iterable[str]) -> list[str]:
    found = {category_of(theme) for theme in themes} - {None}
    return [value for value in ObstacleCategory.values if value in found]


def themes_of(category: str) -> list[str]:
    """Every theme of the schema that says ``category``."""
    return sorted(theme.value for theme in Thematique if category_of(theme.value) == category)


def themes_for(categories: Iterable[str], current: Iterable[str] = ()) -> list[str]:
    """The themes to store for ``categories``: the current ones that still fit (or that are none
    of ours), and every theme of a category that has none yet."""
    wanted = set(categories)
    kept = {t for t in current if category_of(t) is None or category_of(t) in wanted}
    covered = {category_of(t) for t in kept}
    for category in wanted - covered:
        kept |= set(themes_of(category))
    return sorted(kept)


def categories_field(categories: Iterable[str]) -> str:
    """The stored form of ``Resource.categories``: " housing mobility " (or "")."""
    values = [value for value in ObstacleCategory.values if value in set(categories)]
    return f" {' '.join(values)} " if values else ""


@dataclass(frozen=True)
class Rejection:
    """One reason a row is refused: ``line`` is the row's position (from 1) in its list."""

    section: str  # "services" or "structures" ("fichier" for the document itself)
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    rejected: list[Rejection] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.rejected


SCHEMA_REASONS = {
    "missing": "champ obligatoire absent",
    "enum": "valeur inconnue du schéma national",
    "string_too_short": "trop court",
    "string_too_long": "trop long",
    "string_pattern_mismatch": "format invalide",
    "date_from_datetime_parsing": "date invalide (AAAA-MM-JJ)",
    "date_parsing": "date invalide (AAAA-MM-JJ)",
    "date_type": "date invalide (AAAA-MM-JJ)",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "set_type": "liste attendue",
    "url_parsing": "adresse web invalide",
    "value_error": "",
}


def _schema_rejections(section: str, line: int, error: SchemaError) -> list[Rejection]:
    rejections = []
    for detail in error.errors():
        where = ".".join(str(part) for part in detail["loc"]) or "ligne"
        reason = SCHEMA_REASONS.get(detail["type"], "")
        if not reason:  # the schema's own messages are in French
            reason = str(detail["msg"]).removeprefix("Value error, ")
        if detail["type"] == "enum":
            reason = f"{reason} : {detail['input']!r}"
        rejections.append(Rejection(section, line, where, reason))
    return rejections


class DocumentRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.rejection = Rejection("fichier", 0, "fichier", reason)


def _lists(document: bytes | str) -> tuple[list[Any], list[Any]]:
    try:
        data = json.loads(document)
    except (ValueError, UnicodeDecodeError) as error:
        raise DocumentRefused(f"ce n'est pas un fichier JSON lisible ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("services"), list):
        raise DocumentRefused(
            'le fichier doit être un objet {"structures": [...], "services": [...]} '
            "(schéma national de l'offre d'insertion)"
        )
    structures = data.get("structures", [])
    if not isinstance(structures, list):
        raise DocumentRefused("« structures » doit être une liste")
    return structures, data["services"]


#: Our model's field for each schema field a row may carry (for the model's own checks).
FIELD_OF = {
    "source": "source",
    "id": "external_id",
    "nom": "name",
    "structure_id": "provider_id",
    "description": "description",
    "conditions_acces": "conditions",
    "telephone": "phone",
    "courriel": "email",
    "adresse": "address",
    "code_postal": "postal_code",
    "commune": "city",
    "zone_eligibilite": "area",
    "lien_source": "link",
    "date_maj": "updated_on",
}
SCHEMA_FIELD = {ours: theirs for theirs, ours in FIELD_OF.items()}


def _resource_fields(service: Service, provider: str) -> dict[str, Any]:
    themes = sorted(theme.value for theme in service.thematiques or ())
    return {
        "source": service.source,
        "external_id": service.id,
        "name": service.nom,
        "provider": provider,
        "provider_id": service.structure_id,
        "thematiques": themes,
        "categories": categories_field(categories_of(themes)),
        "description": service.description,
        "conditions": service.conditions_acces or "",
        "phone": service.telephone or "",
        "email": service.courriel or "",
        "address": service.adresse or "",
        "postal_code": service.code_postal or "",
        "city": service.commune or "",
        "area": list(service.zone_eligibilite or []),
        "link": str(service.lien_source) if service.lien_source else "",
        "updated_on": service.date_maj,
    }


def read(
    document: bytes | str, department: Department
) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """Validate a whole document: the resources' fields, or every rejected row (then no row)."""
    try:
        raw_structures, raw_services = _lists(document)
    except DocumentRefused as refused:
        return [], [refused.rejection]
    rejected: list[Rejection] = []
    providers: dict[str, str] = {}
    for line, raw in enumerate(raw_structures, start=1):
        try:
            structure = Structure.model_validate(raw)
        except SchemaError as error:
            rejected += _schema_rejections("structures", line, error)
            continue
        providers[structure.id] = structure.nom
    existing = dict(Resource.objects.of_department(department.pk).values_list("external_id", "pk"))
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, raw in enumerate(raw_services, start=1):
        try:
            service = Service.model_validate(raw)
        except SchemaError as error:
            rejected += _schema_rejections("services", line, error)
            continue
        if service.id in seen:
            rejected.append(
                Rejection("services", line, "id", "identifiant en double dans le fichier")
            )
            continue
        seen.add(service.id)
        if service.structure_id not in providers:
            rejected.append(
                Rejection("services", line, "structure_id", "structure absente de « structures »")
            )
            continue
        fields = _resource_fields(service, providers[service.structure_id])
        candidate = Resource(pk=existing.get(service.id), department=department, **fields)
        candidate._state.adding = candidate.pk is None  # an update is checked as one
        try:
            candidate.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    rejected.append(
                        Rejection("services", line, SCHEMA_FIELD.get(name, name), message)
                    )
            continue
        rows.append(fields)
    return ([] if rejected else rows), rejected


def _none_if_empty(value: Any) -> Any:
    return value if value else None


def export(resources: Iterable[Resource]) -> dict[str, Any]:
    """The directory as one document of the national schema, validated by its models."""
    structures: dict[str, dict[str, Any]] = {}
    services = []
    for resource in resources:
        service = Service.model_validate(
            {
                "source": resource.source,
                "structure_id": resource.provider_id,
                "id": resource.external_id,
                "nom": resource.name,
                "description": resource.description,
                "date_maj": resource.updated_on,
                "thematiques": resource.thematiques or themes_for(resource.category_list),
                "conditions_acces": _none_if_empty(resource.conditions),
                "telephone": _none_if_empty(resource.phone),
                "courriel": _none_if_empty(resource.email),
                "adresse": _none_if_empty(resource.address),
                "code_postal": _none_if_empty(resource.postal_code),
                "commune": _none_if_empty(resource.city),
                "zone_eligibilite": _none_if_empty(resource.area),
                "lien_source": _none_if_empty(resource.link),
            }
        )
        dumped = service.model_dump(mode="json", exclude_none=True)
        dumped["thematiques"] = sorted(dumped.get("thematiques", []))
        services.append(dumped)
        known = structures.get(resource.provider_id)
        if known is None or known["date_maj"] < resource.updated_on:
            structures[resource.provider_id] = {
                "source": resource.source,
                "id": resource.provider_id,
                "nom": resource.provider,
                "date_maj": resource.updated_on,
            }
    return {
        "structures": [
            Structure.model_validate(raw).model_dump(mode="json", exclude_none=True)
            for raw in structures.values()
        ],
        "services": services,
    }
