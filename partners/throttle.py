"""Login throttling: failures counted per account and per IP address in the cache.

After ``BINOME_LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures for one address (or
``BINOME_LOGIN_MAX_FAILURES_PER_IP`` from one IP) within ``BINOME_LOGIN_LOCKOUT_SECONDS``, every
attempt is refused, even with the right password, until that time has passed since the first
failure. The cache keys hold a hash, never the address itself. The counts are a brake on guessing,
not an exact ledger: two workers may each miss one failure of the other in a race.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Lock:
    minutes_left: int


def _key(kind: str, value: str) -> str:
    return f"binome:login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _keys(email: str, ip: str | None) -> list[tuple[str, int]]:
    keys = [
        (_key("account", email.strip().lower()), settings.BINOME_LOGIN_MAX_FAILURES_PER_ACCOUNT)
    ]
    if ip:
        keys.append((_key("ip", ip), settings.BINOME_LOGIN_MAX_FAILURES_PER_IP))
    return keys


def locked(email: str, ip: str | None) -> Lock | None:
    """The lock in force on this address or IP, if any."""
    now = time.time()
    for key, limit in _keys(email, ip):
        record = cache.get(key)
        if record and record["count"] >= limit and record["until"] > now:
            return Lock(minutes_left=max(1, math.ceil((record["until"] - now) / 60)))
    return None


def record_failure(email: str, ip: str | None) -> None:
    now = time.time()
    window = settings.BINOME_LOGIN_LOCKOUT_SECONDS
    for key, _limit in _keys(email, ip):
        record = cache.get(key)
        if not record or record["until"] <= now:
            record = {"count": 0, "until": now + window}
        record["count"] += 1
        cache.set(key, record, timeout=math.ceil(record["until"] - now))


def record_success(email: str) -> None:
    """A successful login clears the account's count (not the IP's: an office shares one)."""
    cache.delete(_key("account", email.strip().lower()))
