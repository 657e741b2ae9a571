"""Bad input in query strings and sessions never reaches a server error (hypothesis), and the
error pages are French, in the site's layout, with the request id.

Every GET URL of the access matrix is requested, by the first viewer it answers 200 to, with
hostile values for every query parameter a view reads. The cases a user reported as 500 each have
their own test below.
"""

import os
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.enums import Role
from tests.conftest import log_in
from tests.test_access_matrix import EXPECTATIONS
from tests.world import VIEWERS, World, build_world

pytestmark = pytest.mark.django_db

settings.register_profile(
    "query-dev",
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "query-ci",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROFILE = "query-ci" if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else "query-dev"

#: Every query parameter a view reads (grep ``request.GET`` and the search forms).
PARAMETERS = [
    "page",
    "etat",
    "sans_entretien",
    "professionnel",
    "valeur",
    "suite",
    "q",
    "categorie",
    "person",
    "professional",
    "organisation",
    "start",
    "end",
    "channel",
    "next",
    "proconnect",
    "equipe",
    "mois",
]
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["\x00", "²", "%C2%B2", "-1", "0", "9" * 30, "nan", "2026-13-45", "0001-01-01", "😀", ""]
    ),
    st.integers(-(10**20), 10**20).map(str),
)
QUERIES = st.dictionaries(st.sampled_from(PARAMETERS), VALUES, max_size=4)
ENGLISH_ERROR = re.compile(r"Server Error|Bad Request|Not Found|Forbidden")


def get_urls() -> list[str]:
    return sorted(name for name, expect in EXPECTATIONS.items() if 200 in expect.get.values())


def viewer_for(name: str) -> str:
    return next(viewer for viewer in VIEWERS if EXPECTATIONS[name].get.get(viewer) == 200)


def check(client: Client, url: str, query: dict[str, str]) -> None:
    response = client.get(url, query)  # a server error raises here (the test client re-raises)
    assert response.status_code in (200, 302, 400, 404), (url, query, response.status_code)
    if response.status_code == 400:
        if url.startswith("/api/"):  # the partner API answers problem+json (partners.api)
            assert response["Content-Type"] == "application/problem+json", (url, query)
            assert response.json()["code"] == "requete-invalide", (url, query)
        else:
            assert "Demande incorrecte" in response.content.decode(), (url, query)
        assert any("\x00" in key or "\x00" in value for key, value in query.items()), (url, query)


def test_every_page_survives_hostile_query_strings(subtests):
    world: World = build_world()
    clients: dict[str, Client] = {}
    for name in get_urls():
        viewer = viewer_for(name)
        if viewer not in clients:
            clients[viewer] = Client()
            if viewer != "anonymous":
                log_in(clients[viewer], world.professionals[viewer])
        url = reverse(name, kwargs=EXPECTATIONS[name].kwargs(world))
        with subtests.test(url=name):
            _run(clients[viewer], url)


def _run(client: Client, url: str) -> None:
    @settings(settings.get_profile(PROFILE))
    @given(query=QUERIES)
    def run(query: dict[str, str]) -> None:
        check(client, url, query)

    run()


@pytest.fixture
def advisor_client(pair, login_client) -> Client:  # type: ignore[no-untyped-def]
    return login_client(pair.advisor)


@pytest.fixture
def supervisor_client(professionals_by_role, login_client) -> Client:  # type: ignore[no-untyped-def]
    return login_client(professionals_by_role[Role.SUPERVISOR])


def _page(response: Any) -> str:
    return response.content.decode()


def test_a_nul_in_the_caseload_search_is_refused_and_not_kept(advisor_client):
    response = advisor_client.post(reverse("caseload"), {"recherche": "Mar\x00tin"})

    assert response.status_code == 400
    assert "Demande incorrecte" in _page(response)
    assert "caractère" in _page(response)
    assert "Mar\x00tin" not in advisor_client.session.values()
    # The next pages answer as before (the value never reached the session).
    assert advisor_client.get(reverse("caseload")).status_code == 200
    assert advisor_client.get(reverse("home")).status_code == 302


def test_a_nul_in_a_drill_down_value_is_refused(supervisor_client):
    url = reverse("supervision_list", kwargs={"figure": "parcours"})

    response = supervisor_client.get(url, {"valeur": "\x00"})

    assert response.status_code == 400
    assert "Demande incorrecte" in _page(response)


def test_a_superscript_digit_in_a_drill_down_is_ignored(supervisor_client):
    url = reverse("supervision_list", kwargs={"figure": "ouverts"})

    response = supervisor_client.get(url, {"professionnel": "²"})

    assert response.status_code == 200


def test_a_superscript_digit_as_earlier_request_starts_a_new_request(advisor_client):
    response = advisor_client.get(reverse("social_request_create"), {"suite": "²"})

    assert response.status_code == 200
    assert response.context["form"].initial == {}


def test_the_not_found_page_is_french_with_the_request_id(advisor_client):
    response = advisor_client.get("/nulle-part/", headers={"X-Request-ID": "req-42"})

    page = _page(response)
    assert response.status_code == 404
    assert "Page introuvable" in page
    assert "req-42" in page
    assert ENGLISH_ERROR.search(page) is None
    assert 'class="fr-header' in page  # the site's layout


def test_a_missing_csrf_token_gets_the_french_forbidden_page(pair):
    client = log_in(Client(enforce_csrf_checks=True), pair.advisor)

    response = client.post(reverse("caseload"), {"recherche": "Martin"})

    assert response.status_code == 403
    assert "Action refusée" in _page(response)
    assert ENGLISH_ERROR.search(_page(response)) is None


def test_an_id_beyond_what_the_database_stores_is_ignored(supervisor_client, advisor_client):
    huge = str(2**63)
    url = reverse("supervision_list", kwargs={"figure": "ouverts"})

    assert supervisor_client.get(url, {"professionnel": huge}).status_code == 200
    assert advisor_client.get(reverse("social_request_create"), {"suite": huge}).status_code == 200


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken"])
def test_a_nul_in_a_cookie_is_a_visitor_without_that_cookie(client, cookie):
    """``"\\000…"`` is a quoted cookie whose value, once unquoted, holds a NUL: PostgreSQL would
    refuse the session key in a query. The cookie is ignored: the visitor is anonymous."""
    header = {"HTTP_COOKIE": f'{cookie}="\\000abcdefghijklmnop"'}  # sent as typed

    page = client.get(reverse("caseload"), **header)
    login = client.get(reverse("login"), **header)

    assert (page.status_code, page["Location"].split("?")[0]) == (302, reverse("login"))
    assert login.status_code == 200


def test_a_nul_in_a_post_is_refused_after_the_csrf_check():
    """A cross-site POST is refused by the CSRF check before its fields are read."""
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "a\x00b"})

    assert response.status_code == 403
