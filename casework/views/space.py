"""The binôme's side of the person's space: invite the person, withdraw the access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework import access, selectors
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.space import services
from casework.space.forms import InvitationForm
from partners.errors import DomainError


@login_required
def space_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """« Inviter la personne dans son espace »: the address prefilled from the person's record,
    confirmed with the person."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        initial={"email": case.beneficiary.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.space_invite(
                case=case,
                email=form.cleaned_data["email"],
                acting_user=user,
                info=RequestInfo.of(request),
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "Invitation envoyée : la personne peut se connecter à son espace avec un code "
                "reçu à cette adresse.",
            )
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/space_invite.html",
        {"case": case, "beneficiary": case.beneficiary, "form": form},
    )


@login_required
def space_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """« Retirer l'accès », after a confirmation page: the person's sessions end at once."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    current = selectors.space_access_of(case)
    if current is None:
        messages.error(request, "La personne n'a pas d'accès en cours à son espace.")
        return redirect("case_detail", pk=case.pk)
    if request.method == "POST":
        try:
            services.space_withdraw(access=current, acting_user=user, info=RequestInfo.of(request))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "Accès retiré : la personne ne peut plus entrer dans son espace."
            )
        return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/space_withdraw.html",
        {"case": case, "beneficiary": case.beneficiary, "space_access": current},
    )
