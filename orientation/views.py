import csv
import io
from typing import Any, cast

import openpyxl
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import permissions
from casework import selectors as case_selectors
from casework.enums import (
    OrientationPath,
)
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Case, Rectification
from casework.printing import render_print
from orientation import journal_events, selectors, services
from orientation import supervision as supervision_figures
from orientation.enums import ActionStatus, DecidingAuthority
from orientation.forms import (
    ActionForm,
    ContractForm,
    DecisionForm,
    ObstacleForm,
    ObstacleRectificationForm,
    OpinionForm,
    PersonSectionsForm,
    ProfessionalSituationForm,
    RecommendationForm,
    SocialDetailsForm,
    SocialSummaryForm,
    ValidationForm,
)
from orientation.models import (
    Action,
    Diagnostic,
    Obstacle,
    OrientationDecision,
    Recommendation,
)
from partners.enums import PAIR_ROLES, Role
from partners.errors import DomainError
from partners.forms import add_domain_error
from partners.models import Professional
from partners.pagination import paginate


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
        journal_events.diagnostic_viewed(
            actor=_user(request),
            case=case,
            view=view,
            purpose="Consultation du diagnostic partagé",
            info=RequestInfo.of(request),
        )
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
def obstacle_rectify(request: HttpRequest, pk: int, obstacle_pk: int) -> HttpResponse:
    """The person contests a difficulty as written: correct it, with the reason; the previous
    text stays in the history (and, once locked, in the previous version)."""
    user = _user(request)
    case = _case(user, pk)
    view = selectors.diagnostic_for(_diagnostic(case), user)
    obstacle = next((o for o in view.obstacles if o.pk == obstacle_pk), None)
    if obstacle is None:  # not there, or not covered by the accord de partage
        raise Http404
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
    return render_print(
        request,
        "orientation/diagnostic_copy.html",
        {"diagnostic": diagnostic, "view": view},
        case=case,
        purpose="Copie du diagnostic remise à la personne",
        object_type="diagnostic",
        object_id=str(diagnostic.pk),
        categories=view.shared_categories,
        agreement=view.agreement if view.shared_categories else None,
    )


def _reader_case(user: Professional, pk: int) -> Case:
    """Recommendations and decisions: the binôme, the supervisor, the admin and the auditor."""
    try:
        case = case_selectors.case_for(user, pk)
    except Case.DoesNotExist as missing:
        raise Http404 from missing
    if user.role in PAIR_ROLES and not permissions.can_change_case(user, case):
        raise Http404
    return case


@login_required
def orientation(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's recommendations and decisions, in order, with what each role may do next."""
    user = _user(request)
    case = _reader_case(user, pk)
    member = user.role in PAIR_ROLES
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
                if user.role == Role.ADVISOR
                else open_recommendation.social_worker_signed_at
            ),
            "can_validate": user.role == Role.SUPERVISOR
            and open_recommendation is not None
            and open_recommendation.state == "validation",
            "validation_form": ValidationForm(),
        },
    )


@login_required
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
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
            "suggestion": OrientationPath(suggestion[0]).label if suggestion else "",
            "suggestion_reasons": suggestion[1] if suggestion else [],
        },
    )


def _recommendation(case: Case, rec_pk: int) -> Recommendation:
    recommendation = Recommendation.objects.filter(pk=rec_pk, case=case).first()
    if recommendation is None:
        raise Http404
    return recommendation


