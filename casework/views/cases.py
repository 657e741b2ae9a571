import csv
import datetime
import json
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import directory, journal, permissions, selectors, services
from casework.enums import (
    CaseState,
    InterviewChannel,
    JournalChannel,
    ShareCategory,
    SocialRequestState,
)
from casework.errors import ConcurrentChange, ConsentRequired, InvalidInput
from casework.forms import (
    AgreementForm,
    AppointmentForm,
    BeneficiaryForm,
    BreachReportForm,
    CaseHandoverForm,
    DelegationForm,
    DirectoryImportForm,
    DirectorySearchForm,
    EnrolmentForm,
    HandoverForm,
    InterviewForm,
    JournalSearchForm,
    MilestoneForm,
    NoteForm,
    OutcomeForm,
    PairContactForm,
    ProgrammeForm,
    ProgrammeSessionForm,
    ResourceForm,
    SocialRequestAnswerForm,
    SocialRequestForm,
    SocialRequestToCaseForm,
    TransitionForm,
)
from casework.models import (
    Appointment,
    Case,
    Delegation,
    Interview,
    Programme,
    ProgrammeSession,
    Resource,
    SocialRequest,
)
from casework.sharing import agreement_in_force
from partners.enums import PAIR_ROLES, Role
from partners.errors import DomainError
from partners.forms import add_domain_error, freeze_choices
from partners.models import Pair, Professional
from partners.selectors import pairs_of_department, pairs_of_professional
from partners.views import paginate

SEARCH_SESSION_KEY = "caseload_search"
STALE_PAGE = (
    "Cet accompagnement vient d'être modifié par quelqu'un d'autre : rechargez la page, "
    "vérifiez son état, puis recommencez."
)


def _user(request: HttpRequest) -> Professional:
    return cast(Professional, request.user)


def _pair_member(request: HttpRequest) -> Professional:
    user = _user(request)
    if user.role not in PAIR_ROLES:
        raise Http404
    return user


def _case_or_404(user: Professional, pk: int) -> Case:
    try:
        return selectors.case_for(user, pk)
    except Case.DoesNotExist as missing:
        raise Http404 from missing


def _member_case_or_404(user: Professional, pk: int) -> Case:
    """A case the user follows (change_case); anything else is the same 404."""
    case = _case_or_404(user, pk)
    if user.role not in PAIR_ROLES or not permissions.can_change_case(user, case):
        raise Http404
    return case


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """« Mon portefeuille »: people without interview for 30+ days first."""
    user = _pair_member(request)
    if request.method == "POST":
        # The search words (people's names) stay out of URLs and access logs.
        request.session[SEARCH_SESSION_KEY] = request.POST.get("recherche", "").strip()[:100]
        query = {k: v for k, v in request.GET.items() if k in ("etat", "sans_entretien") and v}
        return redirect(f"{reverse('caseload')}?{urlencode(query)}" if query else "caseload")
    state = request.GET.get("etat", "")
    filters = selectors.CaseloadFilters(
        state=state if state in CaseState.values else "",
        overdue_only=request.GET.get("sans_entretien") == "1",
        search=request.session.get(SEARCH_SESSION_KEY, ""),
    )
    page = paginate(request, selectors.caseload(user, filters))
    for case in page.object_list:
        case.milestones_due = services.milestones_due(case)
    return render(
        request,
        "casework/caseload.html",
        {
            "page": page,
            "filters": filters,
            "states": CaseState.choices,
            "interval_days": user.organisation.department.interview_interval_days,  # type: ignore[union-attr]
        },
    )


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    member = user.role in PAIR_ROLES and permissions.can_change_case(user, case)
    social = member and permissions.can_read_social_notes(user, case)
    context: dict[str, Any] = {
        "case": case,
        "beneficiary": case.beneficiary,
        "member": member,
        "social": social,
        "supervisor": user.role == Role.SUPERVISOR,
        "pair_periods": list(
            case.pair_periods.select_related("pair__advisor", "pair__social_worker").order_by(
                "started_on", "pk"
            )
        ),
    }
    if member:
        context["agreement"] = agreement_in_force(case)
        context["timeline"] = selectors.timeline(case, member=True, social=social)
        context.setdefault("interview_form", InterviewForm(case=case))
        context.setdefault("note_form", NoteForm())
        context["transitions"] = [
            (action, TransitionForm.ACTIONS[action])
            for action in TransitionForm.AVAILABLE.get(CaseState(case.state), ())
        ]
        # Own id prefixes: the page holds several forms with fields of the same names.
        context["transition_form"] = TransitionForm(
            initial={"version": case.version}, auto_id="etat_%s"
        )
        context["upcoming"] = selectors.upcoming_appointments(case)
        context["milestones_due"] = services.milestones_due(case)
        context["milestone_form"] = MilestoneForm(auto_id="etape_%s")
        context["breach_reports"] = selectors.breach_reports_of(case)
        context["is_referent"] = user.pk == case.referent_id
        context["origin_requests"] = selectors.origin_requests_of(case)
        context["directory_form"] = DirectorySearchForm(auto_id="offre_%s")
        context.setdefault(
            "enrolment_form",
            EnrolmentForm(
                programmes=selectors.open_programmes(case.pair.department_id),
                auto_id="inscription_%s",
            ),
        )
    elif user.role == Role.ADMIN and case.is_open:
        pairs = pairs_of_department(case.pair.department).exclude(pk=case.pair_id)
        context["handover_form"] = CaseHandoverForm(pairs=pairs)
    elif user.role == Role.SUPERVISOR:
        context["interview_dates"] = selectors.interview_dates(case)
    context.update(extra)
    for name in ("handover_form", "enrolment_form"):
        if name in context:
            freeze_choices(context[name])
    return context


