"""Axis 1: one-off requests of advisors to the social correspondents of a territory."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import access, journal_events, selectors, services
from casework.enums import SocialRequestState
from casework.errors import ConsentRequired, InvalidInput
from casework.forms import SocialRequestAnswerForm, SocialRequestForm, SocialRequestToCaseForm
from casework.journal import RequestInfo
from casework.models import SocialRequest
from partners.errors import DomainError
from partners.forms import freeze_choices, parse_id
from partners.pagination import paginate
from partners.selectors import pairs_of_professional


@login_required
def social_requests(request: HttpRequest) -> HttpResponse:
    """« Demandes ponctuelles »: those the advisor made, those the correspondent answers."""
    user = access.access_as_request_reader(request)
    return render(
        request,
        "casework/social_requests.html",
        {
            "page": paginate(request, selectors.social_requests_of(user)),
            "can_create": access.is_advisor(user),
            "today": timezone.localdate(),
        },
    )


@login_required
def social_request_create(request: HttpRequest) -> HttpResponse:
    """An advisor's request about a person followed outside a binôme, agreement first."""
    user = access.access_as_requester(request)
    department = user.organisation.department  # type: ignore[union-attr]
    # « suite »: a further request about the person of one of the advisor's earlier requests.
    earlier = None
    if (earlier_id := parse_id(request.GET.get("suite", ""))) is not None:
        earlier = access.access_earlier_request(user, earlier_id)
    form = SocialRequestForm(
        request.POST if request.method == "POST" else None,
        territories=selectors.request_territories(department.pk),
        known_person=earlier is not None,
        initial={"territory": earlier.territory_id} if earlier else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if earlier is not None:
                    beneficiary = earlier.beneficiary
                else:
                    beneficiary = services.beneficiary_create(
                        department=department,
                        acting_user=user,
                        **{name: data[name] for name in SocialRequestForm.IDENTITY},
                    )
                social_request = services.social_request_create(
                    beneficiary=beneficiary,
                    requester=user,
                    territory=data["territory"],
                    category=data["category"],
                    question=data["question"],
                    person_agreed=data["person_agreed"],
                    agreement_method=data["agreement_method"],
                    due_on=data["due_on"],
                    info=RequestInfo.of(request),
                )
        except ConsentRequired as error:
            form.add_error("person_agreed", error.message)
        except InvalidInput as error:
            form.add_domain_error(error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, "Demande envoyée aux correspondant·es sociaux·ales du territoire."
            )
            return redirect("social_request_detail", pk=social_request.pk)
    return render(
        request,
        "casework/social_request_form.html",
        {"form": freeze_choices(form), "earlier": earlier},
    )


def _social_request_page(
    request: HttpRequest, social_request: SocialRequest, **extra: Any
) -> HttpResponse:
    """The request's page; every response that shows it writes its one journal row."""
    user = access.professional(request)
    is_requester = access.is_requester(user, social_request)
    correspondent = access.may_answer_social_request(user, social_request)
    context: dict[str, Any] = {
        "social_request": social_request,
        "beneficiary": social_request.beneficiary,
        "is_requester": is_requester,
        "correspondent": correspondent,
        "can_close": social_request.is_pending,
    }
    if correspondent and social_request.state == SocialRequestState.OPEN:
        context.setdefault("answer_form", SocialRequestAnswerForm())
    if is_requester and social_request.is_pending:
        context.setdefault(
            "to_case_form", SocialRequestToCaseForm(pairs=list(pairs_of_professional(user)))
        )
    context.update(extra)
    if "to_case_form" in context:
        freeze_choices(context["to_case_form"])
    journal_events.social_request_viewed(
        actor=user, social_request=social_request, info=RequestInfo.of(request)
    )
    return render(request, "casework/social_request_detail.html", context)


@login_required
def social_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    social_request = access.access_social_request(access.professional(request), pk)
    return _social_request_page(request, social_request)


@login_required
@require_POST
def social_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    social_request = access.access_social_request(user, pk)
    access.require(access.may_answer_social_request(user, social_request))
    form = SocialRequestAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.social_request_answer(
                social_request=social_request,
                acting_user=user,
                answer=form.cleaned_data["answer"],
                info=RequestInfo.of(request),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Réponse envoyée au ou à la conseiller·ère.")
        return redirect("social_request_detail", pk=social_request.pk)
    return _social_request_page(request, social_request, answer_form=form)


@login_required
@require_POST
def social_request_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    social_request = access.access_social_request(user, pk)
    try:
        services.social_request_close(social_request=social_request, acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Demande close.")
    return redirect("social_request_detail", pk=social_request.pk)


@login_required
@require_POST
def social_request_to_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The request becomes a proposed accompagnement by one of the requester's binômes."""
    user = access.professional(request)
    social_request = access.access_social_request(user, pk)
    access.require(access.is_requester(user, social_request))
    form = SocialRequestToCaseForm(request.POST, pairs=list(pairs_of_professional(user)))
    if form.is_valid():
        try:
            case = services.social_request_to_case(
                social_request=social_request, pair=form.cleaned_data["pair"], acting_user=user
            )
        except InvalidInput as error:
            form.add_error("pair", error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "L'accompagnement est proposé ; la demande ponctuelle reste à son historique.",
            )
            return redirect("case_detail", pk=case.pk)
    return _social_request_page(request, social_request, to_case_form=form)