@login_required
@require_POST
def recommendation_sign(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    try:
        services.recommendation_sign(recommendation=_recommendation(case, rec_pk), acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Préconisation signée.")
    return redirect("orientation", pk=case.pk)


@login_required
@require_POST
def recommendation_validate(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    user = _user(request)
    if user.role != Role.SUPERVISOR:
        raise Http404
    case = _reader_case(user, pk)
    form = ValidationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez de valider ou de renvoyer la préconisation.")
        return redirect("orientation", pk=case.pk)
    try:
        services.recommendation_validate(
            recommendation=_recommendation(case, rec_pk),
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
    user = _user(request)
    case = _case(user, pk)
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
def decision_letter(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    """The notification of the decision to the person, with the ways and delays to appeal."""
    user = _user(request)
    case = _case(user, pk)
    decision = (
        OrientationDecision.objects.filter(pk=decision_pk, case=case)
        .select_related("recorded_by")
        .first()
    )
    if decision is None:
        raise Http404
    return render_print(
        request,
        "orientation/decision_letter.html",
        {"decision": decision, "department": case.pair.department},
        case=case,
        purpose="Notification de la décision d'orientation remise à la personne",
        object_type="décision d'orientation",
        object_id=str(decision.pk),
    )


@login_required
def to_validate(request: HttpRequest) -> HttpResponse:
    """« Préconisations à valider », for supervisors when the department asks for validation."""
    user = _user(request)
    if user.role != Role.SUPERVISOR:
        raise Http404
    return render(
        request,
        "orientation/to_validate.html",
        {"page": paginate(request, selectors.recommendations_to_validate(user))},
    )


@login_required
def to_decide(request: HttpRequest) -> HttpResponse:
    """« Décisions à enregistrer »: recommendations of the user's binômes awaiting a decision."""
    user = _user(request)
    if user.role not in PAIR_ROLES:
        raise Http404
    return render(
        request,
        "orientation/to_decide.html",
        {"page": paginate(request, selectors.recommendations_awaiting_decision(user))},
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The professional's in-app notifications (what awaits their signature, validation…)."""
    user = _user(request)
    return render(
        request,
        "orientation/notifications.html",
        {"page": paginate(request, selectors.notifications_of(user))},
    )


def _plan_context(request: HttpRequest, case: Case, **bound: forms.Form) -> dict[str, Any]:
    user = _user(request)
    member = user.role in PAIR_ROLES
    plan = selectors.plan_of(case)
    diagnostic = selectors.current_diagnostic(case)
    view = selectors.diagnostic_for(diagnostic, user) if member and diagnostic else None
    obstacles = view.obstacles if view else []
    lifts = selectors.lifts_of(case)
    lifted = {lift.obstacle_id for lift in lifts}
    visible_ids = {o.pk for o in obstacles}
    context = {
        "case": case,
        "beneficiary": case.beneficiary,
        "member": member,
        "is_referent": user.pk == case.referent_id,
        "plan": plan,
        "actions": list(selectors.actions_of(plan)),
        "visible_obstacle_ids": visible_ids,
        "obstacles": [o for o in obstacles if o.pk not in lifted],
        "lifts": [lift for lift in lifts if lift.obstacle_id in visible_ids],
        "contract_form": bound.get("contract_form")
        or ContractForm(
            initial={
                "kind": plan.contract_kind,
                "reference": plan.contract_reference,
                "signed_on": plan.contract_signed_on,
            }
            if plan
            else {}
        ),
        "action_form": bound.get("action_form") or ActionForm(obstacles=obstacles),
        "statuses": ActionStatus.choices,
        "view": view,
    }
    if view is not None:
        journal_events.diagnostic_viewed(
            actor=_user(request),
            case=case,
            view=view,
            purpose="Consultation du plan d'action",
            info=RequestInfo.of(request),
        )
    return context


@login_required
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan d'action: the binôme writes it; the supervisor, admin and auditor read it."""
    case = _reader_case(_user(request), pk)
    return render(request, "orientation/action_plan.html", _plan_context(request, case))


@login_required
@require_POST
def plan_contract(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            services.plan_set_contract(
                case=case,
                acting_user=user,
                kind=form.cleaned_data["kind"],
                reference=form.cleaned_data["reference"],
                signed_on=form.cleaned_data["signed_on"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Contrat enregistré.")
            return redirect("action_plan", pk=case.pk)
    return render(
        request, "orientation/action_plan.html", _plan_context(request, case, contract_form=form)
    )


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    diagnostic = selectors.current_diagnostic(case)
    obstacles = selectors.diagnostic_for(diagnostic, user).obstacles if diagnostic else []
    form = ActionForm(request.POST, obstacles=obstacles)
    if form.is_valid():
        data = form.cleaned_data
        obstacle = next((o for o in obstacles if o.pk == data["obstacle"]), None)
        try:
            services.action_add(
                case=case,
                acting_user=user,
                title=data["title"],
                owner=data["owner"],
                partner_name=data["partner_name"],
                due_on=data["due_on"],
                obstacle=obstacle,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Action ajoutée au plan.")
            return redirect("action_plan", pk=case.pk)
    return render(
        request, "orientation/action_plan.html", _plan_context(request, case, action_form=form)
    )


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    action = Action.objects.filter(pk=action_pk, plan__case=case).first()
    if action is None:
        raise Http404
    try:
        services.action_set_status(
            action=action, acting_user=user, status=request.POST.get("status", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "État de l'action enregistré.")
    return redirect("action_plan", pk=case.pk)


@login_required
@require_POST
def obstacle_lift(request: HttpRequest, pk: int, obstacle_pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, pk)
    obstacle = Obstacle.objects.filter(pk=obstacle_pk, diagnostic__case=case).first()
    if obstacle is None:
        raise Http404
    try:
        services.obstacle_lift(
            obstacle=obstacle,
            acting_user=user,
            person_agrees=request.POST.get("person_agrees") == "on",
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Frein levé, avec l'accord de la personne.")
    return redirect("action_plan", pk=case.pk)


@login_required
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan, in plain words, for the person; the print is journaled."""
    user = _user(request)
    case = _case(user, pk)
    plan = selectors.plan_of(case)
    return render_print(
        request,
        "orientation/plan_print.html",
        {"plan": plan, "actions": list(selectors.actions_of(plan))},
        case=case,
        purpose="Plan d'action remis à la personne",
        object_type="plan d'action",
    )


def _supervisor(request: HttpRequest) -> Professional:
    user = _user(request)
    if user.role != Role.SUPERVISOR or user.organisation is None:
        raise Http404
    return user


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """The supervisor's dashboard of their organisation subtree."""
    user = _supervisor(request)
    board = supervision_figures.dashboard(user)
    return render(
        request,
        "orientation/supervision.html",
        {
            "board": board,
            "labels": {
                slug.replace("-", "_"): figure.label
                for slug, figure in supervision_figures.FIGURES.items()
            },
            "path_max": max([count for *_, count in board.paths] or [0]) or 1,
        },
    )


@login_required
def supervision_list(request: HttpRequest, figure: str) -> HttpResponse:
    """The cases behind one figure: metadata only."""
    user = _supervisor(request)
    professional = request.GET.get("professionnel", "")
    try:
        cases = supervision_figures.drill_down(
            user,
            figure,
            professional_id=int(professional) if professional.isdigit() else None,
            value=request.GET.get("valeur", ""),
        )
    except KeyError:
        raise Http404 from None
    return render(
        request,
        "orientation/supervision_list.html",
        {"title": supervision_figures.FIGURES[figure].label, "page": paginate(request, cases)},
    )


@login_required
def supervision_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's figures as CSV or XLSX (no person's name); the export is journaled."""
    user = _supervisor(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = supervision_figures.export_rows(supervision_figures.dashboard(user))
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerows(rows)
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Tableau de bord"
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="tableau-de-bord.{fmt}"'
    journal_events.dashboard_exported(actor=user, fmt=fmt, info=RequestInfo.of(request))
    return response
