"""Remplacements: the rights of an absent professional given to a colleague for a while, and
taken back when it ends (by hand, or by the nightly clean-up)."""

import datetime
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from casework import journal, permissions
from casework.enums import JournalChannel
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Case, Delegation
from casework.services._base import save
from partners.access import in_pair, is_admin, is_supervisor
from partners.audit import acting_as
from partners.errors import InvalidTransition
from partners.models import Organisation, Pair, Professional
from partners.services import SECOND_ADMIN_DELEGATION, second_admin_check

#: The longest remplacement; a longer absence calls for a handover (changement de référent).
MAX_DELEGATION_LENGTH = relativedelta(months=6)


def _professional_label(professional: Professional) -> str:
    organisation = professional.organisation.name if professional.organisation else ""
    return f"{professional.job_title or professional.get_role_display()} ({organisation})"


def can_organise_delegation(acting_user: Professional, replaced: Professional) -> bool:
    """The replaced professional, a supervisor of their organisation subtree, or a functional
    administrator of their department."""
    if not acting_user.is_active or replaced.organisation is None:
        return False
    if acting_user.pk == replaced.pk:
        return True
    if acting_user.organisation is None:
        return False
    if is_admin(acting_user):
        return acting_user.organisation.department_id == replaced.organisation.department_id
    if is_supervisor(acting_user):
        return (
            Organisation.objects.subtree_of(acting_user.organisation)
            .filter(pk=replaced.organisation.pk)
            .exists()
        )
    return False


def _check_delegation_people(replaced: Professional, delegate: Professional) -> None:
    if replaced.pk == delegate.pk:
        raise InvalidInput("Une personne ne peut pas se remplacer elle-même.", "delegate")
    if not in_pair(replaced):
        raise InvalidInput(
            "Seul·e un·e conseiller·ère ou un·e travailleur·se social·e se fait remplacer.",
            "replaced",
        )
    if delegate.role != replaced.role:
        raise InvalidInput(
            "Un·e conseiller·ère est remplacé·e par un·e conseiller·ère, un·e travailleur·se "
            "social·e par un·e travailleur·se social·e (les notes sociales ne vont qu'aux "
            "travailleur·ses sociaux·ales).",
            "delegate",
        )
    if not delegate.is_active:
        raise InvalidInput(
            "Ce compte est désactivé : choisissez un·e autre remplaçant·e.", "delegate"
        )
    if (
        replaced.organisation is None
        or delegate.organisation is None
        or replaced.organisation.department_id != delegate.organisation.department_id
    ):
        raise InvalidInput(
            "La personne remplacée et son remplaçant·e relèvent de départements différents.",
            "delegate",
        )


