"""Login throttling: failures counted per account and per IP address in the cache.

After ``BINOME_LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures for one address (or
``BINOME_LOGIN_MAX_FAILURES_PER_IP`` from one IP) within ``BINOME_LOGIN_LOCKOUT_SECONDS``, every
attempt is refused, even with the right password, until that time has passed since the first
failure. The cache keys hold a hash, never the address itself. The counts are a brake on guessing,
not an exact ledger: two workers may each miss one failure of the other in a race.

The throttle fails open: when the cache cannot be reached (Redis stopped, or hung past the short
socket timeouts of ``config.settings.base.redis_cache``), the login goes on unthrottled and a
warning without personal data is logged. A login that depends on the cache would turn a cache
outage into an outage of the whole site; the password check still stands, and counting resumes
when the cache answers again. One ``Attempt`` touches an unreachable cache once at most, so a hung
Redis costs a login one socket timeout, not one per cache operation.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lock:
    minutes_left: int


def _key(kind: str, value: str, purpose: str = "login") -> str:
    return f"binome:{purpose}-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


class Attempt:
    """One login attempt for ``email`` from ``ip``: ask ``locked()`` first, then record it.

    ``purpose`` keeps other counts apart with the same limits: ``"enrolment"`` counts the wrong
    enrolment codes of the second factor (partners.views.otp_setup)."""

    def __init__(self, email: str, ip: str | None, purpose: str = "login") -> None:
        self.email = email.strip().lower()
        self.purpose = purpose
        self.keys = [
            (
                _key("account", self.email, purpose),
                settings.BINOME_LOGIN_MAX_FAILURES_PER_ACCOUNT,
            )
        ]
        if ip:
            self.keys.append((_key("ip", ip, purpose), settings.BINOME_LOGIN_MAX_FAILURES_PER_IP))
        self.cache_down = False

    def locked(self) -> Lock | None:
        """The lock in force on this address or IP, if any (none when the cache is down)."""
        now = time.time()
        for key, limit in self.keys:
            record = self._get(key)
            if record and record["count"] >= limit and record["until"] > now:
                return Lock(minutes_left=max(1, math.ceil((record["until"] - now) / 60)))
        return None

    def record_failure(self) -> None:
        now = time.time()
        window = settings.BINOME_LOGIN_LOCKOUT_SECONDS
        for key, _limit in self.keys:
            record = self._get(key)
            if not record or record["until"] <= now:
                record = {"count": 0, "until": now + window}
            record["count"] += 1
            self._call("écriture", cache.set, key, record, math.ceil(record["until"] - now))

    def record_success(self) -> None:
        """A successful login clears the account's count (not the IP's: an office shares one)."""
        self._call("effacement", cache.delete, _key("account", self.email, self.purpose))

    def _get(self, key: str) -> Any:
        return self._call("lecture", cache.get, key)

    def _call(self, operation: str, method: Any, *args: Any) -> Any:
        if self.cache_down:
            return None
        try:
            return method(*args)
        except Exception as error:  # any cache backend's error: fail open
            self.cache_down = True
            # The error's class only: its text may carry the cache's address or a key.
            logger.warning(
                "Limitation des connexions suspendue : cache injoignable (%s, %s). "
                "Connexion traitée sans limitation.",
                operation,
                type(error).__name__,
            )
            return None
