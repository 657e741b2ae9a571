"""The person's own acts on their accord de partage, from their space."""

from django.db import transaction
from django.utils import timezone

from casework import journal
from casework.journal import RequestInfo
from casework.models import SharingAgreement, SpaceAccess
from casework.services._base import save_as_person
from partners.errors import InvalidTransition


@transaction.atomic
def space_agreement_withdraw(
    *, access: SpaceAccess, info: RequestInfo | None = None
) -> SharingAgreement:
    """The person withdraws their whole accord, at once: sharing is evaluated per request, so
    the professionals' next page no longer shows anything from the social side. Nothing already
    shared is erased; ``withdrawn_by`` stays empty (the person, not a professional)."""
    agreement = (
        SharingAgreement.objects.select_for_update()
        .filter(case_id=access.case_id)
        .current()
        .first()
    )
    if agreement is None:
        raise InvalidTransition("Vous n'avez pas d'accord de partage en cours.")
    agreement.withdrawn_at = timezone.now()
    save_as_person(agreement, access.pk)
    journal.record_person_act(
        case=access.case,
        purpose="Retrait de l'accord de partage par la personne",
        object_type="accord de partage",
        object_id=str(agreement.pk),
        categories=agreement.categories,
        info=info,
    )
    return agreement
