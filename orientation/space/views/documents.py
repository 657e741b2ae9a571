"""The person's documents, each a printable page in plain French: the diagnostic, the decision
letters with the ways to appeal, the contrat d'engagement and plan d'action; and the download
of what the space shows (JSON)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from casework.journal import RequestInfo
from casework.space import selectors as space_selectors
from casework.space.session import person_required
from orientation import letters
from orientation.selectors import weekly_hours_sentence
from orientation.space import selectors, services


@person_required
def space_documents(request: HttpRequest) -> HttpResponse:
    """The list of the person's documents (only those that exist), and the download."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    return render(
        request,
        "orientation/space/documents.html",
        {
            "space_person": True,
            "diagnostics": selectors.diagnostic_documents(access),
            "decisions": list(selectors.decisions(access)),
            "plan": selectors.plan(access),
        },
    )


def _document(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """A document page: the letter head reads the person and today's date."""
    access = request.space_access  # type: ignore[attr-defined]
    page = {
        "space_person": True,
        "beneficiary": access.beneficiary,
        "today": timezone.localdate(),
    }
    return render(request, template, {**page, **context})


@person_required
def space_document_diagnostic(request: HttpRequest, version: int) -> HttpResponse:
    """One version of the diagnostic among the documents (the last signed one, or the one still
    open); any other version, or another person's, is the same 404."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    diagnostic = next(
        (d for d in selectors.diagnostic_documents(access) if d.version == version), None
    )
    if diagnostic is None:
        raise Http404
    shown = selectors.diagnostic_shown(diagnostic)
    return _document(
        request,
        "orientation/space/document_diagnostic.html",
        {"diagnostic": diagnostic, "shown": shown},
    )


@person_required
def space_document_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter notifying an orientation decision, with the ways and delays to appeal."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    decision = get_object_or_404(selectors.decisions(access), pk=pk)
    case = space_selectors.space_case(access)
    return _document(
        request,
        "orientation/space/document_decision.html",
        {
            "decision": decision,
            "case": case,
            "appeal_routes": letters.appeal_routes(decision, access.case.pair.department),
        },
    )


@person_required
def space_document_plan(request: HttpRequest) -> HttpResponse:
    """The contrat d'engagement and the plan d'action, once the binôme wrote one."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    plan = selectors.plan(access)
    if plan is None:
        raise Http404
    return _document(
        request,
        "orientation/space/document_plan.html",
        {
            "plan": plan,
            "actions": selectors.actions(access),
            "case": space_selectors.space_case(access),
            # the person reads their own difficulty
            "hours_sentence": weekly_hours_sentence(plan, reason_shown=True),
        },
    )


@person_required
def space_data_download(request: HttpRequest) -> HttpResponse:
    """What the space shows, as a JSON file to keep (journaled as the person's act)."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    data = services.space_data_download(access=access, info=RequestInfo.of(request))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="mon-espace-binome.json"'
    return response
