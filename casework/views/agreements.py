"""The accord de partage: recorded by the social worker, withdrawn, and the information notice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casework import access, services
from casework.enums import ShareCategory
from casework.errors import InvalidInput
from casework.forms import AgreementForm
from casework.journal import RequestInfo
from casework.printing import render_print
from casework.sharing import agreement_in_force


@login_required
def agreement_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The social worker records the person's accord de partage."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.SOCIAL)
    current = agreement_in_force(case)
    initial = {"categories": current.categories} if current else {}
    form = AgreementForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_record(
                case=case,
                categories=data["categories"],
                how_obtained=data["how_obtained"],
                expires_on=data["expires_on"],
                acting_user=user,
                info=RequestInfo.of(request),
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Accord de partage enregistré.")
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/agreement_form.html",
        {"case": case, "beneficiary": case.beneficiary, "form": form, "current": current},
    )


@login_required
def agreement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the person withdraws the accord (after a confirmation page)."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    current = agreement_in_force(case)
    if current is None:
        messages.error(request, "Aucun accord de partage n'est en vigueur.")
        return redirect("case_detail", pk=case.pk)
    if request.method == "POST":
        services.agreement_withdraw(
            agreement=current, acting_user=user, info=RequestInfo.of(request)
        )
        messages.success(
            request,
            "Retrait de l'accord enregistré : plus rien ne sera partagé à ce titre. "
            "Ce qui a déjà été partagé reste au journal.",
        )
        return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/agreement_withdraw.html",
        {"case": case, "beneficiary": case.beneficiary, "agreement": current},
    )


@login_required
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
def information_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable information notice handed to the person."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    return render_print(
        request,
        "casework/information_notice.html",
        {"department": case.pair.department, "categories": ShareCategory.choices},
        case=case,
        purpose="Notice d'information remise à la personne",
        object_type="notice d'information",
    )
