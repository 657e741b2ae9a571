"""A rate limit per partner system (``PartnerSystem.requests_per_minute``), counted in the
cache (CACHE_URL's Redis in production, shared by every web worker).

Like the login throttling (``partners.throttle``), it fails open: when the cache cannot be
reached the call goes on and a warning without personal data is logged.
"""

import logging
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from partners.api.permissions import partner_of

logger = logging.getLogger(__name__)


class PartnerRateThrottle(SimpleRateThrottle):
    scope = "partner"
    cache_format = "binome:api-throttle:%(scope)s:%(ident)s"

    def get_rate(self) -> str | None:
        return None  # set per request, from the partner system (allow_request)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        principal = partner_of(request)
        if principal is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": principal.partner.pk}

    def allow_request(self, request: Request, view: Any) -> bool:
        principal = partner_of(request)
        if principal is None:
            return True
        self.rate = f"{principal.partner.requests_per_minute}/m"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception as error:  # any cache backend's error: fail open
            logger.warning(
                "Limitation de l'API suspendue : cache injoignable (%s). Requête traitée sans "
                "limitation.",
                type(error).__name__,
            )
            return True