def _check_delegation_dates(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise InvalidInput("La fin du remplacement ne peut précéder son début.", "ends_on")
    if starts_on < timezone.localdate():
        raise InvalidInput("Un remplacement commence aujourd'hui ou plus tard.", "starts_on")
    if ends_on > starts_on + MAX_DELEGATION_LENGTH:
        raise InvalidInput(
            "Un remplacement dure six mois au plus ; au-delà, confiez les accompagnements à un "
            "autre binôme (changement de référent).",
            "ends_on",
        )


@transaction.atomic
def delegation_give(
    *,
    replaced: Professional,
    delegate: Professional,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    acting_user: Professional,
    cases: Iterable[Case] | None = None,
    info: RequestInfo | None = None,
) -> Delegation:
    """Give ``delegate`` the rights of ``replaced`` on ``cases`` (by default every open case of
    ``replaced``) from ``starts_on`` to ``ends_on`` included; one journal row per case."""
    if not can_organise_delegation(acting_user, replaced):
        raise InvalidTransition(
            "Un remplacement est organisé par la personne remplacée, son encadrement ou "
            "l'administration fonctionnelle de son département."
        )
    _check_delegation_people(replaced, delegate)
    if acting_user.pk != replaced.pk:
        # The two-administrators rule (docs/roles.md): a remplacement opens the replaced
        # professional's cases, secret side included, as a binôme does. The replaced
        # professional handing over their own cases gives nobody more than they hold.
        second_admin_check(
            delegate.organisation.department,  # type: ignore[union-attr]  # checked above
            (delegate,),
            acting_user,
            what=SECOND_ADMIN_DELEGATION,
        )
    _check_delegation_dates(starts_on, ends_on)
    if not reason.strip():
        raise InvalidInput("Indiquez le motif du remplacement (congé, formation…).", "reason")
    followed = Case.objects.open().filter(pair__in=Pair.objects.of(replaced))
    chosen = None if cases is None else {case.pk for case in cases}
    if chosen is not None and not chosen:
        raise InvalidInput("Choisissez au moins un accompagnement à confier.", "cases")
    if chosen is not None and followed.filter(pk__in=chosen).count() != len(chosen):
        raise InvalidInput(
            "Chaque accompagnement confié doit être en cours et suivi par la personne remplacée.",
            "cases",
        )
    selected = list(
        (followed if chosen is None else followed.filter(pk__in=chosen))
        .select_related("pair__department")
        .order_by("pk")
    )
    if not selected:
        raise InvalidInput("La personne remplacée n'a aucun accompagnement en cours.", "cases")
    if Delegation.objects.pending().filter(delegate=delegate, cases__in=selected).exists():
        raise InvalidInput(
            "Ce·tte remplaçant·e a déjà un remplacement prévu sur certains de ces "
            "accompagnements : arrêtez-le d'abord.",
            "delegate",
        )
    delegation = Delegation(
        replaced=replaced,
        delegate=delegate,
        all_cases=chosen is None,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        created_by=acting_user,
    )
    save(delegation, acting_user)
    with acting_as(acting_user):
        delegation.cases.set(selected)
    for case in permissions.grant_delegation(delegation, selected):
        journal.record(
            department=case.pair.department,
            actor=acting_user,
            channel=JournalChannel.GRANT,
            purpose=f"Remplacement du {starts_on:%d/%m/%Y} au {ends_on:%d/%m/%Y} : droits de "
            f"{_professional_label(replaced)} donnés à son remplaçant·e",
            case=case,
            recipient=_professional_label(delegate),
            object_type="remplacement",
            object_id=str(delegation.pk),
            info=info,
        )
    return delegation


def _end_delegation(
    delegation: Delegation, actor: Professional | None, purpose: str, info: RequestInfo | None
) -> None:
    case_ids = permissions.revoke_delegation(delegation)
    for case in (
        Case.objects.filter(pk__in=case_ids).select_related("pair__department").order_by("pk")
    ):
        journal.record(
            department=case.pair.department,
            actor=actor,
            channel=JournalChannel.REVOKE,
            purpose=purpose,
            case=case,
            recipient=_professional_label(delegation.delegate),
            object_type="remplacement",
            object_id=str(delegation.pk),
            info=info,
        )


@transaction.atomic
def delegation_revoke(
    *, delegation: Delegation, acting_user: Professional, info: RequestInfo | None = None
) -> Delegation:
    """End a remplacement before its date (the replaced professional is back)."""
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("replaced__organisation", "delegate__organisation")
        .get(pk=delegation.pk)
    )
    if not can_organise_delegation(acting_user, delegation.replaced):
        raise InvalidTransition(
            "Un remplacement est arrêté par la personne remplacée, son encadrement ou "
            "l'administration fonctionnelle de son département."
        )
    if delegation.revoked_at is not None or delegation.expired_at is not None:
        raise InvalidTransition("Ce remplacement est déjà terminé.")
    delegation.revoked_at = timezone.now()
    delegation.revoked_by = acting_user
    save(delegation, acting_user)
    _end_delegation(
        delegation, acting_user, "Remplacement arrêté avant son terme : droits retirés", info
    )
    return delegation


@transaction.atomic
def delegations_expire(*, today: datetime.date | None = None) -> list[Delegation]:
    """The nightly clean-up: delete the grants of delegations past their end date and journal it.

    Requests already ignore them (``live_grant``); this keeps the table exactly what is in force.
    """
    today = today or timezone.localdate()
    expired = list(
        Delegation.objects.pending()
        .filter(ends_on__lt=today)
        .select_for_update(of=("self",))
        .select_related("delegate__organisation")
        .order_by("pk")
    )
    for delegation in expired:
        delegation.expired_at = timezone.now()
        save(delegation, None)
        _end_delegation(
            delegation,
            None,
            f"Fin du remplacement le {delegation.ends_on:%d/%m/%Y} : droits retirés",
            None,
        )
    return expired
