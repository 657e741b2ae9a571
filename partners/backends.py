from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from partners.models import Professional


class ProfessionalBackend(ModelBackend):
    """Email login; the professional comes with their organisation and department (one query)."""

    def get_user(self, user_id: Any) -> Professional | None:
        # get() rather than filter().first(): no ORDER BY to build, on every request.
        try:
            user = Professional.objects.select_related("organisation__department").get(pk=user_id)
        except Professional.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def check_audience_and_issuer(
    payload: dict[str, Any], *, client_id: str, issuer: str, provider: str
) -> None:
    """mozilla-django-oidc checks a token's signature and nonce, not whom it is for nor who
    issued it: a token of ``provider`` meant for another service, or from another issuer, is
    refused here (``SuspiciousOperation``: a 400 page, a security log line)."""
    audience = payload.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise SuspiciousOperation(f"Jeton {provider} destiné à un autre service.")
    if payload.get("iss") != issuer:
        raise SuspiciousOperation(f"Jeton {provider} d'un autre émetteur.")


class ProConnectBackend(OIDCAuthenticationBackend):
    """ProConnect login (mozilla-django-oidc): the active professional with the e-mail address
    the provider vouches for. No account is created here; the functional administration creates
    professionals. The id token's audience and issuer are checked too."""

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        check_audience_and_issuer(
            payload,
            client_id=self.OIDC_RP_CLIENT_ID,
            issuer=self.get_settings("OIDC_OP_ISSUER"),
            provider="ProConnect",
        )
        return payload

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = str(claims.get("email") or "").strip().lower()
        if not email:
            return Professional.objects.none()
        return Professional.objects.filter(email=email, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> None:
        return None

    def get_user(self, user_id: Any) -> Professional | None:
        return ProfessionalBackend().get_user(user_id)
