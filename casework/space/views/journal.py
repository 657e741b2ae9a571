"""The person's journal of accesses and shares (« Qui a consulté mon dossier »).

Reading it writes no journal row, like the space's first page: the page shows the journal's own
rows about the person, no social content and nothing that crossed under the accord."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework.space import selectors
from casework.space.session import person_required
from partners.pagination import paginate


@person_required
def space_journal(request: HttpRequest) -> HttpResponse:
    """Who saw or received what of the person's file, when, why: organisations and job titles,
    names only if the department decided so; newest first, 50 a page."""
    access = request.space_access  # type: ignore[attr-defined]
    if selectors.is_archived(access):
        return redirect("space_home")
    department = access.case.pair.department
    with_names = department.journal_shows_names
    page = paginate(request, selectors.journal_rows(access, with_names=with_names))
    page.object_list = [
        selectors.journal_line(row, with_names=with_names) for row in page.object_list
    ]
    return render(
        request,
        "casework/space/journal.html",
        {
            "space_person": True,
            "page": page,
            "with_names": with_names,
            "legal_basis": department.legal_basis_text,
        },
    )
