"""The journal of accesses and shares: a case's journal (and its print), the auditor's search
and CSV export."""

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casework import access, journal_events, selectors
from casework.forms import JournalSearchForm
from casework.journal import RequestInfo
from casework.models import Beneficiary, InformationShare
from casework.printing import render_print
from partners.forms import freeze_choices, parse_id
from partners.fragments import Fragment
from partners.models import Department
from partners.pagination import paginate
from partners.replica import read_only


def journal_rows(rows: Iterable[InformationShare], *, names_secret: bool) -> Fragment:
    """The rows of a journal table (``casework/_journal_table.html``), rendered by Jinja2 (a
    page of 50 rows cost ~40 million instructions in Django's engine; docs/performance.md §1).
    ``names_secret``: the social side's categories named (``access.names_secret_categories``)."""
    return Fragment("casework/_journal_rows.jinja", {"rows": rows, "names_secret": names_secret})


@login_required
def case_journal(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.professional(request)
    case = access.access_case(user, pk, need=access.Need.JOURNAL)
    page = paginate(request, selectors.case_journal(case))
    return render(
        request,
        "casework/case_journal.html",
        {
            "case": case,
            "beneficiary": case.beneficiary,
            "page": page,
            "journal_rows": journal_rows(
                page.object_list, names_secret=access.names_secret_categories(user, case)
            ),
            "can_print": access.may_print_case_journal(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])  # preview, « Imprimer et remettre »
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


#: The search's fields. A name typed in « Personne » is posted and kept in the session, never in
#: a URL or an access log (like the portefeuille's search); numbers may come in the query string
#: (the links from a person's pages: ``?person=42``).
SEARCH_FIELDS = ("person", "professional", "organisation", "start", "end", "channel")
JOURNAL_SEARCH_SESSION_KEY = "journal_search"


@dataclass
class Search:
    form: JournalSearchForm
    filters: selectors.JournalFilters
    people: list[Beneficiary] | None = None  # the people a name matched
    query: str = ""  # the search as a query string, when it came from one (numbers only)


def _search(request: HttpRequest, department: Department) -> Search:
    """The search in force: the query string's if it has one, else the one posted last."""
    from_query = {name: request.GET.get(name, "") for name in SEARCH_FIELDS}
    if parse_id(from_query["person"]) is None:  # a name never comes from an address
        from_query["person"] = ""
    data: dict[str, str] | None
    if any(from_query.values()):
        data, query = from_query, urlencode({k: v for k, v in from_query.items() if v})
    else:
        data, query = request.session.get(JOURNAL_SEARCH_SESSION_KEY), ""
    if not data:
        return Search(JournalSearchForm(department=department), selectors.JournalFilters())
    form = JournalSearchForm(data, department=department)
    if not form.is_valid():  # nothing until the form is right
        return Search(form, selectors.JournalFilters(people=[]), query=query)
    cleaned = form.cleaned_data
    person, people = cleaned["person"], None
    if person.isdecimal():
        person_ids: list[int] | None = [number] if (number := parse_id(person)) else []
    elif person:
        people = selectors.person_search(department.pk, person)
        person_ids = [beneficiary.pk for beneficiary in people]
    else:
        person_ids = None
    filters = selectors.JournalFilters(
        people=person_ids,
        professional_id=cleaned["professional"].pk if cleaned["professional"] else None,
        organisation=cleaned["organisation"],
        start=cleaned["start"],
        end=cleaned["end"],
        channel=cleaned["channel"],
    )
    return Search(form, filters, people, query)


#: The auditor's search counts at most this many rows (a department's journal holds millions).
JOURNAL_COUNT_CAP = 5000


@login_required
@read_only  # its GET; the POST (a search kept in the session) stays on the primary
def journal_search(request: HttpRequest) -> HttpResponse:
    """The auditor's search in the department's journal."""
    user = access.access_as_auditor(request)
    department = user.organisation.department  # type: ignore[union-attr]
    if request.method == "POST":
        if "effacer" in request.POST:
            request.session.pop(JOURNAL_SEARCH_SESSION_KEY, None)
            return redirect("journal_search")
        form = JournalSearchForm(request.POST, department=department)
        if form.is_valid():
            request.session[JOURNAL_SEARCH_SESSION_KEY] = {
                name: request.POST.get(name, "") for name in SEARCH_FIELDS
            }
            return redirect("journal_search")
        search = Search(form, selectors.JournalFilters(people=[]))
    else:
        search = _search(request, department)
    page = paginate(
        request, selectors.journal_search(department.pk, search.filters), cap=JOURNAL_COUNT_CAP
    )
    return render(
        request,
        "casework/journal_search.html",
        {
            "form": freeze_choices(search.form),
            "people": search.people,
            "people_limit": selectors.PERSON_SEARCH_LIMIT,
            "page": page,
            # the auditor: secret categories are never named
            "journal_rows": journal_rows(page.object_list, names_secret=False),
            "query": search.query,
        },
    )


@login_required
@read_only
def rights_changes(request: HttpRequest) -> HttpResponse:
    """The auditor's « Changements de droits »: who was given or lost access, by whom."""
    user = access.access_as_auditor(request)
    department = user.organisation.department  # type: ignore[union-attr]
    return render(
        request,
        "casework/rights_changes.html",
        {
            "page": paginate(
                request, selectors.rights_changes(department.pk), cap=JOURNAL_COUNT_CAP
            ),
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
@read_only
def journal_export(request: HttpRequest) -> HttpResponse:
    """The search as CSV; the export itself is journaled."""
    user = access.access_as_auditor(request)
    department = user.organisation.department  # type: ignore[union-attr]
    search = _search(request, department)
    rows = selectors.journal_search(department.pk, search.filters)
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
                row.category_labels,  # the social side's categories unnamed
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
        # The search's own fields, once valid (ids, dates, a channel): not the raw query string,
        # whose other parameters could be anything and overflow the row's purpose.
        query=search.query if search.form.is_bound and search.form.is_valid() else "",
        info=RequestInfo.of(request),
    )
    return response
