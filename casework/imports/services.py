"""Apply a CAF/MSA flow to the people of a department (issue 24, docs/deployment.md § 12).

``rsa_flow_apply`` reads the file once, in one transaction: all or nothing per file. People are
matched by chunks (three queries per chunk, whatever the rule that matches):

1. the France Travail identifier (IDASSEDIC);
2. else the paying body + matricule + role (claimant or partner);
3. else surname + first name + birth date: never applied by itself; the line waits in the
   import's record for a professional to confirm it (``rsa_flow_confirm``).

Unknown people are never created: the report counts them. Only the RSA fields the design lists
are written; a right closed or a file transferred to another organism puts the person's open
accompaniments « à examiner » (never closes them). Each changed person gets an audit row (their
own ``save``) and a journal row; the file gets one journal row with its counts.
"""

import datetime
import hashlib
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from casework import journal
from casework.enums import (
    CLOSED_FILE_STAGES,
    OPEN_STATES,
    CaseReviewReason,
    FlowImportState,
    JournalChannel,
    PayingBody,
    RsaRole,
    RsaStatus,
)
from casework.errors import FlowConfirmationRefused
from casework.imports.reader import FlowError, FlowPerson, FlowReader
from casework.models import Beneficiary, Case, FlowImport, InformationShare
from partners.audit import acting_as, audited_bulk
from partners.models import Department, Professional

CHUNK = 500
JOURNAL_BATCH = 1000
#: From this many people updated in a chunk, the chunk is saved through ``audited_bulk`` (a
#: monthly flow, a first import); below, each person is saved with their own audit row.
BULK_FROM = 50
#: The fields of ``Beneficiary`` a flow may write: the design's list, and the date of the flow.
RSA_FIELDS = (
    "rsa_paying_body",
    "rsa_number",
    "rsa_role",
    "rsa_rights_and_duties",
    "rsa_status",
    "rsa_status_reason",
    "rsa_status_on",
    "homeless",
)
#: How the journal names the import when no professional ran it (a scheduled command).
IMPORT_LABEL = "Import d'un flux CAF/MSA"


@dataclass
class FlowReport:
    """What an import did, or would do (``dry_run``), or why it did nothing (``errors``)."""

    file_name: str
    sha256: str
    dry_run: bool = False
    kind: str = ""
    created_on: datetime.date | None = None
    households: int = 0
    people: int = 0
    matched: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0
    to_confirm: int = 0
    unknown: int = 0
    to_review: int = 0
    errors: list[FlowError] = field(default_factory=list)
    error_count: int = 0
    already_imported: FlowImport | None = None
    flow_import: FlowImport | None = None
    #: The record of a refused file (its errors; nothing of it applied).
    refused_import: FlowImport | None = None

    @property
    def applied(self) -> bool:
        return self.flow_import is not None and not self.dry_run

    def lines(self) -> list[str]:
        """The report in French, one line each."""
        lines = [f"Fichier : {self.file_name} (SHA-256 {self.sha256[:16]}…)"]
        if self.already_imported is not None:
            done = self.already_imported
            at = timezone.localtime(done.imported_at)
            lines.append(
                f"Ce fichier a déjà été importé le {at:%d/%m/%Y à %H:%M} (import n°{done.pk}) : "
                "rien n'a changé."
            )
            return lines
        if self.error_count:
            lines.append(
                f"Fichier refusé : {self.error_count} erreur(s). Rien n'a été importé de ce "
                "fichier."
            )
            lines += [f"  - {error}" for error in self.errors]
            if self.error_count > len(self.errors):
                lines.append(f"  … et {self.error_count - len(self.errors)} autre(s).")
            if self.refused_import is not None:
                lines.append(f"Refus enregistré : import n°{self.refused_import.pk}.")
            return lines
        created = f"{self.created_on:%d/%m/%Y}" if self.created_on else "?"
        lines += [
            f"{self.kind} créé le {created} : {self.households} foyer(s), "
            f"{self.people} demandeur·se(s) ou conjoint·e(s).",
            f"Personnes reconnues : {self.matched}",
            f"  dont mises à jour : {self.updated}",
            f"  dont inchangées : {self.unchanged}",
            f"  dont ignorées car un flux plus récent est déjà appliqué : {self.older}",
            f"Rapprochements à confirmer (nom, prénom et date de naissance) : {self.to_confirm}",
            f"Personnes inconnues de Binôme (non créées) : {self.unknown}",
            f"Accompagnements mis « à examiner » : {self.to_review}",
        ]
        if self.dry_run:
            lines.append("Essai à blanc : rien n'a été enregistré.")
        elif self.flow_import is not None:
            lines.append(f"Import n°{self.flow_import.pk} enregistré.")
        return lines


