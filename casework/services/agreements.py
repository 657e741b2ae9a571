"""The person's accord de partage: recorded by the social worker, withdrawn; each one journaled.

The person's own acts on it, from their space, are in ``casework.space.agreements``: they write
through ``agreement_replace`` too."""

import datetime
from collections.abc import Callable, Iterable

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from casework import journal, permissions
from casework.enums import (
    PROFESSIONAL_AGREEMENT_METHODS,
    AgreementMethod,
    JournalChannel,
    ShareCategory,
)
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Case, SharingAgreement
from casework.services._base import lock_case, pair_label, save
from partners.errors import InvalidTransition
from partners.models import Professional

AGREEMENT_LENGTH_AFTER_END = relativedelta(months=1)
DEFAULT_AGREEMENT_LENGTH = relativedelta(months=13)


def default_agreement_expiry(case: Case, given_on: datetime.date) -> datetime.date:
    """The planned end of the accompaniment plus one month (13 months when not started)."""
    if case.planned_end_on is not None:
        return case.planned_end_on + AGREEMENT_LENGTH_AFTER_END
    return given_on + DEFAULT_AGREEMENT_LENGTH


def agreement_categories(categories: Iterable[str], *, none_chosen: str) -> list[str]:
    """The categories chosen, known and sorted; ``none_chosen`` says that one is needed."""
    chosen = sorted(set(categories))
    unknown = set(chosen) - set(ShareCategory.values)
    if unknown:
        raise InvalidInput(f"Catégories inconnues : {', '.join(sorted(unknown))}.", "categories")
    if not chosen:
        raise InvalidInput(none_chosen, "categories")
    return chosen


def agreement_replace(
    *,
    case: Case,
    categories: list[str],
    how_obtained: AgreementMethod | str,
    recorded_by: Professional | None,
    expires_on: datetime.date,
    save_row: Callable[[SharingAgreement], None],
) -> SharingAgreement:
    """The one path that writes an accord, for the professional and for the person: the current
    agreement (expired or not) is marked replaced, the new one names the case's binôme; every
    row is kept.

    Runs in the caller's transaction, with the case locked (``lock_case``); ``save_row`` saves
    under the caller's audit actor; the caller journals its act.
    """
    now = timezone.now()
    current = case.sharing_agreements.select_for_update().current().first()
    if current is not None:
        current.replaced_at = now
        save_row(current)
    agreement = SharingAgreement(
        case=case,
        pair=case.pair,
        categories=categories,
        how_obtained=how_obtained,
        recorded_by=recorded_by,
        given_at=now,
        expires_on=expires_on,
    )
    save_row(agreement)
    return agreement


@transaction.atomic
def agreement_record(
    *,
    case: Case,
    categories: Iterable[str],
    how_obtained: AgreementMethod | str,
    acting_user: Professional,
    expires_on: datetime.date | None = None,
    info: RequestInfo | None = None,
) -> SharingAgreement:
    """Record the person's accord de partage (the social worker of the case records it).

    A newer agreement replaces the current one; the history is kept.
    """
    if not permissions.can_read_social_notes(acting_user, case):
        raise InvalidTransition(
            "L'accord de partage est recueilli par le ou la travailleur·se social·e du binôme."
        )
    if how_obtained not in PROFESSIONAL_AGREEMENT_METHODS:
        raise InvalidInput("Dites comment l'accord a été recueilli.", "how_obtained")
    chosen = agreement_categories(
        categories, none_chosen="Cochez au moins une catégorie que la personne accepte de partager."
    )
    case = lock_case(case)
    expires_on = expires_on or default_agreement_expiry(case, timezone.localdate())
    if expires_on < timezone.localdate():
        raise InvalidInput("La date de fin de validité est déjà passée.", "expires_on")
    agreement = agreement_replace(
        case=case,
        categories=chosen,
        how_obtained=how_obtained,
        recorded_by=acting_user,
        expires_on=expires_on,
        save_row=lambda row: save(row, acting_user),
    )
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.AGREEMENT_GIVEN,
        purpose="Accord de partage donné par la personne",
        case=case,
        categories=chosen,
        recipient=pair_label(case.pair),
        agreement=agreement,
        object_type="accord de partage",
        object_id=str(agreement.pk),
        info=info,
    )
    return agreement


@transaction.atomic
def agreement_withdraw(
    *, agreement: SharingAgreement, acting_user: Professional, info: RequestInfo | None = None
) -> SharingAgreement:
    """The person withdraws the accord: future sharing stops; nothing already shared is erased."""
    agreement = (
        SharingAgreement.objects.select_for_update()
        .select_related("case__pair")
        .get(pk=agreement.pk)
    )
    case = agreement.case
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne enregistre le retrait de l'accord.")
    if agreement.withdrawn_at is not None or agreement.replaced_at is not None:
        raise InvalidTransition("Cet accord n'est plus en vigueur.")
    agreement.withdrawn_at = timezone.now()
    agreement.withdrawn_by = acting_user
    save(agreement, acting_user)
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.AGREEMENT_WITHDRAWN,
        purpose="Retrait de l'accord de partage par la personne",
        case=case,
        categories=agreement.categories,
        recipient=pair_label(case.pair),
        agreement=agreement,
        object_type="accord de partage",
        object_id=str(agreement.pk),
        info=info,
    )
    return agreement
