"""The territory's offer (« offre d'insertion du territoire »): resources entered by the functional
administrator or imported from a document of the national schema (``casework.directory`` reads it).
"""

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from casework import directory
from casework.enums import ObstacleCategory
from casework.errors import InvalidInput
from casework.models import Resource
from casework.services._base import check_directory_admin, save
from partners.errors import InvalidTransition
from partners.models import Department, Professional


#: The source named in the national schema for what is entered here.
def directory_source(department: Department) -> str:
    return f"binome-{department.code}"


@transaction.atomic
def resource_save(
    *,
    department: Department,
    acting_user: Professional | None,
    resource: Resource | None = None,
    categories: Iterable[str],
    **fields: Any,
) -> Resource:
    """Create or change a resource of the territory's offer (the functional administrator)."""
    check_directory_admin(acting_user, department)
    chosen = [value for value in ObstacleCategory.values if value in set(categories)]
    if not chosen:
        raise InvalidInput("Cochez au moins une difficulté à laquelle elle répond.", "categories")
    if resource is None:
        resource = Resource(
            department=department,
            source=directory_source(department),
            external_id=f"{directory_source(department)}--{uuid.uuid4().hex[:12]}",
        )
        if not fields.get("provider_id"):
            fields["provider_id"] = f"{directory_source(department)}--{slugify(fields['provider'])}"
    elif resource.department_id != department.pk:
        raise InvalidTransition("Cette ressource relève d'un autre département.")
    for name, value in fields.items():
        setattr(resource, name, value.strip() if isinstance(value, str) else value)
    resource.thematiques = directory.themes_for(chosen, resource.thematiques)
    resource.categories = directory.categories_field(chosen)
    resource.updated_on = timezone.localdate()
    save(resource, acting_user)
    return resource


def directory_import(
    *, department: Department, document: bytes | str, acting_user: Professional | None
) -> directory.ImportReport:
    """Import a document of the national schema: every row, or none.

    Every row is validated first; one rejected row and nothing is written (the report lists each
    rejected row: line, field, reason). Then one transaction creates or updates the resources
    by their identifier in the schema.
    """
    check_directory_admin(acting_user, department)
    rows, rejected = directory.read(document, department)
    report = directory.ImportReport(rejected=rejected)
    if rejected:
        return report
    with transaction.atomic():
        existing = {
            resource.external_id: resource
            for resource in Resource.objects.of_department(department.pk).select_for_update()
        }
        for fields in rows:
            resource = existing.get(fields["external_id"])
            if resource is None:
                save(Resource(department=department, **fields), acting_user)
                report.created += 1
                continue
            if all(getattr(resource, name) == value for name, value in fields.items()):
                report.unchanged += 1
                continue
            for name, value in fields.items():
                setattr(resource, name, value)
            save(resource, acting_user)
            report.updated += 1
    return report
