"""A fake OpenID Connect provider served on 127.0.0.1, for the logins through mozilla-django-oidc
(ProConnect for professionals, FranceConnect for the person's space).

/authorize is never called (the browser would go there); /token, /jwks and /userinfo (a signed
JWT, as ProConnect and FranceConnect answer) are, over real HTTP, with real RS256 signatures:
only the provider is ours. ``log_in_through`` plays the browser's round trip.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

KID = "cle-de-test"
#: The code the provider gives the browser on its way back, and expects at /token.
PROVIDER_CODE = "code-du-fournisseur"
ACCESS_TOKEN = "jeton-d-acces"  # noqa: S105


class FakeProvider:
    """The provider of ``client_id``: it vouches for ``sub`` with the userinfo ``claims``.
    ``audience`` is the client its tokens are for (another one, to test a token meant for
    another service); ``requests`` lists the paths it was asked."""

    def __init__(self, *, client_id: str, sub: str, claims: dict[str, Any]) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.client_id = client_id
        self.audience = client_id
        self.sub = sub
        self.claims = claims
        self.nonce = ""
        #: The query of the last authentication request the browser brought here.
        self.authorize_query: dict[str, list[str]] = {}
        self.requests: list[str] = []
        #: The id_tokens given at /token, and the query of the last logout brought here.
        self.id_tokens: list[str] = []
        self.logout_query: dict[str, list[str]] = {}
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
                assert form["client_id"] == [provider.client_id]
                assert form["code"] == [PROVIDER_CODE]
                body = {
                    "access_token": ACCESS_TOKEN,
                    "token_type": "Bearer",
                    "id_token": provider.sign({"sub": provider.sub, "nonce": provider.nonce}),
                }
                provider.id_tokens.append(body["id_token"])
                self._send(json.dumps(body).encode(), "application/json")

            def do_GET(self) -> None:  # noqa: N802
                provider.requests.append(self.path)
                if self.path.endswith("/jwks"):
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    jwk.update(kid=KID, use="sig", alg="RS256")
                    self._send(json.dumps({"keys": [jwk]}).encode(), "application/json")
                elif urlparse(self.path).path.endswith("/session/end"):
                    # RP-initiated logout: back to the client's return URL with its state.
                    query = parse_qs(urlparse(self.path).query)
                    provider.logout_query = query
                    back = f"{query['post_logout_redirect_uri'][0]}?state={query['state'][0]}"
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                elif self.path.endswith("/userinfo"):
                    assert self.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
                    claims = {"sub": provider.sub, **provider.claims}
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


@contextmanager
def serving(provider: FakeProvider) -> Iterator[FakeProvider]:
    """``provider`` answers on its port for the duration of the block."""
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        provider.server.shutdown()
        thread.join(timeout=5)
        provider.server.server_close()


def log_in_through(client: Client, provider: FakeProvider, start_url: str, callback_url: str):
    """The browser's round trip: Binôme's start URL sends it to the provider's /authorize with
    the client id, a state and a nonce (checked here), the provider sends it back to
    ``callback_url`` with a code and the state. Returns the callback's response."""
    start = client.get(start_url)
    assert start.status_code == 302
    authorize = urlparse(start["Location"])
    query = parse_qs(authorize.query)
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == (
        f"{provider.base_url}/authorize"
    )
    assert (query["client_id"], query["acr_values"]) == ([provider.client_id], ["eidas1"])
    assert urlparse(query["redirect_uri"][0]).path == callback_url
    provider.nonce = query["nonce"][0]
    provider.authorize_query = query
    return client.get(callback_url, {"code": PROVIDER_CODE, "state": query["state"][0]})
