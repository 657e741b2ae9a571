"""``appointments:write``: convene, move, cancel an appointment of a case, record its outcome.

Thin: the case comes from ``selectors.partner_cases`` (another department's is the same 404 as
a missing one), the appointment from the system's own id (``partner_ref``), the write from
``casework.services.api_appointments`` (which writes the journal row). A refused value is a
400 problem+json naming the field; a step the appointment cannot take (cancel a past one) a 409.
"""

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import services
from casework.api import selectors
from casework.api.serializers import (
    AppointmentOutcomeSerializer,
    AppointmentPutSerializer,
    PartnerAppointmentSerializer,
)
from casework.enums import AppointmentOutcome
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import Appointment, Case
from casework.services.api_appointments import PARTNER_REF
from partners.api.models import Scope
from partners.api.problems import ApiProblem
from partners.api.views import PartnerAPIView, problem_responses
from partners.errors import DomainError

PATH_PARAMETERS = [
    OpenApiParameter("case_id", int, OpenApiParameter.PATH, description="L'accompagnement."),
    OpenApiParameter(
        "partner_ref",
        str,
        OpenApiParameter.PATH,
        pattern=PARTNER_REF.pattern,
        description="Votre identifiant du rendez-vous (lettres, chiffres, « . _ : - », 64 au "
        "plus) : le même identifiant désigne toujours le même rendez-vous.",
    ),
]
CONFLICT = OpenApiResponse(
    description="Le rendez-vous ne peut pas prendre ce pas (annulé, passé, accompagnement terminé)."
)


def _answer(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "partner_ref": appointment.partner_ref,
        "case_id": appointment.case_id,
        "planned_at": appointment.planned_at,
        "place": appointment.place,
        "kind": appointment.kind,
        "cancelled": appointment.outcome == AppointmentOutcome.CANCELLED,
    }


class AppointmentWriteView(PartnerAPIView):
    required_scope = Scope.APPOINTMENTS_WRITE
    serializer_class = PartnerAppointmentSerializer
    #: No OPTIONS description (DRF's would look the object up outside these views' scoping):
    #: the OpenAPI description says what each operation takes.
    metadata_class = None

    def case(self, case_id: int) -> Case:
        return get_object_or_404(
            selectors.partner_cases(self.principal.partner).select_related("pair__department"),
            pk=case_id,
        )

    def appointment(self, case: Case, partner_ref: str) -> Appointment:
        try:
            appointment = services.partner_appointment(
                partner=self.principal.partner, case=case, partner_ref=partner_ref
            )
        except InvalidInput:
            appointment = None
        if appointment is None:
            raise Http404
        return appointment

    def write(self, request: Request, action: Callable[[RequestInfo], Any]) -> Any:
        """Run the service; its refusals as problems (400 naming the field, else 409)."""
        try:
            return action(RequestInfo.of(request._request))
        except InvalidInput as refused:
            field = refused.field or "non_field_errors"
            raise serializers.ValidationError({field: [str(refused)]}) from refused
        except DomainError as refused:
            raise ApiProblem(
                status=409, code="pas-possible", title="Pas possible", detail=str(refused)
            ) from refused


class AppointmentView(AppointmentWriteView):
    @extend_schema(
        operation_id="appointments_put",
        summary="Planifier ou déplacer un rendez-vous",
        description=(
            "Convoque la personne à un rendez-vous avec le ou la référent·e unique de "
            "l'accompagnement (201). Le même identifiant avec la même date et le même lieu ne "
            "change rien (200) ; avec une autre date ou un autre lieu, le rendez-vous est "
            "déplacé (200) et la personne prévenue. Chaque appel est inscrit au journal de la "
            "personne."
        ),
        parameters=PATH_PARAMETERS,
        request=AppointmentPutSerializer,
        responses={
            200: PartnerAppointmentSerializer,
            201: PartnerAppointmentSerializer,
            409: CONFLICT,
            **problem_responses(400, 401, 403, 404, 429),
        },
    )
    def put(self, request: Request, case_id: int, partner_ref: str) -> Response:
        case = self.case(case_id)
        incoming = AppointmentPutSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        appointment, created = self.write(
            request,
            lambda info: services.api_appointment_put(
                partner=self.principal.partner,
                case=case,
                partner_ref=partner_ref,
                planned_at=data["planned_at"],
                place=data["place"],
                kind=data["kind"],
                info=info,
            ),
        )
        return Response(
            PartnerAppointmentSerializer(_answer(appointment)).data,
            status=201 if created else 200,
        )


class AppointmentCancelView(AppointmentWriteView):
    @extend_schema(
        operation_id="appointments_cancel",
        summary="Annuler un rendez-vous",
        description=(
            "Annule un rendez-vous à venir ; la personne est prévenue. L'annuler à nouveau ne "
            "change rien. L'appel est inscrit au journal de la personne."
        ),
        parameters=PATH_PARAMETERS,
        request=None,
        responses={
            200: PartnerAppointmentSerializer,
            409: CONFLICT,
            **problem_responses(400, 401, 403, 404, 429),
        },
    )
    def post(self, request: Request, case_id: int, partner_ref: str) -> Response:
        case = self.case(case_id)
        appointment = self.appointment(case, partner_ref)
        appointment = self.write(
            request,
            lambda info: services.api_appointment_cancel(
                partner=self.principal.partner, case=case, appointment=appointment, info=info
            ),
        )
        return Response(PartnerAppointmentSerializer(_answer(appointment)).data)


class AppointmentOutcomeView(AppointmentWriteView):
    @extend_schema(
        operation_id="appointments_outcome",
        summary="Noter l'issue d'un rendez-vous",
        description=(
            "Note ce qui s'est passé : rendez-vous honoré, absence excusée ou non excusée. Une "
            "absence est un fait : Binôme n'envoie rien à personne à cause d'elle. L'appel est "
            "inscrit au journal de la personne."
        ),
        parameters=PATH_PARAMETERS,
        request=AppointmentOutcomeSerializer,
        responses={
            200: PartnerAppointmentSerializer,
            409: CONFLICT,
            **problem_responses(400, 401, 403, 404, 429),
        },
    )
    def post(self, request: Request, case_id: int, partner_ref: str) -> Response:
        case = self.case(case_id)
        appointment = self.appointment(case, partner_ref)
        incoming = AppointmentOutcomeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        appointment = self.write(
            request,
            lambda info: services.api_appointment_outcome(
                partner=self.principal.partner,
                case=case,
                appointment=appointment,
                outcome=incoming.validated_data["outcome"],
                info=info,
            ),
        )
        return Response(PartnerAppointmentSerializer(_answer(appointment)).data)
