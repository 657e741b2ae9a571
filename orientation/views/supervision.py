"""The supervisor's dashboard of their organisation subtree: the figures, the cases behind one
figure (metadata only) and the export of the figures (no person's name, journaled)."""

import csv
import datetime
import io

import openpyxl
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from casework.journal import RequestInfo
from orientation import access, delays, journal_events, snapshots
from orientation import supervision as figures
from partners.forms import parse_id
from partners.fragments import Fragment
from partners.pagination import paginate
from partners.replica import read_only

#: The rows of the dashboard's three tables (advisors, social workers, binômes).
ROWS = "orientation/_supervision_rows.jinja"


@login_required
@read_only
def supervision(request: HttpRequest) -> HttpResponse:
    """The supervisor's dashboard of their organisation subtree."""
    user = access.access_as_supervisor(request)
    board, computed_at = snapshots.board_of(user)
    # A department's supervisor reads hundreds of rows: rendered by Jinja2 (partners/fragments.py).
    rows = {
        "board": board,
        "open_list_url": reverse("supervision_list", args=["ouverts"]),
        "overdue_list_url": reverse("supervision_list", args=["sans-entretien"]),
    }
    return render(
        request,
        "orientation/supervision.html",
        {
            **{
                f"{name}_rows": Fragment(ROWS, {**rows, "table": table})
                for name, table in (
                    ("advisor", "advisors"),
                    ("social_worker", "social_workers"),
                    ("pair", "pairs"),
                )
            },
            "board": board,
            "computed_at": computed_at,
            "labels": {
                slug.replace("-", "_"): figure.label for slug, figure in figures.FIGURES.items()
            },
            "path_max": max([count for *_, count in board.paths] or [0]) or 1,
            "to_act_on": [
                (slug, figures.FIGURES[slug].label, count) for slug, count in board.to_act_on
            ],
        },
    )


@login_required
@read_only
def supervision_list(request: HttpRequest, figure: str) -> HttpResponse:
    """The cases behind one figure: metadata only."""
    user = access.access_as_supervisor(request)
    professional = request.GET.get("professionnel", "")
    try:
        cases = figures.drill_down(
            user,
            figure,
            professional_id=parse_id(professional),
            value=request.GET.get("valeur", ""),
        )
    except KeyError:
        raise Http404 from None
    return render(
        request,
        "orientation/supervision_list.html",
        {"title": figures.FIGURES[figure].label, "page": paginate(request, cases)},
    )


@login_required
@read_only
def supervision_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's figures as CSV or XLSX (no person's name); the export is journaled."""
    user = access.access_as_supervisor(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = figures.export_rows(figures.dashboard(user))
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerows(rows)
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Tableau de bord"
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="tableau-de-bord.{fmt}"'
    journal_events.dashboard_exported(actor=user, fmt=fmt, info=RequestInfo.of(request))
    return response


@login_required
@read_only
def supervision_delays(request: HttpRequest) -> HttpResponse:
    """The delays from the proposal to the decision, the first appointment and the contract."""
    user = access.access_as_supervisor(request)
    board, computed_at = snapshots.delays_of(user)
    return render(
        request,
        "orientation/supervision_delays.html",
        {
            "board": board,
            "computed_at": computed_at,
            "tables": delays.tables(board),
            "windows": delays.WINDOWS,
            "small": figures.SMALL_COUNT,
        },
    )


def _organisation(text: str) -> int | None:
    """« organisation=<id> », or 0 for the cases whose référent·e has none; None: all."""
    if text in ("", "0"):
        return 0 if text else None
    organisation_id = parse_id(text)
    if organisation_id is None:
        raise Http404
    return organisation_id


def _month(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(f"{text}-01") if text else None
    except ValueError:
        raise Http404 from None


@login_required
@read_only
def supervision_delays_list(request: HttpRequest) -> HttpResponse:
    """The cases behind a row of the delays (metadata only): their steps' dates."""
    user = access.access_as_supervisor(request)
    cases = delays.drill_down(
        user,
        organisation_id=_organisation(request.GET.get("organisation", "")),
        month=_month(request.GET.get("mois", "")),
    )
    page = paginate(request, cases)
    return render(
        request,
        "orientation/supervision_delays_list.html",
        {"page": page, "rows": [(case, delays.delays_of(case)) for case in page.object_list]},
    )


@login_required
@read_only
def supervision_delays_export(request: HttpRequest) -> HttpResponse:
    """The delays' figures as CSV (no person's name); the export is journaled."""
    user = access.access_as_supervisor(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    csv.writer(response, delimiter=";").writerows(delays.export_rows(delays.delays(user)))
    response["Content-Disposition"] = 'attachment; filename="delais.csv"'
    journal_events.dashboard_exported(
        actor=user,
        fmt="csv",
        info=RequestInfo.of(request),
        what="des délais",
        object_type="délais",
    )
    return response
