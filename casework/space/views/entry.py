"""The person's pages under /mon-espace/: login by a one-time code, the first page, logout
(FranceConnect's are in ``franceconnect``, when configured).

Never ``login_required``: the person is not a professional. Every page answers ``no-store``.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.enums import CaseState
from casework.space import selectors, services, session
from casework.space.forms import CodeForm, ContactForm
from casework.space.session import no_store, person_required
from casework.space.views.franceconnect import logout_through_franceconnect

#: Shown whether the contact is known or not: nobody learns who is followed.
CODE_SENT = (
    "Si cette adresse ou ce numéro donne accès à un espace, un code à 6 chiffres vient d'y "
    "être envoyé. Il sert une seule fois, pendant 10 minutes."
)


def space_login(request: HttpRequest) -> HttpResponse:
    """Ask for the contact; send a code if an invitation is in force; the same answer always."""
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        contact = services.normalise_contact(form.cleaned_data["contact"])
        services.code_send(contact=contact)
        request.session[session.PENDING_CONTACT] = contact
        messages.info(request, CODE_SENT)
        return no_store(redirect("space_code"))
    return no_store(
        render(
            request,
            "casework/space/login.html",
            {
                "form": form,
                "space_person": False,
                "franceconnect": settings.BINOME_FRANCECONNECT_ENABLED,
            },
        )
    )


def space_code(request: HttpRequest) -> HttpResponse:
    """The code form; a right code opens the person's session."""
    contact = request.session.get(session.PENDING_CONTACT)
    if not contact:
        return no_store(redirect("space_login"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.code_check(contact=contact, code=form.cleaned_data["code"])
        except services.CodeRefused as refusal:
            form.add_error("code", refusal.message)
        else:
            session.open_session(request, access)
            return no_store(redirect("space_home"))
    return no_store(
        render(
            request,
            "casework/space/code.html",
            {
                "form": form,
                "contact": services.shown_contact(contact),
                "by_sms": services.is_phone(contact),
                "space_person": False,
            },
        )
    )


@person_required
def space_home(request: HttpRequest) -> HttpResponse:
    """« Mon espace »: the accompaniment in words, the binôme, the next appointments."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return render(
            request,
            "casework/space/archived.html",
            {"department": access.case.pair.department, "space_person": True},
        )
    case = selectors.space_case(access)
    co_member = case.co_accompagnant
    return render(
        request,
        "casework/space/home.html",
        {
            "space_person": True,
            "franceconnect": settings.BINOME_FRANCECONNECT_ENABLED,
            "franceconnect_tied": bool(access.franceconnect_sub),
            "first_name": access.beneficiary.first_name,
            "case": case,
            "state_sentence": selectors.STATE_SENTENCES[CaseState(case.state)],
            "referent": selectors.Person.of(case.referent, "référent·e"),
            "co_member": (
                selectors.Person.of(co_member, "co-accompagnant·e") if co_member else None
            ),
            "appointments": [
                (appointment, selectors.Person.of(appointment.with_whom, ""))
                for appointment in selectors.upcoming_appointments(case)
            ],
            "breach_reports": list(selectors.breach_reports(case)),
        },
    )


@require_POST
def space_logout(request: HttpRequest) -> HttpResponse:
    """End the person's session; logged in through FranceConnect, end FranceConnect's too."""
    id_token = request.session.get(session.FRANCECONNECT_ID_TOKEN)
    session.end_session(request.session)
    if id_token and settings.BINOME_FRANCECONNECT_ENABLED:
        return logout_through_franceconnect(request, id_token)
    messages.info(request, "Vous êtes déconnecté·e de votre espace.")
    return no_store(redirect("space_login"))
