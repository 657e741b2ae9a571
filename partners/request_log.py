"""One log line per request, without personal data.

Logger ``binome.requests``: INFO, ERROR for a 5xx answer. The fields, as ``extra`` keys (JSON
keys in production, through python-json-logger):

- ``request_id``: the id of ``RequestIdMiddleware`` (also in the journal and the error pages);
- ``user_id``: the professional's primary key, or null; never an e-mail address or a name;
- ``method``, ``status``, ``duration_ms``;
- ``route``: the URL pattern (``/personnes/<int:pk>/``), not the path: no query string (a search
  may carry a name), and the same line for every person's page. A path that matches no pattern
  is logged as null.

No IP address, no user agent, no referrer. Health probes never reach this middleware
(``partners.health.HealthCheckMiddleware`` answers them first).
"""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

logger = logging.getLogger("binome.requests")


def user_id_of(request: HttpRequest) -> int | None:
    """The pk of the user already loaded for this request; never loads it (the database may be
    what failed)."""
    user = getattr(request, "_cached_user", None)  # set by django.contrib.auth's middleware
    if user is None or not user.is_authenticated:
        return None
    return int(user.pk)


def route_of(request: HttpRequest) -> str | None:
    """The URL pattern of the request; resolved here when a middleware failed before the view
    was resolved (the database down in the session middleware, say)."""
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return f"/{match.route}"


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - start) * 1000, 1)
        route = route_of(request)
        fields = {
            "request_id": getattr(request, "request_id", None),
            "user_id": user_id_of(request),
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": duration_ms,
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s %s ms",
            request.method,
            route,
            response.status_code,
            duration_ms,
            extra=fields,
        )
        return response
