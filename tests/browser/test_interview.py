import pytest
from playwright.sync_api import Page, expect

from casework.enums import CaseState
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD, PairFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_advisor_logs_interview_and_person_leaves_overdue_filter(page: Page, live_server):
    pair = PairFactory()
    CaseFactory(
        pair=pair,
        beneficiary__department=pair.department,
        beneficiary__first_name="Nadia",
        beneficiary__last_name="Benali",
        state=CaseState.ACTIVE,
    )
    CaseFactory(
        pair=pair,
        beneficiary__department=pair.department,
        beneficiary__last_name="Durand",
        state=CaseState.ACTIVE,
    )

    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(pair.advisor.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.locator("label[for=sans_entretien]").click()
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("link", name="BENALI Nadia")).to_be_visible()

    page.get_by_role("link", name="BENALI Nadia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia BENALI")
    page.get_by_label("Modalité").select_option(label="Par téléphone")
    page.get_by_label("Compte rendu").fill("Point sur les candidatures en cours.")
    page.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(page.locator("#resume-a-copier")).to_contain_text(
        "par téléphone. Point sur les candidatures en cours."
    )

    page.get_by_role("link", name="Mon portefeuille").click()
    page.locator("label[for=sans_entretien]").click()
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("link", name="DURAND", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="BENALI Nadia")).to_have_count(0)
