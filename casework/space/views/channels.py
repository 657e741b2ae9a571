"""« Recevoir mes rendez-vous par SMS ou e-mail »: the person gives or withdraws their yes to
each channel, from their space (a confirmation page before a withdrawal)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework.enums import MessageChannel
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.messages import phones
from casework.models import SpaceAccess
from casework.space import channels, selectors
from casework.space.forms import ChannelGiveForm
from casework.space.session import no_store, person_required
from partners.errors import DomainError

#: The channels in the order the page shows them.
CHANNELS = (MessageChannel.SMS, MessageChannel.EMAIL)


def _channel(value: str) -> MessageChannel:
    if value not in MessageChannel.values:
        raise Http404
    return MessageChannel(value)


def _suggested(access: SpaceAccess, channel: str) -> str:
    """What the person most likely wants to type: the invitation's contact, else their record."""
    beneficiary = access.beneficiary
    if channel == MessageChannel.EMAIL:
        return access.email or beneficiary.email
    number = access.phone or beneficiary.phone
    try:
        return phones.display(phones.normalise_mobile(number)) if number else ""
    except InvalidInput:
        return ""


@person_required
def space_channels(request: HttpRequest) -> HttpResponse:
    """Each channel: the person's yes in force (where to), or none; give, change, withdraw."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return no_store(redirect("space_home"))
    given = channels.in_force(access)
    return no_store(
        render(
            request,
            "casework/space/channels.html",
            {
                "space_person": True,
                "rows": [(channel, channel.label, given.get(channel)) for channel in CHANNELS],
            },
        )
    )


@person_required
def space_channel_give(request: HttpRequest, channel: str) -> HttpResponse:
    """Say yes to ``channel`` at the number or address typed (or change it)."""
    access = request.space_access  # type: ignore[attr-defined]
    chosen = _channel(channel)
    if selectors.is_archived(access):
        return no_store(redirect("space_home"))
    current = channels.in_force(access).get(chosen)
    form = ChannelGiveForm(
        request.POST if request.method == "POST" else None,
        channel=chosen,
        initial={
            "address": current.shown_address if current else _suggested(access, chosen),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            channels.space_channel_give(
                access=access,
                channel=chosen,
                address=form.cleaned_data["address"],
                info=RequestInfo.of(request),
            )
        except InvalidInput as error:
            form.add_error("address", error.message)
        except DomainError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                f"C'est noté : vous recevrez vos convocations et rappels par {chosen.label}.",
            )
            return no_store(redirect("space_channels"))
    return no_store(
        render(
            request,
            "casework/space/channel_give.html",
            {
                "space_person": True,
                "form": form,
                "channel": chosen,
                "label": chosen.label,
                "current": current,
            },
        )
    )


@person_required
def space_channel_withdraw(request: HttpRequest, channel: str) -> HttpResponse:
    """Ask for confirmation (GET), then withdraw the yes on ``channel`` (POST). A channel the
    person has not said yes to is the same 404 as an unknown one."""
    access = request.space_access  # type: ignore[attr-defined]
    chosen = _channel(channel)
    if selectors.is_archived(access):
        return no_store(redirect("space_home"))
    current = channels.in_force(access).get(chosen)
    if current is None:
        raise Http404
    if request.method == "POST":
        try:
            channels.space_channel_withdraw(
                access=access, channel=chosen, info=RequestInfo.of(request)
            )
        except DomainError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, f"C'est noté : vous ne recevrez plus de messages par {chosen.label}."
            )
        return no_store(redirect("space_channels"))
    return no_store(
        render(
            request,
            "casework/space/channel_withdraw.html",
            {"space_person": True, "channel": chosen, "label": chosen.label, "current": current},
        )
    )
