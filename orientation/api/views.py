"""``followup:read``: the follow-up of the cases of the partner system's department;
``orientation:write``: the competent authority's orientation decision, sent for one of them.

Thin: the cases come from ``selectors.partner_cases`` (the department's only: another
department's id is the same 404 as a missing one), the answer from ``selectors.followups``, and
every answer that carries a person's data writes its journal rows (one per case, in one
statement) through ``casework.journal_events.api_cases_read``. A decision is written by
``orientation.services.api_decision_record`` (which writes the journal row): a refused value is
a 400 problem+json naming the field, an id already used for another decision a 409
« identifiant-deja-utilise », a case that cannot take a decision a 409 « pas-possible ».
"""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import journal_events
from casework.api import selectors as casework_selectors
from casework.errors import InvalidInput, PartnerRefReused
from casework.journal import RequestInfo
from casework.models import Case
from orientation import services
from orientation.api import selectors
from orientation.api.serializers import (
    CaseFollowupSerializer,
    DecisionSendSerializer,
    PartnerDecisionSerializer,
)
from orientation.models import OrientationDecision
from partners.api.models import Scope
from partners.api.pagination import MAX_PAGE_SIZE, PAGE_SIZE
from partners.api.problems import PROBLEM_CONTENT_TYPE, ApiProblem
from partners.api.views import PartnerAPIView, ProblemSerializer, problem_responses
from partners.errors import DomainError


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


# orientation:write -------------------------------------------------------------------------------


def _decision(decision: OrientationDecision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "partner_ref": decision.partner_ref,
        "case_id": decision.case_id,
        "path": decision.path,
        "decided_on": decision.decided_on,
        "review_on": decision.review_on,
        "basis": decision.basis,
        "authority": decision.authority,
    }


class DecisionCreateView(PartnerAPIView):
    required_scope = Scope.ORIENTATION_WRITE
    serializer_class = PartnerDecisionSerializer
    #: No OPTIONS description (DRF's would look the case up outside this view's scoping): the
    #: OpenAPI description says what the operation takes.
    metadata_class = None

    @extend_schema(
        operation_id="orientation_decisions_create",
        summary="Enregistrer une décision d'orientation",
        description=(
            "Enregistre la décision d'orientation de l'autorité compétente pour un "
            "accompagnement du département (201) : sur la préconisation du binôme qui attend "
            "une décision s'il y en a une (l'avis de la personne est celui donné avec elle), "
            "sur les critères nationaux sinon. Le parcours désigne le ou la référent·e unique ; "
            "le courrier de notification est mis à disposition de la personne. Le même "
            "identifiant avec le même contenu ne change rien (200, la même décision) ; avec un "
            "autre contenu, il est refusé (409). Chaque appel est inscrit au journal de la "
            "personne."
        ),
        parameters=[
            OpenApiParameter("case_id", int, OpenApiParameter.PATH, description="L'accompagnement.")
        ],
        request=DecisionSendSerializer,
        responses={
            200: PartnerDecisionSerializer,
            201: PartnerDecisionSerializer,
            **problem_responses(400, 401, 403, 404, 429),
            (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                response=ProblemSerializer,
                description=(
                    "Identifiant déjà utilisé pour une autre décision, ou accompagnement terminé."
                ),
            ),
        },
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = get_object_or_404(
            casework_selectors.partner_cases(self.principal.partner), pk=case_id
        )
        incoming = DecisionSendSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            decision, created = services.api_decision_record(
                partner=self.principal.partner,
                case=case,
                partner_ref=data["partner_ref"],
                sent=services.DecisionSent(
                    path=data["path"],
                    decided_on=data["decided_on"],
                    reasons=data["reasons"],
                    review_on=data.get("review_on"),
                ),
                info=RequestInfo.of(request._request),
            )
        except InvalidInput as refused:
            field = refused.field or "non_field_errors"
            raise serializers.ValidationError({field: [str(refused)]}) from refused
        except PartnerRefReused as refused:
            raise ApiProblem(
                status=409,
                code="identifiant-deja-utilise",
                title="Identifiant déjà utilisé",
                detail=str(refused),
            ) from refused
        except DomainError as refused:
            raise ApiProblem(
                status=409, code="pas-possible", title="Pas possible", detail=str(refused)
            ) from refused
        return Response(
            PartnerDecisionSerializer(_decision(decision)).data, status=201 if created else 200
        )
