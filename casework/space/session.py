"""The person's session: their invitation's id under its own key, never a Django login.

A professional's session is not a person's (``request.user`` stays anonymous for the person) and
the person's keys are dropped when a professional logs in, in the same browser: no page accepts
the other side's session. ``person_required`` reloads the invitation on every request, so a
withdrawn access, or a file gone to the archive, ends the session at once.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from casework.models import SpaceAccess

ACCESS_ID = "binome_person_access_id"
LOGIN_AT = "binome_person_login_at"
LAST_SEEN = "binome_person_last_seen"
#: The contact typed on the login page, while the code is awaited.
PENDING_CONTACT = "binome_person_pending_contact"
#: The access whose person asked to tie their FranceConnect identity, while FranceConnect answers.
PENDING_FRANCECONNECT_TIE = "binome_person_pending_franceconnect_tie"
#: The id_token FranceConnect gave at this session's login or tie: logging out of the space
#: also ends the person's FranceConnect session with it (``id_token_hint``).
FRANCECONNECT_ID_TOKEN = "binome_person_franceconnect_id_token"  # noqa: S105 (a session key)
#: The ``state`` of a logout sent to FranceConnect, checked when it sends the browser back.
FRANCECONNECT_LOGOUT_STATE = "binome_person_franceconnect_logout_state"
KEYS = (
    ACCESS_ID,
    LOGIN_AT,
    LAST_SEEN,
    PENDING_CONTACT,
    PENDING_FRANCECONNECT_TIE,
    FRANCECONNECT_ID_TOKEN,
)
#: The last-seen time is written at most this often.
LAST_SEEN_RESOLUTION = 60


def open_session(request: HttpRequest, access: SpaceAccess) -> None:
    """A new session for the person: a professional logged in in this browser is logged out,
    and the session key changes (no fixation)."""
    logout(request)  # flushes the session: a new key, nothing of before
    now = time.time()
    request.session[ACCESS_ID] = access.pk
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


def end_session(session: Any) -> None:
    for key in KEYS:
        session.pop(key, None)


def drop_on_professional_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: a professional's session never carries a person's identity."""
    end_session(request.session)


def current_access(request: HttpRequest) -> tuple[SpaceAccess | None, str]:
    """The invitation in force of the session's person, or None and the reason to tell them."""
    session = request.session
    access_id = session.get(ACCESS_ID)
    if access_id is None:
        return None, ""
    now = time.time()
    login_at, last_seen = session.get(LOGIN_AT, 0), session.get(LAST_SEEN, 0)
    reason = ""
    if now - last_seen > settings.BINOME_SPACE_IDLE_TIMEOUT:
        reason = (
            "Votre session a pris fin après "
            f"{settings.BINOME_SPACE_IDLE_TIMEOUT // 60} minutes sans activité, pour protéger "
            "vos informations. Reconnectez-vous."
        )
    elif now - login_at > settings.BINOME_SPACE_ABSOLUTE_TIMEOUT:
        reason = "Votre session a pris fin. Reconnectez-vous."
    access = None
    if not reason:
        access = (
            SpaceAccess.objects.active()
            .select_related("beneficiary", "case__pair__department")
            .filter(pk=access_id)
            .first()
        )
        if access is None:
            reason = (
                "Votre accès à votre espace a été retiré par les professionnel·les qui vous "
                "accompagnent."
            )
    if access is None:
        end_session(session)
        return None, reason
    if now - last_seen >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN] = now
    return access, ""


def no_store(response: HttpResponse) -> HttpResponse:
    """Nothing of the space stays in a browser's or a proxy's cache."""
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    return response


def person_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The space's pages: the person's session in force, or the person's login page (a
    professional's session included: it is not a person's)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access, reason = current_access(request)
        if access is None:
            if reason:
                messages.info(request, reason)
            return no_store(redirect("space_login"))
        request.space_access = access  # type: ignore[attr-defined]
        return no_store(view(request, *args, **kwargs))

    return wrapped
