"""Every error of the API as a French problem+json body (RFC 9457).

``exception_handler`` is DRF's ``EXCEPTION_HANDLER``: authentication, scope, not found, rate
limit, validation and method errors all answer

    {"type": "urn:binome:probleme:cle-expiree", "title": "Clé expirée", "status": 401,
     "detail": "…", "instance": "/api/v1/cases/", "request_id": "…", "code": "cle-expiree"}

with ``Content-Type: application/problem+json``; a validation error adds ``errors`` (field →
French messages). ``bad_request``, ``not_found`` and ``server_error`` give the same body to
paths under /api/ that no view answered (``partners.error_pages`` and ``partners.unavailable``
call them).
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PATH_PREFIX = "/api/"


class ApiProblem(exceptions.APIException):
    """An API error with its own code, title and French detail."""

    def __init__(self, *, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status
        self.title = title
        self.problem_code = code


class KeyRefused(ApiProblem):
    """The Authorization header's key is missing, unknown, expired, revoked or replaced."""

    def __init__(self, code: str, detail: str, title: str = "Authentification refusée") -> None:
        super().__init__(status=401, code=code, title=title, detail=detail)


#: The problems of DRF's own exceptions: (code, title, detail) by class.
GENERIC: dict[type[exceptions.APIException], tuple[str, str, str]] = {
    exceptions.NotAuthenticated: (
        "cle-absente",
        "Authentification requise",
        "Envoyez la clé d'API du système partenaire dans l'en-tête « Authorization: Bearer "
        "<clé> ». Une session de navigateur n'ouvre pas l'API.",
    ),
    exceptions.AuthenticationFailed: (
        "cle-inconnue",
        "Authentification refusée",
        "Cette clé d'API est inconnue.",
    ),
    exceptions.PermissionDenied: (
        "acces-refuse",
        "Accès refusé",
        "Ce système partenaire n'a pas accès à cette opération.",
    ),
    exceptions.NotFound: (
        "introuvable",
        "Introuvable",
        "Cette ressource n'existe pas, ou ce système partenaire n'y a pas accès.",
    ),
    exceptions.MethodNotAllowed: (
        "methode-non-permise",
        "Méthode non permise",
        "Cette adresse n'accepte pas cette méthode HTTP.",
    ),
    exceptions.NotAcceptable: (
        "format-non-disponible",
        "Format non disponible",
        "Cette API ne répond qu'en JSON.",
    ),
    exceptions.UnsupportedMediaType: (
        "format-non-accepte",
        "Format non accepté",
        "Envoyez le corps de la requête en JSON (Content-Type: application/json).",
    ),
    exceptions.ParseError: (
        "requete-illisible",
        "Requête illisible",
        "Le corps de la requête n'est pas du JSON valide.",
    ),
    exceptions.ValidationError: (
        "donnees-invalides",
        "Données invalides",
        "Certaines données envoyées ne conviennent pas : voir « errors ».",
    ),
}


def problem_body(
    request: HttpRequest, *, status: int, code: str, title: str, detail: str
) -> dict[str, Any]:
    return {
        "type": f"urn:binome:probleme:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "request_id": getattr(request, "request_id", ""),
        "code": code,
    }


def _throttled(exc: exceptions.Throttled) -> tuple[str, str, str]:
    wait = int(exc.wait) if exc.wait is not None else None
    later = f"dans {wait} seconde{'s' if wait != 1 else ''}" if wait is not None else "plus tard"
    return (
        "trop-de-requetes",
        "Trop de requêtes",
        f"Ce système partenaire a dépassé sa limite de requêtes par minute. Réessayez {later}.",
    )


def _describe(exc: exceptions.APIException) -> tuple[str, str, str]:
    if isinstance(exc, ApiProblem):
        return exc.problem_code, exc.title, str(exc.detail)
    if isinstance(exc, exceptions.Throttled):
        return _throttled(exc)
    for kind, described in GENERIC.items():
        if isinstance(exc, kind):
            return described
    return ("erreur", "Erreur", "La demande n'a pas pu aboutir.")


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(name): [str(message) for message in _flat(value)] for name, value in detail.items()
        }
    return {"non_field_errors": [str(message) for message in _flat(detail)]}


def _flat(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for element in value for item in _flat(element)]
    if isinstance(value, dict):
        return [item for element in value.values() for item in _flat(element)]
    return [value]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every APIException (and Django's Http404 and PermissionDenied)
    as a problem; anything else is left to Django (a 500, answered by ``server_error``)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    request = context["request"]
    code, title, detail = _describe(exc)
    body = problem_body(request, status=exc.status_code, code=code, title=title, detail=detail)
    if isinstance(exc, exceptions.ValidationError):
        body["errors"] = _field_errors(exc.detail)
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait))
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(
        body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def _plain(request: HttpRequest, status: int, code: str, title: str, detail: str) -> HttpResponse:
    response = JsonResponse(
        problem_body(request, status=status, code=code, title=title, detail=detail),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def bad_request(request: HttpRequest) -> HttpResponse:
    """A request under /api/ refused before any view (a NUL character in the query string)."""
    return _plain(
        request,
        400,
        "requete-invalide",
        "Requête invalide",
        "La requête contient un caractère que Binôme n'accepte pas (par exemple un caractère nul).",
    )


def not_found(request: HttpRequest) -> HttpResponse:
    """A path under /api/ that no view answers."""
    code, title, detail = GENERIC[exceptions.NotFound]
    return _plain(request, 404, code, title, detail)


def server_error(request: HttpRequest, *, unavailable: bool = False) -> HttpResponse:
    """A path under /api/ that failed: 503 when the database is unreachable, else 500."""
    if unavailable:
        return _plain(
            request,
            503,
            "service-indisponible",
            "Service momentanément indisponible",
            "Binôme ne peut pas répondre pour l'instant. Réessayez dans quelques instants.",
        )
    return _plain(
        request,
        500,
        "erreur-serveur",
        "Erreur du serveur",
        "Binôme n'a pas pu répondre. Réessayez plus tard ; si l'erreur persiste, donnez "
        "l'identifiant de la requête (request_id) à l'équipe qui exploite Binôme.",
    )
