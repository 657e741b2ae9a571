"""Reads of the imports pages: a department's imports, the lines of an import still to confirm."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from casework.enums import CLOSED_FILE_STAGES
from casework.imports.services import pending_lines
from casework.models import Beneficiary, FlowImport


def flow_imports_of(department_id: int) -> QuerySet[FlowImport]:
    """The department's flow imports, latest first (their lines to confirm stay in the
    database: a first import may hold thousands)."""
    return (
        FlowImport.objects.filter(department_id=department_id)
        .select_related("imported_by")
        .defer("pending")
        .order_by("-imported_at", "-pk")
    )


@dataclass(frozen=True)
class LineToConfirm:
    """A person of Binôme matched by a flow only by names and birth date, with what the flow
    says of the RSA file (the values a confirmation writes)."""

    beneficiary: Beneficiary
    values: dict[str, Any]


def lines_to_confirm(flow_import: FlowImport) -> list[LineToConfirm]:
    """The lines waiting for a decision, with their people (one query): a person whose file was
    archived or disposed of since is not listed (the confirmation would be refused)."""
    lines = pending_lines(flow_import)
    people = Beneficiary.objects.filter(
        department_id=flow_import.department_id, pk__in={line["beneficiary"] for line in lines}
    ).exclude(file_stage__in=CLOSED_FILE_STAGES)
    by_id = {person.pk: person for person in people}
    seen: set[int] = set()
    found = []
    for line in lines:
        person = by_id.get(line["beneficiary"])
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        found.append(LineToConfirm(beneficiary=person, values=line["values"]))
    return found
