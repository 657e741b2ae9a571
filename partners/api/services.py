"""Every write of the partner API's framework: partner systems and their keys.

A key is ``bnm_<prefix>_<secret>``: 32 random bytes (``secrets.token_urlsafe``), so a plain
SHA-256 of the whole key is enough to store (no slow KDF needed for a random secret; Django's
``make_password`` would cost each API call a hash of several hundred milliseconds). The key is
returned once, by ``partner_key_issue`` and ``partner_key_rotate``, and never stored.

Issuing, rotating or revoking a key and changing a system's scopes change who may read the
department's data: each writes a journal row of rights (``partners.services.RightsChange``), last
in its transaction, besides the audit rows.
"""

import base64
import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partners.api.models import PartnerKey, PartnerSystem, Scope
from partners.errors import DomainError, InvalidTransition
from partners.models import Department, Professional
from partners.services import RightsChange, _fit, _rights_changed, _save

KEY_PREFIX = "bnm"
PARTNER_OBJECT = "système partenaire"
#: A key's default lifetime, and the longest one allowed.
DEFAULT_KEY_DAYS = 365
MAX_KEY_DAYS = 2 * 365

KEY_EXPIRY_PAST = "La date d'expiration d'une clé doit être dans le futur."
KEY_EXPIRY_TOO_FAR = (
    f"Une clé vaut au plus {MAX_KEY_DAYS // 365} ans : choisissez une date plus proche."
)
KEY_NOT_USABLE = "Cette clé est déjà révoquée ou remplacée : elle ne peut plus changer."
PARTNER_INACTIVE = (
    "Ce système partenaire est désactivé : réactivez-le avant de lui délivrer une clé."
)
UNKNOWN_SCOPE = "Portée inconnue : {scope}."
WEBHOOK_NOT_HTTPS = "L'adresse des notifications doit commencer par https://."
WEBHOOK_WITHOUT_URL = (
    "Ce système partenaire n'a pas d'adresse de notifications : saisissez-la d'abord."
)
#: Standard Webhooks' prefix of a signing secret (the receiver's libraries strip it).
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105  # a prefix, not a secret


class InvalidKey(DomainError):
    """A key that cannot be issued, rotated or revoked as asked."""


@dataclass(frozen=True)
class IssuedKey:
    key: PartnerKey
    #: The whole key, to hand to the partner once; never stored.
    secret: str


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def split_key(raw: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def _check_scopes(scopes: list[str]) -> list[str]:
    for scope in scopes:
        if scope not in Scope.values:
            raise InvalidTransition(UNKNOWN_SCOPE.format(scope=scope))
    return sorted(set(scopes))


def check_webhook_url(url: str) -> str:
    """The notifications' address as stored: HTTPS (plain HTTP only where the settings allow it,
    the demo and the tests on 127.0.0.1), or empty."""
    url = url.strip()
    if url and urlparse(url).scheme != "https" and not settings.BINOME_WEBHOOK_ALLOW_HTTP:
        raise InvalidTransition(WEBHOOK_NOT_HTTPS)
    return url


def _new_webhook_secret() -> str:
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _change(
    partner: PartnerSystem, acting_user: Professional | None, granted: bool, what: str
) -> RightsChange:
    return RightsChange(
        department=partner.department,
        acting_user=acting_user,
        granted=granted,
        what=_fit(what),
        whom=_fit(str(partner)),
        object_type=PARTNER_OBJECT,
        object_id=partner.pk,
    )


@transaction.atomic
def partner_system_create(
    *,
    department: Department,
    name: str,
    organisation: str,
    scopes: list[str],
    acting_user: Professional | None,
    requests_per_minute: int | None = None,
    active: bool = True,
    webhook_url: str = "",
) -> PartnerSystem:
    """A partner system; with a notifications' address, its signing secret is generated (read
    it on ``partner.webhook_secret`` to show it once)."""
    partner = PartnerSystem(
        department=department,
        name=name.strip(),
        organisation=organisation.strip(),
        scopes=_check_scopes(scopes),
        active=active,
        webhook_url=check_webhook_url(webhook_url),
    )
    if partner.webhook_url:
        partner.webhook_secret = _new_webhook_secret()
    if requests_per_minute is not None:
        partner.requests_per_minute = requests_per_minute
    _save(partner, acting_user)
    what = f"Système partenaire enregistré, portées : {', '.join(partner.scopes) or 'aucune'}"
    if partner.webhook_url:
        what += f", notifications à {partner.webhook_url}"
    _rights_changed([_change(partner, acting_user, True, what)])
    return partner


@transaction.atomic
def partner_system_update(
    *, partner: PartnerSystem, fields: dict[str, Any], acting_user: Professional | None
) -> PartnerSystem:
    """Rename, change the scopes, the rate limit or the active flag of a partner system; its
    department never changes."""
    if "department" in fields and fields["department"] != partner.department:
        raise InvalidTransition("Le département d'un système partenaire ne se modifie pas.")
    partner = PartnerSystem.objects.select_for_update().get(pk=partner.pk)
    before_scopes, before_active = list(partner.scopes), partner.active
    before_url = partner.webhook_url
    for name, value in fields.items():
        if name == "scopes":
            value = _check_scopes(list(value))
        if name == "webhook_url":
            value = check_webhook_url(value)
        setattr(partner, name, value)
    if partner.webhook_url and not partner.webhook_secret:
        partner.webhook_secret = _new_webhook_secret()
    _save(partner, acting_user)
    changes = []
    if partner.webhook_url != before_url:
        changes.append(
            _change(
                partner,
                acting_user,
                bool(partner.webhook_url),
                f"Notifications du système partenaire : {partner.webhook_url or 'aucune'}",
            )
        )
    if partner.scopes != before_scopes or partner.active != before_active:
        widened = bool(set(partner.scopes) - set(before_scopes)) or (
            partner.active and not before_active
        )
        state = "actif" if partner.active else "désactivé"
        changes.append(
            _change(
                partner,
                acting_user,
                widened,
                f"Système partenaire modifié ({state}), portées : "
                f"{', '.join(partner.scopes) or 'aucune'}",
            )
        )
    _rights_changed(changes)
    return partner


def _check_expiry(expires_at: datetime.datetime) -> None:
    now = timezone.now()
    if expires_at <= now:
        raise InvalidKey(KEY_EXPIRY_PAST)
    if expires_at > now + datetime.timedelta(days=MAX_KEY_DAYS):
        raise InvalidKey(KEY_EXPIRY_TOO_FAR)


def _new_key(
    partner: PartnerSystem, expires_at: datetime.datetime, acting_user: Professional | None
) -> IssuedKey:
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = PartnerKey(
        partner=partner,
        prefix=prefix,
        secret_hash=hash_key(secret),
        expires_at=expires_at,
        created_by=acting_user,
    )
    _save(key, acting_user)
    return IssuedKey(key=key, secret=secret)


def default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=DEFAULT_KEY_DAYS)


