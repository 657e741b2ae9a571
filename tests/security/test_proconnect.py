"""ProConnect login against a fake OpenID Connect provider served on 127.0.0.1.

The flow goes through mozilla-django-oidc's real views (authentication request, callback), the
real HTTP calls to the token, JWKS and userinfo endpoints, and the real RS256 signature checks;
only the provider is ours.
"""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from partners.enums import Role
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "binome-test"
KID = "cle-de-test"


class FakeProvider:
    """A tiny OpenID Connect provider: /authorize is never called (the browser would go there),
    /token, /userinfo (a signed JWT, as ProConnect answers) and /jwks are."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.nonce = ""
        self.email = ""
        self.audience = CLIENT_ID
        self.requests: list[str] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                provider.requests.append(self.path)
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                assert form["client_id"] == [CLIENT_ID]
                assert form["code"] == ["code-du-fournisseur"]
                body = {
                    "access_token": "jeton-d-acces",
                    "token_type": "Bearer",
                    "id_token": provider.sign({"sub": "agent-42", "nonce": provider.nonce}),
                }
                self._send(json.dumps(body).encode(), "application/json")

            def do_GET(self) -> None:  # noqa: N802
                provider.requests.append(self.path)
                if self.path.endswith("/jwks"):
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    jwk.update(kid=KID, use="sig", alg="RS256")
                    self._send(json.dumps({"keys": [jwk]}).encode(), "application/json")
                elif self.path.endswith("/userinfo"):
                    assert self.headers["Authorization"] == "Bearer jeton-d-acces"
                    claims = {
                        "sub": "agent-42",
                        "email": provider.email,
                        "given_name": "Camille",
                        "usual_name": "Martin",
                    }
                    self._send(provider.sign(claims).encode(), "application/jwt")
                else:
                    self.send_response(404)
                    self.end_headers()

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/api/v2"

    def sign(self, claims: dict[str, Any]) -> str:
        now = int(time.time())
        payload = {"iss": self.base_url, "aud": self.audience, "iat": now, "exp": now + 60}
        return jwt.encode({**payload, **claims}, self.key, algorithm="RS256", headers={"kid": KID})


@pytest.fixture
def provider(monkeypatch) -> Iterator[FakeProvider]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeProvider()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    base = fake.base_url
    with override_settings(
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
    ):
        clear_url_caches()
        yield fake
    clear_url_caches()
    fake.server.shutdown()
    thread.join(timeout=5)
    fake.server.server_close()


def _login_with_proconnect(client: Client, provider: FakeProvider):
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    authorize = urlparse(start["Location"])
    query = parse_qs(authorize.query)
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == (
        f"{provider.base_url}/authorize"
    )
    assert (query["client_id"], query["acr_values"]) == ([CLIENT_ID], ["eidas1"])
    provider.nonce = query["nonce"][0]
    # The provider sends the browser back with a code and the state it was given.
    return client.get(
        reverse("oidc_authentication_callback"),
        {"code": "code-du-fournisseur", "state": query["state"][0]},
    )


def test_proconnect_logs_in_the_professional_with_that_address(provider):
    advisor = ProfessionalFactory(role=Role.ADVISOR, email="camille.martin@exemple.gouv.fr")
    provider.email = "Camille.Martin@exemple.gouv.fr"
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
    provider.email = "quelquun.dautre@exemple.gouv.fr"
    client = Client()

    callback = _login_with_proconnect(client, provider)
    page = client.get(callback["Location"])

    assert (callback.status_code, callback["Location"]) == (302, "/connexion/?proconnect=echec")
    assert "_auth_user_id" not in client.session
    assert "La connexion avec ProConnect n'a pas abouti." in page.content.decode()


def test_proconnect_refuses_a_token_for_another_service(provider):
    ProfessionalFactory(role=Role.ADVISOR, email="camille.martin@exemple.gouv.fr")
    provider.email = "camille.martin@exemple.gouv.fr"
    provider.audience = "un-autre-service"
    client = Client()

    callback = _login_with_proconnect(client, provider)

    assert callback.status_code == 400  # SuspiciousOperation: « destiné à un autre service »
    assert "_auth_user_id" not in client.session


def test_proconnect_still_requires_the_second_factor_for_admin(provider):
    admin = ProfessionalFactory(role=Role.ADMIN, email="admin@exemple.gouv.fr")
    provider.email = admin.email
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
