"""Sessions end after 30 minutes idle, 12 hours after login, or on « me déconnecter partout »;
logins are throttled; passwords go through Django's validators."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from partners.enums import Role
from tests.partners.factories import TEST_PASSWORD, ProfessionalFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 6, 1, 7, 0, tzinfo=datetime.UTC)
PASSWORD = TEST_PASSWORD


@pytest.fixture
def advisor():
    return ProfessionalFactory(role=Role.ADVISOR)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _at(clock, minutes: float) -> None:
    clock.move_to(START + datetime.timedelta(minutes=minutes), tick=False)


def _login(email: str, password: str = PASSWORD, client: Client | None = None):
    client = client or Client()
    response = client.post(reverse("login"), {"username": email, "password": password})
    return client, response


def test_session_ends_after_30_minutes_without_activity(advisor, clock):
    client, _ = _login(advisor.email)
    _at(clock, 29)
    assert client.get(reverse("my_pairs")).status_code == 200
    _at(clock, 29 + 29)
    assert client.get(reverse("my_pairs")).status_code == 200  # 29 minutes since the last one

    _at(clock, 29 + 29 + 31)
    response = client.get(reverse("my_pairs"))

    assert (response.status_code, response["Location"]) == (302, "/connexion/?next=/mes-binomes/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Votre session a pris fin après 30 minutes sans activité, pour protéger les informations "
        "des personnes accompagnées. Reconnectez-vous."
    ]
    assert client.get(reverse("my_pairs")).status_code == 302


def test_idle_htmx_request_is_sent_to_the_login_page(advisor, clock):
    client, _ = _login(advisor.email)
    _at(clock, 31)

    response = client.get(reverse("my_pairs"), headers={"HX-Request": "true"})

    assert (response.status_code, response["HX-Redirect"]) == (204, "/connexion/")


def test_session_ends_12_hours_after_login_whatever_the_activity(advisor, clock):
    client, _ = _login(advisor.email)
    for minutes in range(20, 12 * 60, 20):
        _at(clock, minutes)
        assert client.get(reverse("my_pairs")).status_code == 200

    _at(clock, 12 * 60 + 1)
    response = client.get(reverse("my_pairs"))

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Votre session a pris fin 12 heures après la connexion. Reconnectez-vous."
    ]


def test_logout_everywhere_ends_every_session_of_the_professional(advisor, clock):
    office, _ = _login(advisor.email)
    home, _ = _login(advisor.email)
    colleague = ProfessionalFactory(role=Role.ADVISOR)
    colleague_client, _ = _login(colleague.email)
    _at(clock, 1)

    response = home.post(reverse("logout_everywhere"))

    assert (response.status_code, response["Location"]) == (302, "/connexion/")
    assert office.get(reverse("my_pairs")).status_code == 302
    assert home.get(reverse("my_pairs")).status_code == 302
    assert colleague_client.get(reverse("my_pairs")).status_code == 200
    _at(clock, 2)
    again, _ = _login(advisor.email)
    assert again.get(reverse("my_pairs")).status_code == 200


def test_login_is_throttled_after_five_failures_with_a_french_message(advisor, clock):
    for _ in range(5):
        _, refused = _login(advisor.email, "wrong-password")
        assert "Adresse électronique ou mot de passe incorrect." in refused.content.decode()

    client, locked = _login(advisor.email)  # the right password, too late

    assert locked.status_code == 200
    assert (
        "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est bloquée "
        "pendant encore 15 minute(s)." in locked.content.decode()
    )
    assert client.get(reverse("my_pairs")).status_code == 302
    # Another account from elsewhere is not concerned.
    other = ProfessionalFactory(role=Role.ADVISOR)
    assert _login(other.email, client=Client(REMOTE_ADDR="10.0.0.9"))[1].status_code == 302
    _at(clock, 16)
    assert _login(advisor.email)[1].status_code == 302


def test_login_throttled_per_ip_address(clock, settings):
    settings.BINOME_LOGIN_MAX_FAILURES_PER_IP = 3
    people = ProfessionalFactory.create_batch(4, role=Role.ADVISOR)
    for person in people[:3]:
        _login(person.email, "wrong-password")

    _, response = _login(people[3].email)

    assert "Trop de tentatives de connexion ont échoué." in response.content.decode()


def test_password_change_applies_django_validators(advisor, login_client):
    client = login_client(advisor)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123456789", "new_password2": "123456789"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert errors == [
        "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères.",
        "Ce mot de passe est trop courant.",
        "Ce mot de passe est entièrement numérique.",
    ]
    advisor.refresh_from_db()
    assert advisor.check_password(PASSWORD)


def test_admin_site_login_goes_through_binome_login():
    response = Client().get("/admin/login/?next=/admin/")

    assert (response.status_code, response["Location"]) == (302, "/connexion/?next=/admin/")
