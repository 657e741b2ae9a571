import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class LoadUserMiddleware:
    """Load the session and the professional before the view runs.

    ``request.user`` is lazy; loading it here keeps its queries out of template rendering, where
    the test suite forbids queries.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _ = request.user.is_authenticated
        return self.get_response(request)


class RequestIdMiddleware:
    """Give each request an id (kept from X-Request-ID when a proxy set one), for the journal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        request.request_id = request_id or uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response
