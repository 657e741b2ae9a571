from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from casework import services as case_services
from casework.enums import CaseState, ShareCategory
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_three_way_diagnostic_validated_signed_and_shared_as_agreed(
    page: Page, new_page: Callable[[], Page], live_server
):
    case = CaseFactory(
        state=CaseState.DIAGNOSTIC,
        beneficiary__first_name="Nadia",
        beneficiary__last_name="Benali",
    )
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.SOCIAL_SUMMARY],
        how_obtained="oral_three_way",
        acting_user=case.pair.social_worker,
    )
    diagnostic_url = f"{live_server.url}/accompagnements/{case.pk}/diagnostic/"

    # The social worker drafts it with the person, in a three-way interview.
    _login(page, live_server.url, case.pair.social_worker.email)
    page.goto(f"{live_server.url}/accompagnements/{case.pk}/")
    page.get_by_role("link", name="Diagnostic partagé").click()
    page.get_by_role("button", name="Commencer le diagnostic").click()
    page.get_by_role("textbox", name="Parole de la personne").fill(
        "Je veux reprendre un travail en cuisine."
    )
    page.get_by_role("textbox", name="Atouts et compétences").fill("Ponctuelle, CAP cuisine.")
    page.locator("form:has(input[value=person])").get_by_role("button", name="Enregistrer").click()
    page.get_by_role("textbox", name="Synthèse sociale").fill(
        "Hébergée chez sa sœur, cherche un logement."
    )
    page.locator("form:has(input[value=social])").get_by_role("button", name="Enregistrer").click()
    page.get_by_role("textbox", name="Éléments sociaux détaillés").fill(
        "Dette de loyer de 2 300 euros."
    )
    page.locator("form[action$='elements-sociaux/']").get_by_role(
        "button", name="Enregistrer"
    ).click()
    page.get_by_label("La difficulté, dans les mots de la personne").fill("Je dors chez ma sœur")
    page.get_by_role("button", name="Noter la difficulté").click()
    page.locator("label", has_text="La personne valide le diagnostic").click()
    page.get_by_role("button", name="Enregistrer l'avis de la personne").click()
    expect(page.get_by_text("La personne a validé ce diagnostic")).to_be_visible()
    page.get_by_role("button", name="Signer le diagnostic").click()
    expect(page.get_by_text("la seconde signature verrouillera")).to_be_visible()

    # The advisor sees what the accord covers, not the social details, and signs.
    advisor = new_page()
    _login(advisor, live_server.url, case.pair.advisor.email)
    advisor.goto(diagnostic_url)
    expect(advisor.get_by_text("Hébergée chez sa sœur, cherche un logement.")).to_be_visible()
    expect(advisor.get_by_text("Dette de loyer")).to_have_count(0)
    expect(advisor.get_by_text("Je dors chez ma sœur")).to_have_count(0)  # housing not agreed
    advisor.get_by_role("button", name="Signer le diagnostic").click()
    expect(advisor.get_by_text("Diagnostic signé par le binôme et verrouillé.")).to_be_visible()
    expect(advisor.get_by_text("Version 1 — Verrouillé")).to_be_visible()
