"""The French error pages: 500 for a bug, 503 with Retry-After when the database is unreachable,
both with the request id and without a database query."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.infrastructure.error_urls")]


def client() -> Client:
    return Client(raise_request_exception=False, headers={"X-Request-ID": "ref-123abc"})


def test_a_bug_answers_the_french_500_page_with_the_request_id():
    response = client().get("/test-panne/")

    html = response.content.decode()
    assert (response.status_code, response["X-Request-ID"]) == (500, "ref-123abc")
    assert "Une erreur est survenue" in html
    assert "ref-123abc" in html
    assert "Server Error" not in html
    assert not response.has_header("Retry-After")


def test_an_unreachable_database_answers_the_french_503_page():
    response = client().get("/test-base-perdue/")

    html = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "Binôme est momentanément indisponible" in html
    assert "ref-123abc" in html
    assert '<html lang="fr"' in html


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/test-panne/", 500, "erreur-serveur"),
        ("/api/v1/test-base-perdue/", 503, "service-indisponible"),
    ],
)
def test_a_failure_under_the_partner_api_answers_a_french_problem(path, status, code):
    response = client().get(path)

    body = response.json()
    assert (response.status_code, response["Content-Type"], response["X-Request-ID"]) == (
        status,
        "application/problem+json",
        "ref-123abc",
    )
    assert (body["status"], body["code"], body["request_id"]) == (status, code, "ref-123abc")
    assert response.has_header("Retry-After") is (status == 503)
