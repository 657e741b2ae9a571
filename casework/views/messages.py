"""The binôme's side of the messages to the person: record the person's yes to SMS or e-mail,
withdraw it (after a confirmation page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework import access
from casework.enums import MessageChannel
from casework.errors import InvalidInput
from casework.forms.messages import MessageConsentForm
from casework.messages import services
from casework.models import MessageConsent
from partners.errors import DomainError


@login_required
def message_consent_give(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = MessageConsentForm(
        request.POST if request.method == "POST" else None,
        initial={"channel": MessageChannel.SMS, "address": case.beneficiary.phone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.consent_give(
                beneficiary=case.beneficiary,
                channel=form.cleaned_data["channel"],
                address=form.cleaned_data["address"],
                acting_user=user,
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Accord enregistré : la personne recevra ses convocations et rappels par "
                f"{consent.get_channel_display()}.",
            )
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/message_consent_give.html",
        {"case": case, "beneficiary": case.beneficiary, "form": form},
    )


@login_required
def message_consent_withdraw(request: HttpRequest, pk: int, channel: str) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    if channel not in MessageChannel.values:
        raise Http404
    consent = (
        MessageConsent.objects.in_force()
        .filter(beneficiary_id=case.beneficiary_id, channel=channel)
        .first()
    )
    if consent is None:
        messages.error(request, "La personne n'a pas d'accord en cours sur ce canal.")
        return redirect("case_detail", pk=case.pk)
    if request.method == "POST":
        try:
            services.consent_withdraw(consent=consent, acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Accord retiré : plus aucun message ne part par {consent.get_channel_display()}.",
            )
        return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/message_consent_withdraw.html",
        {"case": case, "beneficiary": case.beneficiary, "consent": consent},
    )
