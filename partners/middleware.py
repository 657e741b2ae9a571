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
