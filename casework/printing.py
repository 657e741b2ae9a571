"""Documents printed for the person: one helper journals the print, then renders the page.

Every printed document's view ends with ``render_print``; its template extends
``print_base.html`` (see docs/architecture.md, « Ajouter un document imprimé »).
"""

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from casework import journal
from casework.journal import RequestInfo
from casework.models import Case, SharingAgreement
from partners.models import Professional


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
    """Write the print's journal row, then render ``template``.

    The context also gets ``case``, ``beneficiary`` and ``today``, which the letter head
    (``includes/letter_recipient.html``) reads; ``context`` may override them.
    """
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
    page = {"case": case, "beneficiary": case.beneficiary, "today": timezone.localdate()}
    return render(request, template, {**page, **context})