class _Rollback(Exception):
    pass


def file_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while block := stream.read(1024 * 1024):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def name_key(text: str) -> str:
    """Names compared without case, accents, hyphens or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.replace("-", " ").replace("'", " ").casefold().split())


@transaction.atomic
def rsa_flow_apply(
    *,
    department: Department,
    stream: IO[bytes],
    file_name: str,
    acting_user: Professional | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10_000,
) -> FlowReport:
    """Import one flow file for ``department``: all or nothing; ``dry_run`` reports and writes
    nothing. A file already applied (same SHA-256) changes nothing: the report says so."""
    sha256 = file_sha256(stream)
    report = FlowReport(file_name=file_name, sha256=sha256, dry_run=dry_run)
    done = FlowImport.objects.filter(
        department=department, sha256=sha256, state=FlowImportState.APPLIED
    ).first()
    if done is not None:
        report.already_imported = done
        return report
    reader = FlowReader(stream, department_code=department.code)
    try:
        with transaction.atomic():
            _apply(reader, report, department, file_name, acting_user, progress, progress_every)
            report.households = reader.households
            report.errors, report.error_count = reader.errors, reader.error_count
            if reader.error_count or dry_run:
                raise _Rollback
    except _Rollback:
        report.flow_import = None
    if report.error_count and not dry_run:
        report.refused_import = _record_refusal(
            department, file_name, report, reader.header, acting_user
        )
    return report


def _record_refusal(
    department: Department,
    file_name: str,
    report: FlowReport,
    header: Any,
    acting_user: Professional | None,
) -> FlowImport:
    """A refused file leaves a trace: its record (the errors, by place in the file) and a
    journal row; nothing of its content."""
    refused = FlowImport(
        department=department,
        kind=header.kind if header is not None else "",
        created_on=header.created_on if header is not None else None,
        file_name=file_name[:255],
        sha256=report.sha256,
        state=FlowImportState.REFUSED,
        imported_by=acting_user,
        errors=[
            {
                "line": error.line,
                "path": error.path,
                "element": error.element,
                "household": error.household,
                "message": error.message,
            }
            for error in report.errors
        ],
        error_count=report.error_count,
    )
    refused.full_clean()
    with acting_as(acting_user):
        refused.save()
    journal.record(
        department=department,
        actor=acting_user,
        actor_label=IMPORT_LABEL,
        channel=JournalChannel.IMPORT,
        purpose=(
            f"Fichier refusé : « {file_name} » — {report.error_count} erreur(s), rien n'a été "
            "importé"
        ),
        object_type="flow_import",
        object_id=str(refused.pk),
    )
    return refused


def _apply(
    reader: FlowReader,
    report: FlowReport,
    department: Department,
    file_name: str,
    acting_user: Professional | None,
    progress: Callable[[int], None] | None,
    progress_every: int,
) -> None:
    flow_import: FlowImport | None = None
    changed = array("q")  # the people updated, for their journal rows at the end
    people = iter(reader)
    while chunk := list(islice(people, CHUNK)):
        header = reader.header
        if header is None or reader.error_count:
            # Keep reading to report every error, but write nothing more.
            continue
        if flow_import is None:
            flow_import = _new_import(
                department, file_name, report.sha256, header, chunk, acting_user
            )
            report.flow_import = flow_import
            report.kind = header.kind.label
            report.created_on = header.created_on
        before = report.people
        _apply_chunk(chunk, report, department, flow_import, acting_user, changed)
        if progress is not None:
            for step in range(before // progress_every + 1, report.people // progress_every + 1):
                progress(step * progress_every)
    header = reader.header
    if reader.error_count or header is None:
        return
    if flow_import is None:  # a flow with no claimant or partner at all
        flow_import = _new_import(department, file_name, report.sha256, header, [], acting_user)
        report.flow_import = flow_import
        report.kind, report.created_on = header.kind.label, header.created_on
    flow_import.households = reader.households
    for name in ("matched", "updated", "unchanged", "to_confirm", "unknown", "to_review"):
        setattr(flow_import, name, getattr(report, name))
    flow_import.full_clean()
    with acting_as(acting_user):
        flow_import.save()
    # The journal, last in the transaction (it locks the department's chain head).
    purpose = (
        f"Situation RSA mise à jour par le {header.kind.label.lower()} du "
        f"{header.created_on:%d/%m/%Y}"
    )
    batch: list[InformationShare] = []
    for beneficiary_id, case_id in _pairs(changed):
        batch.append(
            journal.entry(
                department=department,
                actor=acting_user,
                actor_label=IMPORT_LABEL,
                channel=JournalChannel.IMPORT,
                purpose=purpose,
                beneficiary=Beneficiary(pk=beneficiary_id, department=department),
                case=Case(pk=case_id) if case_id else None,
                object_type="flow_import",
                object_id=str(flow_import.pk),
            )
        )
        if len(batch) == JOURNAL_BATCH:  # a thousand rows at a time: memory stays flat
            journal.record_many(department, batch)
            batch = []
    journal.record_many(department, batch)
    journal.record(
        department=department,
        actor=acting_user,
        actor_label=IMPORT_LABEL,
        channel=JournalChannel.IMPORT,
        purpose=(
            f"Import d'un flux : « {file_name} », {header.kind.label.lower()} du "
            f"{header.created_on:%d/%m/%Y} — {reader.households} foyer(s), {report.matched} "
            f"reconnue(s), {report.updated} mise(s) à jour, {report.unchanged} inchangée(s), "
            f"{report.to_confirm} à confirmer, {report.unknown} inconnue(s), "
            f"{report.to_review} à examiner"
        ),
        object_type="flow_import",
        object_id=str(flow_import.pk),
    )


def _flow_date(flow_import: FlowImport) -> datetime.date:
    """The flow's creation date: every applied import has one (only a refused file may not)."""
    if flow_import.created_on is None:
        raise ValueError(f"L'import n°{flow_import.pk} n'a pas été appliqué.")
    return flow_import.created_on


