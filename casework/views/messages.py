"""The binôme's side of the messages to the person: record the person's yes to SMS or e-mail,
withdraw it (after a confirmation page); the administrator's side: the department's wording of
each message, with its placeholders, a preview and its length in SMS segments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework import access
from casework.enums import MessageChannel, MessageKind
from casework.errors import InvalidInput
from casework.forms.messages import MessageConsentForm, MessageTemplateForm
from casework.messages import sending, services, wording
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


@login_required
def message_templates(request: HttpRequest) -> HttpResponse:
    """Every message the product may send, on each channel: the department's wording or the
    product's default, and its length in SMS segments."""
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    return render(
        request,
        "casework/message_templates.html",
        {"department": department, "rows": sending.wordings(department)},
    )


@login_required
def message_template_edit(request: HttpRequest, kind: str, channel: str) -> HttpResponse:
    """Edit one wording: « Prévisualiser » fills it with sample values and counts its SMS
    segments without saving; « Enregistrer » checks it again and saves it."""
    user = access.access_as_admin(request)
    if kind not in MessageKind.values or channel not in MessageChannel.values:
        raise Http404
    department = user.organisation.department  # type: ignore[union-attr]
    subject, body = (
        wording.default(kind, channel)
        if request.GET.get("defaut")
        else sending.template_for(department, kind, channel)
    )
    form = MessageTemplateForm(
        request.POST if request.method == "POST" else None,
        initial={"subject": subject, "body": body},
        channel=channel,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        subject, body = form.cleaned_data.get("subject", ""), form.cleaned_data["body"]
        try:
            if request.POST.get("action") == "preview":
                wording.check(kind=kind, channel=channel, subject=subject, body=body)
            else:
                services.template_save(
                    department=department,
                    kind=kind,
                    channel=channel,
                    subject=subject,
                    body=body,
                    acting_user=user,
                )
                messages.success(
                    request,
                    f"Message « {MessageKind(kind).label} » par {MessageChannel(channel).label} "
                    "enregistré : les prochains envois l'utilisent.",
                )
                return redirect("message_templates")
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        preview = wording.preview(kind=kind, channel=channel, subject=subject, body=body)
    return render(
        request,
        "casework/message_template_form.html",
        {
            "form": form,
            "kind": MessageKind(kind),
            "channel": MessageChannel(channel),
            "placeholders": [
                (name, wording.PLACEHOLDERS[name]) for name in wording.ALLOWED[MessageKind(kind)]
            ],
            "preview": preview,
            "max_segments": wording.MAX_SMS_SEGMENTS,
        },
    )
