"""Appointments, convocations and the case's milestones (six-month review,
extension, end review)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casework import access, selectors, services
from casework.forms import (
    AppointmentChangeForm,
    AppointmentForm,
    MilestoneForm,
    OutcomeForm,
)
from casework.models import Case
from casework.printing import render_print
from partners.errors import DomainError
from partners.forms import add_domain_error, freeze_choices
from partners.pagination import paginate


@login_required
def appointments(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's appointments, to plan one, record an outcome, print a convocation."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    return _appointments_page(request, case, AppointmentForm(case=case))


def _appointments_page(request: HttpRequest, case: Case, form: AppointmentForm) -> HttpResponse:
    return render(
        request,
        "casework/appointments.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "page": paginate(request, selectors.appointments_of(case)),
            "form": freeze_choices(form),
            "outcome_form": OutcomeForm(),
            "is_referent": access.is_referent(access.professional(request), case),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def appointment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = AppointmentForm(request.POST, case=case)
    if form.is_valid():
        try:
            appointment = services.appointment_plan(
                case=case,
                acting_user=user,
                planned_at=form.cleaned_data["planned_at"],
                place=form.cleaned_data["place"],
                with_whom=form.cleaned_data["with_whom"],
                kind=form.cleaned_data["kind"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            when = timezone.localtime(appointment.planned_at)
            messages.success(request, f"Rendez-vous planifié le {when:%d/%m/%Y à %H:%M}.")
            return redirect("appointments", pk=case.pk)
    return _appointments_page(request, case, form)


@login_required
@require_POST
def appointment_outcome(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    appointment = access.access_appointment(case, appointment_pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez l'issue du rendez-vous.")
        return redirect("appointments", pk=case.pk)
    try:
        services.appointment_record_outcome(
            appointment=appointment,
            acting_user=user,
            outcome=form.cleaned_data["outcome"],
            person_explanation=form.cleaned_data["person_explanation"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Issue du rendez-vous enregistrée.")
    return redirect("appointments", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_change(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    """Move an appointment still to come (GET: the form, filled with today's values)."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    appointment = access.access_appointment(case, appointment_pk)
    if request.method == "POST":
        form = AppointmentChangeForm(request.POST)
        if form.is_valid():
            try:
                services.appointment_move(
                    appointment=appointment,
                    acting_user=user,
                    planned_at=form.cleaned_data["planned_at"],
                    place=form.cleaned_data["place"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                when = timezone.localtime(form.cleaned_data["planned_at"])
                messages.success(
                    request,
                    f"Rendez-vous déplacé au {when:%d/%m/%Y à %H:%M}. La personne est prévenue "
                    "si elle a accepté les messages.",
                )
                return redirect("appointments", pk=case.pk)
    else:
        form = AppointmentChangeForm(
            initial={
                "planned_at": timezone.localtime(appointment.planned_at),
                "place": appointment.place,
            }
        )
    return render(
        request,
        "casework/appointment_change.html",
        {"case": case, "beneficiary": case.beneficiary, "appointment": appointment, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])  # confirm, then cancel
def appointment_cancel(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    appointment = access.access_appointment(case, appointment_pk)
    if request.method == "POST":
        try:
            services.appointment_cancel(appointment=appointment, acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                "Rendez-vous annulé. La personne est prévenue si elle a accepté les messages.",
            )
        return redirect("appointments", pk=case.pk)
    return render(
        request,
        "casework/appointment_cancel.html",
        {"case": case, "beneficiary": case.beneficiary, "appointment": appointment},
    )


@login_required
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
def convocation(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    """The convocation to print for the person; the print is journaled."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    appointment = access.access_appointment(case, appointment_pk)
    return render_print(
        request,
        "casework/convocation.html",
        {"appointment": appointment},
        case=case,
        purpose="Convocation à un rendez-vous remise à la personne",
        object_type="convocation",
        object_id=str(appointment.pk),
    )


@login_required
@require_POST
def case_review_done(request: HttpRequest, pk: int) -> HttpResponse:
    """« À examiner » seen by the binôme: the mark of the CAF/MSA flow goes."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    try:
        services.case_review_done(case=case, acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "C'est noté : l'accompagnement n'est plus « à examiner ».")
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    """Six-month review, extension, end-of-accompaniment review."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cette étape n'est pas reconnue.")
        return redirect("case_detail", pk=case.pk)
    data = form.cleaned_data
    try:
        if data["action"] == "six_month_review":
            services.case_record_six_month_review(
                case=case, summary=data["summary"], acting_user=user
            )
        elif data["action"] == "end_review":
            services.case_record_end_review(case=case, summary=data["summary"], acting_user=user)
        else:
            services.case_extend(case=case, months=data["months"] or 0, acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{MilestoneForm.ACTIONS[data['action']]} : c'est fait.")
    return redirect("case_detail", pk=case.pk)
