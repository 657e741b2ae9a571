from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """The site's identity from settings (django-dsfr's own processor reads the database)."""
    return {
        "SITE": {
            "title": settings.BINOME_SITE_TITLE,
            "tagline": settings.BINOME_SITE_TAGLINE,
            "operator_is_state": settings.BINOME_OPERATOR_IS_STATE,
            "operator_name": settings.BINOME_OPERATOR_NAME,
        }
    }
