"""The import of a list of people to follow (issue 24): all or nothing, in one transaction.

The rows' outcomes are computed again here from the file (``lists.preview``), not taken from the
page: what is created is what the file says at the moment of the import.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from casework import journal
from casework.enums import JournalChannel
from casework.errors import ListImportRefused
from casework.imports.lists import Outcome, Row, Table, Target, preview
from casework.models import Beneficiary, Case, InformationShare
from casework.services.cases import beneficiary_create, case_propose
from partners.errors import DomainError
from partners.models import Department, Pair, Professional


@dataclass
class ListReport:
    created: list[Beneficiary] = field(default_factory=list)
    #: Every accompaniment proposed: to the people created, and to known people not accompanied.
    proposed: list[Case] = field(default_factory=list)
    left: int = 0  # rows not imported: unticked, already accompanied, or known without a binôme


@transaction.atomic
def people_list_import(
    *,
    department: Department,
    table: Table,
    mapping: dict[str, str],
    lines: set[int],
    pair: Pair | None,
    acting_user: Professional,
) -> ListReport:
    """Create the people of the rows ``lines`` (ticked by the administrator) and, when ``pair``
    is given, propose their accompaniment to that binôme, and that of the known people ticked
    who have none under way (through ``case_propose``, like a professional's proposal). A ticked
    row refused, or one whose creation or proposal a rule refuses, and nothing is imported
    (``ListImportRefused``, with each line and its reason)."""
    rows = preview(
        department_id=department.pk, table=table, mapping=mapping, propose=pair is not None
    ).rows
    chosen = [row for row in rows if row.line in lines]
    refused = [(row.line, row.reason) for row in chosen if row.outcome == Outcome.REFUSED]
    if refused:
        raise ListImportRefused(refused)
    report = ListReport(left=len(rows))
    shares: list[InformationShare] = []
    handled = 0
    for row in chosen:
        if row.outcome == Outcome.KNOWN and row.selectable and pair is not None:
            proposed = _propose_known(row, pair, acting_user)
            report.proposed.append(proposed)
            handled += 1
            shares.append(
                journal.entry(
                    department=department,
                    actor=acting_user,
                    channel=JournalChannel.IMPORT,
                    purpose=f"Accompagnement proposé au binôme par l'import de la liste "
                    f"« {table.name} »",
                    case=proposed,
                    object_type="people_list",
                )
            )
            continue
        if not row.can_import:
            continue
        handled += 1
        beneficiary, case = _create(row, department, pair, acting_user)
        report.created.append(beneficiary)
        if case is not None:
            report.proposed.append(case)
        shares.append(
            journal.entry(
                department=department,
                actor=acting_user,
                channel=JournalChannel.IMPORT,
                purpose=f"Personne créée par l'import de la liste « {table.name} »"
                + (" : accompagnement proposé au binôme" if case is not None else ""),
                beneficiary=beneficiary,
                case=case,
                object_type="people_list",
            )
        )
    report.left -= handled
    journal.record_many(department, shares)
    journal.record(
        department=department,
        actor=acting_user,
        channel=JournalChannel.IMPORT,
        purpose=(
            f"Import de la liste « {table.name} » : {len(report.created)} personne(s) créée(s), "
            f"{len(report.proposed)} accompagnement(s) proposé(s), {report.left} ligne(s) "
            "non importée(s)"
        ),
        object_type="people_list",
    )
    return report


def _propose_known(row: Row, pair: Pair, acting_user: Professional) -> Case:
    """Propose the accompaniment of a known person (``row.match``) to ``pair``."""
    if row.match is None:
        raise ListImportRefused([(row.line, "Personne introuvable : déposez à nouveau la liste.")])
    try:
        return case_propose(beneficiary=row.match, pair=pair, acting_user=acting_user)
    except DomainError as error:
        raise ListImportRefused([(row.line, error.message)]) from error


def _create(
    row: Row, department: Department, pair: Pair | None, acting_user: Professional
) -> tuple[Beneficiary, Case | None]:
    values = row.values
    try:
        beneficiary = beneficiary_create(
            department=department,
            acting_user=acting_user,
            last_name=values[Target.LAST_NAME],
            first_name=values[Target.FIRST_NAME],
            birth_date=values[Target.BIRTH_DATE],
            france_travail_id=values[Target.FRANCE_TRAVAIL_ID],
            phone=values[Target.PHONE],
            email=values[Target.EMAIL],
        )
        case = (
            case_propose(beneficiary=beneficiary, pair=pair, acting_user=acting_user)
            if pair is not None
            else None
        )
    except DomainError as error:
        raise ListImportRefused([(row.line, error.message)]) from error
    except ValidationError as error:
        reason = " ; ".join(
            message for messages in error.message_dict.values() for message in messages
        )
        raise ListImportRefused([(row.line, reason)]) from error
    return beneficiary, case
