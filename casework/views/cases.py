"""The binôme's portefeuille and the case page: list, detail, a new person with the proposed
accompagnement, state changes. ``case_context`` and ``render_case`` serve every case page."""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import access, journal_events, selectors, services
from casework.enums import OPEN_STATES, CaseState
from casework.errors import InvalidInput
from casework.forms import (
    BeneficiaryForm,
    CaseHandoverForm,
    DirectorySearchForm,
    EnrolmentForm,
    InterviewForm,
    MilestoneForm,
    NoteForm,
    TransitionForm,
)
from casework.journal import RequestInfo
from casework.models import Case
from casework.sharing import agreement_in_force, share_category_labels
from partners.errors import DomainError
from partners.forms import freeze_choices
from partners.fragments import Fragment, pk_url
from partners.models import Professional
from partners.pagination import paginate
from partners.selectors import pairs_of_department, pairs_of_professional

SEARCH_SESSION_KEY = "caseload_search"
#: The portefeuille's filters, in its query string (never the search words).
CASELOAD_FILTERS = ("etat", "sans_entretien", "referent", "a_examiner")


STALE_PAGE = (
    "Cet accompagnement vient d'être modifié par quelqu'un d'autre : rechargez la page, "
    "vérifiez son état, puis recommencez."
)


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """« Mon portefeuille »: people without interview for 30+ days first."""
    user = access.access_as_pair_member(request)
    if request.method == "POST":
        # The search words (people's names) stay out of URLs and access logs.
        request.session[SEARCH_SESSION_KEY] = request.POST.get("recherche", "").strip()[:100]
        query = {k: v for k, v in request.GET.items() if k in CASELOAD_FILTERS and v}
        return redirect(f"{reverse('caseload')}?{urlencode(query)}" if query else "caseload")
    state = request.GET.get("etat", "")
    filters = selectors.CaseloadFilters(
        state=state if state in CaseState.values else "",
        overdue_only=request.GET.get("sans_entretien") == "1",
        referent_only=request.GET.get("referent") == "1",
        to_review_only=request.GET.get("a_examiner") == "1",
        search=request.session.get(SEARCH_SESSION_KEY, ""),
    )
    cases = selectors.caseload_values(selectors.caseload(user, filters))
    page = paginate(request, cases, count_in_page=True)
    page.object_list = [selectors.CaseloadRow(**values) for values in page.object_list]
    interval_days = user.organisation.department.interview_interval_days  # type: ignore[union-attr]
    return render(
        request,
        "casework/caseload.html",
        {
            "page": page,
            "rows": caseload_rows(user, page.object_list, interval_days),
            "filters": filters,
            "states": CaseState.choices,
            "interval_days": interval_days,
        },
    )


def caseload_rows(
    user: Professional, cases: Sequence[selectors.CaseloadRow], interval_days: int
) -> Fragment:
    """The portefeuille's rows (read twice: a sequence), with what is due soon on each case
    (rendered by Jinja2)."""
    today = timezone.localdate()
    for case in cases:
        case.milestones_due = services.milestones_due(case, today)
    return Fragment(
        "casework/_caseload_rows.jinja",
        {
            "cases": cases,
            "case_url": pk_url("case_detail"),
            "user_id": user.pk,
            "interval_days": interval_days,
        },
    )


def case_context(
    request: HttpRequest, case: Case, *, follows: bool | None = None, **extra: Any
) -> dict[str, Any]:
    """The case page's context. ``follows``: ``access.may_follow_case``, when the view has just
    asked it (``access_case(…, need=Need.FOLLOW)``)."""
    user = access.professional(request)
    member = access.may_follow_case(user, case) if follows is None else follows
    social = member and access.may_read_social_notes(user, case)
    # The rarer parts are read only when the case has something of them.
    parts = selectors.case_parts(case)
    context: dict[str, Any] = {
        "case": case,
        "beneficiary": case.beneficiary,
        "member": member,
        "social": social,
        "supervisor": access.is_supervisor(user),
        "pair_periods": selectors.pair_periods_of(case) if "pair_changes" in parts else [],
    }
    if member:
        context["today"] = timezone.localdate()
        context["agreement"] = agreement = agreement_in_force(case)
        context["agreement_categories"] = share_category_labels(agreement)
        context["space_access"] = (
            selectors.space_access_of(case) if "space_access" in parts else None
        )
        context["message_consents"] = (
            selectors.message_consents_of(case) if "message_consents" in parts else []
        )
        context["sent_messages"] = (
            selectors.sent_messages_of(case) if "sent_messages" in parts else []
        )
        context["case_is_open"] = case.state in OPEN_STATES
        context.update(_activity(case, social, parts))
        context["transitions"] = [
            (action, TransitionForm.ACTIONS[action])
            for action in TransitionForm.AVAILABLE.get(CaseState(case.state), ())
        ]
        # Own id prefixes: the page holds several forms with fields of the same names.
        context["transition_form"] = TransitionForm(
            initial={"version": case.version}, auto_id="etat_%s"
        )
        context["upcoming"] = selectors.upcoming_appointments(case, parts)
        context["milestones_due"] = services.milestones_due(case)
        context["milestone_form"] = MilestoneForm(auto_id="etape_%s")
        context["breach_reports"] = (
            selectors.breach_reports_of(case) if "breach_reports" in parts else []
        )
        context["is_referent"] = access.is_referent(user, case)
        context["origin_requests"] = (
            selectors.origin_requests_of(case) if "origin_requests" in parts else []
        )
        context["directory_form"] = DirectorySearchForm(auto_id="offre_%s")
        context.setdefault(
            "enrolment_form",
            EnrolmentForm(
                programmes=selectors.open_programmes(case.pair.department_id),
                auto_id="inscription_%s",
            ),
        )
    elif access.may_hand_over_case(user, case):
        pairs = pairs_of_department(case.pair.department).exclude(pk=case.pair_id)
        context["handover_form"] = CaseHandoverForm(pairs=pairs)
    elif access.is_supervisor(user):
        context["interview_dates"] = selectors.interview_dates(case)
    context.update(extra)
    for name in ("handover_form", "enrolment_form"):
        if name in context:
            freeze_choices(context[name])
    _case_page_fragments(request, context)
    return context


