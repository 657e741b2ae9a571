"""The orientation of a case: its page (préconisations and decisions in order), a préconisation
written, signed by the binôme and validated by the supervisor, the authority's decision recorded,
and the letter notifying it to the person."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casework.printing import render_print
from orientation import access, letters, selectors, services
from orientation.enums import DecidingAuthority
from orientation.forms import DecisionForm, RecommendationForm, ValidationForm
from orientation.models import Diagnostic, Recommendation
from partners.errors import DomainError
from partners.forms import add_domain_error


@login_required
def orientation(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's recommendations and decisions, in order, with what each role may do next."""
    user = access.professional(request)
    case = access.access_case_as_reader(user, pk)
    member = access.in_pair(user)
    recommendations = selectors.recommendations_of(case)
    open_recommendation = next(
        (r for r in recommendations if r.state not in ("decided", "rejected")), None
    )
    return render(
        request,
        "orientation/orientation.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "member": member,
            "recommendations": recommendations,
            "decisions": selectors.decisions_of(case),
            "open_recommendation": open_recommendation,
            "can_sign": member
            and open_recommendation is not None
            and open_recommendation.state == "signing"
            and not (
                open_recommendation.advisor_signed_at
                if access.signs_as_advisor(user)
                # a suivi social seul's social worker completes what waited for an advisor
                else open_recommendation.social_worker_signed_at
                and case.pair.advisor_id is not None
            ),
            "can_validate": access.may_validate_recommendations(user)
            and open_recommendation is not None
            and open_recommendation.state == "validation",
            "validation_form": ValidationForm(),
        },
    )


@login_required
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    locked = Diagnostic.objects.filter(case=case, state="locked").order_by("-version").first()
    form = RecommendationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.recommendation_create(
                case=case,
                acting_user=user,
                path=data["path"],
                rationale=data["rationale"],
                person_agrees=bool(data["person_agrees"]),
                person_comment=data["person_comment"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                "Préconisation enregistrée et signée ; l'autre membre du binôme est prévenu.",
            )
            return redirect("orientation", pk=case.pk)
    suggestion = selectors.criteria_suggestion(locked) if locked else None
    return render(
        request,
        "orientation/recommendation_form.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "form": form,
            "diagnostic": locked,
            "suggestion": suggestion,
        },
    )


@login_required
@require_POST
def recommendation_sign(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    try:
        services.recommendation_sign(
            recommendation=access.access_recommendation(case, rec_pk), acting_user=user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Préconisation signée.")
    return redirect("orientation", pk=case.pk)


@login_required
@require_POST
def recommendation_validate(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_for_validation(user, pk)
    form = ValidationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez de valider ou de renvoyer la préconisation.")
        return redirect("orientation", pk=case.pk)
    try:
        services.recommendation_validate(
            recommendation=access.access_recommendation(case, rec_pk),
            acting_user=user,
            approve=bool(form.cleaned_data["approve"]),
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Avis de l'encadrement enregistré.")
    return redirect("orientation", pk=case.pk)


@login_required
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the authority's decision: on the recommendation awaiting it, or on the national
    criteria when the decision came first."""
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    awaiting = (
        Recommendation.objects.filter(case=case, state="awaiting_decision").order_by("-pk").first()
    )
    initial = {"decided_on": timezone.localdate(), "path": awaiting.path if awaiting else ""}
    form = DecisionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                case=case,
                acting_user=user,
                path=data["path"],
                decided_on=data["decided_on"],
                reasons=data["reasons"],
                review_on=data["review_on"],
                recommendation=awaiting,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Décision d'orientation enregistrée.")
            return redirect("orientation", pk=case.pk)
    return render(
        request,
        "orientation/decision_form.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "form": form,
            "awaiting": awaiting,
            "authority": DecidingAuthority(services.authority_for(case)).label,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
def decision_letter(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    """The notification of the decision to the person, with the ways and delays to appeal."""
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    decision = access.access_decision(case, decision_pk)
    return render_print(
        request,
        "orientation/decision_letter.html",
        {
            "decision": decision,
            "department": case.pair.department,
            "appeal_routes": letters.appeal_routes(decision, case.pair.department),
        },
        case=case,
        purpose="Notification de la décision d'orientation remise à la personne",
        object_type="décision d'orientation",
        object_id=str(decision.pk),
    )
