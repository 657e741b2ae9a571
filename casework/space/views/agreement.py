"""The person's accord de partage, category by category, in their space: withdraw it wholly or
one category at a time (after a confirmation), renew or widen it (after reading the notice)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework import sharing
from casework.enums import ShareCategory
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.space import agreements, selectors
from casework.space.forms import AgreementGiveForm
from casework.space.session import no_store, person_required
from partners.errors import DomainError

WITHDRAWN = "Votre accord de partage est retiré. Plus rien n'est partagé."


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
        (category.value, category.label, agreement is not None and category in agreement.categories)
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
                "can_widen": agreement is not None and not all(s for _, _, s in categories),
                "can_renew": selectors.can_renew(case, agreement),
                "advisor": (
                    selectors.Person.of(case.pair.advisor, "conseiller·e")
                    if case.pair.advisor
                    else None
                ),
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
        try:
            agreements.space_agreement_withdraw(access=access, info=RequestInfo.of(request))
        except DomainError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, WITHDRAWN)
        return no_store(redirect("space_agreement"))
    return no_store(
        render(request, "casework/space/agreement_withdraw.html", {"space_person": True})
    )


@person_required
def space_agreement_withdraw_category(request: HttpRequest, category: str) -> HttpResponse:
    """Say what will stop being shared (GET), then stop sharing this one category (POST). A
    category the accord in force does not cover, or no accord: the same 404."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return no_store(redirect("space_home"))
    agreement = sharing.agreement_in_force(selectors.space_case(access))
    if agreement is None or category not in agreement.categories:
        raise Http404
    label = ShareCategory(category).label
    if request.method == "POST":
        try:
            result = agreements.space_agreement_withdraw_category(
                access=access, category=category, info=RequestInfo.of(request)
            )
        except DomainError as refusal:
            messages.error(request, refusal.message)
        else:
            if result.withdrawn_at is not None:
                messages.success(request, WITHDRAWN)
            else:
                messages.success(
                    request, f"« {label} » n'est plus partagé. Le reste de votre accord continue."
                )
        return no_store(redirect("space_agreement"))
    remaining = [
        choice.label
        for choice in ShareCategory
        if choice in agreement.categories and choice != category
    ]
    return no_store(
        render(
            request,
            "casework/space/agreement_withdraw_category.html",
            {"space_person": True, "label": label, "remaining": remaining},
        )
    )


@person_required
def space_agreement_give(request: HttpRequest) -> HttpResponse:
    """Renew an accord that ended, or widen the one in force, after reading the notice."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return no_store(redirect("space_home"))
    case = selectors.space_case(access)
    in_force = sharing.agreement_in_force(case)
    if in_force is None and not selectors.can_renew(case, in_force):
        return no_store(redirect("space_agreement"))
    offered = (
        [value for value in ShareCategory.values if value not in in_force.categories]
        if in_force is not None
        else None
    )
    if offered == []:  # everything is shared already
        return no_store(redirect("space_agreement"))
    initial = {"categories": selectors.last_categories(case)} if in_force is None else {}
    form = AgreementGiveForm(
        request.POST if request.method == "POST" else None, initial=initial, offered=offered
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreements.space_agreement_give(
                access=access,
                categories=form.cleaned_data["categories"],
                notice_read=form.cleaned_data["notice_read"],
                info=RequestInfo.of(request),
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                "Votre accord de partage est enregistré. Vous pouvez le retirer à tout moment.",
            )
            return no_store(redirect("space_agreement"))
    return no_store(
        render(
            request,
            "casework/space/agreement_give.html",
            {
                "space_person": True,
                "form": form,
                "widening": in_force is not None,
                "in_force": in_force,
                "shared": sharing.share_category_labels(in_force),
                "department": case.pair.department,
                "notice_categories": ShareCategory.choices,
            },
        )
    )
