"""The two comparison pages of the portefeuille: the same template, the same 50 rows.

- ``caseload_guardian``: the visible cases from ``guardian.shortcuts.get_objects_for_user`` on
  guardian's generic tables (``UserObjectPermission``/``GroupObjectPermission``, which the bench
  fills with the same grants as the direct table), with ``use_groups=True``.
- ``caseload_floor``: one hand-written SQL query (rows, related names and the total in one go).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from guardian.shortcuts import get_objects_for_user

from casework import selectors
from casework.enums import ACTIVE_FILE_STAGES, CaseState
from casework.models import (
    FOLLOWED_STATES,
    Case,
    CaseGroupObjectPermission,
    CaseQuerySet,
    CaseUserObjectPermission,
)
from casework.views.cases import caseload_rows
from partners.models import Professional
from partners.pagination import PAGE_SIZE, paginate


@contextmanager
def generic_guardian_tables() -> Iterator[None]:
    """Make guardian ignore the direct foreign-key tables of Case (its ``enabled`` switch), so
    that it reads and writes its generic tables, as an application without them would."""
    CaseUserObjectPermission.enabled = False  # type: ignore[attr-defined]
    CaseGroupObjectPermission.enabled = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del CaseUserObjectPermission.enabled  # type: ignore[attr-defined]
        del CaseGroupObjectPermission.enabled  # type: ignore[attr-defined]


def _render(request: HttpRequest, user: Professional, page: Any) -> HttpResponse:
    interval_days = user.organisation.department.interview_interval_days  # type: ignore[union-attr]
    return render(
        request,
        "casework/caseload.html",
        {
            "page": page,
            "rows": caseload_rows(user, page.object_list, interval_days),
            "filters": selectors.CaseloadFilters(),
            "states": CaseState.choices,
            "interval_days": interval_days,
        },
    )


@login_required
def caseload_guardian(request: HttpRequest) -> HttpResponse:
    user = cast(Professional, request.user)
    with generic_guardian_tables():
        visible = cast(
            CaseQuerySet[Case],
            get_objects_for_user(
                user, "casework.view_case", klass=Case, use_groups=True, accept_global_perms=False
            ),
        )
        cases = selectors.caseload_values(
            visible.open()
            .with_overdue(selectors.professional_overdue_threshold(user))
            .order_by("-overdue", "beneficiary__last_name", "beneficiary__first_name", "pk")
        )
        page = paginate(request, cases)
        page.object_list = [selectors.CaseloadRow(**values) for values in page.object_list]
    return _render(request, user, page)


FLOOR_SQL = """
SELECT c.id AS pk, c.referent_id, c.state, o.overdue, c.review_reason,
       b.first_name AS person_first_name, b.last_name AS person_last_name,
       c.last_interview_on, p.first_name AS interviewer_first_name,
       p.last_name AS interviewer_last_name, c.next_appointment_on, c.orientation_path,
       c.next_action_due_on, c.started_on, c.planned_end_on, c.six_month_review_on,
       count(*) OVER () AS total
FROM casework_case c
JOIN casework_beneficiary b ON b.id = c.beneficiary_id
LEFT JOIN partners_professional p ON p.id = c.last_interview_by_id
CROSS JOIN LATERAL (
    SELECT c.state = ANY(%(followed)s)
       AND COALESCE(c.last_referent_interview_on, c.proposed_on) < %(threshold)s AS overdue
) o
WHERE c.id IN (
    SELECT g.content_object_id FROM casework_caseuserobjectpermission g
    JOIN auth_permission perm ON perm.id = g.permission_id
    WHERE g.user_id = %(user)s AND perm.codename = 'view_case'
)
AND c.state <> ALL(%(closed)s)
AND b.file_stage = ANY(%(file_stages)s)
ORDER BY o.overdue DESC, b.last_name, b.first_name, c.id
LIMIT %(limit)s OFFSET %(offset)s
"""


class _Window:
    """What Paginator needs: the total, and the one page already fetched."""

    def __init__(self, rows: list[selectors.CaseloadRow], total: int) -> None:
        self.rows, self.total = rows, total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, _: slice) -> list[selectors.CaseloadRow]:
        return self.rows


@login_required
def caseload_floor(request: HttpRequest) -> HttpResponse:
    user = cast(Professional, request.user)
    number = int(request.GET.get("page", "1") or 1)
    with connection.cursor() as cursor:
        cursor.execute(
            FLOOR_SQL,
            {
                "followed": [str(s) for s in FOLLOWED_STATES],
                "threshold": selectors.professional_overdue_threshold(user),
                "user": user.pk,
                "closed": [str(CaseState.CLOSED), str(CaseState.REFUSED)],
                "file_stages": [str(stage) for stage in ACTIVE_FILE_STAGES],
                "limit": PAGE_SIZE,
                "offset": (number - 1) * PAGE_SIZE,
            },
        )
        fetched = cursor.fetchall()
    total = fetched[0][-1] if fetched else 0
    # The portefeuille's rows (selectors.caseload_values), the total left out.
    rows = [
        selectors.CaseloadRow(*row[:-1])  # the columns in CASELOAD_ROW_VALUES' order
        for row in fetched
    ]
    window: Any = _Window(rows, total)
    page = Paginator(window, PAGE_SIZE).get_page(number)
    page.object_list = rows
    return _render(request, user, page)
