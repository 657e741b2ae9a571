"""ProConnect login against a fake OpenID Connect provider served on 127.0.0.1.

The flow goes through mozilla-django-oidc's real views (authentication request, callback), the
real HTTP calls to the token, JWKS and userinfo endpoints, and the real RS256 signature checks;
only the provider is ours.
"""

import importlib
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from partners.enums import Role
from tests.oidc_provider import FakeProvider, log_in_through, serving
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "binome-test"


@pytest.fixture
def provider(monkeypatch) -> Iterator[FakeProvider]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # The project's URLs are loaded while the login is still off: the test URL configuration
    # adds its own to them, and config.urls must not keep them for the tests that follow.
    importlib.import_module("config.urls")
    fake = FakeProvider(
        client_id=CLIENT_ID,
        sub="agent-42",
        claims={"email": "", "given_name": "Camille", "usual_name": "Martin"},
    )
    base = fake.base_url
    with (
        serving(fake),
        override_settings(
            BINOME_PROCONNECT_ENABLED=True,
            ROOT_URLCONF="tests.security.proconnect_urls",
            AUTHENTICATION_BACKENDS=[
                "partners.backends.ProConnectBackend",
                "partners.backends.ProfessionalBackend",
                "guardian.backends.ObjectPermissionBackend",
            ],
            OIDC_RP_CLIENT_ID=CLIENT_ID,
            OIDC_RP_CLIENT_SECRET="secret-de-test",  # noqa: S106
            OIDC_RP_SIGN_ALGO="RS256",
            OIDC_RP_SCOPES="openid email given_name usual_name",
            OIDC_OP_ISSUER=base,
            OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/authorize",
            OIDC_OP_TOKEN_ENDPOINT=f"{base}/token",
            OIDC_OP_USER_ENDPOINT=f"{base}/userinfo",
            OIDC_OP_JWKS_ENDPOINT=f"{base}/jwks",
            OIDC_AUTH_REQUEST_EXTRA_PARAMS={"acr_values": "eidas1"},
            OIDC_CREATE_USER=False,
            OIDC_TIMEOUT=5,
            LOGIN_REDIRECT_URL_FAILURE="/connexion/?proconnect=echec",
        ),
    ):
        clear_url_caches()
        yield fake
    clear_url_caches()


def _login_with_proconnect(client: Client, provider: FakeProvider):
    return log_in_through(
        client,
        provider,
        reverse("oidc_authentication_init"),
        reverse("oidc_authentication_callback"),
    )


def test_proconnect_logs_in_the_professional_with_that_address(provider):
    advisor = ProfessionalFactory(role=Role.ADVISOR, email="camille.martin@exemple.gouv.fr")
    provider.claims["email"] = "Camille.Martin@exemple.gouv.fr"
    client = Client()

    callback = _login_with_proconnect(client, provider)

    assert (callback.status_code, callback["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(advisor.pk)
    assert client.get(reverse("my_pairs")).status_code == 200
    assert provider.requests == [
        "/api/v2/token",
        "/api/v2/jwks",
        "/api/v2/userinfo",
        "/api/v2/jwks",
    ]


def test_proconnect_refuses_an_unknown_address_with_a_french_message(provider):
    ProfessionalFactory(role=Role.ADVISOR, email="camille.martin@exemple.gouv.fr")
    provider.claims["email"] = "quelquun.dautre@exemple.gouv.fr"
    client = Client()

    callback = _login_with_proconnect(client, provider)
    page = client.get(callback["Location"])

    assert (callback.status_code, callback["Location"]) == (302, "/connexion/?proconnect=echec")
    assert "_auth_user_id" not in client.session
    assert "La connexion avec ProConnect n'a pas abouti." in page.content.decode()


def test_proconnect_refuses_a_token_for_another_service(provider):
    ProfessionalFactory(role=Role.ADVISOR, email="camille.martin@exemple.gouv.fr")
    provider.claims["email"] = "camille.martin@exemple.gouv.fr"
    provider.audience = "un-autre-service"
    client = Client()

    callback = _login_with_proconnect(client, provider)

    assert callback.status_code == 400  # SuspiciousOperation: « destiné à un autre service »
    assert "_auth_user_id" not in client.session


def test_proconnect_still_requires_the_second_factor_for_admin(provider):
    admin = ProfessionalFactory(role=Role.ADMIN, email="admin@exemple.gouv.fr")
    provider.claims["email"] = admin.email
    client = Client()

    _login_with_proconnect(client, provider)
    home = client.get(reverse("home"))

    assert (home.status_code, home["Location"]) == (302, "/double-authentification/code/?next=%2F")


def test_login_page_offers_proconnect_only_when_configured(provider, settings):
    with_proconnect = Client().get(reverse("login")).content.decode()
    settings.BINOME_PROCONNECT_ENABLED = False
    without = Client().get(reverse("login")).content.decode()

    assert "S'identifier avec ProConnect" in with_proconnect
    assert "S'identifier avec ProConnect" not in without
