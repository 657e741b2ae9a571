"""The binôme's side of the person's space: invite the person, withdraw the access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework import access, selectors
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.messages import phones
from casework.space import services
from casework.space.forms import InvitationForm
from partners.errors import DomainError


def _mobile_or_blank(phone: str) -> str:
    """The person's recorded number, if it is a mobile one (an SMS reaches it)."""
    try:
        return phones.display(phones.normalise_mobile(phone)) if phone else ""
    except InvalidInput:
        return ""


@login_required
def space_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """« Inviter la personne dans son espace »: the address (else the mobile number) prefilled
    from the person's record, confirmed with the person; the invitation leaves by that channel."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        initial={"contact": case.beneficiary.email or _mobile_or_blank(case.beneficiary.phone)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            email, phone = form.cleaned_data["contact"]
            services.space_invite(
                case=case,
                email=email,
                phone=phone,
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
                f"reçu {'par SMS à ce numéro' if phone else 'à cette adresse'}.",
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
