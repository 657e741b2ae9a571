from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework.enums import CaseState
from tests.casework.factories import CaseFactory
from tests.orientation.factories import lock, make_diagnostic
from tests.partners.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_recommendation_signed_by_both_then_decision_sets_referent(
    page: Page, new_page: Callable[[], Page], live_server
):
    case = CaseFactory(
        state=CaseState.DIAGNOSTIC,
        pair__advisor__first_name="Camille",
        pair__advisor__last_name="Martin",
        pair__social_worker__first_name="Sophie",
        pair__social_worker__last_name="Laurent",
    )
    lock(make_diagnostic(case))
    orientation_url = f"{live_server.url}/accompagnements/{case.pk}/orientation/"

    _login(page, live_server.url, case.pair.advisor.email)
    page.goto(f"{live_server.url}/accompagnements/{case.pk}/")
    page.get_by_role("link", name="Orientation : préconisations et décisions").click()
    page.get_by_role("link", name="Préconiser un parcours").click()
    expect(page.get_by_text("Aide à la décision : les critères nationaux")).to_be_visible()
    page.locator("label", has_text="Parcours socioprofessionnel").click()
    page.get_by_label("Motifs").fill("Projet en restauration ; logement à stabiliser.")
    page.locator("label", has_text="La personne est d'accord").click()
    page.get_by_role("button", name="Enregistrer et signer la préconisation").click()
    expect(page.get_by_text("En attente de signature", exact=False)).to_be_visible()

    social_worker = new_page()
    _login(social_worker, live_server.url, case.pair.social_worker.email)
    social_worker.goto(f"{live_server.url}/notifications/")
    expect(social_worker.get_by_text("Préconisation à signer")).to_be_visible()
    social_worker.goto(orientation_url)
    social_worker.get_by_role("button", name="Signer la préconisation").click()
    expect(social_worker.get_by_text("en attente de décision")).to_be_visible()

    social_worker.get_by_role("link", name="Enregistrer une décision d'orientation").click()
    social_worker.get_by_label("Motifs de la décision").fill("Suit la préconisation du binôme.")
    social_worker.get_by_role("button", name="Enregistrer la décision").click()
    expect(social_worker.get_by_text("Décision d'orientation enregistrée.")).to_be_visible()

    social_worker.goto(f"{live_server.url}/accompagnements/{case.pk}/")
    expect(social_worker.locator(".fr-badge").first).to_have_text("En cours")
    identity = social_worker.locator("[aria-labelledby=titre-accompagnement] dl")
    expect(identity).to_contain_text("Référent·e unique Camille Martin")
    expect(identity).to_contain_text("Co-accompagnant·e Sophie Laurent")
    expect(identity).to_contain_text("Parcours socioprofessionnel")
