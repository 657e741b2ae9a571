"""The diagnostic partagé: its page (the state only for the supervisor), sections, secret social
details, obstacles (opinion, rectification), the person's opinion, signatures, new version and the
person's copy."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Case, Rectification
from casework.printing import render_print
from orientation import access, journal_events, selectors, services
from orientation.forms import (
    ObstacleForm,
    ObstacleRectificationForm,
    OpinionForm,
    PersonSectionsForm,
    ProfessionalSituationForm,
    SocialDetailsForm,
    SocialSummaryForm,
)
from partners.errors import DomainError
from partners.forms import add_domain_error


def _page(request: HttpRequest, case: Case, **bound: forms.Form) -> HttpResponse:
    user = access.professional(request)
    diagnostic = selectors.current_diagnostic(case)
    context: dict[str, Any] = {"case": case, "beneficiary": case.beneficiary}
    if access.sees_diagnostic_state_only(user):
        context["diagnostic"] = diagnostic
        return render(request, "orientation/diagnostic_state.html", context)
    if diagnostic is not None:
        view = selectors.diagnostic_for(diagnostic, user)
        signs_as_advisor = access.signs_as_advisor(user)
        context.update(
            diagnostic=diagnostic,
            view=view,
            is_advisor=signs_as_advisor,
            # in a suivi social seul, the social worker writes the professional situation too
            writes_professional=signs_as_advisor or case.pair.advisor_id is None,
            person_form=bound.get("person_form")
            or PersonSectionsForm(initial=PersonSectionsForm.initial_of(diagnostic)),
            situation_form=bound.get("situation_form")
            or ProfessionalSituationForm(
                initial={"professional_situation": diagnostic.professional_situation}
            ),
            summary_form=bound.get("summary_form")
            or SocialSummaryForm(
                initial={"social_summary": diagnostic.social_summary if view.social else ""}
            ),
            details_form=bound.get("details_form")
            or SocialDetailsForm(
                initial={"text": view.social_details.text if view.social_details else ""}
            ),
            obstacle_form=bound.get("obstacle_form") or ObstacleForm(),
            opinion_form=bound.get("opinion_form") or OpinionForm(),
            signed_by_me=(
                diagnostic.advisor_signed_at
                if signs_as_advisor
                # a suivi social seul's social worker completes what waited for an advisor
                else diagnostic.social_worker_signed_at and case.pair.advisor_id is not None
            ),
        )
        journal_events.diagnostic_viewed(
            actor=user,
            case=case,
            view=view,
            purpose="Consultation du diagnostic partagé",
            info=RequestInfo.of(request),
        )
    return render(request, "orientation/diagnostic.html", context)


@login_required
def diagnostic(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, access.access_case_for_diagnostic(access.professional(request), pk))


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("diagnostic", pk=case.pk)


def _refused(request: HttpRequest, case: Case, error: DomainError) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("diagnostic", pk=case.pk)


@login_required
@require_POST
def diagnostic_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    try:
        services.diagnostic_start(
            case=case, acting_user=user, three_way=request.POST.get("three_way") == "on"
        )
    except DomainError as error:
        return _refused(request, case, error)
    return _done(request, case, "Diagnostic commencé.")


SECTION_FORMS: dict[str, tuple[str, type[forms.Form]]] = {
    "person": ("person_form", PersonSectionsForm),
    "professional": ("situation_form", ProfessionalSituationForm),
    "social": ("summary_form", SocialSummaryForm),
}


@login_required
@require_POST
def diagnostic_sections(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    name, form_class = SECTION_FORMS.get(request.POST.get("section", ""), SECTION_FORMS["person"])
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.diagnostic_update(
                diagnostic=access.access_diagnostic(case),
                acting_user=user,
                fields=form.cleaned_data,
            )
        except DomainError as error:
            return _refused(request, case, error)
        return _done(request, case, "Diagnostic enregistré.")
    return _page(request, case, **{name: form})


@login_required
@require_POST
def diagnostic_social_details(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_for_social_details(user, pk)
    form = SocialDetailsForm(request.POST)
    if form.is_valid():
        try:
            services.social_details_set(
                diagnostic=access.access_diagnostic(case),
                acting_user=user,
                text=form.cleaned_data["text"],
            )
        except DomainError as error:
            return _refused(request, case, error)
        return _done(request, case, "Éléments sociaux enregistrés.")
    return _page(request, case, details_form=form)


@login_required
@require_POST
def obstacle_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    form = ObstacleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            obstacle = services.obstacle_add(
                diagnostic=access.access_diagnostic(case),
                acting_user=user,
                category=data["category"],
                impact=data["impact"],
                in_persons_words=data["in_persons_words"],
                person_agrees=not data["person_disputes"],
                person_refuses_writing=data["person_refuses_writing"],
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            return _refused(request, case, error)
        else:
            if obstacle is None:
                return _done(request, case, "La personne a refusé : rien n'a été écrit.")
            return _done(request, case, "Difficulté enregistrée.")
    return _page(request, case, obstacle_form=form)


@login_required
@require_POST
def obstacle_opinion(request: HttpRequest, pk: int, obstacle_pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    view = selectors.diagnostic_for(access.access_diagnostic(case), user)
    obstacle = access.access_shown_obstacle(view, obstacle_pk)
    try:
        services.obstacle_set_person_agrees(
            obstacle=obstacle, acting_user=user, agrees=request.POST.get("agrees") == "true"
        )
    except DomainError as error:
        return _refused(request, case, error)
    return _done(request, case, "Avis de la personne enregistré sur cette difficulté.")


@login_required
def obstacle_rectify(request: HttpRequest, pk: int, obstacle_pk: int) -> HttpResponse:
    """The person contests a difficulty as written: correct it, with the reason; the previous
    text stays in the history (and, once locked, in the previous version)."""
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    view = selectors.diagnostic_for(access.access_diagnostic(case), user)
    obstacle = access.access_shown_obstacle(view, obstacle_pk)
    form = ObstacleRectificationForm(
        request.POST if request.method == "POST" else None,
        initial={
            "in_persons_words": obstacle.in_persons_words,
            "impact": obstacle.impact,
            "person_agrees": obstacle.person_agrees,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.obstacle_rectify(obstacle=obstacle, acting_user=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(
                request, case, "Rectification enregistrée : la personne relit le diagnostic."
            )
    journal_events.obstacle_rectification_viewed(
        actor=user, case=case, obstacle=obstacle, view=view, info=RequestInfo.of(request)
    )
    history = Rectification.objects.filter(
        object_type="obstacle", object_id=str(obstacle.pk)
    ).select_related("recorded_by")
    return render(
        request,
        "orientation/obstacle_rectify.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "obstacle": obstacle,
            "form": form,
            "history": list(history.order_by("-recorded_at", "-pk")),
        },
    )


@login_required
@require_POST
def diagnostic_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.diagnostic_record_opinion(
                diagnostic=access.access_diagnostic(case),
                acting_user=user,
                validated=bool(form.cleaned_data["validated"]),
                comment=form.cleaned_data["comment"],
            )
        except InvalidInput as error:
            form.add_error("comment", error.message)
        except DomainError as error:
            return _refused(request, case, error)
        else:
            return _done(request, case, "Avis de la personne enregistré.")
    return _page(request, case, opinion_form=form)


@login_required
@require_POST
def diagnostic_sign(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    try:
        signed = services.diagnostic_sign(
            diagnostic=access.access_diagnostic(case), acting_user=user
        )
    except DomainError as error:
        return _refused(request, case, error)
    if signed.locked_at:
        return _done(request, case, "Diagnostic signé par le binôme et verrouillé.")
    return _done(request, case, "Signature enregistrée ; la seconde signature verrouillera.")


@login_required
@require_POST
def diagnostic_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    try:
        services.diagnostic_new_version(diagnostic=access.access_diagnostic(case), acting_user=user)
    except DomainError as error:
        return _refused(request, case, error)
    return _done(request, case, "Nouvelle version ouverte ; la version verrouillée est conservée.")


@login_required
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
def diagnostic_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's copy, in plain French: a preview (journaled as a read of what it shows), then
    « Imprimer et remettre » (journaled as handed over)."""
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    diagnostic = access.access_diagnostic(case)
    view = selectors.diagnostic_for(diagnostic, user)
    if request.method != "POST":  # the preview shows what the diagnostic page shows
        journal_events.diagnostic_viewed(
            actor=user,
            case=case,
            view=view,
            purpose="Consultation de la copie du diagnostic avant sa remise",
            info=RequestInfo.of(request),
        )
    return render_print(
        request,
        "orientation/diagnostic_copy.html",
        # the sentence saying the copy leaves out what the accord de partage does not cover
        {"diagnostic": diagnostic, "view": view, "partial_copy": not view.social},
        case=case,
        purpose="Copie du diagnostic remise à la personne",
        object_type="diagnostic",
        object_id=str(diagnostic.pk),
        categories=view.shared_categories,
        agreement=view.agreement if view.shared_categories else None,
    )
