import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo import open_menu_group
from tests.partners.factories import TEST_PASSWORD, PairFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_advisor_logs_in_and_sees_caseload_then_pairs(page: Page, live_server):
    pair = PairFactory(
        advisor__first_name="Camille",
        social_worker__first_name="Sophie",
        social_worker__last_name="Laurent",
    )

    page.goto(live_server.url)
    expect(page).to_have_title("Connexion — Binôme")
    page.get_by_label("Adresse électronique professionnelle").fill(pair.advisor.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mon portefeuille")
    open_menu_group(page, "Binômes")
    page.get_by_role("link", name="Mes binômes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes binômes")
    expect(page.get_by_role("cell", name="Sophie Laurent", exact=True)).to_be_visible()


def test_wrong_password_shows_french_error(page: Page, live_server):
    pair = PairFactory()

    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(pair.advisor.email)
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("alert")).to_contain_text("Adresse électronique ou mot de passe")
    expect(page.get_by_label("Adresse électronique professionnelle")).to_have_value(
        pair.advisor.email
    )