def _pairs(values: array[int]) -> Iterator[tuple[int, int]]:
    for index in range(0, len(values), 2):
        yield values[index], values[index + 1]


def _new_import(
    department: Department,
    file_name: str,
    sha256: str,
    header: Any,
    chunk: list[FlowPerson],
    acting_user: Professional | None,
) -> FlowImport:
    flow_import = FlowImport(
        department=department,
        paying_body=chunk[0].paying_body if chunk else "caf",
        kind=header.kind,
        file_name=file_name[:255],
        sha256=sha256,
        created_on=header.created_on,
        state=FlowImportState.APPLIED,
        imported_by=acting_user,
    )
    flow_import.full_clean()
    with acting_as(acting_user):
        flow_import.save()
    return flow_import


def _candidates(
    department: Department, chunk: list[FlowPerson]
) -> tuple[
    dict[str, list[Beneficiary]],
    dict[tuple[str, str, str], list[Beneficiary]],
    dict[tuple[str, str, datetime.date], list[Beneficiary]],
]:
    people = Beneficiary.objects.filter(department=department).exclude(
        file_stage__in=CLOSED_FILE_STAGES
    )
    ids = {p.france_travail_id for p in chunk if p.france_travail_id}
    numbers = {p.number for p in chunk}
    by_id: dict[str, list[Beneficiary]] = {}
    for b in people.filter(france_travail_id__in=ids).select_for_update() if ids else ():
        by_id.setdefault(b.france_travail_id, []).append(b)
    by_number: dict[tuple[str, str, str], list[Beneficiary]] = {}
    for b in people.filter(rsa_number__in=numbers).select_for_update():
        by_number.setdefault((b.rsa_paying_body, b.rsa_number, b.rsa_role), []).append(b)
    by_name: dict[tuple[str, str, datetime.date], list[Beneficiary]] = {}
    births = {p.birth_date for p in chunk}
    for b in people.filter(birth_date__in=births).only(
        "pk", "first_name", "last_name", "birth_date"
    ):
        key = (name_key(b.last_name), name_key(b.first_name), b.birth_date)
        by_name.setdefault(key, []).append(b)
    return by_id, by_number, by_name


