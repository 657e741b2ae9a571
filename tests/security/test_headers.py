"""Security headers, the custom system checks and ``check --deploy`` on production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners import checks
from partners.enums import Role
from tests.partners.factories import ProfessionalFactory

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.django_db
def test_every_page_carries_the_content_security_policy(login_client):
    anonymous = Client().get(reverse("login"))
    logged_in = login_client(ProfessionalFactory(role=Role.ADVISOR)).get(reverse("my_pairs"))

    assert anonymous["Content-Security-Policy"] == CSP
    assert logged_in["Content-Security-Policy"] == CSP
    assert logged_in["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_with_personal_data_are_not_stored(login_client):
    response = login_client(ProfessionalFactory(role=Role.ADVISOR)).get(reverse("caseload"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, no-cache, private, max-age=0"


def _converters(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _converters(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            for name, converter in getattr(pattern.pattern, "converters", {}).items():
                yield prefix + str(pattern.pattern), name, type(converter).__name__


#: Path parameters that are not numeric ids: a fixed vocabulary, never a person's data.
#: ``partner_ref``: a partner system's own id for an appointment (partner API), never a
#: person's data.
WORD_PARAMETERS = {"figure", "fmt", "channel", "kind", "category", "partner_ref"}
#: The activation link (partners.tokens): an encoded id and a one-time token, no personal data;
#: Django's view moves the token into the session and redirects to « set-password » at once, and
#: the request log records the route, never the path.
ONE_TIME_LINK = {("activer/<uidb64>/<token>/", "uidb64"), ("activer/<uidb64>/<token>/", "token")}


def test_no_personal_data_in_urls():
    """Every path parameter of our URLs is a numeric id or a word of a fixed vocabulary (the
    admin site's own URLs aside); searches by name go by POST (see
    casework.views.cases.caseload)."""
    suspicious = sorted(
        (route, name, converter)
        for route, name, converter in _converters()
        if not route.startswith("admin/")
        and converter != "IntConverter"
        and name not in WORD_PARAMETERS
        and (route, name) not in ONE_TIME_LINK
    )

    assert suspicious == []


def test_system_checks_pass_with_the_settings():
    assert checks.check_middleware() + checks.check_sessions() + checks.check_csp() == []
    assert checks.check_second_factor() == []


def test_system_checks_fail_when_a_protection_is_off():
    without = [m for m in settings.MIDDLEWARE if m != "partners.middleware.NoStoreMiddleware"]
    without = [m for m in without if "csp" not in m]
    with override_settings(
        MIDDLEWARE=without,
        BINOME_SESSION_IDLE_TIMEOUT=3600,
        SESSION_COOKIE_AGE=24 * 3600,
        SECURE_CSP={"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]},
        BINOME_OTP_REQUIRED_ROLES=["admin"],
    ):
        found = [
            message.id
            for message in checks.check_middleware()
            + checks.check_sessions()
            + checks.check_csp()
            + checks.check_second_factor()
        ]

    assert found == [
        "binome.E003",
        "binome.E004",
        "binome.E001",
        "binome.E002",
        "binome.E004",
        "binome.E004",
        "binome.E005",
    ]


def test_production_settings_pass_check_deploy():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "OIDC_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x7#kQ2!vN9@pL4$wR8^tY1&uI6*oP3(aS5)dF0_gH2+jK7=lZ9-cX4",
        ALLOWED_HOSTS="binome.example.fr",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CSRF_TRUSTED_ORIGINS="https://binome.example.fr",
    )

    result = subprocess.run(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert "System check identified no issues" in result.stdout
