"""The signalement de manquement, step by step: drafted, the person informed by a printed letter,
their observations, the transmission, the authority's decision, the remobilisation.

Every step is the act of a professional who chooses it (or the person's, for observations
written in their space: ``casework.space.views.breach``); no page moves a report by itself."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casework import access, services
from casework.enums import BreachDecision
from casework.errors import InvalidInput
from casework.forms import (
    BreachDecisionForm,
    BreachObservationsForm,
    BreachRemobilisedForm,
    BreachReportForm,
)
from casework.journal import RequestInfo
from casework.models import BreachReport, Case
from casework.printing import HANDED_SESSION_KEY, render_print
from partners.errors import DomainError
from partners.forms import add_domain_error
from partners.models import Professional


@login_required
@require_http_methods(["GET", "POST"])
def breach_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a « signalement de manquement »: the référent only, deliberately, with a written
    reason. It leaves nothing: the person is informed first and may present observations."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.REFERENT)
    form = BreachReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.breach_report(
                case=case,
                acting_user=user,
                reason=form.cleaned_data["reason"],
                info=RequestInfo.of(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                "Signalement rédigé. Il n'est pas transmis : imprimez la lettre d'information et "
                "remettez-la à la personne, qui peut présenter ses observations.",
            )
            return redirect("breach_detail", pk=case.pk, report_pk=report.pk)
    return render(
        request,
        "casework/breach_report.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "form": form,
            "delay": case.pair.department.breach_observation_days,
        },
    )


@dataclass(frozen=True)
class Step:
    """One step of a report as its page lists it: done (with its day) or still to come."""

    label: str
    done_on: datetime.date | None
    detail: str = ""


def steps_of(report: BreachReport) -> list[Step]:
    """The report's steps in order, with the day each was done (None: not yet)."""
    local = timezone.localdate
    decision = ""
    if report.decision == BreachDecision.SUSPENSION:
        decision = (
            f"suspension-remobilisation de {report.suspension_rate} % pendant "
            f"{report.suspension_months} mois"
        )
    elif report.decision:
        decision = report.get_decision_display()
    steps = [
        Step("Signalement rédigé", local(report.reported_at)),
        Step(
            "Personne informée par la lettre remise",
            local(report.informed_at) if report.informed_at else None,
            f"observations possibles jusqu'au {report.observations_until:%d/%m/%Y}"
            if report.observations_until
            else "",
        ),
        Step(
            "Observations de la personne",
            local(report.observations_at) if report.observations_at else None,
            report.get_observations_by_display() if report.observations_by else "",
        ),
        Step(
            "Transmis au ou à la président·e du conseil départemental",
            local(report.transmitted_at) if report.transmitted_at else None,
        ),
        Step("Décision", report.decision_on, decision),
    ]
    if report.decision == BreachDecision.SUSPENSION:
        steps.append(Step("Remobilisation constatée", report.remobilised_on))
    return steps


def _report_page(
    request: HttpRequest, case: Case, report: BreachReport, **forms: Any
) -> HttpResponse:
    user = access.professional(request)
    today = timezone.localdate()
    is_referent = access.is_referent(user, case)
    return render(
        request,
        "casework/breach_detail.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "report": report,
            "steps": steps_of(report),
            "is_referent": is_referent,
            "may_decide": access.may_record_breach_decision(user, case),
            "may_transmit": is_referent and services.may_transmit(report, today),
            "today": today,
            "observations_form": forms.get("observations_form") or BreachObservationsForm(),
            "decision_form": forms.get("decision_form")
            or BreachDecisionForm(initial={"decided_on": today}),
            "remobilised_form": forms.get("remobilised_form")
            or BreachRemobilisedForm(initial={"remobilised_on": today}),
        },
    )


