"""French error pages: 503 when the database cannot be reached, 500 for any other error.

Django turns an exception raised in a view *or in any middleware* into a response at the layer
where it was raised, through the URL configuration's ``handler500`` (``config/urls.py``), called
inside the ``except`` block: so this handler, not a middleware, is the one place that sees every
uncaught error. A connection failure (``OperationalError``/``InterfaceError``: PostgreSQL stopped,
unreachable, or past ``connect_timeout``) answers 503 with ``Retry-After``; a statement cancelled
by ``statement_timeout`` is an ``OperationalError`` too, and answers the same page.

The pages are rendered from settings and the request id alone: no context processor, no user,
no database query (the database may be what failed). The broken connection is closed here, so
that the next request opens a new one once PostgreSQL is back, even with ``CONN_MAX_AGE`` > 0.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader

from partners.api import problems

#: Seconds a client (or a proxy) is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 30


def database_unreachable(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


def close_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


def render_error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    request_id: str = getattr(request, "request_id", "")
    context = {
        "request_id": request_id,
        "SITE": {
            "title": settings.BINOME_SITE_TITLE,
            "operator_is_state": settings.BINOME_OPERATOR_IS_STATE,
            "operator_name": settings.BINOME_OPERATOR_NAME,
        },
    }
    response = HttpResponse(loader.render_to_string(template, context), status=status)
    if request_id:  # RequestIdMiddleware may not have run (an error before it)
        response["X-Request-ID"] = request_id
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the French 503 page when the database is unreachable, else the 500 one;
    under /api/, the same as a problem+json body (partners.api.problems)."""
    if problems.is_api(request):
        unavailable = database_unreachable(sys.exception())
        if unavailable:
            close_broken_connections()
        response = problems.server_error(request, unavailable=unavailable)
        if unavailable:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        if getattr(request, "request_id", ""):
            response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response
    if database_unreachable(sys.exception()):
        close_broken_connections()
        response = render_error(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return render_error(request, "500.html", status=500)
