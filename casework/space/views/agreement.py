"""The person's accord de partage, category by category, in their space (read-only for now)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from casework import sharing
from casework.enums import ShareCategory
from casework.space import selectors
from casework.space.session import no_store, person_required


@person_required
def space_agreement(request: HttpRequest) -> HttpResponse:
    """What crosses from the social side today, to which binôme, since when, until when."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return no_store(
            render(
                request,
                "casework/space/archived.html",
                {"department": access.case.pair.department, "space_person": True},
            )
        )
    case = selectors.space_case(access)
    agreement = sharing.agreement_in_force(case)
    categories = [
        (category.label, agreement is not None and category in agreement.categories)
        for category in ShareCategory
    ]
    return no_store(
        render(
            request,
            "casework/space/agreement.html",
            {
                "space_person": True,
                "agreement": agreement,
                "categories": categories,
                "advisor": selectors.Person.of(case.pair.advisor, "conseiller·e"),
                "social_worker": selectors.Person.of(
                    case.pair.social_worker, "travailleur·se social·e"
                ),
            },
        )
    )
