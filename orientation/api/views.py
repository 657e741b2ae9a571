"""``followup:read``: the follow-up of the cases of the partner system's department.

Thin: the cases come from ``selectors.partner_cases`` (the department's only: another
department's id is the same 404 as a missing one), the answer from ``selectors.followups``, and
every answer that carries a person's data writes its journal rows (one per case, in one
statement) through ``casework.journal_events.api_cases_read``.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from casework import journal_events
from casework.journal import RequestInfo
from casework.models import Case
from orientation.api import selectors
from orientation.api.serializers import CaseFollowupSerializer
from partners.api.models import Scope
from partners.api.pagination import MAX_PAGE_SIZE, PAGE_SIZE
from partners.api.views import PartnerAPIView, problem_responses


class FollowupView(PartnerAPIView):
    required_scope = Scope.FOLLOWUP_READ
    serializer_class = CaseFollowupSerializer

    def get_queryset(self) -> Any:
        return selectors.partner_cases(self.principal.partner)

    def _journaled(self, request: Request, cases: list[Case]) -> list[Any]:
        data = selectors.followups(cases)
        if cases:
            journal_events.api_cases_read(
                partner=self.principal.partner,
                cases=cases,
                scope=Scope.FOLLOWUP_READ.value,
                info=RequestInfo.of(request._request),
            )
        return data


class CaseListView(FollowupView):
    @extend_schema(
        operation_id="cases_list",
        summary="Les accompagnements du département",
        description=(
            "Les accompagnements du département du système partenaire, par pages de 50 "
            "(curseur). Chaque page lue est inscrite au journal de chaque personne."
        ),
        parameters=[
            OpenApiParameter(
                "cursor",
                str,
                description="Le curseur de la page, tel que donné par « next » ou « previous ».",
            ),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Le nombre de lignes par page ({PAGE_SIZE} par défaut, au plus "
                f"{MAX_PAGE_SIZE}).",
            ),
        ],
        responses={200: CaseFollowupSerializer(many=True), **problem_responses(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        cases = list(page) if page is not None else []
        data = self._journaled(request, cases)
        return self.get_paginated_response(CaseFollowupSerializer(data, many=True).data)


class CaseDetailView(FollowupView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="Un accompagnement",
        description=(
            "Le suivi d'un accompagnement du département du système partenaire. Un "
            "accompagnement d'un autre département est introuvable (404), comme un inexistant. "
            "La lecture est inscrite au journal de la personne."
        ),
        responses={200: CaseFollowupSerializer, **problem_responses(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(self.get_queryset(), pk=pk)
        (data,) = self._journaled(request, [case])
        return Response(CaseFollowupSerializer(data).data)
