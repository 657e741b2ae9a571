"""The project's URLs and its error handler, plus two failing views, for the error pages' tests."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from config.urls import handler500  # the project's own: the tests fail if it is gone


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def database_lost(request: HttpRequest) -> HttpResponse:
    # What psycopg raises, through Django, when the server closed the connection (the real
    # outage is tests/infrastructure/test_database_outage.py, on PostgreSQL).
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("test-panne/", broken),
    path("test-base-perdue/", database_lost),
    # The same failures under the partner API's prefix: problem+json bodies.
    path("api/v1/test-panne/", broken),
    path("api/v1/test-base-perdue/", database_lost),
    path("", include("config.urls")),
]

__all__ = ["handler500", "urlpatterns"]
