import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.enums import CaseState
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _plan(page: Page, hour: str, place: str) -> None:
    page.get_by_label("Date et heure").fill(f"{timezone.localdate():%Y-%m-%d}T{hour}")
    page.get_by_label("Lieu").fill(place)
    page.get_by_label("Avec").select_option(index=1)
    page.get_by_role("button", name="Planifier le rendez-vous").click()
    expect(page.get_by_text("Rendez-vous planifié le")).to_be_visible()


def test_referent_convenes_records_outcomes_and_completes_an_action(page: Page, live_server):
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__first_name="Nadia")
    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(case.referent.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/accompagnements/{case.pk}/")
    page.get_by_role("link", name="rendez-vous et convocations").click()

    _plan(page, "09:00", "Agence de Lourdon, bureau 4")
    page.get_by_role("link", name="Imprimer").first.click()
    expect(page.get_by_role("heading", name="Convocation à un rendez-vous")).to_be_visible()
    expect(page.get_by_text("Agence de Lourdon, bureau 4")).to_be_visible()
    page.go_back()

    page.get_by_label("Issue", exact=True).select_option(label="Absence excusée")
    page.get_by_label("Explication de la personne").fill("Enfant malade")
    page.get_by_role("button", name="Enregistrer l'issue").click()
    expect(page.get_by_role("cell", name="Absence excusée — « Enfant malade »")).to_be_visible()

    _plan(page, "14:00", "Agence de Lourdon, bureau 4")
    page.get_by_label("Issue", exact=True).select_option(label="Rendez-vous honoré")
    page.get_by_role("button", name="Enregistrer l'issue").click()
    expect(page.get_by_role("cell", name="Rendez-vous honoré")).to_be_visible()

    page.goto(f"{live_server.url}/accompagnements/{case.pk}/plan/")
    page.get_by_label("Action", exact=True).fill("Refaire le CV avec l'atelier")
    page.get_by_role("button", name="Ajouter l'action").click()
    page.get_by_label("État de l'action « Refaire le CV avec l'atelier »").select_option(
        label="Faite"
    )
    page.get_by_role(
        "button", name="Enregistrer l'état de « Refaire le CV avec l'atelier »"
    ).click()
    expect(page.get_by_text("État de l'action enregistré.")).to_be_visible()
    expect(page.get_by_label("État de l'action « Refaire le CV avec l'atelier »")).to_have_value(
        "done"
    )