def partner_key_issue_check(*, partner: PartnerSystem, expires_at: datetime.datetime) -> None:
    """What ``partner_key_issue`` refuses, for the admin's form before it saves."""
    if not partner.active:
        raise InvalidKey(PARTNER_INACTIVE)
    _check_expiry(expires_at)


@transaction.atomic
def partner_key_issue(
    *,
    partner: PartnerSystem,
    acting_user: Professional | None,
    expires_at: datetime.datetime | None = None,
) -> IssuedKey:
    """A new key for ``partner``; the whole key is in the result, to show once."""
    partner = PartnerSystem.objects.select_related("department").get(pk=partner.pk)
    expires_at = expires_at or default_expiry()
    partner_key_issue_check(partner=partner, expires_at=expires_at)
    issued = _new_key(partner, expires_at, acting_user)
    _rights_changed(
        [_change(partner, acting_user, True, f"Clé d'API {issued.key.prefix} délivrée")]
    )
    return issued


def _locked_usable(key: PartnerKey) -> PartnerKey:
    key = (
        PartnerKey.objects.select_for_update().select_related("partner__department").get(pk=key.pk)
    )
    if key.revoked_at is not None or key.replaced_by_id is not None:
        raise InvalidKey(KEY_NOT_USABLE)
    return key


@transaction.atomic
def partner_key_rotate(
    *,
    key: PartnerKey,
    acting_user: Professional | None,
    expires_at: datetime.datetime | None = None,
) -> IssuedKey:
    """A new key in place of ``key``, which is refused from now on."""
    key = _locked_usable(key)
    if not key.partner.active:
        raise InvalidKey(PARTNER_INACTIVE)
    expires_at = expires_at or default_expiry()
    _check_expiry(expires_at)
    issued = _new_key(key.partner, expires_at, acting_user)
    key.replaced_by = issued.key
    _save(key, acting_user)
    _rights_changed(
        [
            _change(
                key.partner,
                acting_user,
                True,
                f"Clé d'API {key.prefix} remplacée par {issued.key.prefix}",
            )
        ]
    )
    return issued


@transaction.atomic
def partner_key_revoke(*, key: PartnerKey, acting_user: Professional | None) -> PartnerKey:
    key = _locked_usable(key)
    key.revoked_at = timezone.now()
    _save(key, acting_user)
    _rights_changed([_change(key.partner, acting_user, False, f"Clé d'API {key.prefix} révoquée")])
    return key


@transaction.atomic
def partner_webhook_secret_renew(
    *, partner: PartnerSystem, acting_user: Professional | None
) -> str:
    """A new signing secret for the notifications (the old one no longer signs); returned once,
    to hand to the partner's team."""
    partner = (
        PartnerSystem.objects.select_for_update().select_related("department").get(pk=partner.pk)
    )
    if not partner.webhook_url:
        raise InvalidTransition(WEBHOOK_WITHOUT_URL)
    partner.webhook_secret = _new_webhook_secret()
    _save(partner, acting_user)
    _rights_changed(
        [_change(partner, acting_user, True, "Secret de signature des notifications renouvelé")]
    )
    return partner.webhook_secret
