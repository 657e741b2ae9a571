"""Changements de binôme (functional administrator) and the letter handed to the person."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from casework import access, services
from casework.forms import CaseHandoverForm, HandoverForm
from casework.models import Case
from casework.printing import render_print
from casework.views import cases
from partners.errors import DomainError
from partners.forms import freeze_choices
from partners.selectors import pairs_of_department


@login_required
def handover(request: HttpRequest) -> HttpResponse:
    """Changement de référent: every open case of a leaving professional, in one step."""
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = HandoverForm(
        request.POST if request.method == "POST" else None, pairs=pairs_of_department(department)
    )
    moved: list[Case] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.cases_reassign_from(
                professional=data["professional"],
                new_pair=data["new_pair"],
                reason=data["reason"],
                acting_user=user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if not moved:
                form.add_error(None, "Aucun accompagnement en cours à confier.")
    moved_cases = list(
        Case.objects.filter(pk__in=[c.pk for c in moved]).select_related("beneficiary", "referent")
    )
    return render(
        request, "casework/handover.html", {"form": freeze_choices(form), "moved": moved_cases}
    )


@login_required
@require_POST
def case_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand one case over to another binôme of the department (functional administrator)."""
    user = access.access_as_admin(request)
    case = access.access_case(user, pk)
    pairs = pairs_of_department(case.pair.department).exclude(pk=case.pair_id)
    form = CaseHandoverForm(request.POST, pairs=pairs)
    if form.is_valid():
        try:
            services.case_reassign(
                case=case,
                new_pair=form.cleaned_data["new_pair"],
                reason=form.cleaned_data["reason"],
                acting_user=user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Accompagnement confié au nouveau binôme.")
            return redirect("handover_letter", pk=case.pk)
    return cases.render_case(
        request, "casework/case_detail.html", cases.case_context(request, case, handover_form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
def handover_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter telling the person who their new référent is (to print)."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.HANDOVER_LETTER)
    return render_print(
        request,
        "casework/handover_letter.html",
        {},
        case=case,
        purpose="Courrier de changement de référent·e remis à la personne",
        object_type="courrier",
    )
