"""The database router: writes to the primary, reads of the opted-in pages to the read replica
when it is there, healthy and the professional has not just written (partners.replica)."""

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

from partners import replica


class ReplicaRouter:
    """Always names the database: without it Django would follow the instance hint, and an object
    read from the replica would be saved there, or read its relations there outside the page."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return replica.read_database(model)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both databases hold the same rows.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica replays the primary's schema; nothing is ever migrated on it.
        return db != replica.REPLICA
