"""Where a person's data lives: the registry the access export and the final disposal read.

Each app registers, in its ``ready()``, every model holding data about a person: the lookup path
from the model to the ``Beneficiary``, the export section's French title, and the free-text fields
erased at disposal. ``tests/casework/test_person_export.py`` walks the model graph and fails if a
model pointing at a person is not registered here, or if the export of a complete file omits it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q

from partners.models import PartnerSystem, Professional

PERMISSION_LABELS = {
    "view_case": "consulter l'accompagnement",
    "change_case": "écrire dans l'accompagnement",
    "view_social_notes": "lire les notes sociales",
}

#: What replaces free text at disposal (required text fields cannot be empty).
ERASED = "[effacé]"

#: Where a text that names professionals puts their names: after this mark, so that the copies
#: handed to the person leave them out unless the department decided to show names
#: (``Department.journal_shows_names``).
NAMES_MARK = " — nommé·es : "


def with_names_after(text: str, names: str, length: int) -> str:
    """``text`` then the names after ``NAMES_MARK``, cut to ``length`` characters (the names
    are cut, never ``text``)."""
    full = f"{text}{NAMES_MARK}{names}"
    return full if len(full) <= length else full[: length - 1] + "…"


def without_names(text: str) -> str:
    return text.split(NAMES_MARK, 1)[0]


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    #: Lookup from the model to the person (``""`` for the person's own row); several when the
    #: model reaches people by more than one road (a notification: its case or its request).
    person_path: str | tuple[str, ...]
    section: str
    #: Erased at final disposal.
    free_text: tuple[str, ...] = ()
    #: Internal technical fields left out of the export (hash chains, IP addresses).
    not_exported: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("pk",)
    #: Text fields that may name professionals after ``NAMES_MARK``.
    named: tuple[str, ...] = ()


REGISTRY: dict[type[models.Model], PersonalData] = {}


def register(
    model: type[models.Model],
    *,
    person_path: str | tuple[str, ...],
    section: str,
    free_text: tuple[str, ...] = (),
    not_exported: tuple[str, ...] = (),
    order_by: tuple[str, ...] = ("pk",),
    named: tuple[str, ...] = (),
) -> None:
    REGISTRY[model] = PersonalData(
        model, person_path, section, free_text, not_exported, order_by, named
    )


def track(
    model: type[models.Model],
    *,
    person_path: str | tuple[str, ...],
    section: str,
    free_text: tuple[str, ...] = (),
    audited: bool = True,
    masked: tuple[str, ...] = (),
    not_exported: tuple[str, ...] = (),
    order_by: tuple[str, ...] = ("pk",),
    named: tuple[str, ...] = (),
    **auditlog_options: Any,
) -> None:
    """Register a model holding data about a person: in this registry and, unless
    ``audited=False``, in auditlog with its free text (and ``masked`` identity) masked."""
    register(
        model,
        person_path=person_path,
        section=section,
        free_text=free_text,
        not_exported=not_exported,
        order_by=order_by,
        named=named,
    )
    if audited:
        from auditlog.registry import auditlog

        auditlog.register(model, mask_fields=[*free_text, *masked], **auditlog_options)


def rows_about(entry: PersonalData, beneficiary_id: int) -> models.QuerySet[Any]:
    paths = (entry.person_path,) if isinstance(entry.person_path, str) else entry.person_path
    about = Q()
    for path in paths:
        about |= Q(**{f"{path}__pk" if path else "pk": beneficiary_id})
    return entry.model._base_manager.filter(about).distinct().order_by(*entry.order_by)


def exported_fields(entry: PersonalData) -> list[models.Field[Any, Any]]:
    return [
        field for field in entry.model._meta.concrete_fields if field.name not in entry.not_exported
    ]


def models_pointing_at_people() -> set[type[models.Model]]:
    """Every model with a chain of foreign keys (or many-to-many) to ``Beneficiary``."""
    from django.apps import apps

    from casework.models import Beneficiary

    found: set[type[models.Model]] = {Beneficiary}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in found or model._meta.auto_created:
                continue
            targets = {
                field.related_model
                for field in model._meta.get_fields()
                if (field.many_to_one or field.one_to_one or field.many_to_many)
                and not field.auto_created  # forward relations only
                and field.related_model is not None
            }
            if targets & found:
                found.add(model)
                changed = True
    return found


@dataclass
class ExportedRow:
    """One object, as (label, readable value) pairs for the document and raw values for JSON."""

    readable: list[tuple[str, str]]
    raw: dict[str, Any]


@dataclass
class ExportedSection:
    key: str
    title: str
    rows: list[ExportedRow]


def _raw(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _professional_label(professional: Professional, with_names: bool) -> str:
    organisation = professional.organisation.name if professional.organisation else ""
    job = professional.job_title or professional.get_role_display()
    label = f"{job}, {organisation}" if organisation else job
    return f"{professional.get_full_name()} ({label})" if with_names else label


def _readable(
    instance: models.Model,
    field: models.Field[Any, Any],
    professionals: dict[int, Professional],
    permissions: dict[int, str],
    with_names: bool,
    partner_systems: dict[int, str],
) -> str:
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return "—"
    if field.is_relation:
        if field.related_model is Professional:
            return _professional_label(professionals[value], with_names)
        if field.related_model is Permission:
            return PERMISSION_LABELS.get(permissions[value], permissions[value])
        if field.related_model is PartnerSystem:
            return partner_systems[value]
        return f"n°{value}"
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return value.astimezone().strftime("%d/%m/%Y à %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


def export_sections(beneficiary_id: int, *, with_names: bool) -> Iterator[ExportedSection]:
    """Every registered model's rows about the person, in registration order.

    Professionals appear by job title and organisation (names only if the department decided
    so: ``Department.journal_shows_names``), in relations and in the ``named`` text fields.
    """
    fetched = [(entry, list(rows_about(entry, beneficiary_id))) for entry in REGISTRY.values()]
    professional_ids = {
        getattr(instance, field.attname)
        for entry, instances in fetched
        for instance in instances
        for field in exported_fields(entry)
        if field.is_relation and field.related_model is Professional
    } - {None}
    professionals = Professional.objects.select_related("organisation").in_bulk(professional_ids)
    permissions = dict(Permission.objects.values_list("pk", "codename"))
    # A row a partner system wrote through the API names it (no professional recorded it).
    partner_systems = {
        system.pk: f"{system.name} ({system.organisation}, système partenaire)"
        for system in PartnerSystem.objects.filter(
            pk__in={
                getattr(instance, field.attname)
                for entry, instances in fetched
                for instance in instances
                for field in exported_fields(entry)
                if field.is_relation and field.related_model is PartnerSystem
            }
            - {None}
        )
    }
    for entry, instances in fetched:
        fields = exported_fields(entry)
        for instance in instances if not with_names else ():
            for name in entry.named:  # in memory only: these rows are never saved
                setattr(instance, name, without_names(getattr(instance, name)))
        yield ExportedSection(
            key=entry.model._meta.label_lower,
            title=entry.section,
            rows=[
                ExportedRow(
                    readable=[
                        (
                            str(field.verbose_name),
                            _readable(
                                instance,
                                field,
                                professionals,
                                permissions,
                                with_names,
                                partner_systems,
                            ),
                        )
                        for field in fields
                    ],
                    raw={field.attname: _raw(getattr(instance, field.attname)) for field in fields},
                )
                for instance in instances
            ],
        )
