from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from partners import access, selectors, services, throttle, tokens
from partners.errors import DomainError, InvalidEnrolmentCode
from partners.forms import (
    ActivationForm,
    EnrolmentForm,
    LoginForm,
    OwnPasswordChangeForm,
    TokenForm,
)
from partners.models import Professional
from partners.pagination import paginate


@login_required
def my_pairs(request: HttpRequest) -> HttpResponse:
    """« Mes binômes »: each current pair of a professional and their co-accompagnant·e."""
    user = access.access_as_pair_member(request)
    pairs = list(selectors.pairs_of_professional(user))
    return render(
        request,
        "partners/my_pairs.html",
        {"pairs": [(pair, pair.co_member(user)) for pair in pairs]},
    )


class LoginView(auth_views.LoginView):
    template_name = "partners/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["proconnect"] = settings.BINOME_PROCONNECT_ENABLED
        context["proconnect_failed"] = self.request.GET.get("proconnect") == "echec"
        return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page."""
    user = access.professional(request)
    if access.in_pair(user):
        # The social correspondent's work is the one-off requests of her territory.
        return redirect("social_requests" if user.is_social_correspondent else "caseload")
    if access.is_supervisor(user):
        # The supervisor's work is the dashboard: what needs action comes first on it.
        return redirect("supervision")
    if user.organisation is None:  # a technical superuser, created by hand
        return redirect("admin:index")
    department = user.organisation.department
    return render(
        request,
        "partners/home_department.html",
        {
            "department": department,
            "organisations": list(selectors.organisations_of_department(department)),
            "pairs": paginate(request, selectors.pairs_of_department(department)),
        },
    )


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """« Mon équipe »: the supervisor's pairs and professionals (their organisation subtree)."""
    user = access.professional(request)
    access.require(access.is_supervisor(user))
    return render(
        request,
        "partners/team.html",
        {
            "team": paginate(request, selectors.team_of_supervisor(user), param="equipe"),
            "pairs": paginate(request, selectors.pairs_of_supervisor(user)),
        },
    )


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """« Me déconnecter partout »: every session of the professional ends, this one too."""
    services.professional_logout_everywhere(professional=access.professional(request))
    logout(request)
    messages.success(
        request, "Toutes vos sessions sont fermées, sur chaque ordinateur. Reconnectez-vous."
    )
    return redirect("login")


#: The key of a device being enrolled, kept in the session until its first right code.
PENDING_TOTP_KEY = "binome_pending_totp_key"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


#: Wrong enrolment codes are counted like wrong passwords (partners.throttle).
ENROLMENT_THROTTLED = (
    "Trop de codes d'enrôlement erronés : par sécurité, l'activation est bloquée pendant encore "
    "{minutes} minute(s)."
)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator application: required for admin and auditor, with the enrolment
    code an administrator handed over; optional for the other roles, on their own."""
    user = access.professional(request)
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if enrolled:
        return render(request, "partners/otp_setup.html", {"enrolled": True})
    key = request.session.get(PENDING_TOTP_KEY) or random_hex(20)
    request.session[PENDING_TOTP_KEY] = key
    code_required = services.enrolment_code_required(user)
    form_class = EnrolmentForm if code_required else TokenForm
    form = form_class(request.POST if request.method == "POST" else None)
    attempt = throttle.Attempt(user.email, request.META.get("REMOTE_ADDR"), purpose="enrolment")
    if request.method == "POST" and form.is_valid():
        lock = attempt.locked() if code_required else None
        if lock is not None:
            form.add_error(None, ENROLMENT_THROTTLED.format(minutes=lock.minutes_left))
        else:
            try:
                device = services.totp_device_enrol(
                    professional=user,
                    key=key,
                    token=form.cleaned_data["token"],
                    enrolment_code=form.cleaned_data.get("enrolment_code", ""),
                )
            except InvalidEnrolmentCode as error:
                if error.message != services.ENROLMENT_CODE_MISSING:
                    attempt.record_failure()
                form.add_error("enrolment_code", error.message)
            except DomainError as error:
                form.add_error("token", error.message)
            else:
                del request.session[PENDING_TOTP_KEY]
                otp_login(request, device)
                messages.success(request, "Double authentification activée.")
                return redirect(_safe_next(request))
    draft = TOTPDevice(user=user, key=key)
    return render(
        request,
        "partners/otp_setup.html",
        {
            "enrolled": False,
            "form": form,
            "code_required": code_required,
            "code_givers": selectors.enrolment_code_givers(user) if code_required else [],
            "secret": b32encode(draft.bin_key).decode(),
            "qr_svg": mark_safe(segno.make(draft.config_url).svg_inline(scale=4)),  # noqa: S308 — our own SVG
            "next": _safe_next(request),
        },
    )


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Give the code of one's authenticator application for this session."""
    user = access.professional(request)
    device = selectors.second_factor_device(user)
    if device is None:
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _safe_next(request)})}")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error(
            "token",
            "Ce code ne correspond pas, ou trop d'essais ont échoué : attendez quelques "
            "secondes et saisissez le code affiché maintenant."
            if allowed
            else "Trop d'essais ont échoué : attendez une minute avant de réessayer.",
        )
    return render(request, "partners/otp_verify.html", {"form": form, "next": _safe_next(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password; Django's password validators apply (AUTH_PASSWORD_VALIDATORS)."""

    template_name = "partners/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(
            self.request,
            "Mot de passe changé. Vos autres sessions sont fermées.",
        )
        return super().form_valid(form)


class ActivationView(auth_views.PasswordResetConfirmView):
    """The activation link (``/activer/<uidb64>/<token>/``): the professional chooses their
    password. Django's view puts the token in the session and answers from
    ``/activer/<uidb64>/set-password/``: the token leaves the address bar (and any Referer) at
    once, and the request log holds the route, never the path. A used, expired or replaced link,
    or a deactivated account's, gets the French page that says whom to ask."""

    template_name = "partners/activation.html"
    form_class = ActivationForm
    token_generator = tokens.activation_token
    success_url = reverse_lazy("login")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if isinstance(user, Professional) and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(
            self.request,
            "Votre mot de passe est enregistré. Connectez-vous avec votre adresse électronique "
            "et ce mot de passe.",
        )
        return super().form_valid(form)
