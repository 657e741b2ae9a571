"""Each role lands on its own work: the social correspondent on her one-off requests, the
supervisor on the dashboard, with what needs action first."""

import pytest
from playwright.sync_api import Browser, Page, expect

from casework.enums import CaseState
from partners.enums import Role
from tests.browser.accessibility import axe_violations, horizontal_overflow
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD, PairFactory, ProfessionalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, live_server, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_social_correspondent_lands_on_her_requests(page: Page, live_server):
    correspondent = ProfessionalFactory(role=Role.SOCIAL_WORKER, is_social_correspondent=True)

    _log_in(page, live_server, correspondent.email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes ponctuelles")
    expect(page.get_by_text("Correspondant·e social·e").first).to_be_visible()


def test_the_supervisor_lands_on_what_needs_action(page: Page, browser: Browser, live_server):
    pair = PairFactory()
    for _ in range(2):  # never seen by their référent: both « sans entretien »
        CaseFactory(pair=pair, beneficiary__department=pair.department, state=CaseState.ACTIVE)
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=pair.advisor.organisation)

    _log_in(page, live_server, supervisor.email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord de mon périmètre")
    tile = page.locator(".fr-tile").filter(has_text="Sans entretien avec le ou la référent·e")
    expect(tile).to_contain_text("2")
    assert axe_violations(page) == []
    phone = browser.new_context(
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        storage_state=page.context.storage_state(),
    )
    try:
        narrow = phone.new_page()
        narrow.goto(page.url)
        expect(narrow.get_by_role("heading", name="À traiter")).to_be_in_viewport()
        assert (horizontal_overflow(narrow), axe_violations(narrow)) == (0, [])
    finally:
        phone.close()
    tile.get_by_role("link").click()
    expect(page.get_by_role("row")).to_have_count(3)  # the header and the two people
    page.get_by_role("link", name="Mon équipe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon équipe")
    expect(page.get_by_text(pair.advisor.full_name).first).to_be_visible()
