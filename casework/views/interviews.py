"""What the binôme writes on a case: interviews, notes, social notes (secret), points binôme."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import access, selectors, services
from casework.enums import InterviewChannel
from casework.errors import ConcurrentChange, InvalidInput
from casework.forms import InterviewForm, NoteForm, PairContactForm
from casework.models import Case, Interview, overdue_threshold
from casework.views import cases
from partners.forms import freeze_choices


def copyable_summary(interview: Interview) -> str:
    """The text an advisor pastes into France Travail's own system."""
    parts = [
        f"Entretien du {interview.occurred_on:%d/%m/%Y}",
        InterviewChannel(interview.channel).label.lower(),
    ]
    if interview.three_way:
        parts.append("tripartite")
    if interview.interpreter:
        parts.append("avec interprète")
    text = ", ".join(parts) + "."
    if interview.summary:
        text += f" {interview.summary}"
    if interview.next_appointment_on:
        text += f" Prochain rendez-vous : {interview.next_appointment_on:%d/%m/%Y}."
    return text


@login_required
@require_POST
def interview_log(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = InterviewForm(request.POST, case=case)
    logged = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            logged = services.interview_log(
                case=case,
                author=user,
                occurred_on=data["occurred_on"],
                channel=data["channel"],
                three_way=data["three_way"],
                interpreter=data["interpreter"],
                summary=data["summary"],
                next_appointment_on=data["next_appointment_on"],
                seen_version=data["version"],
            )
        except InvalidInput as error:
            form.add_domain_error(error)
        except ConcurrentChange as error:
            form.add_error(None, error.message)
    if logged is not None and not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, f"Entretien enregistré. {copyable_summary(logged)}")
        return redirect("case_detail", pk=case.pk)
    summary = ""
    if logged is not None:
        # The activity panel shows nothing of the case that the interview changed but its
        # version, which the service's locked case carries: a blank form at that version.
        form = InterviewForm(case=logged.case)
        summary = copyable_summary(logged)
    if request.htmx:  # type: ignore[attr-defined]
        context = cases.activity_context(
            request,
            case,
            interview_form=form,
            logged_summary=summary,
            **_latest_interview(case, logged),
        )
        return cases.render_case(request, "casework/_activity.html", context)
    context = cases.case_context(
        request, case, follows=True, interview_form=form, logged_summary=summary
    )
    return cases.render_case(request, "casework/case_detail.html", context)


def _latest_interview(case: Case, logged: Interview | None) -> dict[str, Any]:
    """When the interview just saved is now the case's last one, what the page's badges and
    « En bref » need to follow it (sent out of band with the activity panel): the service's
    case in memory, the appointments planned (one query) and « sans entretien » on it."""
    if logged is None:
        return {}
    saved = logged.case
    if (saved.last_interview_on, saved.last_interview_by_id) != (
        logged.occurred_on,
        logged.author_id,
    ):
        return {}
    today = timezone.localdate()
    department = case.pair.department
    return {
        "latest_interview": logged,
        "today": today,
        "upcoming": selectors.upcoming_appointments(case),
        "still_overdue": saved.overdue_on(overdue_threshold(department, today)),
        "interval_days": department.interview_interval_days,
    }


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(case=case, author=user, text=form.cleaned_data["text"])
        messages.success(request, "Note enregistrée.")
        return redirect("case_detail", pk=case.pk)
    return cases.render_case(
        request, "casework/case_detail.html", cases.case_context(request, case, note_form=form)
    )


@login_required
@require_POST
def social_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.SOCIAL)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.social_note_add(case=case, author=user, text=form.cleaned_data["text"])
        messages.success(
            request,
            "Note sociale enregistrée : seul le côté social du binôme la lit.",
        )
        return redirect("case_detail", pk=case.pk)
    messages.error(request, "La note sociale est vide.")
    return redirect("case_detail", pk=case.pk)


@login_required
def pair_contact_create(request: HttpRequest, pair_pk: int) -> HttpResponse:
    user = access.access_as_pair_member(request)
    pair = access.access_pair(user, pair_pk)
    form = PairContactForm(
        request.POST if request.method == "POST" else None,
        pair=pair,
        initial={"occurred_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pair_contact_record(
                pair=pair,
                author=user,
                occurred_on=data["occurred_on"],
                channel=data["channel"],
                cases=data["cases"],
                summary=data["summary"],
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Point binôme enregistré.")
            return redirect("caseload")
    return render(
        request,
        "casework/pair_contact_form.html",
        {"form": freeze_choices(form), "pair": pair, "partner": pair.co_member(user)},
    )
