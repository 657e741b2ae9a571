"""The person's acts on orientation that are not a change of the plan (``orientation.services``
holds those): the download of what their space shows, journaled as their own act."""

from typing import Any

from django.db import transaction

from casework import journal
from casework.journal import RequestInfo
from casework.models import SpaceAccess
from orientation.space import selectors

DATA_DOWNLOADED = "Téléchargement des informations de son espace"


@transaction.atomic
def space_data_download(*, access: SpaceAccess, info: RequestInfo | None = None) -> dict[str, Any]:
    """What the space shows, as data, for the person to keep; the journal says they took it
    (channel « person », shown on the case's timeline)."""
    data = selectors.space_data(access)
    journal.record_person_act(
        case=access.case,
        purpose=DATA_DOWNLOADED,
        object_type="espace de la personne",
        object_id=str(access.pk),
        info=info,
    )
    return data
