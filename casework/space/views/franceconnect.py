"""FranceConnect in the person's space, mounted only when configured (config/urls.py): the
start of the login (mozilla-django-oidc's own view), the return from FranceConnect, the person's
request to tie their identity, and the page for an identity that opens no space.

A FranceConnect identity opens the access it was tied to, and only that: the person ties it from
their space, logged in with a code. An identity nobody tied gets the same page whether the person
is followed or not.
"""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from casework.journal import RequestInfo
from casework.space import franceconnect, services, session
from casework.space.session import no_store, person_required
from partners.errors import DomainError

FAILED = (
    "La connexion avec FranceConnect n'a pas abouti. Réessayez, ou recevez un code à votre "
    "adresse électronique."
)
TIED = "Votre compte FranceConnect est lié à votre espace. Vous pourrez vous connecter avec lui."
UNTIED = (
    "Votre compte FranceConnect n'est plus lié à votre espace : connectez-vous désormais avec un "
    "code."
)
LOGGED_OUT = "Vous êtes déconnecté·e de votre espace et de FranceConnect."


class FranceConnectLogin(OIDCAuthenticationRequestView):
    """The library's authentication request, with FranceConnect's settings: a state and a nonce
    kept in the session, then the browser sent to FranceConnect."""

    get_settings = staticmethod(franceconnect.setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        return no_store(super().get(request))


class FranceConnectCallback(OIDCAuthenticationCallbackView):
    """The return from FranceConnect. The library's callback steps (the error answer, the
    state looked up and spent, the nonce handed to the backend, the session reloaded), but the
    identity comes from ``FranceConnectBackend`` called directly, not from
    ``django.contrib.auth.authenticate``: the person is not a Django user and
    ``AUTHENTICATION_BACKENDS`` holds ProConnect's backend."""

    get_settings = staticmethod(franceconnect.setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        states = request.session.get("oidc_states")
        state = request.GET.get("state")
        if request.GET.get("error") or "code" not in request.GET or state is None:
            if isinstance(states, dict) and state in states:  # no replay of a refused state
                del states[state]
                request.session.save()
            return self.login_failure()
        if not isinstance(states, dict):
            return self.login_failure()
        if state not in states:
            raise SuspiciousOperation("FranceConnect : état inconnu de cette session.")
        pending = states.pop(state)
        request.session.save()
        # Reloaded from the store after the provider's answer, as the library does.
        request.session = request.session.__class__(request.session.session_key)
        identity = franceconnect.FranceConnectBackend().authenticate(
            request, nonce=pending["nonce"], code_verifier=pending.get("code_verifier")
        )
        if identity is None:
            return self.login_failure()
        return self.identified(request, identity)

    def login_failure(self) -> HttpResponse:
        self.request.session.pop(session.PENDING_FRANCECONNECT_TIE, None)
        messages.error(self.request, FAILED)
        return no_store(redirect("space_login"))

    def identified(self, request: HttpRequest, identity: franceconnect.Identity) -> HttpResponse:
        """Tie the identity when the person logged in to their space asked for it; otherwise
        open the access it was tied to, or say that it opens no space."""
        tie_for = request.session.pop(session.PENDING_FRANCECONNECT_TIE, None)
        if tie_for is not None:
            access, _reason = session.current_access(request)
            if access is not None and access.pk == tie_for:
                try:
                    services.franceconnect_tie(
                        access=access, sub=identity.sub, info=RequestInfo.of(request)
                    )
                except DomainError as refusal:
                    messages.error(request, refusal.message)
                else:
                    messages.success(request, TIED)
                request.session[session.FRANCECONNECT_ID_TOKEN] = identity.id_token
                return no_store(redirect("space_home"))
        access = services.franceconnect_login(sub=identity.sub)
        if access is None:
            return no_store(redirect("space_franceconnect_unknown"))
        session.open_session(request, access)
        request.session[session.FRANCECONNECT_ID_TOKEN] = identity.id_token
        return no_store(redirect("space_home"))


@require_POST
@person_required
def space_franceconnect_tie(request: HttpRequest) -> HttpResponse:
    """« Lier mon compte FranceConnect »: remember which access asks, then go to FranceConnect;
    the return ties the identity to this access if the person's session is still the same."""
    request.session[session.PENDING_FRANCECONNECT_TIE] = request.space_access.pk  # type: ignore[attr-defined]
    return redirect("space_franceconnect_login")


def space_franceconnect_unknown(request: HttpRequest) -> HttpResponse:
    """No space opens for this identity: the same page whoever FranceConnect named."""
    return no_store(
        render(request, "casework/space/franceconnect_unknown.html", {"space_person": False})
    )


@require_POST
@person_required
def space_franceconnect_untie(request: HttpRequest) -> HttpResponse:
    """« Délier mon compte FranceConnect »: FranceConnect no longer opens this space; the person
    logs in with a code again."""
    try:
        services.franceconnect_untie(
            access=request.space_access,  # type: ignore[attr-defined]
            info=RequestInfo.of(request),
        )
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, UNTIED)
    return no_store(redirect("space_home"))


def logout_through_franceconnect(request: HttpRequest, id_token: str) -> HttpResponse:
    """After the space's session ended: send the browser to FranceConnect to end its session
    too, with a state checked on the way back (``space_franceconnect_logged_out``)."""
    state = secrets.token_urlsafe(24)
    request.session[session.FRANCECONNECT_LOGOUT_STATE] = state
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": request.build_absolute_uri(
                reverse("space_franceconnect_logged_out")
            ),
        }
    )
    return no_store(redirect(f"{franceconnect.logout_endpoint()}?{query}"))


def space_franceconnect_logged_out(request: HttpRequest) -> HttpResponse:
    """FranceConnect's return after its logout: the space's session had already ended."""
    expected = request.session.pop(session.FRANCECONNECT_LOGOUT_STATE, None)
    if expected is not None and secrets.compare_digest(str(request.GET.get("state", "")), expected):
        messages.info(request, LOGGED_OUT)
    return no_store(redirect("space_login"))
