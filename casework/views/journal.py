"""The journal of accesses and shares: a case's journal (and its print), the auditor's search
and CSV export."""

import csv
import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from casework import access, journal_events, selectors
from casework.forms import JournalSearchForm
from casework.journal import RequestInfo
from casework.printing import render_print
from partners.forms import freeze_choices
from partners.pagination import paginate


@login_required
def case_journal(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.JOURNAL)
    return render(
        request,
        "casework/case_journal.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "page": paginate(request, selectors.case_journal(case)),
            "can_print": access.may_print_case_journal(user),
        },
    )


@login_required
def case_journal_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The journal handed to the person: organisations, job titles, dates (names if decided)."""
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.JOURNAL_PRINT)
    rows = list(selectors.case_journal(case))
    return render_print(
        request,
        "casework/case_journal_print.html",
        {"rows": rows, "show_names": case.pair.department.journal_shows_names},
        case=case,
        purpose="Journal des accès et des partages remis à la personne",
        object_type="journal",
    )


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
    user = access.access_as_auditor(request)
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
    user = access.access_as_auditor(request)
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
    journal_events.journal_exported(
        actor=user,
        department=department,
        count=count,
        query=request.GET.urlencode(),
        info=RequestInfo.of(request),
    )
    return response
