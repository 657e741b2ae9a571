"""The journal of accesses and shares: one hash chain per department, append-only.

``record`` is the only writer. It builds the row, then, as the last statements of the
transaction, locks the department's ``LedgerHead`` FOR UPDATE, inserts the row with the next
``seq`` and ``hash = sha256(prev_hash ‖ canonical JSON)``, and moves the head: three statements.
``verify`` walks a chain by ``seq`` in chunks and reports the first row that does not fit.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.enums import JournalBasis, JournalChannel
from casework.models import (
    GENESIS_HASH,
    Beneficiary,
    Case,
    DetachedJournalMonth,
    InformationShare,
    LedgerHead,
    SharingAgreement,
)
from partners.models import Department, Professional
from partners.services import RightsChange

#: The fields that the hash covers, in this order of the canonical JSON (keys are sorted anyway).
HASHED_FIELDS = (
    "seq",
    "prev_hash",
    "department_id",
    "at",
    "actor_id",
    "actor_organisation",
    "actor_job_title",
    "case_id",
    "beneficiary_id",
    "object_type",
    "object_id",
    "category",
    "recipient",
    "basis",
    "basis_agreement_id",
    "purpose",
    "channel",
    "ip",
    "request_id",
)


def _canonical_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def canonical_json(row: dict[str, Any]) -> str:
    """Sorted keys, no spaces, UTC times with microseconds: the same text on every machine."""
    data = {field: _canonical_value(row[field]) for field in HASHED_FIELDS}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256((row["prev_hash"] + canonical_json(row)).encode()).hexdigest()


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    request_id: str = ""

    @classmethod
    def of(cls, request: HttpRequest | None) -> "RequestInfo":
        if request is None:
            return cls()
        return cls(
            ip=request.META.get("REMOTE_ADDR") or None,
            request_id=getattr(request, "request_id", ""),
        )


def record(
    *,
    department: Department,
    actor: Professional | None,
    channel: JournalChannel | str,
    purpose: str,
    case: Case | None = None,
    beneficiary: Beneficiary | None = None,
    categories: Iterable[str] = (),
    recipient: str = "",
    agreement: SharingAgreement | None = None,
    object_type: str = "",
    object_id: str = "",
    info: RequestInfo | None = None,
    actor_label: str = "",
    actor_organisation: str = "",
) -> InformationShare:
    """Append one row to the department's chain (call it last in the transaction); ``info``:
    the request it answers (its id ties the row to the response), if any; ``actor_label``: who
    acted when no professional did (the person in their space, a partner system), and
    ``actor_organisation`` its organisation, if any."""
    share = entry(
        department=department,
        actor=actor,
        channel=channel,
        purpose=purpose,
        case=case,
        beneficiary=beneficiary,
        categories=categories,
        recipient=recipient,
        agreement=agreement,
        object_type=object_type,
        object_id=object_id,
        info=info,
        actor_label=actor_label,
        actor_organisation=actor_organisation,
    )
    record_many(department, [share])
    return share


def entry(
    *,
    department: Department,
    actor: Professional | None,
    channel: JournalChannel | str,
    purpose: str,
    case: Case | None = None,
    beneficiary: Beneficiary | None = None,
    categories: Iterable[str] = (),
    recipient: str = "",
    agreement: SharingAgreement | None = None,
    object_type: str = "",
    object_id: str = "",
    info: RequestInfo | None = None,
    actor_label: str = "",
    actor_organisation: str = "",
) -> InformationShare:
    """A row of the journal, not yet chained nor written (``record_many`` does both)."""
    info = info or RequestInfo()
    organisation = actor.organisation if actor is not None else None
    return InformationShare(
        department=department,
        at=timezone.now(),
        actor=actor,
        actor_organisation=organisation.name if organisation is not None else actor_organisation,
        actor_job_title=(actor.job_title or actor.get_role_display()) if actor else actor_label,
        case=case,
        beneficiary=beneficiary or (case.beneficiary if case is not None else None),
        object_type=object_type,
        object_id=object_id,
        category=",".join(sorted(set(categories))),
        recipient=recipient,
        basis=JournalBasis.AGREEMENT if agreement is not None else JournalBasis.LEGAL,
        basis_agreement=agreement,
        purpose=purpose,
        channel=channel,
        ip=info.ip,
        request_id=info.request_id,
    )


def record_many(department: Department, shares: list[InformationShare]) -> None:
    """Chain ``shares`` (rows of ``department``, from ``entry``) after the head, in order, under
    one lock of the head, and write them. One row is a single INSERT; a batch (a morning's
    reminders) is one multi-row INSERT per thousand rows, the journal's only bulk path."""
    if not shares:
        return
    with transaction.atomic():
        head = _locked_head(department)
        for share in shares:
            share.seq = head.seq + 1
            share.prev_hash = head.hash
            share.hash = row_hash(_row_of(share))
            head.seq, head.hash = share.seq, share.hash
        if len(shares) == 1:
            shares[0].save(force_insert=True)
        else:
            # AppendOnlyQuerySet refuses every bulk write; inserting a chained batch is the one
            # bulk path, here, under the head's lock (the triggers refuse updates and deletes).
            plain: models.QuerySet[InformationShare] = models.QuerySet(InformationShare)
            plain.bulk_create(shares, batch_size=1000)
        head.save(update_fields=["seq", "hash"])


