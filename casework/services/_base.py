"""Helpers shared by the casework services: save under the audit actor, lock and version a case,
check its state, name a binôme in the journal.

Private to ``casework``: the modules of ``casework.services`` and casework's other writing modules
(``rights``, ``retention``) use it; no other app imports it (an import-linter contract says so).
"""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import F, Q

from casework.errors import ConcurrentChange
from casework.models import BreachReport, Case, PairContact, SharingAgreement, SpaceAccess
from casework.services.dashboards import dashboards_changed
from casework.services.webhooks import CHANGED, WATCHED, notify_partners
from partners.access import is_admin
from partners.audit import acting_as, acting_as_person
from partners.errors import InvalidTransition
from partners.models import Department, Pair, Professional

#: Where ``lock_case`` keeps the values of the row as PostgreSQL holds it under the lock.
_AS_STORED = "_binome_as_stored"


def save(instance: Any, acting_user: Professional | None) -> None:
    """``full_clean()``, then save under the audit actor.

    A row read under lock (``lock_case``) is validated on what the service changed: a field whose
    value is still the one PostgreSQL returned for the locked row (a foreign key, a choice) is not
    read back again, and a constraint is checked when one of its fields changed. The others hold
    by construction: the database enforces its foreign keys and CHECK constraints on every write,
    and the lock keeps anyone else from writing the row meanwhile. A new row is validated whole.
    """
    instance.full_clean(exclude=_unchanged_under_lock(instance))
    with acting_as(acting_user):
        instance.save()
    if hasattr(instance, _AS_STORED):
        setattr(instance, _AS_STORED, _stored_values(instance))
    _figures_follow(instance)


def save_as_person(instance: Any, access_id: int) -> None:
    """``full_clean()``, then save as the person's own act in their space (access ``access_id``):
    the audit row has no professional actor and names the person's access."""
    instance.full_clean()
    with acting_as_person(access_id):
        instance.save()
    _figures_follow(instance)


def _figures_follow(instance: models.Model) -> None:
    """The supervisors' dashboards count accords, breach reports and points binôme besides the
    case itself (which ``bump`` covers): a write of one refreshes its department's dashboards."""
    if isinstance(instance, SharingAgreement | PairContact):
        dashboards_changed(instance.pair_id)
    elif isinstance(instance, BreachReport):
        dashboards_changed(instance.case.pair_id)


def lock_access_in_force(access: SpaceAccess) -> SpaceAccess:
    """The person's access to their space, locked for this transaction (with its case, binôme,
    department and person), if still in force: every act of the person in their space starts
    here."""
    access = (
        SpaceAccess.objects.select_for_update(of=("self",))
        .select_related("case__pair__department", "beneficiary")
        .get(pk=access.pk)
    )
    if not access.is_active:
        raise InvalidTransition("Votre accès à votre espace a été retiré.")
    return access


def _stored_values(instance: models.Model) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in _fields(instance)}


def _fields(instance: models.Model) -> list[Any]:
    return list(instance._meta.concrete_fields)


def _unchanged_under_lock(instance: models.Model) -> set[str]:
    """The fields of a locked row still as stored, but those that share a constraint with a
    changed field (Django skips a constraint that names an excluded field)."""
    stored = getattr(instance, _AS_STORED, None)
    if stored is None:
        return set()
    names = {field.name for field in _fields(instance)}
    changed = {
        field.name
        for field in _fields(instance)
        if getattr(instance, field.attname) != stored[field.attname]
    }
    for _, constraints in instance.get_constraints():
        for constraint in constraints:
            named = _constraint_fields(instance, constraint, names)
            if named & changed:
                changed |= named
    return names - changed


def _constraint_fields(
    instance: models.Model, constraint: models.BaseConstraint, names: set[str]
) -> set[str]:
    """The fields a constraint names (every field, for a kind of constraint not read here)."""
    if isinstance(constraint, models.CheckConstraint):
        return _q_fields(instance, Q(constraint.condition))
    if isinstance(constraint, models.UniqueConstraint) and not constraint.expressions:
        named = {instance._meta.get_field(name).name for name in constraint.fields}
        if constraint.condition is not None:
            named |= _q_fields(instance, Q(constraint.condition))
        return named
    return names


def _q_fields(instance: models.Model, condition: Q) -> set[str]:
    """The fields a condition names, in its lookups and in its F() expressions."""
    references: list[str] = []
    for node in condition.flatten():
        if isinstance(node, Q):
            references += [child[0] for child in node.children if isinstance(child, tuple)]
        elif isinstance(node, F):
            references.append(node.name)  # type: ignore[attr-defined]  # not in django-stubs
    meta = instance._meta
    return {
        meta.pk.name if name == "pk" else meta.get_field(name).name
        for name in (reference.split("__", 1)[0] for reference in references)
    }


def lock_case(case: Case, seen_version: int | None = None) -> Case:
    """The case row locked for this transaction; refuse if it changed since the user saw it."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if seen_version is not None and locked.version != seen_version:
        raise ConcurrentChange(
            "Cet accompagnement vient d'être modifié par quelqu'un d'autre. Rechargez la page "
            "pour voir ses changements, puis enregistrez à nouveau."
        )
    setattr(locked, _AS_STORED, _stored_values(locked))
    return locked


def bump(case: Case, acting_user: Professional | None) -> None:
    """Save a case read by ``lock_case``, one version further; its department's dashboards are
    refreshed at the end of the window (casework/services/dashboards.py); the partner systems are
    notified when its state, référent·e or path changed."""
    stored = getattr(case, _AS_STORED, None)
    case.version += 1
    save(case, acting_user)
    dashboards_changed(case.pair_id)
    if stored is None:
        return
    changes = [name for field, name in WATCHED.items() if getattr(case, field) != stored[field]]
    if changes:
        notify_partners(case=case, event=CHANGED, changes=changes, acting_user=acting_user)


def require_state(case: Case, allowed: Iterable[str], action: str) -> None:
    if case.state not in allowed:
        raise InvalidTransition(
            f"Impossible de {action} : l'accompagnement est « {case.get_state_display()} »."
        )


def pair_label(pair: Pair) -> str:
    social = pair.social_worker.job_title or "travailleur·se social·e"
    if pair.advisor is None:
        return f"Suivi social seul n°{pair.pk} ({social})"
    return f"Binôme n°{pair.pk} ({pair.advisor.job_title or 'conseiller·ère'}, {social})"


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
