"""Pages of the person's rights: the binôme records a correction or a request; the DPO (auditor
role) searches people (archive included), produces the full export and records the Archives'
visa for disposals."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework import access, journal_events, retention, rights, selectors
from casework.enums import FileStage
from casework.errors import InvalidInput
from casework.forms import (
    DisposalApprovalForm,
    IdentityRectificationForm,
    InterviewRectificationForm,
    PersonRequestAnswerForm,
    PersonRequestForm,
    PersonSearchForm,
)
from casework.journal import RequestInfo
from casework.models import Beneficiary, Case, Interview, PersonRequest
from partners.errors import DomainError
from partners.forms import add_domain_error
from partners.pagination import paginate

# The binôme, on the person's behalf ---------------------------------------------------------


def _rights_page(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    user = access.professional(request)
    social = access.is_social_worker(user)
    beneficiary = case.beneficiary
    rectifications = selectors.rectifications_of(case)
    context: dict[str, Any] = {
        "case": case,
        "beneficiary": beneficiary,
        "identity_form": forms.get("identity_form")
        or IdentityRectificationForm(instance=Beneficiary(**_identity(beneficiary))),
        "request_form": forms.get("request_form") or PersonRequestForm(),
        "interviews": list(
            Interview.objects.filter(case=case).order_by("-occurred_on", "-pk")[:24]
        ),
        "rectifications": rectifications,
        "person_requests": selectors.person_requests_of(case),
        # Obstacle corrections hold the person's words: their values for the social side only.
        "show_obstacle_values": social,
    }
    shown = sorted({r.share_category for r in rectifications if r.share_category})
    if social and shown:  # the social side's own content, read: journaled like the diagnostic
        journal_events.rectifications_viewed(
            actor=user, case=case, categories=shown, info=RequestInfo.of(request)
        )
    return render(request, "casework/case_rights.html", context)


def _identity(beneficiary: Beneficiary) -> dict[str, Any]:
    return {name: getattr(beneficiary, name) for name in rights.RECTIFIABLE_IDENTITY}


@login_required
def case_rights(request: HttpRequest, pk: int) -> HttpResponse:
    """« Droits de la personne »: correct a fact, record a request for the DPO, see the history."""
    case = access.access_case(access.professional(request), pk, need=access.Need.FOLLOW)
    return _rights_page(request, case)


@login_required
@require_POST
def identity_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = IdentityRectificationForm(
        request.POST, instance=Beneficiary(**_identity(case.beneficiary))
    )
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in rights.RECTIFIABLE_IDENTITY}
        try:
            rights.beneficiary_rectify(
                case=case, acting_user=user, changes=changes, reason=form.cleaned_data["reason"]
            )
        except InvalidInput as error:
            form.add_domain_error(error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Rectification enregistrée ; l'ancienne valeur est gardée.")
            return redirect("case_rights", pk=case.pk)
    return _rights_page(request, case, identity_form=form)


@login_required
def interview_rectify(request: HttpRequest, pk: int, interview_pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    interview = access.access_interview(case, interview_pk)
    form = InterviewRectificationForm(
        request.POST if request.method == "POST" else None,
        initial={"interview": interview.pk, "summary": interview.summary},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rights.interview_rectify(
                interview=interview,
                acting_user=user,
                summary=form.cleaned_data["summary"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Compte rendu rectifié ; l'ancien texte est gardé.")
            return redirect("case_rights", pk=case.pk)
    return render(
        request,
        "casework/interview_rectify.html",
        {"case": case, "beneficiary": case.beneficiary, "interview": interview, "form": form},
    )


@login_required
@require_POST
def person_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.FOLLOW)
    form = PersonRequestForm(request.POST)
    if form.is_valid():
        try:
            rights.person_request_record(case=case, acting_user=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, "Demande enregistrée et transmise au ou à la DPO du département."
            )
            return redirect("case_rights", pk=case.pk)
    return _rights_page(request, case, request_form=form)


PERSON_SEARCH_SESSION_KEY = "dpo_person_search"

# The DPO ---------------------------------------------------------------------------------------


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    """The DPO's search, archived files included. The words (people's names) are posted and
    kept in the session, then shown by a GET: never in a URL or an access log."""
    user = access.access_as_auditor(request)
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        if form.is_valid():
            request.session[PERSON_SEARCH_SESSION_KEY] = form.cleaned_data["search"]
            return redirect("person_search")
    else:
        form = PersonSearchForm(initial={"search": request.session.get(PERSON_SEARCH_SESSION_KEY)})
    words = request.session.get(PERSON_SEARCH_SESSION_KEY) if request.method == "GET" else None
    results = (
        selectors.person_search(user.organisation.department_id, words)  # type: ignore[union-attr]
        if words
        else None
    )
    return render(
        request,
        "casework/person_search.html",
        {"form": form, "results": results, "limit": selectors.PERSON_SEARCH_LIMIT},
    )


@login_required
def person_rights(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's file for the DPO: identity, accompagnements, requests, life of the file."""
    user = access.access_as_auditor(request)
    person = access.access_person(user, pk)
    if person.file_stage == FileStage.ARCHIVED:
        journal_events.archived_file_viewed(actor=user, person=person, info=RequestInfo.of(request))
    department = person.department
    annotated = retention.with_last_contact(Beneficiary.objects.filter(pk=person.pk)).get()
    return render(
        request,
        "casework/person_rights.html",
        {
            "person": person,
            "cases": list(
                Case.objects.visible_to(user)
                .filter(beneficiary=person)
                .select_related("pair__advisor__organisation", "pair__social_worker__organisation")
                .order_by("-proposed_on")
            ),
            "requests": list(
                PersonRequest.objects.filter(beneficiary=person).order_by("-received_on", "-pk")
            ),
            "next_move": retention.next_move(department, annotated),
        },
    )