def _apply_chunk(
    chunk: list[FlowPerson],
    report: FlowReport,
    department: Department,
    flow_import: FlowImport,
    acting_user: Professional | None,
    changed: array[int],
) -> None:
    by_id, by_number, by_name = _candidates(department, chunk)
    seen: set[int] = set()
    updated: list[Beneficiary] = []
    for person in chunk:
        report.people += 1
        found = by_id.get(person.france_travail_id, []) if person.france_travail_id else []
        if len(found) != 1:
            found = by_number.get((person.paying_body, person.number, person.role), [])
        if len(found) == 1 and found[0].pk not in seen:
            seen.add(found[0].pk)
            report.matched += 1
            outcome = _update(found[0], person, _flow_date(flow_import), acting_user, save=False)
            if outcome is None:
                report.older += 1
            elif outcome:
                report.updated += 1
                report.to_review += _review(found[0], person, outcome, acting_user)
                updated.append(found[0])
            else:
                report.unchanged += 1
            continue
        named = by_name.get(
            (name_key(person.last_name), name_key(person.first_name), person.birth_date), []
        )
        if named:
            report.to_confirm += len(named)
            flow_import.pending.extend(_pending_line(b.pk, person) for b in named)
        else:
            report.unknown += 1
    if not updated:
        return
    _save_updated(updated, flow_import, acting_user)
    # The open case of each person updated (the latest, if several), for their journal row: one
    # query for the chunk.
    ids = [b.pk for b in updated]
    open_case: dict[int, int] = dict(
        Case.objects.filter(beneficiary_id__in=ids, state__in=OPEN_STATES)
        .order_by("pk")
        .values_list("beneficiary_id", "pk")
    )
    for beneficiary_id in ids:
        changed.extend((beneficiary_id, open_case.get(beneficiary_id, 0)))


def _save_updated(
    updated: list[Beneficiary], flow_import: FlowImport, acting_user: Professional | None
) -> None:
    """Save a chunk's updated people: each on their own (an audit row each, with the fields
    changed) for a few; above ``BULK_FROM``, one UPDATE for the chunk through the one audited
    bulk path (an audit row for the chunk that lists the people's numbers)."""
    fields = [*RSA_FIELDS, "rsa_flow_on"]
    if len(updated) < BULK_FROM:
        for beneficiary in updated:
            with acting_as(acting_user):
                beneficiary.save(update_fields=fields)
        return
    numbers = ", ".join(str(b.pk) for b in updated)
    description = (
        f"Flux CAF/MSA du {flow_import.created_on:%d/%m/%Y} (import n°{flow_import.pk}) : "
        f"situation RSA de {len(updated)} personne(s) mise à jour — personnes n°{numbers}"
    )
    with audited_bulk(model=Beneficiary, actor=acting_user, description=description):
        Beneficiary.objects.bulk_update(updated, fields)


def _values(person: FlowPerson) -> dict[str, Any]:
    values: dict[str, Any] = {
        "rsa_paying_body": person.paying_body.value,
        "rsa_number": person.number,
        "rsa_role": person.role.value,
        "rsa_rights_and_duties": person.rights_and_duties,
        "rsa_status_reason": person.status_reason,
        "rsa_status_on": person.status_on,
        "homeless": person.homeless,
    }
    if person.status is not None:
        values["rsa_status"] = person.status.value
    return values


