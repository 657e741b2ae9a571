"""The audit trail (django-auditlog): what is tracked, what is masked, and the one bulk path.

Every domain model is registered here or in its app's ``ready()``. Audited querysets refuse
``update()``, ``delete()`` and the bulk methods, because those write without a trace; the only way
around is :func:`audited_bulk`, which writes one audit row for the whole batch, and its PostgreSQL
streaming form :func:`audited_copy` (COPY), which writes the batch and its audit row in one
transaction.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

if TYPE_CHECKING:
    from django.db.models import Model

MASK = "[masqué]"

_bulk_allowed: ContextVar[bool] = ContextVar("audited_bulk", default=False)

#: The model of an audited queryset: ``class CaseQuerySet(AuditedQuerySet["Case"])`` gives
#: ``Case.objects.open()`` the type ``CaseQuerySet`` of ``Case`` rows, not of ``Any``.
_M = TypeVar("_M", bound=models.Model)


class BulkWriteRefused(RuntimeError):
    """A write that would bypass the audit trail."""


def mask(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: free text and identity never reach the audit trail."""
    return MASK


class AuditedQuerySet(models.QuerySet[_M]):
    """A queryset whose bulk writes are refused outside :func:`audited_bulk`.

    Generic over its model for the type checker only: at run time ``AuditedQuerySet["Case"]`` is
    ``AuditedQuerySet`` itself (``QuerySet.__class_getitem__``), so subclasses behave as before.
    """

    def _refuse(self, operation: str) -> None:
        if not _bulk_allowed.get():
            raise BulkWriteRefused(
                f"{self.model.__name__}: {operation}() contourne la piste d'audit ; "
                "passez par un service, ou par partners.audit.audited_bulk pour un lot."
            )

    def update(self, **kwargs: Any) -> int:
        self._refuse("update")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse("delete")
        return super().delete()

    def bulk_create(self, objs: Iterable[_M], *args: Any, **kwargs: Any) -> list[_M]:
        self._refuse("bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable[_M], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        self._refuse("bulk_update")
        return super().bulk_update(objs, fields, batch_size=batch_size)


@contextmanager
def audited_bulk(*, model: "type[Model]", actor: Any, description: str) -> Iterator[None]:
    """Allow bulk writes on ``model`` for the block, and record them as one audit row."""
    token = _bulk_allowed.set(True)
    try:
        yield
    finally:
        _bulk_allowed.reset(token)
    _log_batch(model=model, actor=actor, description=description)


def _log_batch(*, model: "type[Model]", actor: Any, description: str) -> None:
    from auditlog.models import LogEntry

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="*",
        object_repr=f"Lot : {description}"[:200],
        action=LogEntry.Action.UPDATE,
        changes_text=description,
        actor=actor,
    )


def audited_copy(
    *,
    model: "type[Model]",
    actor: Any,
    description: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Stream ``rows`` into ``model``'s table with COPY (PostgreSQL), as one audited batch.

    The rows and their one audit row commit together or not at all: the COPY and the audit row
    are in the same transaction. Returns the number of rows written.
    """
    if connection.vendor != "postgresql":
        raise BulkWriteRefused("COPY n'existe que sur PostgreSQL.")
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        _log_batch(
            model=model,
            actor=actor,
            description=f"{description} : {count} ligne(s) chargée(s) par COPY",
        )
    return count


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Name the actor of the audit rows written in the block (commands, tasks). No actor never
    erases the one an enclosing block named: a service called by another, on behalf of the same
    professional or of the person in their space, keeps their name on its rows."""
    from auditlog.context import auditlog_value, set_actor

    if actor is None and auditlog_value.get(None) is not None:
        yield
        return
    with set_actor(actor):
        yield


#: How the audit trail names the person acting in their own space (no professional is the
#: actor): ``actor_email`` holds this label with their space access's number, never identity.
PERSON_ACTOR = "personne:espace n°{access_id}"


@contextmanager
def acting_as_person(access_id: int) -> Iterator[None]:
    """Name the person, through their space access, as the actor of the audit rows written in
    the block: the rows have no professional actor and ``actor_email`` says who acted."""
    from auditlog.context import set_extra_data

    with set_extra_data({"actor_email": PERSON_ACTOR.format(access_id=access_id)}):
        yield


#: How the audit trail names a partner system acting through the API (no professional is the
#: actor): ``actor_email`` holds this label, with the system's name and number.
PARTNER_ACTOR = "partenaire:{name} n°{partner_id}"


@contextmanager
def acting_as_partner(partner: Any) -> Iterator[None]:
    """Name a partner system (``partners.api.models.PartnerSystem``) as the actor of the audit
    rows written in the block: the rows have no professional actor and ``actor_email`` says
    which system acted."""
    from auditlog.context import set_extra_data

    label = PARTNER_ACTOR.format(name=partner.name, partner_id=partner.pk)
    with set_extra_data({"actor_email": label[:254]}):
        yield


def register_models() -> None:
    from auditlog.registry import auditlog

    from partners.models import (
        Department,
        Organisation,
        Pair,
        PartnerKey,
        PartnerSystem,
        Professional,
    )

    auditlog.register(Department, mask_fields=["legal_basis_text"])
    auditlog.register(Organisation)
    auditlog.register(Pair)
    auditlog.register(
        Professional,
        exclude_fields=["password", "last_login", "enrolment_code_hash"],
        m2m_fields={"groups"},
    )
    auditlog.register(PartnerSystem, exclude_fields=["webhook_secret"])
    # A key's hash never reaches the audit rows (the key itself is never stored).
    auditlog.register(PartnerKey, exclude_fields=["secret_hash"])