@login_required
@require_POST
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The full export as a ZIP (JSON + readable document): downloaded, never displayed."""
    user = access.access_as_auditor(request)
    person = access.access_person(user, pk)
    try:
        export = rights.person_export(
            beneficiary=person, acting_user=user, info=RequestInfo.of(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("person_rights", pk=person.pk)
    response = HttpResponse(export.zip_bytes(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.basename}.zip"'
    return response


@login_required
def person_requests(request: HttpRequest) -> HttpResponse:
    """Requests about data routed to the DPO: open ones first, oldest first."""
    user = access.access_as_auditor(request)
    return render(
        request,
        "casework/person_requests.html",
        {
            "page": paginate(request, selectors.person_requests_for_dpo(user)),
            "answer_form": PersonRequestAnswerForm(),
        },
    )


@login_required
@require_POST
def person_request_answer(request: HttpRequest, request_pk: int) -> HttpResponse:
    user = access.access_as_auditor(request)
    person_request = access.access_person_request(user, request_pk)
    form = PersonRequestAnswerForm(request.POST)
    if form.is_valid():
        try:
            rights.person_request_answer(
                person_request=person_request, acting_user=user, answer=form.cleaned_data["answer"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Réponse enregistrée.")
    return redirect("person_requests")


@login_required
def disposal(request: HttpRequest) -> HttpResponse:
    """Files at the end of their archive duration: record the Archives' visa for them."""
    user = access.access_as_auditor(request)
    department = user.organisation.department  # type: ignore[union-attr]
    candidates = list(retention.disposal_candidates(department).values_list("pk", flat=True))
    form = DisposalApprovalForm(
        request.POST if request.method == "POST" else None, candidates=candidates
    )
    if request.method == "POST" and form.is_valid():
        try:
            approval = retention.disposal_approval_record(
                department=department,
                acting_user=user,
                visa_reference=form.cleaned_data["visa_reference"],
                approved_on=form.cleaned_data["approved_on"],
                beneficiary_ids=form.cleaned_data["beneficiaries"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Visa {approval.visa_reference} enregistré : les dossiers couverts seront "
                "éliminés cette nuit.",
            )
            return redirect("disposal")
    return render(
        request,
        "casework/disposal.html",
        {"form": form, "candidates": candidates},
    )
