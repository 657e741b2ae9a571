"""Helpers shared by the casework services: save under the audit actor, lock and version a case,
check its state, name a binôme in the journal.

Private to ``casework``: the modules of ``casework.services`` and casework's other writing modules
(``rights``, ``retention``) use it; no other app imports it (an import-linter contract says so).
"""

from collections.abc import Iterable
from typing import Any

from casework.errors import ConcurrentChange
from casework.models import Case
from partners.access import is_admin
from partners.audit import acting_as
from partners.errors import InvalidTransition
from partners.models import Department, Pair, Professional


def save(instance: Any, acting_user: Professional | None) -> None:
    instance.full_clean()
    with acting_as(acting_user):
        instance.save()


def lock_case(case: Case, seen_version: int | None = None) -> Case:
    """The case row locked for this transaction; refuse if it changed since the user saw it."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if seen_version is not None and locked.version != seen_version:
        raise ConcurrentChange(
            "Cet accompagnement vient d'être modifié par quelqu'un d'autre. Rechargez la page "
            "pour voir ses changements, puis enregistrez à nouveau."
        )
    return locked


def bump(case: Case, acting_user: Professional | None) -> None:
    case.version += 1
    save(case, acting_user)


def require_state(case: Case, allowed: Iterable[str], action: str) -> None:
    if case.state not in allowed:
        raise InvalidTransition(
            f"Impossible de {action} : l'accompagnement est « {case.get_state_display()} »."
        )


def pair_label(pair: Pair) -> str:
    return (
        f"Binôme n°{pair.pk} ({pair.advisor.job_title or 'conseiller·ère'}, "
        f"{pair.social_worker.job_title or 'travailleur·se social·e'})"
    )


def check_directory_admin(acting_user: Professional | None, department: Department) -> None:
    if acting_user is None:  # a management command
        return
    organisation = acting_user.organisation
    if (
        not is_admin(acting_user)
        or organisation is None
        or organisation.department_id != department.pk
    ):
        raise InvalidTransition(
            "L'offre du territoire est tenue par l'administration fonctionnelle."
        )
