"""The person writes to their binôme (short messages, a request to change an appointment) and
to the DPO (a request about their data).

Only the person's own words come back to these pages: never an answer, a note or a secret."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from casework import rights
from casework.journal import RequestInfo
from casework.space import messages as person_messages
from casework.space import selectors
from casework.space.forms import AppointmentChangeForm, DataRequestForm, MessageForm
from casework.space.session import person_required
from partners.errors import DomainError


@person_required
def space_messages(request: HttpRequest) -> HttpResponse:
    """Write to the binôme; the list of what the person sent, with dates."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return redirect("space_home")
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person_messages.message_send(
                access=access, text=form.cleaned_data["text"], info=RequestInfo.of(request)
            )
        except DomainError as refusal:
            form.add_error(getattr(refusal, "field", None), refusal.message)
        else:
            messages.success(request, "Votre message est envoyé à votre binôme.")
            return redirect("space_messages")
    return render(
        request,
        "casework/space/messages.html",
        {
            "space_person": True,
            "form": form,
            "sent": list(selectors.sent_messages(access)),
            "daily_limit": person_messages.DAILY_LIMIT,
        },
    )


@person_required
def space_appointment_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to change one upcoming appointment (404 for any other: not theirs, past, missing)."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return redirect("space_home")
    case = selectors.space_case(access)
    appointment = get_object_or_404(selectors.upcoming(case), pk=pk)
    form = AppointmentChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person_messages.appointment_change_ask(
                access=access,
                appointment=appointment,
                reason=form.cleaned_data["reason"],
                info=RequestInfo.of(request),
            )
        except DomainError as refusal:
            form.add_error(getattr(refusal, "field", None), refusal.message)
        else:
            messages.success(
                request,
                "Votre demande est envoyée à votre binôme. Le rendez-vous reste prévu tant "
                "qu'on ne vous a pas proposé une autre date.",
            )
            return redirect("space_messages")
    return render(
        request,
        "casework/space/appointment_change.html",
        {
            "space_person": True,
            "form": form,
            "appointment": appointment,
            "with_whom": selectors.Person.of(appointment.with_whom, ""),
        },
    )


@person_required
def space_data_requests(request: HttpRequest) -> HttpResponse:
    """Ask the DPO to correct, to stop using, or to send a full copy of the person's data; the
    state of the person's requests and the DPO's answers."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return redirect("space_home")
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rights.person_request_from_space(
                access=access,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                info=RequestInfo.of(request),
            )
        except DomainError as refusal:
            form.add_error(getattr(refusal, "field", None), refusal.message)
        else:
            messages.success(
                request,
                "Votre demande est envoyée au ou à la délégué·e à la protection des données du "
                "département. La réponse s'affichera ici.",
            )
            return redirect("space_data_requests")
    return render(
        request,
        "casework/space/data_requests.html",
        {"space_person": True, "form": form, "requests": list(selectors.data_requests(access))},
    )
