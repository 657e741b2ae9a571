"""Who may call an operation: an authenticated partner system, holding the operation's scope.

A view names its scope in ``required_scope``; ``IsPartner`` alone (no scope) is for operations
that read nothing of a person.
"""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from partners.api.authentication import PartnerPrincipal
from partners.api.problems import ApiProblem

MISSING_SCOPE = "Ce système partenaire n'a pas la portée « {scope} » qu'exige cette opération."


def partner_of(request: Request) -> PartnerPrincipal | None:
    user = request.user
    return user if isinstance(user, PartnerPrincipal) else None


class IsPartner(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        principal = partner_of(request)
        if principal is None:
            return False  # DRF answers NotAuthenticated: « cle-absente »
        scope = getattr(view, "required_scope", None)
        if scope is not None and not principal.partner.allows(scope):
            raise ApiProblem(
                status=403,
                code="portee-absente",
                title="Portée absente",
                detail=MISSING_SCOPE.format(scope=scope),
            )
        return True
