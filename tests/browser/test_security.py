"""In a real browser: the second factor at login, and no page breaks the Content-Security-Policy."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Page, expect

from casework.enums import CaseState
from partners.enums import Role
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD, ProfessionalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_csp(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def _log_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_admin_gives_the_code_of_their_application(page: Page, live_server):
    admin = ProfessionalFactory(role=Role.ADMIN)
    device = TOTPDevice.objects.create(user=admin, name="Téléphone", confirmed=True)
    violations = _watch_csp(page)

    _log_in(page, live_server, admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Code de double authentification")
    page.get_by_label("Code à six chiffres").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", level=1)).not_to_have_text("Code de double authentification")
    assert page.url == f"{live_server.url}/"
    assert violations == []


def test_case_pages_respect_the_content_security_policy(page: Page, live_server):
    case = CaseFactory(state=CaseState.ACTIVE)
    violations = _watch_csp(page)

    _log_in(page, live_server, case.pair.social_worker.email)
    for path in (
        "/portefeuille/",
        f"/accompagnements/{case.pk}/",
        f"/accompagnements/{case.pk}/diagnostic/",
        "/remplacements/",
        "/double-authentification/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()

    assert violations == []
