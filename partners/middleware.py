import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from partners import error_pages
from partners.api.problems import is_api


class LoadUserMiddleware:
    """Load the session and the professional before the view runs.

    ``request.user`` is lazy; loading it here keeps its queries out of template rendering, where
    the test suite forbids queries.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _ = request.user.is_authenticated
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """A NUL character in the query string or a form field answers the French 400 page; a cookie
    holding one is ignored.

    PostgreSQL refuses NUL in text (a DataError, so a server error, wherever the value reaches a
    query, and forever when it was kept in the session). No one types it: it comes from a copy
    out of another program or from a probe. Forms refuse it too (Django's CharField); this catches
    the values views read directly, before any of them runs. Placed after ``CsrfViewMiddleware``
    and before the user is loaded: a session cookie with a NUL (``"\\000…"`` unquotes to one) is
    a visitor without a session, and the form fields are read in ``process_view``, after the
    CSRF check has refused a cross-site POST.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
            request.COOKIES = {
                name: value
                for name, value in request.COOKIES.items()
                if "\x00" not in name and "\x00" not in value
            }
            if settings.SESSION_COOKIE_NAME not in request.COOKIES:
                request.session = type(request.session)()  # not loaded yet: a new, empty one
        if _holds_nul(request.GET):
            return error_pages.bad_request(request)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        return error_pages.bad_request(request) if _holds_nul(request.POST) else None


def _holds_nul(values: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in item for item in items) for key, items in values.lists()
    )


class RequestIdMiddleware:
    """Give each request an id (kept from X-Request-ID when a proxy set one), for the journal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        request.request_id = request_id or uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


#: Session keys of SessionTimeoutMiddleware (seconds since the epoch).
LOGIN_AT = "binome_login_at"
LAST_SEEN = "binome_last_seen"
#: The last-seen time is written at most this often: one session write a minute, not one a request.
LAST_SEEN_RESOLUTION = 60


def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the absolute and idle clocks start at the login."""
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


def _to_login(request: HttpRequest, message: str) -> HttpResponse:
    logout(request)
    messages.info(request, message)
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(settings.LOGIN_URL)
        return response
    return redirect_to_login(request.get_full_path())


class SessionTimeoutMiddleware:
    """End a session 30 minutes after its last request, 12 hours after its login, or when the
    professional asked to be logged out everywhere since (``Professional.sessions_revoked_at``).

    The settings are ``BINOME_SESSION_IDLE_TIMEOUT`` and ``BINOME_SESSION_ABSOLUTE_TIMEOUT``;
    partners.checks refuses to start without this middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(LOGIN_AT)
            last_seen = session.get(LAST_SEEN)
            revoked_at = getattr(user, "sessions_revoked_at", None)
            if login_at is None or last_seen is None:  # a session from before this middleware
                session[LOGIN_AT] = session[LAST_SEEN] = now
            elif now - last_seen > settings.BINOME_SESSION_IDLE_TIMEOUT:
                return _to_login(
                    request,
                    f"Votre session a pris fin après {settings.BINOME_SESSION_IDLE_TIMEOUT // 60} "
                    "minutes sans activité, pour protéger les informations des personnes "
                    "accompagnées. Reconnectez-vous.",
                )
            elif now - login_at > settings.BINOME_SESSION_ABSOLUTE_TIMEOUT:
                return _to_login(
                    request,
                    "Votre session a pris fin "
                    f"{settings.BINOME_SESSION_ABSOLUTE_TIMEOUT // 3600} heures après la "
                    "connexion. Reconnectez-vous.",
                )
            elif revoked_at is not None and login_at < revoked_at.timestamp():
                return _to_login(
                    request, "Vous avez été déconnecté·e de toutes vos sessions. Reconnectez-vous."
                )
            elif now - last_seen >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN] = now
        return self.get_response(request)


#: URL names a professional who must give a second factor may still reach.
SECOND_FACTOR_EXEMPT = {"login", "logout", "otp_setup", "otp_verify"}


class SecondFactorRequiredMiddleware:
    """Roles in ``BINOME_OTP_REQUIRED_ROLES`` (admin, auditor) reach nothing but the second-factor
    pages until they have given a TOTP code in this session (django-otp's ``is_verified``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "role", None) in settings.BINOME_OTP_REQUIRED_ROLES
            and not user.is_verified()  # type: ignore[attr-defined]  # django-otp
        ):
            match = request.resolver_match
            if match is not None and match.view_name in SECOND_FACTOR_EXEMPT:
                return None
            if is_api(request):  # token-only: a session opens nothing there (401)
                return None
            return redirect(
                f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}"
            )
        return None


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a logged-in professional: every such page
    may hold personal data, and nothing of it must stay in a browser's or a proxy's cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response
