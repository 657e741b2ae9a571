"""The plan d'action: its page (written by the binôme, read by the supervisor, admin and auditor),
the contrat d'engagement, actions and their state, freins lifted, and the plan printed for the
person."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from casework.journal import RequestInfo
from casework.models import Case
from casework.printing import render_print
from orientation import access, journal_events, selectors, services
from orientation.enums import ActionStatus
from orientation.forms import ActionForm, ContractForm
from partners.errors import DomainError
from partners.forms import add_domain_error


def _plan_context(request: HttpRequest, case: Case, **bound: forms.Form) -> dict[str, Any]:
    user = access.professional(request)
    member = access.in_pair(user)
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
        "is_referent": access.is_referent(user, case),
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
                "weekly_hours": plan.weekly_hours,
                "adjusted_for": plan.hours_adjusted_for_id
                if plan.hours_adjusted_for_id in visible_ids
                else None,
            }
            if plan
            else {},
            obstacles=obstacles,
        ),
        "hours_sentence": selectors.weekly_hours_sentence(
            plan, reason_shown=plan is not None and plan.hours_adjusted_for_id in visible_ids
        ),
        "action_form": bound.get("action_form") or ActionForm(obstacles=obstacles),
        "statuses": ActionStatus.choices,
        "view": view,
    }
    if view is not None:
        journal_events.diagnostic_viewed(
            actor=user,
            case=case,
            view=view,
            purpose="Consultation du plan d'action",
            info=RequestInfo.of(request),
        )
    return context


@login_required
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan d'action: the binôme writes it; the supervisor, admin and auditor read it."""
    case = access.access_case_as_reader(access.professional(request), pk)
    return render(request, "orientation/action_plan.html", _plan_context(request, case))


@login_required
@require_POST
def plan_contract(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    diagnostic = selectors.current_diagnostic(case)
    obstacles = selectors.diagnostic_for(diagnostic, user).obstacles if diagnostic else []
    form = ContractForm(request.POST, obstacles=obstacles)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_set_contract(
                case=case,
                acting_user=user,
                kind=data["kind"],
                reference=data["reference"],
                signed_on=data["signed_on"],
                weekly_hours=data["weekly_hours"],
                # only a difficulty the member sees (the form offers no other)
                adjusted_for=next((o for o in obstacles if o.pk == data["adjusted_for"]), None),
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
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
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
                weekly_hours=data["weekly_hours"],
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
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    action = access.access_action(case, action_pk)
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
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    view = selectors.diagnostic_for(access.access_diagnostic(case), user)
    obstacle = access.access_shown_obstacle(view, obstacle_pk)
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
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan, in plain words, for the person; the print is journaled."""
    user = access.professional(request)
    case = access.access_case_as_member(user, pk)
    plan = selectors.plan_of(case)
    diagnostic = selectors.current_diagnostic(case)
    shown = selectors.diagnostic_for(diagnostic, user).obstacles if diagnostic else []
    return render_print(
        request,
        "orientation/plan_print.html",
        {
            "plan": plan,
            "actions": list(selectors.actions_of(plan)),
            "hours_sentence": selectors.weekly_hours_sentence(
                plan,
                reason_shown=plan is not None
                and plan.hours_adjusted_for_id in {o.pk for o in shown},
            ),
        },
        case=case,
        purpose="Plan d'action remis à la personne",
        object_type="plan d'action",
    )