def _case_page_fragments(request: HttpRequest, context: dict[str, Any]) -> None:
    """The case page's sections rendered by Jinja2 (docs/performance.md §1), each given the
    values of the page's context it shows, the view's own (a form with its errors) included."""

    def section(template: str, *names: str, **more: Any) -> Fragment:
        return Fragment(template, {**{name: context[name] for name in names}, **more})

    context["people"] = section(
        "casework/_case_people.jinja",
        "beneficiary",
        "case",
        "member",
        "pair_periods",
        origin_requests=context.get("origin_requests", []),
        user_id=access.professional(request).pk,
    )
    if not context["member"]:
        return
    context["sharing"] = section(
        "casework/_case_sharing.jinja",
        "case",
        "social",
        "agreement",
        "agreement_categories",
        "space_access",
        "case_is_open",
        "message_consents",
        "sent_messages",
    )


def activity_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    """What the activity panel (``casework/_activity.html``, the htmx answer to an interview)
    shows, for a member of the binôme (the view asked ``Need.FOLLOW``): nothing else of the case
    page is read."""
    social = access.may_read_social_notes(access.professional(request), case)
    parts = selectors.case_parts(case)
    context: dict[str, Any] = {"case": case, "social": social, **_activity(case, social, parts)}
    context.update(extra)
    return context


def _activity(case: Case, social: bool, parts: frozenset[str]) -> dict[str, Any]:
    timeline = selectors.timeline(case, member=True, social=social, parts=parts)
    return {
        "can_log_interview": case.state in OPEN_STATES,
        "timeline": timeline,
        # a long list that grows all year: rendered by Jinja2 (docs/performance.md §1)
        "history": Fragment("casework/_timeline.jinja", {"timeline": timeline}),
        "interview_form": InterviewForm(case=case),
        "note_form": NoteForm(),
    }


def render_case(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a case page with its one journal row, when it has one: a page that shows social
    notes, and any case page opened by a remplaçant·e (the use of a remplacement is journaled at
    each page view, so that the person's journal shows every access made in someone's place)."""
    case = context["case"]
    user = access.professional(request)
    journal_events.case_page_viewed(
        actor=user,
        case=case,
        social_notes=[
            item.obj for item in context.get("timeline", ()) if item.kind == "social_note"
        ],
        delegation_id=access.remplacement_in_use(user, case),
        info=RequestInfo.of(request),
    )
    return render(request, template, context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.access_case(access.professional(request), pk)
    return render_case(request, "casework/case_detail.html", case_context(request, case))


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
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
    if action in TransitionForm.CONFIRMED and not data["confirmed"]:
        return _confirm_transition(request, case, form)
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
        messages.success(request, TransitionForm.DONE[action])
    return redirect("case_detail", pk=case.pk)


def _confirm_transition(request: HttpRequest, case: Case, form: TransitionForm) -> HttpResponse:
    """The page that asks before a change that stops or ends the accompaniment."""
    data = form.cleaned_data
    action = data["action"]
    reason_field = TransitionForm.REASONS.get(action)
    reason = ""
    if reason_field:
        reason = dict(form.fields[reason_field].choices).get(data[reason_field], "")  # type: ignore[attr-defined]
    return render(
        request,
        "casework/case_transition_confirm.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "action": action,
            "label": TransitionForm.ACTIONS[action],
            "consequence": TransitionForm.CONFIRMED[action],
            "reason_field": reason_field,
            "reason_value": data[reason_field] if reason_field else "",
            "reason_label": reason,
            "version": data["version"],
        },
    )


@login_required
def beneficiary_create(request: HttpRequest) -> HttpResponse:
    """A new person and the accompaniment proposed to them, in one step."""
    user = access.access_as_pair_member(request)
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
