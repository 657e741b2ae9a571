from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework import journal, permissions
from casework import selectors as case_selectors
from casework.enums import JournalChannel, ShareCategory, obstacle_share_category
from casework.errors import InvalidInput
from casework.models import Case
from orientation import selectors, services
from orientation.forms import (
    ObstacleForm,
    OpinionForm,
    PersonSectionsForm,
    ProfessionalSituationForm,
    SocialDetailsForm,
    SocialSummaryForm,
)
from orientation.models import Diagnostic, Obstacle
from partners.enums import PAIR_ROLES, Role
from partners.errors import DomainError
from partners.models import Professional

SOCIAL_DETAILS = "social_details"


def _user(request: HttpRequest) -> Professional:
    return cast(Professional, request.user)


def _case(user: Professional, pk: int, *, member: bool = True) -> Case:
    """The case, for a member of its binôme (or, with member=False, its supervisor too)."""
    try:
        case = case_selectors.case_for(user, pk)
    except Case.DoesNotExist as missing:
        raise Http404 from missing
    if user.role in PAIR_ROLES and permissions.can_change_case(user, case):
        return case
    if not member and user.role == Role.SUPERVISOR:
        return case
    raise Http404


def _diagnostic(case: Case) -> Diagnostic:
    diagnostic = selectors.current_diagnostic(case)
    if diagnostic is None:
        raise Http404
    return diagnostic


def _journal_reads(
    request: HttpRequest, case: Case, view: selectors.DiagnosticView, purpose: str
) -> None:
    """One journal row for a response that shows social content of the diagnostic: what
    crossed under the accord (advisor), or the social side's own content (social worker)."""
    categories = list(view.shared_categories)
    if view.social:
        if view.social_details is not None and view.social_details.text:
            categories.append(SOCIAL_DETAILS)
        if view.diagnostic.social_summary:
            categories.append(ShareCategory.SOCIAL_SUMMARY)
        categories += [obstacle_share_category(o.category) for o in view.obstacles]
    if not categories:
        return
    journal.record(
        department=case.pair.department,
        actor=_user(request),
        channel=JournalChannel.VIEW,
        purpose=purpose,
        case=case,
        categories=categories,
        agreement=None if view.social else view.agreement,
        object_type="diagnostic",
        object_id=str(view.diagnostic.pk),
        request=request,
    )


def _page(request: HttpRequest, case: Case, **bound: forms.Form) -> HttpResponse:
    user = _user(request)
    diagnostic = selectors.current_diagnostic(case)
    context: dict[str, Any] = {"case": case, "beneficiary": case.beneficiary}
    if user.role == Role.SUPERVISOR:  # the state only
        context["diagnostic"] = diagnostic
        return render(request, "orientation/diagnostic_state.html", context)
    if diagnostic is not None:
        view = selectors.diagnostic_for(diagnostic, user)
        context.update(
            diagnostic=diagnostic,
            view=view,
            is_advisor=user.role == Role.ADVISOR,
            person_form=bound.get("person_form")
            or PersonSectionsForm(initial=PersonSectionsForm.initial_of(diagnostic)),
            situation_form=bound.get("situation_form")
            or ProfessionalSituationForm(
                initial={"professional_situation": diagnostic.professional_situation}
            ),
            summary_form=bound.get("summary_form")
            or SocialSummaryForm(initial={"social_summary": diagnostic.social_summary}),
            details_form=bound.get("details_form")
            or SocialDetailsForm(
                initial={"text": view.social_details.text if view.social_details else ""}
            ),
            obstacle_form=bound.get("obstacle_form") or ObstacleForm(),
            opinion_form=bound.get("opinion_form") or OpinionForm(),
            signed_by_me=(
                diagnostic.advisor_signed_at
                if user.role == Role.ADVISOR
                else diagnostic.social_worker_signed_at
            ),
        )
        _journal_reads(request, case, view, "Consultation du diagnostic partagé")
    return render(request, "orientation/diagnostic.html", context)


@login_required
def diagnostic(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _case(_user(request), pk, member=False))


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("diagnostic", pk=case.pk)


def _refused(request: HttpRequest, case: Case, error: DomainError) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("diagnostic", pk=case.pk)


@login_required
@require_POST
def diagnostic_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
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
    user = _user(request)
    case = _case(user, pk)
    name, form_class = SECTION_FORMS.get(request.POST.get("section", ""), SECTION_FORMS["person"])
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.diagnostic_update(
                diagnostic=_diagnostic(case), acting_user=user, fields=form.cleaned_data
            )
        except DomainError as error:
            return _refused(request, case, error)
        return _done(request, case, "Diagnostic enregistré.")
    return _page(request, case, **{name: form})


@login_required
@require_POST
def diagnostic_social_details(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    if not permissions.can_read_social_notes(user, case):
        raise Http404
    form = SocialDetailsForm(request.POST)
    if form.is_valid():
        try:
            services.social_details_set(
                diagnostic=_diagnostic(case), acting_user=user, text=form.cleaned_data["text"]
            )
        except DomainError as error:
            return _refused(request, case, error)
        return _done(request, case, "Éléments sociaux enregistrés.")
    return _page(request, case, details_form=form)


@login_required
@require_POST
def obstacle_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    form = ObstacleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            obstacle = services.obstacle_add(
                diagnostic=_diagnostic(case),
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
    user = _user(request)
    case = _case(user, pk)
    obstacle = Obstacle.objects.filter(pk=obstacle_pk, diagnostic=_diagnostic(case)).first()
    if obstacle is None:
        raise Http404
    try:
        services.obstacle_set_person_agrees(
            obstacle=obstacle, acting_user=user, agrees=request.POST.get("agrees") == "true"
        )
    except DomainError as error:
        return _refused(request, case, error)
    return _done(request, case, "Avis de la personne enregistré sur cette difficulté.")


@login_required
@require_POST
def diagnostic_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.diagnostic_record_opinion(
                diagnostic=_diagnostic(case),
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
    user = _user(request)
    case = _case(user, pk)
    try:
        signed = services.diagnostic_sign(diagnostic=_diagnostic(case), acting_user=user)
    except DomainError as error:
        return _refused(request, case, error)
    if signed.locked_at:
        return _done(request, case, "Diagnostic signé par le binôme et verrouillé.")
    return _done(request, case, "Signature enregistrée ; la seconde signature verrouillera.")


@login_required
@require_POST
def diagnostic_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    try:
        services.diagnostic_new_version(diagnostic=_diagnostic(case), acting_user=user)
    except DomainError as error:
        return _refused(request, case, error)
    return _done(request, case, "Nouvelle version ouverte ; la version verrouillée est conservée.")


@login_required
def diagnostic_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's copy, in plain French, ready to print; the print is journaled."""
    user = _user(request)
    case = _case(user, pk)
    diagnostic = _diagnostic(case)
    view = selectors.diagnostic_for(diagnostic, user)
    journal.record(
        department=case.pair.department,
        actor=user,
        channel=JournalChannel.PRINT,
        purpose="Copie du diagnostic remise à la personne",
        case=case,
        categories=view.shared_categories,
        agreement=view.agreement if view.shared_categories else None,
        recipient="la personne accompagnée",
        object_type="diagnostic",
        object_id=str(diagnostic.pk),
        request=request,
    )
    return render(
        request,
        "orientation/diagnostic_copy.html",
        {"case": case, "beneficiary": case.beneficiary, "diagnostic": diagnostic, "view": view},
    )
