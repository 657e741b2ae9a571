"""Collective actions: programmes, sessions, attendance sheets, and enrolment from a case."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import access, selectors, services
from casework.errors import InvalidInput
from casework.forms import EnrolmentForm, ProgrammeForm, ProgrammeSessionForm
from casework.journal import RequestInfo
from casework.models import Programme
from partners.errors import DomainError
from partners.forms import freeze_choices, parse_id
from partners.pagination import paginate


@login_required
def programmes(request: HttpRequest) -> HttpResponse:
    """The department's collective actions; supervisors and the administrator see the figures
    (people enrolled, fill rate, attendance), counts below five hidden."""
    user = access.access_as_department_member(request)
    page = paginate(
        request,
        selectors.programmes_of_department(user.organisation.department_id),  # type: ignore[union-attr]
    )
    for programme in page.object_list:
        programme.figures = _figures(programme)
    return render(
        request,
        "casework/programmes.html",
        {
            "page": page,
            "show_figures": access.sees_programme_figures(user),
            "can_manage": access.is_admin(user),
        },
    )


def _rate(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def _figures(programme: Any) -> dict[str, str]:
    hidden = programme.enrolled < selectors.SMALL_COUNT
    return {
        "enrolled": selectors.people_count(programme.enrolled),
        "fill_rate": "—" if hidden else _rate(programme.enrolled, programme.capacity),
        "attendance_rate": "—" if hidden else _rate(programme.present_marks, programme.marks),
        "full": "complète" if programme.enrolled >= programme.capacity else "places disponibles",
    }


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = ProgrammeForm(request.POST if request.method == "POST" else None, department=department)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.programme_create(department=department, acting_user=user, **data)
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Action collective enregistrée : ajoutez ses séances.")
            return redirect("programme_detail", pk=programme.pk)
    return render(request, "casework/programme_form.html", {"form": freeze_choices(form)})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.access_as_department_member(request)
    programme = access.access_programme(user, pk)
    return _programme_page(request, programme, ProgrammeSessionForm())


def _programme_page(
    request: HttpRequest, programme: Programme, session_form: ProgrammeSessionForm
) -> HttpResponse:
    user = access.professional(request)
    figures = selectors.programmes_of_department(programme.department_id).get(pk=programme.pk)
    sessions = selectors.programme_sessions(programme)
    return render(
        request,
        "casework/programme_detail.html",
        {
            "programme": programme,
            "figures": _figures(figures),
            "sessions": [
                (
                    session,
                    selectors.people_count(session.present),  # type: ignore[attr-defined]
                    session.recorded,  # type: ignore[attr-defined]
                )
                for session in sessions
            ],
            "show_figures": access.sees_programme_figures(user),
            "can_manage": access.is_admin(user),
            "can_take_attendance": access.may_take_attendance(user, programme),
            "session_form": session_form,
        },
    )


@login_required
@require_POST
def programme_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.access_as_admin(request)
    programme = access.access_programme(user, pk)
    form = ProgrammeSessionForm(request.POST)
    if form.is_valid():
        try:
            services.programme_add_session(
                programme=programme, acting_user=user, **form.cleaned_data
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Séance ajoutée.")
            return redirect("programme_detail", pk=programme.pk)
    return _programme_page(request, programme, form)


@login_required
def attendance_sheet(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """« Émargement »: the organiser marks who came to the session."""
    user = access.access_as_department_member(request)
    programme = access.access_programme(user, pk)
    access.require(access.may_take_attendance(user, programme))
    session = access.access_session(programme, session_pk)
    if request.method == "POST":
        present = [id_ for v in request.POST.getlist("present") if (id_ := parse_id(v)) is not None]
        try:
            services.attendance_record(session=session, acting_user=user, present=present)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Émargement enregistré.")
        return redirect("attendance_sheet", pk=programme.pk, session_pk=session.pk)
    return render(
        request,
        "casework/attendance_sheet.html",
        {
            "programme": programme,
            "session": session,
            "rows": selectors.attendance_sheet(session),
            "held": timezone.localdate(session.starts_at) <= timezone.localdate(),
        },
    )


@login_required
@require_POST
def enrolment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the person in a collective action from the case page, with their agreement."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = EnrolmentForm(
        request.POST, programmes=selectors.open_programmes(case.pair.department_id)
    )
    if not form.is_valid():
        messages.error(request, "Choisissez une action collective.")
        return redirect("case_detail", pk=case.pk)
    data = form.cleaned_data
    try:
        services.enrolment_create(
            programme=data["programme"],
            case=case,
            acting_user=user,
            person_agreed=data["person_agreed"],
            agreement_method=data["agreement_method"],
            info=RequestInfo.of(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Inscription à « {data['programme'].name} » enregistrée.")
    return redirect("case_detail", pk=case.pk)
