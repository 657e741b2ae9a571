"""The error pages, in French and in the site's layout, with the request id to quote.

``config/urls.py`` names them as Django's ``handler400``, ``handler403`` and ``handler404``;
``partners.middleware.RejectNulBytesMiddleware`` answers with ``bad_request`` too.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.api import problems


@dataclass(frozen=True)
class ErrorPage:
    status: int
    title: str
    lead: str
    advice: str


BAD_REQUEST = ErrorPage(
    400,
    "Demande incorrecte",
    "Binôme n'a pas pu lire ce qui a été envoyé.",
    "Le lien ou le texte saisi contient un caractère que Binôme n'accepte pas (par exemple un "
    "caractère invisible copié d'un autre logiciel). Retapez-le, puis recommencez.",
)
FORBIDDEN = ErrorPage(
    403,
    "Action refusée",
    "Binôme n'a pas pu vérifier que cette demande vient bien de vous.",
    "Revenez à la page précédente, rechargez-la, puis recommencez. Si vous étiez inactif·ve "
    "depuis longtemps, reconnectez-vous.",
)
NOT_FOUND = ErrorPage(
    404,
    "Page introuvable",
    "Cette page n'existe pas, ou vous n'y avez pas accès.",
    "Vérifiez l'adresse, ou repartez de l'accueil. Si quelqu'un vous a envoyé ce lien, "
    "demandez-lui s'il vous concerne.",
)


def render_error(request: HttpRequest, page: ErrorPage) -> HttpResponse:
    return render(request, "errors/error.html", {"error": page}, status=page.status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problems.is_api(request):  # the partner API answers problem+json (RFC 9457)
        return problems.bad_request(request)
    return render_error(request, BAD_REQUEST)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, FORBIDDEN)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problems.is_api(request):  # the partner API answers problem+json (RFC 9457)
        return problems.not_found(request)
    return render_error(request, NOT_FOUND)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a missing or stale token (an old tab, a form kept open too long)."""
    return render_error(request, FORBIDDEN)
