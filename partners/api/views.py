"""The base of every API view, the problem body's schema, and the OpenAPI description."""

from typing import Any

from django.utils.cache import patch_cache_control
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from partners.api.authentication import PartnerPrincipal
from partners.api.permissions import partner_of
from partners.api.problems import PROBLEM_CONTENT_TYPE


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of ``PartnerKeyAuthentication``."""

    target_class = "partners.api.authentication.PartnerKeyAuthentication"
    name = "cleApi"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "La clé d'API du système partenaire (« bnm_… »), délivrée par l'administration "
                "fonctionnelle du département."
            ),
        }


# An error (RFC 9457, problem+json), in French. (No docstring: it would be the schema's
# description of the component, in English.)
class ProblemSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(help_text="Le type du problème (urn:binome:probleme:<code>).")
    title = serializers.CharField(help_text="Le titre du problème, en français.")
    status = serializers.IntegerField(help_text="Le code HTTP.")
    detail = serializers.CharField(help_text="Ce qui s'est passé, en français.")
    instance = serializers.CharField(help_text="Le chemin de la requête.")
    request_id = serializers.CharField(help_text="L'identifiant de la requête (X-Request-ID).")
    code = serializers.CharField(help_text="Le code du problème (cle-expiree, introuvable…).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Les messages par champ, pour des données invalides.",
    )


def problem_responses(*statuses: int) -> dict[Any, OpenApiResponse]:
    """The problem+json responses of an operation, for ``extend_schema(responses=…)``."""
    descriptions = {
        400: "Requête invalide.",
        401: "Clé absente, inconnue, expirée, révoquée ou remplacée.",
        403: "Le système partenaire n'a pas la portée de l'opération.",
        404: "Introuvable, ou hors du département du système partenaire.",
        429: "Trop de requêtes : voir l'en-tête Retry-After.",
    }
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            response=ProblemSerializer, description=descriptions[status]
        )
        for status in statuses
    }


class PartnerAPIView(GenericAPIView[Any]):
    """An operation of the API: a partner system's key and ``required_scope``; every answer
    ``Cache-Control: no-store`` (it may hold a person's data)."""

    required_scope: str | None = None

    @property
    def principal(self) -> PartnerPrincipal:
        principal = partner_of(self.request)
        assert principal is not None  # noqa: S101  # IsPartner let the request in
        return principal

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


class SchemaView(SpectacularAPIView):
    """``/api/v1/schema/``: the OpenAPI 3 description, generated from the code; public (it holds
    no data), YAML by default, JSON with ``?format=json``."""
