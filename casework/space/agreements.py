"""The person's own acts on their accord de partage, from their space: withdraw it, wholly or one
category at a time; renew or widen it after reading the information notice.

Each act locks the case, then the agreement (the order every writer of an accord follows), saves
as the person (``save_as_person``) and writes one journal row on the « person » channel. A new
accord goes through ``agreement_replace``, the professionals' path: the history is kept.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from casework import journal
from casework.enums import OPEN_STATES, AgreementMethod, ShareCategory
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Case, SharingAgreement, SpaceAccess
from casework.services._base import lock_case, save_as_person
from casework.services.agreements import (
    agreement_categories,
    agreement_replace,
    default_agreement_expiry,
)
from partners.errors import InvalidTransition

AGREEMENT = "accord de partage"
WITHDRAWN = "Retrait de l'accord de partage par la personne"
CATEGORY_WITHDRAWN = "Retrait par la personne d'une catégorie de son accord de partage"
RENEWED = "Accord de partage renouvelé par la personne, après lecture de la notice d'information"
WIDENED = "Accord de partage élargi par la personne, après lecture de la notice d'information"
NO_AGREEMENT = "Vous n'avez pas d'accord de partage en cours."
NOTICE_NOT_READ = "Cochez « J'ai lu ces informations » : c'est nécessaire pour donner votre accord."


def _in_force(case: Case) -> SharingAgreement | None:
    """The agreement in force for the case's binôme, locked (the case is locked already)."""
    return (
        SharingAgreement.objects.select_for_update()
        .in_force()
        .filter(case_id=case.pk, pair_id=case.pair_id)
        .first()
    )


def _withdraw(
    agreement: SharingAgreement, case: Case, access: SpaceAccess, info: RequestInfo | None
) -> SharingAgreement:
    agreement.withdrawn_at = timezone.now()
    save_as_person(agreement, access.pk)
    journal.record_person_act(
        case=case,
        purpose=WITHDRAWN,
        object_type=AGREEMENT,
        object_id=str(agreement.pk),
        categories=agreement.categories,
        info=info,
    )
    return agreement


@transaction.atomic
def space_agreement_withdraw(
    *, access: SpaceAccess, info: RequestInfo | None = None
) -> SharingAgreement:
    """The person withdraws their whole accord, at once: sharing is evaluated per request, so
    the professionals' next page no longer shows anything from the social side. Nothing already
    shared is erased; ``withdrawn_by`` stays empty (the person, not a professional)."""
    case = lock_case(access.case)
    agreement = (
        SharingAgreement.objects.select_for_update().filter(case_id=case.pk).current().first()
    )
    if agreement is None:
        raise InvalidTransition(NO_AGREEMENT)
    return _withdraw(agreement, case, access, info)


@transaction.atomic
def space_agreement_withdraw_category(
    *, access: SpaceAccess, category: ShareCategory | str, info: RequestInfo | None = None
) -> SharingAgreement:
    """The person stops sharing one category: a new agreement, recorded by the person, replaces
    the one in force without it (same end of validity); the replaced one stays in the history.
    Withdrawing the last category withdraws the whole accord. Effective on the professionals'
    next request. Returns the new agreement, or the withdrawn one."""
    case = lock_case(access.case)
    agreement = _in_force(case)
    if agreement is None:
        raise InvalidTransition(NO_AGREEMENT)
    if category not in agreement.categories:
        raise InvalidInput("Cette catégorie ne fait pas partie de votre accord.", "category")
    remaining = [code for code in agreement.categories if code != category]
    if not remaining:
        return _withdraw(agreement, case, access, info)
    narrowed = agreement_replace(
        case=case,
        categories=remaining,
        how_obtained=AgreementMethod.SPACE,
        recorded_by=None,
        expires_on=agreement.expires_on,
        save_row=lambda row: save_as_person(row, access.pk),
    )
    journal.record_person_act(
        case=case,
        purpose=CATEGORY_WITHDRAWN,
        object_type=AGREEMENT,
        object_id=str(narrowed.pk),
        categories=[str(category)],
        info=info,
    )
    return narrowed


@transaction.atomic
def space_agreement_give(
    *,
    access: SpaceAccess,
    categories: Iterable[str],
    notice_read: bool,
    info: RequestInfo | None = None,
) -> SharingAgreement:
    """After reading the information notice, the person widens the accord in force (the
    categories they tick are added) or renews one that ended (expired, withdrawn, or given to
    an earlier binôme) with the categories they tick. The validity is the professionals' rule
    (``default_agreement_expiry``). The person never gives a first accord here: the social
    worker collects it with them."""
    if not notice_read:
        raise InvalidInput(NOTICE_NOT_READ, "notice_read")
    chosen = agreement_categories(
        categories, none_chosen="Cochez au moins une catégorie que vous acceptez de partager."
    )
    case = lock_case(access.case)
    if case.state not in OPEN_STATES:
        raise InvalidTransition(
            "Votre accompagnement est terminé : votre accord de partage ne peut plus changer."
        )
    in_force = _in_force(case)
    if in_force is not None:
        if set(chosen) <= set(in_force.categories):
            raise InvalidInput(
                "Cochez au moins une catégorie que vous ne partagez pas encore.", "categories"
            )
        chosen = sorted(set(chosen) | set(in_force.categories))
    elif not case.sharing_agreements.exists():
        raise InvalidTransition(
            "Vous n'avez pas encore donné d'accord de partage : votre travailleur·se social·e "
            "le recueille avec vous."
        )
    today = timezone.localdate()
    expires_on = default_agreement_expiry(case, today)
    if expires_on < today:
        raise InvalidTransition(
            "La fin prévue de votre accompagnement est passée : parlez-en à votre binôme."
        )
    agreement = agreement_replace(
        case=case,
        categories=chosen,
        how_obtained=AgreementMethod.SPACE,
        recorded_by=None,
        expires_on=expires_on,
        save_row=lambda row: save_as_person(row, access.pk),
    )
    journal.record_person_act(
        case=case,
        purpose=WIDENED if in_force is not None else RENEWED,
        object_type=AGREEMENT,
        object_id=str(agreement.pk),
        categories=chosen,
        info=info,
    )
    return agreement
