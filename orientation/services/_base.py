"""Helpers shared by the orientation services: check that the acting professional belongs to
the case's binôme (or is its social worker), save under the audit actor, lock a case afresh.

Private to ``orientation``: the modules of ``orientation.services`` use it; no other app imports
it (an import-linter contract says so).
"""

from typing import Any

from casework import permissions
from casework.models import Case
from casework.services.dashboards import dashboards_changed
from orientation.models import Diagnostic, Obstacle, Recommendation
from partners.audit import acting_as
from partners.errors import InvalidTransition
from partners.models import Professional


def _member(case: Case, user: Professional) -> None:
    if not permissions.can_change_case(user, case):
        raise InvalidTransition("Seul le binôme de la personne écrit son diagnostic.")


def _social_worker(case: Case, user: Professional) -> None:
    if not permissions.can_read_social_notes(user, case):
        raise InvalidTransition("Seul·e le ou la travailleur·se social·e du binôme écrit ici.")


def _signatures_complete(signed: Any, case: Case) -> bool:
    """Whether a diagnostic or a préconisation carries every signature it needs: both members'
    in a binôme; the social worker's alone in a suivi social seul (no advisor), which the version
    records (``signed_without_advisor``) so that it stays true if the case joins a binôme."""
    if signed.social_worker_signed_at is None:
        return False
    if signed.advisor_signed_at is not None:
        return True
    if case.pair.advisor_id is None:
        signed.signed_without_advisor = True
        return True
    return False


def _save(
    instance: Any, acting_user: Professional | None, update_fields: list[str] | None = None
) -> None:
    instance.full_clean()
    with acting_as(acting_user):
        instance.save(update_fields=update_fields)
    # The supervisors' dashboards count diagnostics, obstacles and préconisations by state.
    if isinstance(instance, Diagnostic | Recommendation):
        dashboards_changed(instance.case.pair_id)
    elif isinstance(instance, Obstacle):
        dashboards_changed(instance.diagnostic.case.pair_id)


def _fresh(case: Case) -> Case:
    """The case as it is now, locked for this transaction (the caller's copy may be stale)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("pair__department", "pair__advisor", "pair__social_worker", "beneficiary")
        .get(pk=case.pk)
    )