#: How the journal names the person acting in their own space.
PERSON_LABEL = "La personne accompagnée"
#: The ``object_type`` of the rows for the person's messages and requests to their binôme: the
#: case's timeline shows the message itself (``PersonMessage``) in their place.
PERSON_MESSAGE = "message de la personne"
#: The ``object_type`` of the rows of a partner system's read of a case through the API.
API_CASE_OBJECT = "accompagnement (API)"


def record_person_act(
    *,
    case: Case,
    purpose: str,
    object_type: str = "",
    object_id: str = "",
    categories: Iterable[str] = (),
    info: RequestInfo | None = None,
) -> InformationShare:
    """A row for the person's own act in their space (channel « person », no professional
    actor): shown on the case's timeline as « par la personne, depuis son espace »."""
    return record(
        department=case.pair.department,
        actor=None,
        actor_label=PERSON_LABEL,
        channel=JournalChannel.PERSON,
        purpose=purpose,
        case=case,
        categories=categories,
        object_type=object_type,
        object_id=object_id,
        info=info,
    )


def record_rights_change(change: RightsChange) -> InformationShare:
    """A change of rights made in administration (an account, a role, an organisation, a
    binôme): partners' services call it through their rights listeners, last in their
    transaction. No case; the professionals concerned are named in ``recipient``."""
    return record(
        department=change.department,
        actor=change.acting_user,
        channel=JournalChannel.GRANT if change.granted else JournalChannel.REVOKE,
        purpose=change.what,
        recipient=change.whom,
        object_type=change.object_type,
        object_id=str(change.object_id),
    )


def _locked_head(department: Department) -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(department=department).first()
    if head is None:  # the department's first row: create its head, then lock it
        LedgerHead.objects.get_or_create(department=department)
        head = LedgerHead.objects.select_for_update().get(department=department)
    return head


def _row_of(share: InformationShare) -> dict[str, Any]:
    return {field: getattr(share, field) for field in HASHED_FIELDS}


@dataclass(frozen=True)
class ChainReport:
    department_code: str
    checked: int
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def verify(department: Department, chunk_size: int = 5000) -> ChainReport:
    """Walk the chain by seq without loading it whole; stop at the first row that does not fit.
    The chain starts after its last month detached for retention, if any (``partitions``)."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    detached = chain_start(department)
    if detached is not None:
        expected_seq, prev_hash = detached.last_seq + 1, detached.last_hash
    for row in _rows(department, chunk_size):
        checked += 1
        if row["seq"] != expected_seq:
            return ChainReport(
                department.code,
                checked,
                f"ligne n°{row['seq']} (id {row['id']}) : numéro attendu {expected_seq} "
                "(ligne manquante ou déplacée)",
            )
        if row["prev_hash"] != prev_hash:
            return ChainReport(
                department.code,
                checked,
                f"ligne n°{row['seq']} (id {row['id']}) : ne suit pas la ligne précédente",
            )
        if row_hash(row) != row["hash"]:
            return ChainReport(
                department.code,
                checked,
                f"ligne n°{row['seq']} (id {row['id']}) : contenu modifié",
            )
        expected_seq, prev_hash = expected_seq + 1, row["hash"]
    head = LedgerHead.objects.filter(department=department).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev_hash):
        return ChainReport(
            department.code,
            checked,
            f"fin de chaîne : la tête indique la ligne n°{head.seq}, le journal s'arrête à "
            f"la ligne n°{expected_seq - 1} (lignes supprimées ?)",
        )
    return ChainReport(department.code, checked)


def chain_start(department: Department) -> DetachedJournalMonth | None:
    """Where the department's chain stood at the end of its last month detached, if any."""
    return DetachedJournalMonth.objects.filter(department=department).order_by("-last_seq").first()


def _rows(department: Department, chunk_size: int) -> Iterator[dict[str, Any]]:
    rows: Iterator[dict[str, Any]] = (
        InformationShare.objects.filter(department=department)
        .order_by("seq")
        .values("id", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    return rows


def record_print(
    *,
    info: RequestInfo,
    actor: Professional,
    case: Case,
    purpose: str,
    object_type: str,
    object_id: str = "",
    categories: Iterable[str] = (),
    agreement: SharingAgreement | None = None,
) -> InformationShare:
    """The row of a document printed for the person (letter, convocation, copy, journal)."""
    return record(
        department=case.pair.department,
        actor=actor,
        channel=JournalChannel.PRINT,
        purpose=purpose,
        case=case,
        categories=categories,
        recipient="la personne accompagnée",
        agreement=agreement,
        object_type=object_type,
        object_id=object_id,
        info=info,
    )
