"""Documents printed for the person: one helper renders the page and, when the professional
hands the document over, journals it.

Every printed document's view ends with ``render_print``; its template extends
``print_base.html`` (see docs/architecture.md, « Ajouter un document imprimé »). Opening the page
is a preview: it journals nothing here (a document that shows social content journals that read
through its own event, as its page does). The « Imprimer et remettre » button posts to the same
URL: that writes the journal row « remis à la personne » and opens the print dialog.
"""

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from casework import journal
from casework.journal import RequestInfo
from casework.models import Case, SharingAgreement
from partners.models import Professional

#: The page of the document just handed over: it opens the print dialog once, after the redirect.
HANDED_SESSION_KEY = "binome_document_handed"


def render_print(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    case: Case,
    purpose: str,
    object_type: str,
    object_id: str = "",
    categories: Iterable[str] = (),
    agreement: SharingAgreement | None = None,
) -> HttpResponse:
    """Render ``template``; on POST (« Imprimer et remettre »), journal the handing over, then
    redirect to the page (so that reloading it hands nothing over again), which comes back once
    with ``handed`` set: it opens the print dialog.

    The context also gets ``case``, ``beneficiary`` and ``today``, which the letter head
    (``includes/letter_recipient.html``) reads; ``context`` may override them.
    """
    if request.method == "POST":
        journal.record_print(
            info=RequestInfo.of(request),
            actor=cast(Professional, request.user),
            case=case,
            purpose=purpose,
            object_type=object_type,
            object_id=object_id,
            categories=categories,
            agreement=agreement,
        )
        request.session[HANDED_SESSION_KEY] = request.path
        return redirect(request.path)
    handed = request.session.pop(HANDED_SESSION_KEY, None) == request.path
    page = {
        "case": case,
        "beneficiary": case.beneficiary,
        "today": timezone.localdate(),
        "handed": handed,
    }
    return render(request, template, {**page, **context})
