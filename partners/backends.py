from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from partners.models import Professional


class ProfessionalBackend(ModelBackend):
    """Email login; the professional comes with their organisation and department (one query)."""

    def get_user(self, user_id: Any) -> Professional | None:
        user = (
            Professional.objects.select_related("organisation__department")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class ProConnectBackend(OIDCAuthenticationBackend):
    """ProConnect login (mozilla-django-oidc): the active professional with the e-mail address
    the provider vouches for. No account is created here; the functional administration creates
    professionals. The id token's audience and issuer are checked too."""

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("Jeton ProConnect destiné à un autre service.")
        if payload.get("iss") != self.get_settings("OIDC_OP_ISSUER"):
            raise SuspiciousOperation("Jeton ProConnect d'un autre émetteur.")
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
