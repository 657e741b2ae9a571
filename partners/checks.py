"""System checks: Binôme refuses to start when a protection of personal data is switched off.

Run by every ``manage.py`` command (and ``check --deploy``): session timeouts, the second-factor
requirement, ``Cache-Control: no-store``, the Content-Security-Policy, and the admin site's scoping
to the administrator's department.
"""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core import checks

MIDDLEWARE_NEEDED = {
    "django.contrib.sessions.middleware.SessionMiddleware": "binome.E001",
    "partners.middleware.SessionTimeoutMiddleware": "binome.E001",
    "partners.middleware.NoStoreMiddleware": "binome.E003",
    "django.middleware.csp.ContentSecurityPolicyMiddleware": "binome.E004",
    "django_otp.middleware.OTPMiddleware": "binome.E005",
    "partners.middleware.SecondFactorRequiredMiddleware": "binome.E005",
}
MAX_IDLE = 30 * 60
MAX_ABSOLUTE = 12 * 60 * 60
CSP_DIRECTIVES_NEEDED = ("default-src", "script-src", "object-src", "frame-ancestors")


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"Le middleware {name} manque dans MIDDLEWARE.",
            hint="Il protège les données personnelles : voir docs/deployment.md.",
            id=check_id,
        )
        for name, check_id in MIDDLEWARE_NEEDED.items()
        if name not in settings.MIDDLEWARE
    ]


def check_sessions(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    idle = getattr(settings, "BINOME_SESSION_IDLE_TIMEOUT", None)
    absolute = getattr(settings, "BINOME_SESSION_ABSOLUTE_TIMEOUT", None)
    if not idle or idle > MAX_IDLE:
        errors.append(
            checks.Error(
                "BINOME_SESSION_IDLE_TIMEOUT doit valoir au plus 30 minutes (1800 secondes).",
                id="binome.E001",
            )
        )
    if not absolute or absolute > MAX_ABSOLUTE or settings.SESSION_COOKIE_AGE > MAX_ABSOLUTE:
        errors.append(
            checks.Error(
                "BINOME_SESSION_ABSOLUTE_TIMEOUT et SESSION_COOKIE_AGE doivent valoir au plus "
                "12 heures (43200 secondes).",
                id="binome.E002",
            )
        )
    return errors


def check_csp(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    policy = getattr(settings, "SECURE_CSP", None) or {}
    missing = [directive for directive in CSP_DIRECTIVES_NEEDED if directive not in policy]
    unsafe = [
        directive
        for directive, sources in policy.items()
        if any("unsafe-inline" in str(source) or "unsafe-eval" in str(source) for source in sources)
    ]
    errors: list[checks.CheckMessage] = []
    if missing:
        errors.append(
            checks.Error(
                f"SECURE_CSP doit définir {', '.join(missing)}.",
                hint="La politique de sécurité du contenu est décrite dans docs/deployment.md.",
                id="binome.E004",
            )
        )
    if unsafe:
        errors.append(
            checks.Error(
                f"SECURE_CSP autorise du code en ligne ({', '.join(unsafe)}) : utilisez un nonce.",
                id="binome.E004",
            )
        )
    return errors


def check_second_factor(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    required = set(getattr(settings, "BINOME_OTP_REQUIRED_ROLES", ()))
    if not {"admin", "auditor"} <= required:
        return [
            checks.Error(
                "BINOME_OTP_REQUIRED_ROLES doit comprendre « admin » et « auditor ».",
                id="binome.E005",
            )
        ]
    return []


def admin_scope_errors(site: admin.AdminSite) -> list[checks.CheckMessage]:
    """Every ModelAdmin of ``site`` is scoped to the administrator's department (and so is each of
    its inlines) or kept to the operators: a new one that is neither would show every department."""
    from partners.admin import (
        DepartmentScoped,
        OperatorOnlyAdmin,
    )  # the admin site is loaded by now

    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if not site.is_registered(model):
            continue
        model_admin = site.get_model_admin(model)
        if isinstance(model_admin, OperatorOnlyAdmin):
            continue  # its pages, inlines included, open to the operators only
        unscoped = [] if isinstance(model_admin, DepartmentScoped) else [type(model_admin).__name__]
        unscoped += [
            inline.__name__
            for inline in model_admin.inlines
            if not issubclass(inline, DepartmentScoped)
        ]
        errors += [
            checks.Error(
                f"L'administration de {model._meta.label} ({name}) n'est pas limitée au "
                "département de l'administrateur·rice.",
                hint="Héritez de partners.admin.DepartmentScopedAdmin (ou de DepartmentScoped "
                "pour un inline), ou d'OperatorOnlyAdmin : docs/architecture.md.",
                obj=model_admin,
                id="binome.E006",
            )
            for name in unscoped
        ]
    return errors


def check_admin_scope(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return admin_scope_errors(admin.site)


def register() -> None:
    for check in (
        check_middleware,
        check_sessions,
        check_csp,
        check_second_factor,
        check_admin_scope,
    ):
        checks.register(check, checks.Tags.security)