def _pending_line(beneficiary_id: int, person: FlowPerson) -> dict[str, Any]:
    """What a confirmation will write: the person's number in Binôme and the allowed fields."""
    values = _values(person)
    values["rsa_status_on"] = person.status_on.isoformat() if person.status_on else None
    values["moved_on"] = person.moved_on.isoformat() if person.moved_on else None
    return {"beneficiary": beneficiary_id, "values": values, "confirmed_by": None}


def _update(
    beneficiary: Beneficiary,
    person: FlowPerson,
    flow_on: datetime.date,
    acting_user: Professional | None,
    *,
    save: bool = True,
) -> set[str] | None:
    """Set the flow's RSA fields on ``beneficiary`` and validate them; save them (its own audit
    row) unless ``save`` is false (the caller saves a batch). The fields changed (empty: nothing
    changed), or None when a more recent flow was already applied to this person."""
    if beneficiary.rsa_flow_on is not None and beneficiary.rsa_flow_on > flow_on:
        return None
    changed = {
        name for name, value in _values(person).items() if getattr(beneficiary, name) != value
    }
    moved = person.moved_on is not None and (
        beneficiary.rsa_flow_on is None or person.moved_on > beneficiary.rsa_flow_on
    )
    if moved:
        changed.add("moved")
    if not changed:
        return changed
    previous_status = beneficiary.rsa_status
    for name, value in _values(person).items():
        setattr(beneficiary, name, value)
    beneficiary.rsa_flow_on = flow_on
    fields = [*sorted(changed - {"moved"}), "rsa_flow_on"]
    beneficiary.full_clean(
        exclude=[f.name for f in Beneficiary._meta.concrete_fields if f.name not in fields],
        validate_unique=False,
        validate_constraints=False,
    )
    if save:
        with acting_as(acting_user):
            beneficiary.save(update_fields=fields)
    if "rsa_status" in changed and beneficiary.rsa_status == RsaStatus.CLOSED:
        changed.add("closed")
    if previous_status == RsaStatus.CLOSED:
        changed.discard("closed")
    return changed


