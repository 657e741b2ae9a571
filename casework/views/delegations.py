"""Remplacements: those that concern the user, given and ended here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import access, selectors, services
from casework.errors import InvalidInput
from casework.forms import DelegationForm
from casework.journal import RequestInfo
from casework.models import Case
from partners.errors import DomainError
from partners.forms import freeze_choices
from partners.models import Pair


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    """« Remplacements »: those that concern the user, and the form to organise one."""
    user = access.access_as_delegation_organiser(request)
    own_cases = None
    if access.in_pair(user):
        own_cases = (
            Case.objects.open()
            .filter(pair__in=Pair.objects.of(user))
            .select_related("beneficiary")
            .order_by("beneficiary__last_name", "beneficiary__first_name", "pk")
        )
    form = DelegationForm(
        request.POST if request.method == "POST" else None,
        replaceable=selectors.replaceable_by(user),
        delegates=selectors.possible_delegates(user),
        own_cases=own_cases,
        initial={"replaced": user.pk} if access.in_pair(user) else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = services.delegation_give(
                replaced=data["replaced"],
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                cases=data.get("cases") or None,
                acting_user=user,
                info=RequestInfo.of(request),
            )
        except InvalidInput as error:
            form.add_domain_error(error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Remplacement enregistré du {delegation.starts_on:%d/%m/%Y} au "
                f"{delegation.ends_on:%d/%m/%Y}.",
            )
            return redirect("delegations")
    return render(
        request,
        "casework/delegations.html",
        {
            "form": freeze_choices(form),
            "delegations": list(selectors.delegations_for(user)),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """End a remplacement before its date."""
    user = access.access_as_delegation_organiser(request)
    delegation = access.access_delegation(user, pk)
    try:
        services.delegation_revoke(
            delegation=delegation, acting_user=user, info=RequestInfo.of(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Remplacement arrêté : les droits du remplaçant·e sont retirés.")
    return redirect("delegations")