@login_required
def breach_detail(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """One report, its steps and the next act; the binôme sees it, the référent acts."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    report = access.access_breach_report(case, report_pk)
    return _report_page(request, case, report)


@login_required
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
def breach_letter(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """The letter that informs the person of the report and of their delay for observations.
    Its first print (« Imprimer et remettre ») is the act of informing (``breach_inform``)."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.REFERENT)
    report = access.access_breach_report(case, report_pk)
    if request.method == "POST":
        try:
            services.breach_inform(report=report, acting_user=user, info=RequestInfo.of(request))
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("breach_detail", pk=case.pk, report_pk=report.pk)
        request.session[HANDED_SESSION_KEY] = request.path
        return redirect(request.path)
    until = report.observations_until or (
        timezone.localdate() + datetime.timedelta(days=case.pair.department.breach_observation_days)
    )
    return render_print(
        request,
        "casework/breach_letter.html",
        {"report": report, "until": until, "referent": case.referent},
        case=case,
        purpose="Lettre d'information sur un signalement de manquement",
        object_type=services.BREACH_OBJECT_TYPE,
        object_id=str(report.pk),
    )


def _step(
    request: HttpRequest,
    pk: int,
    report_pk: int,
    *,
    need: access.Need,
    form_class: type[forms.Form],
    form_name: str,
    act: Callable[[BreachReport, Professional, dict[str, Any], RequestInfo], object],
    success: str,
) -> HttpResponse:
    """One step recorded from the report's page: the form valid, the service acts; a bad input
    stays on the page with what was typed, a report that moved meanwhile says where it is."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=need)
    report = access.access_breach_report(case, report_pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(report, user, form.cleaned_data, RequestInfo.of(request))
        except InvalidInput as error:
            add_domain_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("breach_detail", pk=case.pk, report_pk=report.pk)
        else:
            messages.success(request, success)
            return redirect("breach_detail", pk=case.pk, report_pk=report.pk)
    return _report_page(request, case, report, **{form_name: form})


@login_required
@require_POST
def breach_observations(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """The référent writes down the person's observations, in the person's words."""
    return _step(
        request,
        pk,
        report_pk,
        need=access.Need.REFERENT,
        form_class=BreachObservationsForm,
        form_name="observations_form",
        act=lambda report, user, data, info: services.breach_observations(
            report=report, acting_user=user, observations=data["observations"], info=info
        ),
        success="Observations enregistrées : elles partiront avec le signalement.",
    )


@login_required
@require_http_methods(["GET", "POST"])  # confirm, then transmit
def breach_transmit(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """Transmit the report, with the person's observations, after a confirmation."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.REFERENT)
    report = access.access_breach_report(case, report_pk)
    if request.method == "POST":
        try:
            services.breach_transmit(report=report, acting_user=user, info=RequestInfo.of(request))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                "Signalement transmis au ou à la président·e du conseil départemental ; "
                "la personne le voit dans son espace et dans le journal de son dossier.",
            )
        return redirect("breach_detail", pk=case.pk, report_pk=report.pk)
    return render(
        request,
        "casework/breach_transmit.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "report": report,
            "may_transmit": services.may_transmit(report, timezone.localdate()),
        },
    )


@login_required
@require_POST
def breach_decision(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """Record the authority's decision as a fact with its date."""
    return _step(
        request,
        pk,
        report_pk,
        need=access.Need.FOLLOW,
        form_class=BreachDecisionForm,
        form_name="decision_form",
        act=lambda report, user, data, info: services.breach_decision(
            report=report,
            acting_user=user,
            decision=data["decision"],
            decided_on=data["decided_on"],
            suspension_rate=data["suspension_rate"],
            suspension_months=data["suspension_months"],
            info=info,
        ),
        success="Décision enregistrée.",
    )


@login_required
@require_POST
def breach_remobilised(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """« Remobilisation constatée »: the référent's deliberate act."""
    return _step(
        request,
        pk,
        report_pk,
        need=access.Need.REFERENT,
        form_class=BreachRemobilisedForm,
        form_name="remobilised_form",
        act=lambda report, user, data, info: services.breach_remobilised(
            report=report, acting_user=user, remobilised_on=data["remobilised_on"], info=info
        ),
        success="Remobilisation constatée : c'est inscrit au journal.",
    )