def _latest_open_case(beneficiary: Beneficiary) -> int | None:
    return (
        Case.objects.filter(beneficiary=beneficiary, state__in=OPEN_STATES)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


def _review(
    beneficiary: Beneficiary,
    person: FlowPerson,
    changed: set[str],
    acting_user: Professional | None,
) -> int:
    """Put the person's open accompaniments « à examiner » for a closed right or a move."""
    if "closed" in changed:
        reason = CaseReviewReason.RSA_CLOSED
        on = f" le {person.status_on:%d/%m/%Y}" if person.status_on else ""
        detail = f"Fin de droit (motif {person.status_reason or 'non précisé'}){on}"
    elif "moved" in changed and person.moved_on is not None:
        reason = CaseReviewReason.MOVED
        detail = f"Départ vers un autre organisme le {person.moved_on:%d/%m/%Y}"
    else:
        return 0
    count = 0
    today = timezone.localdate()
    for case in Case.objects.filter(beneficiary=beneficiary, state__in=OPEN_STATES):
        case.review_reason, case.review_detail, case.review_since = reason, detail, today
        fields = ["review_reason", "review_detail", "review_since"]
        case.full_clean(
            exclude=[f.name for f in Case._meta.concrete_fields if f.name not in fields],
            validate_unique=False,
            validate_constraints=False,
        )
        with acting_as(acting_user):
            case.save(update_fields=fields)
        count += 1
    return count


@transaction.atomic
def rsa_flow_confirm(
    *,
    flow_import: FlowImport,
    beneficiary_id: int,
    acting_user: Professional,
) -> Beneficiary:
    """A professional confirms that a person matched only by names and birth date is the one of
    the flow: the flow's RSA details are written on the person (and their identifiers, so the
    next flows match them directly)."""
    flow_import = FlowImport.objects.select_for_update().get(pk=flow_import.pk)
    organisation = acting_user.organisation
    if organisation is None or organisation.department_id != flow_import.department_id:
        raise FlowConfirmationRefused("Cet import n'est pas celui de votre département.")
    lines = [
        line
        for line in flow_import.pending
        if line["beneficiary"] == beneficiary_id and line["confirmed_by"] is None
    ]
    if not lines:
        raise FlowConfirmationRefused("Aucun rapprochement à confirmer pour cette personne.")
    beneficiary = (
        Beneficiary.objects.select_for_update()
        .filter(department_id=flow_import.department_id, pk=beneficiary_id)
        .exclude(file_stage__in=CLOSED_FILE_STAGES)
        .first()
    )
    if beneficiary is None:
        raise FlowConfirmationRefused("Cette personne n'est plus suivie dans le département.")
    values = dict(lines[0]["values"])
    moved_on = values.pop("moved_on")
    status_on = values["rsa_status_on"]
    person = FlowPerson(
        line=0,
        household=0,
        paying_body=PayingBody(values["rsa_paying_body"]),
        number=values["rsa_number"],
        role=RsaRole(values["rsa_role"]),
        last_name="",
        first_name="",
        birth_date=beneficiary.birth_date,
        france_travail_id="",
        rights_and_duties=values["rsa_rights_and_duties"],
        status=RsaStatus(values["rsa_status"]) if "rsa_status" in values else None,
        status_reason=values["rsa_status_reason"],
        status_on=datetime.date.fromisoformat(status_on) if status_on else None,
        homeless=values["homeless"],
        moved_on=datetime.date.fromisoformat(moved_on) if moved_on else None,
    )
    changed = _update(beneficiary, person, _flow_date(flow_import), acting_user) or set()
    _review(beneficiary, person, changed, acting_user)
    for line in flow_import.pending:
        if line["beneficiary"] == beneficiary_id:
            line["confirmed_by"] = acting_user.pk
    # The lines are not in the audit trail (casework/apps.py); the count is, with the actor.
    flow_import.confirmed += 1
    flow_import.full_clean()
    with acting_as(acting_user):
        flow_import.save(update_fields=["pending", "confirmed"])
    journal.record(
        department=flow_import.department,
        actor=acting_user,
        channel=JournalChannel.IMPORT,
        purpose=(
            f"Rapprochement confirmé avec le flux du {flow_import.created_on:%d/%m/%Y} : "
            "situation RSA mise à jour"
        ),
        beneficiary=beneficiary,
        case=Case(pk=case_id) if (case_id := _latest_open_case(beneficiary)) else None,
        object_type="flow_import",
        object_id=str(flow_import.pk),
    )
    return beneficiary


@transaction.atomic
def rsa_flow_reject(
    *,
    flow_import: FlowImport,
    beneficiary_id: int,
    acting_user: Professional,
) -> None:
    """A professional says that the person matched only by names and birth date is not the one
    of the flow: the line is dropped from the import's record (nothing of it is kept) and the
    person's file is left as it was."""
    flow_import = FlowImport.objects.select_for_update().get(pk=flow_import.pk)
    organisation = acting_user.organisation
    if organisation is None or organisation.department_id != flow_import.department_id:
        raise FlowConfirmationRefused("Cet import n'est pas celui de votre département.")
    waiting = [
        line
        for line in flow_import.pending
        if line["beneficiary"] == beneficiary_id and line["confirmed_by"] is None
    ]
    if not waiting:
        raise FlowConfirmationRefused("Aucun rapprochement à confirmer pour cette personne.")
    beneficiary = Beneficiary.objects.filter(
        department_id=flow_import.department_id, pk=beneficiary_id
    ).first()
    flow_import.pending = [line for line in flow_import.pending if line not in waiting]
    flow_import.set_aside += 1
    flow_import.full_clean()
    with acting_as(acting_user):
        flow_import.save(update_fields=["pending", "set_aside"])
    journal.record(
        department=flow_import.department,
        actor=acting_user,
        channel=JournalChannel.IMPORT,
        purpose=(
            f"Rapprochement écarté avec le flux du {flow_import.created_on:%d/%m/%Y} : ce n'est "
            "pas la même personne, rien n'est modifié"
        ),
        beneficiary=beneficiary,
        object_type="flow_import",
        object_id=str(flow_import.pk),
    )


def pending_lines(flow_import: FlowImport) -> list[dict[str, Any]]:
    """The lines of an import still waiting for a professional's confirmation."""
    return [line for line in flow_import.pending if line["confirmed_by"] is None]
