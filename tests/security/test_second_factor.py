"""A TOTP second factor is required for admin and auditor, optional for the others."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import services
from partners.enums import Role
from partners.views import PENDING_TOTP_KEY
from tests.partners.factories import TEST_PASSWORD, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _code(key_hex: str) -> str:
    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def _password_login(professional) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": professional.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_required_roles_enrol_a_device_before_anything_else(role):
    professional = ProfessionalFactory(role=role)
    # The code another administrator handed over (tests/partners/test_accounts.py: without it,
    # the enrolment is refused).
    code = services.enrolment_code_issue(professional=professional, acting_user=None)
    client = _password_login(professional)

    home = client.get(reverse("home"))
    verify = client.get(home["Location"])
    admin_site = client.get("/admin/")
    setup = client.get(verify["Location"])
    key = client.session[PENDING_TOTP_KEY]
    wrong = client.post(
        reverse("otp_setup"),
        {
            "enrolment_code": code,
            "token": "000000" if _code(key) != "000000" else "111111",
            "next": "/",
        },
    )
    right = client.post(
        reverse("otp_setup"), {"enrolment_code": code, "token": _code(key), "next": "/"}
    )

    assert (home.status_code, home["Location"]) == (302, "/double-authentification/code/?next=%2F")
    assert (verify.status_code, verify["Location"]) == (
        302,
        "/double-authentification/?next=%2F",
    )
    assert admin_site.status_code == 302
    assert setup.status_code == 200
    assert "<svg" in setup.content.decode()
    assert wrong.context["form"].errors == {
        "token": [
            "Ce code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le "
            "code affiché maintenant."
        ]
    }
    assert (right.status_code, right["Location"]) == (302, "/")
    assert client.get(reverse("home")).status_code == 200
    assert TOTPDevice.objects.filter(user=professional, confirmed=True).count() == 1


def test_required_role_with_a_device_gives_its_code_at_each_login():
    auditor = ProfessionalFactory(role=Role.AUDITOR)
    device = TOTPDevice.objects.create(user=auditor, name="Téléphone", confirmed=True)
    client = _password_login(auditor)

    blocked = client.get(reverse("journal_search"))
    wrong = client.post(reverse("otp_verify"), {"token": "12345a", "next": "/journal/"})
    right = client.post(
        reverse("otp_verify"), {"token": _code(device.key), "next": "https://ailleurs.example/"}
    )

    assert (blocked.status_code, blocked["Location"]) == (
        302,
        "/double-authentification/code/?next=%2Fjournal%2F",
    )
    assert wrong.context["form"].errors == {"token": ["Le code ne contient que des chiffres."]}
    assert (right.status_code, right["Location"]) == (302, "/")  # never off-site
    assert client.get(reverse("journal_search")).status_code == 200


def test_second_factor_is_optional_for_pair_roles():
    advisor = ProfessionalFactory(role=Role.ADVISOR)
    client = _password_login(advisor)

    assert client.get(reverse("my_pairs")).status_code == 200
    setup = client.get(reverse("otp_setup"))
    key = client.session[PENDING_TOTP_KEY]
    client.post(reverse("otp_setup"), {"token": _code(key)})
    assert TOTPDevice.objects.filter(user=advisor, confirmed=True).count() == 1
    assert setup.status_code == 200


def test_enrol_refuses_a_second_device():
    advisor = ProfessionalFactory(role=Role.ADVISOR)
    TOTPDevice.objects.create(user=advisor, name="Téléphone", confirmed=True)

    with refused(
        services.InvalidTransition, "La double authentification est déjà activée pour ce compte."
    ):
        services.totp_device_enrol(professional=advisor, key="00" * 20, token="123456")


def test_demo_admin_logs_in_with_the_printed_password_and_code(settings):
    settings.DEBUG = True
    seeded = StringIO()
    call_command("seed_demo", "--people", "6", stdout=seeded)
    codes = StringIO()
    call_command("demo_totp", stdout=codes)
    code_of = {line.split()[0]: line.split()[1] for line in codes.getvalue().splitlines()[:-1]}
    client = Client()

    client.post(
        reverse("login"), {"username": "admin@demo.binome.test", "password": "demo-binome-2026"}
    )
    verified = client.post(
        reverse("otp_verify"), {"token": code_of["admin@demo.binome.test"], "next": "/"}
    )

    assert "make code" in seeded.getvalue()
    assert set(code_of) == {"admin@demo.binome.test", "auditrice@demo.binome.test"}
    assert (verified.status_code, verified["Location"]) == (302, "/")
    assert client.get(reverse("home")).status_code == 200


def test_demo_codes_refused_without_debug(settings):
    settings.DEBUG = False

    with refused(CommandError, "Réservé à la démonstration (DEBUG activé)."):
        call_command("demo_totp", stdout=StringIO())
