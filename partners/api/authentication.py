"""``Authorization: Bearer <key>``: a partner system's key, never a professional's login.

Each refusal says which it is (the code of the problem body): no key (``cle-absente``, from
``IsPartner``), a key that is malformed or unknown or whose secret does not match
(``cle-inconnue``), expired (``cle-expiree``), revoked (``cle-revoquee``), replaced by a newer
key (``cle-remplacee``), or a system deactivated (``partenaire-desactive``). One query: the key
with its system and department.
"""

import hmac
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from partners.api.models import PartnerKey, PartnerSystem
from partners.api.problems import KeyRefused
from partners.api.services import hash_key, split_key

UNKNOWN_KEY = "Cette clé d'API est inconnue."
ASK_ANOTHER = "Demandez-en une nouvelle à l'administration fonctionnelle du département."
EXPIRED_KEY = "Cette clé d'API a expiré le {date}. " + ASK_ANOTHER
REVOKED_KEY = "Cette clé d'API a été révoquée. " + ASK_ANOTHER
REPLACED_KEY = "Cette clé d'API a été remplacée par une nouvelle clé : utilisez la nouvelle."
PARTNER_INACTIVE = "Ce système partenaire est désactivé."


@dataclass(frozen=True)
class PartnerPrincipal:
    """``request.user`` of an API call: the partner system and the key it used. Never a
    ``Professional``: nothing that checks a professional's rights lets it in."""

    partner: PartnerSystem
    key: PartnerKey
    is_authenticated: bool = True
    is_active: bool = True
    pk: None = None

    @property
    def label(self) -> str:
        return str(self.partner)


class PartnerKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[PartnerPrincipal, PartnerKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None  # IsPartner answers « cle-absente »
        if len(header) != 2:
            raise KeyRefused("cle-inconnue", UNKNOWN_KEY)
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise KeyRefused("cle-inconnue", UNKNOWN_KEY) from None
        prefix = split_key(raw)
        key = (
            PartnerKey.objects.select_related("partner__department").filter(prefix=prefix).first()
            if prefix is not None
            else None
        )
        if key is None or not hmac.compare_digest(key.secret_hash, hash_key(raw)):
            raise KeyRefused("cle-inconnue", UNKNOWN_KEY)
        if key.revoked_at is not None:
            raise KeyRefused("cle-revoquee", REVOKED_KEY)
        if key.replaced_by_id is not None:
            raise KeyRefused("cle-remplacee", REPLACED_KEY)
        if key.expires_at <= timezone.now():
            date = timezone.localtime(key.expires_at).strftime("%d/%m/%Y à %H:%M")
            raise KeyRefused("cle-expiree", EXPIRED_KEY.format(date=date), title="Clé expirée")
        if not key.partner.active:
            raise KeyRefused("partenaire-desactive", PARTNER_INACTIVE)
        return PartnerPrincipal(partner=key.partner, key=key), key

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
