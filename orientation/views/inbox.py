"""What awaits a professional: « Préconisations à valider » (supervisors), « Décisions à
enregistrer » (the binôme) and the in-app notifications."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orientation import access, selectors
from partners.pagination import paginate


@login_required
def to_validate(request: HttpRequest) -> HttpResponse:
    """« Préconisations à valider », for supervisors when the department asks for validation."""
    user = access.access_as_validator(request)
    return render(
        request,
        "orientation/to_validate.html",
        {"page": paginate(request, selectors.recommendations_to_validate(user))},
    )


@login_required
def to_decide(request: HttpRequest) -> HttpResponse:
    """« Décisions à enregistrer »: recommendations of the user's binômes awaiting a decision."""
    user = access.access_as_pair_member(request)
    return render(
        request,
        "orientation/to_decide.html",
        {"page": paginate(request, selectors.recommendations_awaiting_decision(user))},
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The professional's in-app notifications (what awaits their signature, validation…)."""
    user = access.professional(request)
    return render(
        request,
        "orientation/notifications.html",
        {"page": paginate(request, selectors.notifications_of(user))},
    )
