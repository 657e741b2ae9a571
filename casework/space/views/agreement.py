"""The person's accord de partage, category by category, in their space; its withdrawal."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework import sharing
from casework.enums import ShareCategory
from casework.journal import RequestInfo
from casework.space import agreements, selectors
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


@person_required
def space_agreement_withdraw(request: HttpRequest) -> HttpResponse:
    """Ask for confirmation (GET), then withdraw the whole accord at once (POST)."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return no_store(redirect("space_home"))
    agreement = sharing.agreement_in_force(selectors.space_case(access))
    if agreement is None:
        return no_store(redirect("space_agreement"))
    if request.method == "POST":
        agreements.space_agreement_withdraw(access=access, info=RequestInfo.of(request))
        messages.success(request, "Votre accord de partage est retiré. Plus rien n'est partagé.")
        return no_store(redirect("space_agreement"))
    return no_store(
        render(request, "casework/space/agreement_withdraw.html", {"space_person": True})
    )
