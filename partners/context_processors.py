from typing import Any

from django.conf import settings
from django.http import HttpRequest

from partners.enums import PAIR_ROLES, Role


def site(request: HttpRequest) -> dict[str, Any]:
    """The site's identity from settings (django-dsfr's own processor reads the database)."""
    return {
        "SITE": {
            "title": settings.BINOME_SITE_TITLE,
            "tagline": settings.BINOME_SITE_TAGLINE,
            "operator_is_state": settings.BINOME_OPERATOR_IS_STATE,
            "operator_name": settings.BINOME_OPERATOR_NAME,
        },
        # The current page's URL name, for the navigation; empty on error pages (no match).
        "current_url_name": match.url_name if (match := request.resolver_match) else "",
    }


def binome_roles(request: HttpRequest) -> dict[str, Any]:
    """What the signed-in professional is, as flags for the templates (``binome_roles.is_admin``),
    so that no template compares ``user.role`` with a string. One flag per ``Role``
    (``is_advisor``, ``is_social_worker``, ``is_supervisor``, ``is_admin``, ``is_auditor``),
    ``in_pair`` (the roles that follow people in a binôme) and ``is_social_correspondent``.

    Read from the user the middleware already loaded: no query while a template renders."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    flags = {f"is_{member.value}": role == member for member in Role}
    flags["in_pair"] = role in PAIR_ROLES
    flags["is_social_correspondent"] = role is not None and bool(
        getattr(user, "is_social_correspondent", False)
    )
    return {"binome_roles": flags}
