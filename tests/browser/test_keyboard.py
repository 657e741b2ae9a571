"""An interview logged with the keyboard alone (RGAA 7.3 and 12.13: everything usable without a
mouse), and the case page clean for axe-core."""

import pytest
from playwright.sync_api import Page, expect

from casework.enums import CaseState
from tests.browser.accessibility import axe_violations
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page: Page, element_id: str = "", text: str = "", limit: int = 150) -> None:
    """Press Tab until the element with that id (or that text) has the focus."""
    for _ in range(limit):
        focused = page.evaluate(
            "[document.activeElement.id, document.activeElement.textContent.trim()]"
        )
        if focused == [element_id, text] or (element_id and focused[0] == element_id):
            return
        if text and focused[1] == text:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"« {element_id or text} » n'est pas atteint au clavier")


def test_interview_logged_with_the_keyboard_alone(page: Page, live_server):
    case = CaseFactory(
        state=CaseState.ACTIVE, beneficiary__first_name="Nadia", beneficiary__last_name="Benali"
    )

    page.goto(f"{live_server.url}/connexion/")
    page.keyboard.press("Tab")
    _tab_to(page, "id_username")
    page.keyboard.type(case.referent.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon portefeuille")

    page.goto(f"{live_server.url}/accompagnements/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia BENALI")
    assert axe_violations(page) == []
    _tab_to(page, "id_channel")
    page.keyboard.type("Par t")  # the select's type-ahead: « Par téléphone »
    expect(page.locator("#id_channel")).to_have_value("phone")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # three-way
    expect(page.locator("#id_three_way")).to_be_checked()
    _tab_to(page, "id_summary")
    page.keyboard.type("Appel au clavier : point sur la formation de cariste.")
    _tab_to(page, text="Enregistrer l'entretien")
    page.keyboard.press("Enter")

    expect(page.locator("#resume-a-copier")).to_contain_text(
        "Appel au clavier : point sur la formation de cariste."
    )
    history = page.get_by_role("region", name="Historique")
    expect(history).to_contain_text("Par téléphone, tripartite")
    expect(history).to_contain_text("Appel au clavier : point sur la formation de cariste.")
    assert case.interviews.count() == 1