SOCIAL_NOTES = "social_notes"


def render_case(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a case page with its one journal row, when it has one: a page that shows social
    notes, and any case page opened by a remplaçant·e (the use of a remplacement is journaled at
    each page view, so that the person's journal shows every access made in someone's place)."""
    shown = [item for item in context.get("timeline", ()) if item.kind == "social_note"]
    case = context["case"]
    delegation_id = getattr(case, "via_delegation", None)
    if shown or delegation_id is not None:
        purposes = []
        if delegation_id is not None:
            purposes.append("Consultation de l'accompagnement en remplacement")
        if shown:
            purposes.append("Consultation des notes sociales de l'accompagnement")
        journal.record(
            department=case.pair.department,
            actor=_user(request),
            channel=JournalChannel.VIEW,
            purpose=" ; ".join(purposes),
            case=case,
            categories=[SOCIAL_NOTES] if shown else [],
            object_type="notes sociales" if shown else "remplacement",
            object_id=",".join(str(item.obj.pk) for item in shown) if shown else str(delegation_id),
            request=request,
        )
    return render(request, template, context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(_user(request), pk)
    return render_case(request, "casework/case_detail.html", _case_context(request, case))


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
    user = _user(request)
    case = _member_case_or_404(user, pk)
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
    if logged is not None:
        case = _case_or_404(user, pk)
        form = InterviewForm(case=case)
    context = _case_context(
        request,
        case,
        interview_form=form,
        logged_summary=copyable_summary(logged) if logged else "",
    )
    template = "casework/_activity.html" if request.htmx else "casework/case_detail.html"  # type: ignore[attr-defined]
    return render_case(request, template, context)


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _member_case_or_404(user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(case=case, author=user, text=form.cleaned_data["text"])
        messages.success(request, "Note enregistrée.")
        return redirect("case_detail", pk=case.pk)
    return render_case(
        request, "casework/case_detail.html", _case_context(request, case, note_form=form)
    )


@login_required
@require_POST
def social_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _member_case_or_404(user, pk)
    if not permissions.can_read_social_notes(user, case):
        raise Http404
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
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _member_case_or_404(user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("case_detail", pk=case.pk)
    data = form.cleaned_data
    action = data["action"]
    if action not in TransitionForm.AVAILABLE.get(CaseState(case.state), ()):
        messages.error(request, "Cette action n'est plus possible : rechargez la page.")
        return redirect("case_detail", pk=case.pk)
    if data["version"] != case.version:
        messages.error(request, STALE_PAGE)
        return redirect("case_detail", pk=case.pk)
    try:
        if action == "agree":
            services.case_record_entry_agreement(case=case, acting_user=user)
        elif action == "refuse":
            services.case_record_refusal(case=case, acting_user=user)
        elif action == "start":
            services.case_start(case=case, acting_user=user)
        elif action == "suspend":
            services.case_suspend(case=case, reason=data["suspension_reason"], acting_user=user)
        elif action == "resume":
            services.case_resume(case=case, acting_user=user)
        elif action == "close":
            services.case_close(case=case, exit_reason=data["exit_reason"], acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{TransitionForm.ACTIONS[action]} : c'est enregistré.")
    return redirect("case_detail", pk=case.pk)


@login_required
def beneficiary_create(request: HttpRequest) -> HttpResponse:
    """A new person and the accompaniment proposed to them, in one step."""
    user = _pair_member(request)
    pairs = list(pairs_of_professional(user))
    form = BeneficiaryForm(request.POST if request.method == "POST" else None, pairs=pairs)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = user.organisation.department  # type: ignore[union-attr]
        duplicates = selectors.likely_duplicates(
            department_id=department.pk,
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
            france_travail_id=data["france_travail_id"],
        )
        if not duplicates or data["not_a_duplicate"]:
            fields = {name: data[name] for name in BeneficiaryForm.Meta.fields}
            try:
                with transaction.atomic():
                    beneficiary = services.beneficiary_create(
                        department=department, acting_user=user, **fields
                    )
                    case = services.case_propose(
                        beneficiary=beneficiary, pair=data["pair"], acting_user=user
                    )
            except InvalidInput as error:
                form.add_domain_error(error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Personne enregistrée ; l'accompagnement est proposé.")
                return redirect("case_detail", pk=case.pk)
    visible = {
        c.beneficiary_id: c.pk
        for c in Case.objects.visible_to(user).filter(beneficiary__in=duplicates)
    }
    return render(
        request,
        "casework/beneficiary_form.html",
        {
            "form": freeze_choices(form),
            "pairs": pairs,
            "duplicates": [(d, visible.get(d.pk)) for d in duplicates],
        },
    )


@login_required
def pair_contact_create(request: HttpRequest, pair_pk: int) -> HttpResponse:
    user = _pair_member(request)
    pair = pairs_of_professional(user).filter(pk=pair_pk).first()  # with its members
    if pair is None:
        raise Http404
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


def _admin(request: HttpRequest) -> Professional:
    user = _user(request)
    if user.role != Role.ADMIN or user.organisation is None:
        raise Http404
    return user


@login_required
def handover(request: HttpRequest) -> HttpResponse:
    """Changement de référent: every open case of a leaving professional, in one step."""
    user = _admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = HandoverForm(
        request.POST if request.method == "POST" else None, pairs=pairs_of_department(department)
    )
    moved: list[Case] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.cases_reassign_from(
                professional=data["professional"],
                new_pair=data["new_pair"],
                reason=data["reason"],
                acting_user=user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if not moved:
                form.add_error(None, "Aucun accompagnement en cours à confier.")
    moved_cases = list(
        Case.objects.filter(pk__in=[c.pk for c in moved]).select_related("beneficiary", "referent")
    )
    return render(
        request, "casework/handover.html", {"form": freeze_choices(form), "moved": moved_cases}
    )


@login_required
@require_POST
def case_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand one case over to another binôme of the department (functional administrator)."""
    user = _admin(request)
    case = _case_or_404(user, pk)
    pairs = pairs_of_department(case.pair.department).exclude(pk=case.pair_id)
    form = CaseHandoverForm(request.POST, pairs=pairs)
    if form.is_valid():
        try:
            services.case_reassign(
                case=case,
                new_pair=form.cleaned_data["new_pair"],
                reason=form.cleaned_data["reason"],
                acting_user=user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Accompagnement confié au nouveau binôme.")
            return redirect("handover_letter", pk=case.pk)
    return render_case(
        request, "casework/case_detail.html", _case_context(request, case, handover_form=form)
    )


@login_required
def handover_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter telling the person who their new référent is (to print)."""
    user = _user(request)
    if user.role not in (Role.ADMIN, *PAIR_ROLES):
        raise Http404
    case = _case_or_404(user, pk)
    if user.role in PAIR_ROLES and not permissions.can_change_case(user, case):
        raise Http404
    journal.record_print(
        actor=user,
        purpose="Courrier de changement de référent·e remis à la personne",
        case=case,
        object_type="courrier",
        request=request,
    )
    return render(
        request,
        "casework/handover_letter.html",
        {"case": case, "beneficiary": case.beneficiary, "today": timezone.localdate()},
    )


def _social_worker_case_or_404(user: Professional, pk: int) -> Case:
    case = _member_case_or_404(user, pk)
    if not permissions.can_read_social_notes(user, case):
        raise Http404
    return case


@login_required
def agreement_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The social worker records the person's accord de partage."""
    user = _user(request)
    case = _social_worker_case_or_404(user, pk)
    current = agreement_in_force(case)
    initial = {"categories": current.categories} if current else {}
    form = AgreementForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_record(
                case=case,
                categories=data["categories"],
                how_obtained=data["how_obtained"],
                expires_on=data["expires_on"],
                acting_user=user,
                request=request,
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Accord de partage enregistré.")
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/agreement_form.html",
        {"case": case, "beneficiary": case.beneficiary, "form": form, "current": current},
    )


@login_required
def agreement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the person withdraws the accord (after a confirmation page)."""
    user = _user(request)
    case = _member_case_or_404(user, pk)
    current = agreement_in_force(case)
    if current is None:
        messages.error(request, "Aucun accord de partage n'est en vigueur.")
        return redirect("case_detail", pk=case.pk)
    if request.method == "POST":
        services.agreement_withdraw(agreement=current, acting_user=user, request=request)
        messages.success(
            request,
            "Retrait de l'accord enregistré : plus rien ne sera partagé à ce titre. "
            "Ce qui a déjà été partagé reste au journal.",
        )
        return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/agreement_withdraw.html",
        {"case": case, "beneficiary": case.beneficiary, "agreement": current},
    )


@login_required
def information_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable information notice handed to the person."""
    user = _user(request)
    case = _member_case_or_404(user, pk)
    journal.record_print(
        actor=user,
        purpose="Notice d'information remise à la personne",
        case=case,
        object_type="notice d'information",
        request=request,
    )
    department = case.pair.department
    return render(
        request,
        "casework/information_notice.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "department": department,
            "categories": ShareCategory.choices,
        },
    )


def _journal_reader_case_or_404(user: Professional, pk: int) -> Case:
    """The case journal: the binôme, the supervisor of the subtree, the admin and the auditor."""
    case = _case_or_404(user, pk)
    if user.role in PAIR_ROLES and not permissions.can_change_case(user, case):
        raise Http404
    return case


@login_required
def case_journal(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _journal_reader_case_or_404(user, pk)
    return render(
        request,
        "casework/case_journal.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "page": paginate(request, selectors.case_journal(case)),
            "can_print": user.role in PAIR_ROLES or user.role == Role.AUDITOR,
        },
    )


@login_required
def case_journal_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The journal handed to the person: organisations, job titles, dates (names if decided)."""
    user = _user(request)
    if user.role not in (*PAIR_ROLES, Role.AUDITOR):
        raise Http404
    case = _journal_reader_case_or_404(user, pk)
    rows = list(selectors.case_journal(case))
    journal.record_print(
        actor=user,
        purpose="Journal des accès et des partages remis à la personne",
        case=case,
        object_type="journal",
        request=request,
    )
    return render(
        request,
        "casework/case_journal_print.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "rows": rows,
            "show_names": case.pair.department.journal_shows_names,
            "today": timezone.localdate(),
        },
    )


def _auditor(request: HttpRequest) -> Professional:
    user = _user(request)
    if user.role != Role.AUDITOR or user.organisation is None:
        raise Http404
    return user


def _journal_filters(form: JournalSearchForm) -> selectors.JournalFilters:
    if not form.is_valid():
        return selectors.JournalFilters(person=-1)  # nothing until the form is right
    data = form.cleaned_data
    return selectors.JournalFilters(
        person=data["person"],
        professional_id=data["professional"].pk if data["professional"] else None,
        organisation=data["organisation"],
        start=data["start"],
        end=data["end"],
        channel=data["channel"],
    )


#: The auditor's search counts at most this many rows (a department's journal holds millions).
JOURNAL_COUNT_CAP = 5000


@login_required
def journal_search(request: HttpRequest) -> HttpResponse:
    """The auditor's search in the department's journal."""
    user = _auditor(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = JournalSearchForm(request.GET or None, department=department)
    filters = _journal_filters(form) if request.GET else selectors.JournalFilters()
    return render(
        request,
        "casework/journal_search.html",
        {
            "form": freeze_choices(form),
            "page": paginate(
                request, selectors.journal_search(department.pk, filters), cap=JOURNAL_COUNT_CAP
            ),
            "query": request.GET.urlencode(),
        },
    )


JOURNAL_CSV_COLUMNS = [
    "numéro",
    "date (UTC)",
    "nature",
    "professionnel·le",
    "organisation",
    "fonction",
    "personne n°",
    "accompagnement n°",
    "catégories",
    "destinataire",
    "fondement",
    "accord n°",
    "finalité",
]


@login_required
def journal_export(request: HttpRequest) -> HttpResponse:
    """The search as CSV; the export itself is journaled."""
    user = _auditor(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = JournalSearchForm(request.GET or None, department=department)
    filters = _journal_filters(form) if request.GET else selectors.JournalFilters()
    rows = selectors.journal_search(department.pk, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal-des-acces.csv"'
    response.write("\ufeff")  # so that spreadsheet software reads UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(JOURNAL_CSV_COLUMNS)
    count = 0
    for row in rows.iterator(chunk_size=2000):
        count += 1
        writer.writerow(
            [
                row.seq,
                row.at.astimezone(datetime.UTC).isoformat(),
                row.get_channel_display(),
                row.actor.full_name if row.actor else "",
                row.actor_organisation,
                row.actor_job_title,
                row.beneficiary_id or "",
                row.case_id or "",
                row.category,
                row.recipient,
                row.get_basis_display(),
                row.basis_agreement_id or "",
                row.purpose,
            ]
        )
    journal.record(
        department=department,
        actor=user,
        channel=JournalChannel.EXPORT,
        purpose=f"Export du journal ({count} lignes) : {request.GET.urlencode() or 'tout'}",
        recipient=f"{user.get_role_display()} (fichier CSV)",
        object_type="journal",
        request=request,
    )
    return response


@login_required
def appointments(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's appointments, to plan one, record an outcome, print a convocation."""
    user = _user(request)
    case = _member_case_or_404(user, pk)
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
            "is_referent": _user(request).pk == case.referent_id,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def appointment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _member_case_or_404(user, pk)
    form = AppointmentForm(request.POST, case=case)
    if form.is_valid():
        try:
            appointment = services.appointment_plan(
                case=case,
                acting_user=user,
                planned_at=form.cleaned_data["planned_at"],
                place=form.cleaned_data["place"],
                with_whom=form.cleaned_data["with_whom"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            when = timezone.localtime(appointment.planned_at)
            messages.success(request, f"Rendez-vous planifié le {when:%d/%m/%Y à %H:%M}.")
            return redirect("appointments", pk=case.pk)
    return _appointments_page(request, case, form)


def _appointment(case: Case, appointment_pk: int) -> Appointment:
    appointment = (
        Appointment.objects.filter(pk=appointment_pk, case=case)
        .select_related("with_whom__organisation")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


@login_required
@require_POST
def appointment_outcome(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    user = _user(request)
    case = _member_case_or_404(user, pk)
    appointment = _appointment(case, appointment_pk)
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
def convocation(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    """The convocation to print for the person; the print is journaled."""
    user = _user(request)
    case = _member_case_or_404(user, pk)
    appointment = _appointment(case, appointment_pk)
    journal.record_print(
        actor=user,
        purpose="Convocation à un rendez-vous remise à la personne",
        case=case,
        object_type="convocation",
        object_id=str(appointment.pk),
        request=request,
    )
    return render(
        request,
        "casework/convocation.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "appointment": appointment,
            "today": timezone.localdate(),
        },
    )


@login_required
def breach_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A « signalement de manquement »: the référent only, deliberately, with a written reason."""
    user = _user(request)
    case = _member_case_or_404(user, pk)
    if user.pk != case.referent_id:
        raise Http404
    form = BreachReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.breach_report(
                case=case, acting_user=user, reason=form.cleaned_data["reason"], request=request
            )
        except InvalidInput as error:
            form.add_error("reason", error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, "Signalement enregistré ; il figure au journal remis à la personne."
            )
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "casework/breach_report.html",
        {"case": case, "beneficiary": case.beneficiary, "form": form},
    )


@login_required
@require_POST
def case_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    """Six-month review, extension, end-of-accompaniment review."""
    user = _user(request)
    case = _member_case_or_404(user, pk)
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


# --- Axis 1: one-off requests to the social correspondents ---


def _request_reader(request: HttpRequest) -> Professional:
    """Advisors (who ask) and social correspondents (who answer); nobody else."""
    user = _user(request)
    if user.role != Role.ADVISOR and not user.is_social_correspondent:
        raise Http404
    return user


def _social_request_or_404(user: Professional, pk: int) -> SocialRequest:
    try:
        return selectors.social_request_for(user, pk)
    except SocialRequest.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def social_requests(request: HttpRequest) -> HttpResponse:
    """« Demandes ponctuelles »: those the advisor made, those the correspondent answers."""
    user = _request_reader(request)
    return render(
        request,
        "casework/social_requests.html",
        {
            "page": paginate(request, selectors.social_requests_of(user)),
            "can_create": user.role == Role.ADVISOR,
            "today": timezone.localdate(),
        },
    )


@login_required
def social_request_create(request: HttpRequest) -> HttpResponse:
    """An advisor's request about a person followed outside a binôme, agreement first."""
    user = _user(request)
    if user.role != Role.ADVISOR or user.organisation is None:
        raise Http404
    department = user.organisation.department
    # « suite »: a further request about the person of one of the advisor's earlier requests.
    earlier = None
    if request.GET.get("suite", "").isdigit():
        earlier = (
            SocialRequest.objects.filter(requester=user, pk=int(request.GET["suite"]))
            .select_related("beneficiary", "territory")
            .first()
        )
        if earlier is None:
            raise Http404
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
                    request=request,
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
    user = _user(request)
    is_requester = user.pk == social_request.requester_id
    correspondent = services.is_territory_correspondent(user, social_request)
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
    journal.record(
        department=social_request.beneficiary.department,
        actor=user,
        channel=JournalChannel.VIEW,
        purpose="Consultation d'une demande ponctuelle",
        beneficiary=social_request.beneficiary,
        categories=[f"obstacles:{social_request.category}"],
        object_type=services.SOCIAL_REQUEST_OBJECT,
        object_id=str(social_request.pk),
        request=request,
    )
    return render(request, "casework/social_request_detail.html", context)


@login_required
def social_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    social_request = _social_request_or_404(_user(request), pk)
    return _social_request_page(request, social_request)


@login_required
@require_POST
def social_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    social_request = _social_request_or_404(user, pk)
    if not services.is_territory_correspondent(user, social_request):
        raise Http404
    form = SocialRequestAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.social_request_answer(
                social_request=social_request,
                acting_user=user,
                answer=form.cleaned_data["answer"],
                request=request,
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
    user = _user(request)
    social_request = _social_request_or_404(user, pk)
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
    user = _user(request)
    social_request = _social_request_or_404(user, pk)
    if user.pk != social_request.requester_id:
        raise Http404
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


# --- The territory's offer ---


def _department_member(request: HttpRequest) -> Professional:
    user = _user(request)
    if user.organisation is None:
        raise Http404
    return user


@login_required
def directory_search(request: HttpRequest) -> HttpResponse:
    """« Que trouve-t-on ici pour cette difficulté ? »: the department's offer, searchable."""
    user = _department_member(request)
    form = DirectorySearchForm(request.GET or None)
    category = text = ""
    if form.is_valid():
        category, text = form.cleaned_data["categorie"], form.cleaned_data["q"]
    department_id = user.organisation.department_id  # type: ignore[union-attr]
    return render(
        request,
        "casework/directory.html",
        {
            "form": form,
            "page": paginate(
                request, selectors.directory_search(department_id, category=category, text=text)
            ),
            "searched": bool(category or text),
            "can_manage": user.role == Role.ADMIN,
        },
    )


def _resource_form_page(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    user = _admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = ResourceForm(request.POST if request.method == "POST" else None, instance=resource)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in ResourceForm.Meta.fields}
        try:
            saved = services.resource_save(
                department=department,
                acting_user=user,
                resource=resource,
                categories=data["categories"],
                area=data["area"],
                **fields,
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"« {saved.name} » est enregistrée dans l'offre du territoire."
            )
            return redirect("directory")
    return render(request, "casework/resource_form.html", {"form": form, "resource": resource})


@login_required
def resource_create(request: HttpRequest) -> HttpResponse:
    return _resource_form_page(request, None)


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    resource = (
        Resource.objects.of_department(user.organisation.department_id)  # type: ignore[union-attr]
        .filter(pk=pk)
        .first()
    )
    if resource is None:
        raise Http404
    return _resource_form_page(request, resource)


@login_required
def directory_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of the national schema: all of it, or nothing, with the rejected rows."""
    user = _admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = DirectoryImportForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.directory_import(
            department=department,
            document=form.cleaned_data["document"].read(),
            acting_user=user,
        )
        if report.ok:
            messages.success(
                request,
                f"Import terminé : {report.created} ressource(s) créée(s), {report.updated} "
                f"modifiée(s), {report.unchanged} inchangée(s).",
            )
            return redirect("directory")
    return render(request, "casework/directory_import.html", {"form": form, "report": report})


@login_required
def directory_export(request: HttpRequest) -> HttpResponse:
    """The department's offer as one JSON document of the national schema."""
    user = _admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    document = directory.export(Resource.objects.of_department(department.pk).order_by("pk"))
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="offre-insertion-{department.code}.json"'
    )
    return response


# --- Collective actions ---


def _programme_or_404(user: Professional, pk: int) -> Programme:
    programme = (
        Programme.objects.filter(
            pk=pk,
            department_id=user.organisation.department_id,  # type: ignore[union-attr]
        )
        .select_related("organiser")
        .first()
    )
    if programme is None:
        raise Http404
    return programme


@login_required
def programmes(request: HttpRequest) -> HttpResponse:
    """The department's collective actions; supervisors and the administrator see the figures
    (people enrolled, fill rate, attendance), counts below five hidden."""
    user = _department_member(request)
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
            "show_figures": user.role in (Role.SUPERVISOR, Role.ADMIN),
            "can_manage": user.role == Role.ADMIN,
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
    user = _admin(request)
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
    user = _department_member(request)
    programme = _programme_or_404(user, pk)
    return _programme_page(request, programme, ProgrammeSessionForm())


def _programme_page(
    request: HttpRequest, programme: Programme, session_form: ProgrammeSessionForm
) -> HttpResponse:
    user = _user(request)
    figures = selectors.programmes_of_department(programme.department_id).get(pk=programme.pk)
    sessions = selectors.programme_sessions(programme)
    show_figures = user.role in (Role.SUPERVISOR, Role.ADMIN)
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
            "show_figures": show_figures,
            "can_manage": user.role == Role.ADMIN,
            "can_take_attendance": services.can_take_attendance(user, programme),
            "session_form": session_form,
        },
    )


@login_required
@require_POST
def programme_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    programme = _programme_or_404(user, pk)
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
    user = _department_member(request)
    programme = _programme_or_404(user, pk)
    if not services.can_take_attendance(user, programme):
        raise Http404
    session = ProgrammeSession.objects.filter(pk=session_pk, programme=programme).first()
    if session is None:
        raise Http404
    if request.method == "POST":
        present = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
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
    user = _user(request)
    case = _member_case_or_404(user, pk)
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
            request=request,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Inscription à « {data['programme'].name} » enregistrée.")
    return redirect("case_detail", pk=case.pk)


def _delegation_organiser(request: HttpRequest) -> Professional:
    user = _user(request)
    if user.role not in (*PAIR_ROLES, Role.SUPERVISOR, Role.ADMIN) or user.organisation is None:
        raise Http404
    return user


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    """« Remplacements »: those that concern the user, and the form to organise one."""
    user = _delegation_organiser(request)
    own_cases = None
    if user.role in PAIR_ROLES:
        own_cases = (
            Case.objects.open()
            .filter(pair__in=Pair.objects.of(user))
            .select_related("beneficiary")
            .order_by("beneficiary__last_name", "beneficiary__first_name", "pk")
        )
    form = DelegationForm(
        request.POST if request.method == "POST" else None,
        replaceable=selectors.replaceable_by(user),
        delegates=selectors.possible_delegates(user),
        own_cases=own_cases,
        initial={"replaced": user.pk} if user.role in PAIR_ROLES else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = services.delegation_give(
                replaced=data["replaced"],
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                cases=data.get("cases") or None,
                acting_user=user,
                request=request,
            )
        except InvalidInput as error:
            form.add_domain_error(error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Remplacement enregistré du {delegation.starts_on:%d/%m/%Y} au "
                f"{delegation.ends_on:%d/%m/%Y}.",
            )
            return redirect("delegations")
    return render(
        request,
        "casework/delegations.html",
        {
            "form": freeze_choices(form),
            "delegations": list(selectors.delegations_for(user)),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """End a remplacement before its date."""
    user = _delegation_organiser(request)
    delegation = (
        Delegation.objects.filter(pk=pk, replaced__in=selectors.replaceable_by(user).values("pk"))
        .select_related("replaced__organisation")
        .first()
    )
    if delegation is None:
        raise Http404
    try:
        services.delegation_revoke(delegation=delegation, acting_user=user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Remplacement arrêté : les droits du remplaçant·e sont retirés.")
    return redirect("delegations")
