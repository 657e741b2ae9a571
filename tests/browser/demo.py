"""The demo department in the browser tests: its logins, logging in, and checking pages on a
phone's width (the ``demo`` fixture that loads it is in conftest.py)."""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from partners.demo import DEMO_EMAIL_DOMAIN
from partners.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.accessibility import Audit, horizontal_overflow, overflowing_elements

ADVISOR = f"conseillere@{DEMO_EMAIL_DOMAIN}"
SOCIAL_WORKER = f"travailleuse.sociale@{DEMO_EMAIL_DOMAIN}"
SUPERVISOR = f"encadrante@{DEMO_EMAIL_DOMAIN}"
AUDITOR = f"auditrice@{DEMO_EMAIL_DOMAIN}"
ADMIN = f"admin@{DEMO_EMAIL_DOMAIN}"
CORRESPONDENT = f"correspondante.sociale@{DEMO_EMAIL_DOMAIN}"


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def second_factor(page: Page, email: str) -> None:
    """After ``log_in`` as the administrator or the auditor: their TOTP code, as their app shows."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Code de double authentification")
    device = TOTPDevice.objects.get(user__email=email)
    page.get_by_label("Code à six chiffres").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Code de double authentification")


def open_menu_group(page: Page, name: str) -> None:
    """A group of the main menu, opened: under load, a first click can come before the design
    system's script handles the button, and does nothing; it is clicked again until it opens."""
    group = page.get_by_role("button", name=name, exact=True)
    for _ in range(5):
        group.click()
        try:
            expect(group).to_have_attribute("aria-expanded", "true", timeout=2_000)
        except AssertionError:
            continue
        return
    raise AssertionError(f"Le groupe « {name} » du menu ne s'ouvre pas.")


def narrow_pages(browser: Browser, page: Page, urls: list[str], audit: Audit) -> list[str]:
    """The pages at 390 px wide (a phone), with ``page``'s session: what overflows or hides."""
    problems = []
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        storage_state=page.context.storage_state(),
    )
    try:
        narrow = context.new_page()
        narrow.set_default_timeout(10_000)
        for url in urls:
            narrow.goto(url)
            expect(narrow.locator("h1").first).to_be_visible()
            expect(narrow.get_by_role("button", name="Menu")).to_be_visible()
            overflow = horizontal_overflow(narrow)
            if overflow:
                problems.append(
                    f"{url} : {overflow} px de trop en largeur à 390 px "
                    f"({', '.join(overflowing_elements(narrow))})"
                )
            audit.check(narrow, f"390 px {url}")
    finally:
        context.close()
    return problems
