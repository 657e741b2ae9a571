"""FranceConnect for the person's space, through mozilla-django-oidc, as ProConnect is for
professionals, without sharing its settings.

The library's views and backend read every setting through ``self.get_settings(name)``; here
that is ``setting``, which answers the library's names from the ``FRANCECONNECT_*`` settings and
gives the library's own default for the rest: ProConnect's ``OIDC_*`` settings are never read.
The backend is called directly by the callback view (``casework.space.views.franceconnect``),
never through ``AUTHENTICATION_BACKENDS``: the person is not a Django user, and it returns the
identity FranceConnect vouches for (its ``sub``), which the space's services tie to an invitation
or look an invitation up by. Names, birth date and e-mail are asked (the scopes FranceConnect
shows the person) but only read to check that the userinfo speaks of the same ``sub``: never kept,
never matched.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from partners.backends import check_audience_and_issuer

#: The URL name FranceConnect sends the browser back to (declared to FranceConnect).
CALLBACK_URL_NAME = "space_franceconnect_callback"


def _values() -> dict[str, Any]:
    base = settings.FRANCECONNECT_BASE_URL
    return {
        "OIDC_RP_CLIENT_ID": settings.FRANCECONNECT_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.FRANCECONNECT_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_SCOPES": settings.FRANCECONNECT_SCOPES,
        "OIDC_OP_ISSUER": settings.FRANCECONNECT_ISSUER or base,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": f"{base}/token",
        "OIDC_OP_USER_ENDPOINT": f"{base}/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": f"{base}/jwks",
        # The eIDAS « low » level FranceConnect gives; the state and the nonce are the
        # library's (checked by the callback view and the backend).
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {"acr_values": "eidas1"},
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_USE_NONCE": True,
        "OIDC_CREATE_USER": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_TIMEOUT": settings.FRANCECONNECT_TIMEOUT,
    }


def setting(name: str, *default: Any) -> Any:
    """The library's setting ``name`` for FranceConnect: ours, else the library's default."""
    values = _values()
    if name in values:
        return values[name]
    if default:
        return default[0]
    raise ImproperlyConfigured(f"FranceConnect : réglage {name} sans valeur.")


def logout_endpoint() -> str:
    """FranceConnect's end of session (OpenID Connect RP-initiated logout)."""
    return f"{settings.FRANCECONNECT_BASE_URL}/session/end"


@dataclass(frozen=True)
class Identity:
    """Who FranceConnect vouches for: its pseudonymous ``sub``, nothing else; and the id_token
    of this login, kept in the session only to end the FranceConnect session at logout."""

    sub: str
    id_token: str = ""


class FranceConnectBackend(OIDCAuthenticationBackend):
    """The library's code flow (token, signature, nonce, userinfo) with FranceConnect's
    settings; the audience and the issuer are checked too. ``authenticate`` returns an
    ``Identity``, or None when the provider's answer does not hold."""

    get_settings = staticmethod(setting)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        check_audience_and_issuer(
            payload,
            client_id=self.OIDC_RP_CLIENT_ID,
            issuer=self.get_settings("OIDC_OP_ISSUER"),
            provider="FranceConnect",
        )
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> Identity | None:
        sub = str(payload.get("sub") or "")
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not sub or str(userinfo.get("sub") or "") != sub:
            # The library logs it and answers None: the login fails.
            raise SuspiciousOperation("FranceConnect : identité différente dans userinfo.")
        return Identity(sub=sub, id_token=id_token)
