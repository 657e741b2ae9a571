"""Reads served by the read replica (docs/deployment.md, « Read replica »).

When ``DATABASE_REPLICA_URL`` is set, ``DATABASES["replica"]`` is a hot standby that replays the
primary's WAL. ``config.db_router.ReplicaRouter`` sends a read there only when all of these hold:

- the view opted in with :func:`read_only` (pages that read much and change nothing: the
  supervisors' dashboard and its lists, the auditor's journal search and export) and the request
  is a GET or HEAD;
- the professional has not written in the last ``DATABASE_REPLICA_PIN`` seconds: every POST
  (or other unsafe method) of a signed-in professional pins their session to the primary, so
  that they read their own writes (:class:`PinToPrimaryMiddleware`);
- the read is not inside a transaction on the primary (a service's reads, a journal row's
  ``FOR UPDATE``: they stay with the writes they serve);
- the table is not the sessions' (the pin itself lives there);
- the replica is streaming and its replay lag is at most ``DATABASE_REPLICA_MAX_LAG`` seconds,
  measured at most every ``DATABASE_REPLICA_LAG_CHECK_INTERVAL`` seconds (:func:`replica_lag`);
  a lagging, paused or disconnected replica is bypassed, an unreachable one for
  ``UNREACHABLE_RETRY_AFTER`` seconds.

Every write goes to the primary, always.
"""

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Concatenate

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
#: The session key holding the time (epoch seconds) until which the session reads the primary.
PIN_SESSION_KEY = "_binome_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD"})

_in_read_only_view: ContextVar[bool] = ContextVar("binome_read_only_view", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pinned_to_primary(request: HttpRequest) -> bool:
    """Whether this session wrote recently enough that it must read the primary."""
    session = getattr(request, "session", None)
    return session is not None and float(session.get(PIN_SESSION_KEY, 0)) > time.time()


def read_only[**P](
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Marks a view whose GET and HEAD may read from the replica (see the module's docstring)."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if (
            request.method not in SAFE_METHODS
            or not replica_configured()
            or pinned_to_primary(request)
        ):
            return view(request, *args, **kwargs)
        token = _in_read_only_view.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _in_read_only_view.reset(token)

    wrapper.binome_read_only = True  # type: ignore[attr-defined]
    return wrapper


class PinToPrimaryMiddleware:
    """After an unsafe request (POST…) of a signed-in user, their session reads the primary for
    ``DATABASE_REPLICA_PIN`` seconds. Does nothing without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            replica_configured()
            and request.method not in SAFE_METHODS
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            request.session[PIN_SESSION_KEY] = time.time() + settings.DATABASE_REPLICA_PIN
        return response


# --- The replica's lag ------------------------------------------------------------------------

#: On the replica: in recovery, streaming, replayed all it received, seconds since the commit of
#: the last transaction it replayed (the primary's clock).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT status FROM pg_stat_wal_receiver),
       pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8
"""

#: Seconds an unreachable replica is left alone before it is tried again: a black-holed host
#: costs one request the connect timeout (3 s) every this many seconds, not every check.
UNREACHABLE_RETRY_AFTER = 30.0

_lag_lock = threading.Lock()
_lag_checked: tuple[float, float | None] | None = None  # (time.monotonic() of the next check, lag)


class ReplicaUnreachable(Exception):
    pass


def measure_replica_lag() -> float | None:
    """The replica's replay lag in seconds, now; None when it cannot serve reads (not a
    standby, not streaming). Raises ReplicaUnreachable when it cannot be reached."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, status, caught_up, seconds = cursor.fetchone()
    except DatabaseError as error:
        connections[REPLICA].close()
        raise ReplicaUnreachable(str(error)) from error
    if not in_recovery or status != "streaming":
        return None
    if caught_up:
        return 0.0
    return None if seconds is None else max(float(seconds), 0.0)


def replica_lag() -> float | None:
    """:func:`measure_replica_lag`, measured at most every DATABASE_REPLICA_LAG_CHECK_INTERVAL
    seconds per process (UNREACHABLE_RETRY_AFTER when it could not be reached); each measure
    that bypasses the replica is logged once."""
    global _lag_checked
    with _lag_lock:
        now = time.monotonic()
        if _lag_checked is not None and now < _lag_checked[0]:
            return _lag_checked[1]
        lag: float | None
        try:
            lag = measure_replica_lag()
            next_check = now + settings.DATABASE_REPLICA_LAG_CHECK_INTERVAL
        except ReplicaUnreachable as error:
            logger.warning("Réplique injoignable, lectures sur le primaire : %s", error)
            lag, next_check = None, now + UNREACHABLE_RETRY_AFTER
        else:
            if lag is None:
                logger.warning("Réplique hors réplication, lectures sur le primaire.")
            elif lag > settings.DATABASE_REPLICA_MAX_LAG:
                logger.warning("Réplique en retard de %.1f s, lectures sur le primaire.", lag)
        _lag_checked = (next_check, lag)
        return lag


def replica_usable() -> bool:
    lag = replica_lag()
    return lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG


def read_database(model: type[Model]) -> str:
    """The database a read of ``model`` goes to now (see the module's docstring)."""
    if (
        _in_read_only_view.get()
        and model._meta.app_label != "sessions"
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and replica_configured()
        and replica_usable()
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


def forget_replica_lag() -> None:
    """Measure the lag again at the next read (after a change of settings, e.g. in tests)."""
    global _lag_checked
    with _lag_lock:
        _lag_checked = None
