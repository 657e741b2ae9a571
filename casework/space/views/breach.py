"""The person's signalements de manquement: each step in plain words, and their observations,
written in their own space while the delay is open (their own act, journaled as such).

No message ever tells the person about a signalement (DESIGN.md): the référent hands them the
letter, and this page shows where it stands, computed on every request."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from casework import services
from casework.journal import RequestInfo
from casework.space import selectors
from casework.space.forms import BreachObservationsForm
from casework.space.session import person_required
from partners.errors import DomainError


@person_required
def space_breach(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the person's signalements (404 for any other), and the observations form while
    they may still present them."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return redirect("space_home")
    case = selectors.space_case(access)
    report = get_object_or_404(selectors.breach_reports(case), pk=pk)
    form = BreachObservationsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.breach_observations_from_space(
                access=access,
                report=report,
                observations=form.cleaned_data["observations"],
                info=RequestInfo.of(request),
            )
        except DomainError as refusal:
            form.add_error(
                "observations" if getattr(refusal, "field", None) else None, refusal.message
            )
        else:
            messages.success(
                request,
                "Vos observations sont enregistrées : elles seront envoyées avec le signalement.",
            )
            return redirect("space_breach", pk=report.pk)
    return render(
        request,
        "casework/space/breach.html",
        {"space_person": True, "report": report, "form": form, "referent": case.referent},
    )
