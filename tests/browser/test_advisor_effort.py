"""A trained advisor's most frequent task, counted: from the login page to a saved interview with
a summary, for a person found by name, at 1280×800. Every click, every key and every scroll the
advisor needs is counted (a target outside the window needs a scroll first); the test prints the
counts and fails if the path gets longer than it is today."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from casework.enums import CaseState
from tests.casework.factories import CaseFactory, InterviewFactory
from tests.partners.factories import TEST_PASSWORD, PairFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMARY = "Point sur les candidatures ; relance de deux employeurs."
#: What the path costs today. The same script on the case page before its redesign (3980ac3):
#: 4 clicks, 99 keys, 2 scrolls (down to the form, then to the confirmation); most keys are the
#: address, the password, the name and the summary, which nothing can type for the advisor.
BUDGET = {"clics": 4, "frappes": 99, "défilements": 0}


@dataclass
class Effort:
    page: Page
    clicks: int = 0
    keys: int = 0
    scrolls: int = 0

    def _reach(self, target: Locator) -> None:
        visible = target.evaluate(
            "e => { const r = e.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }"
        )
        if not visible:
            self.scrolls += 1

    def click(self, target: Locator) -> None:
        self._reach(target)
        target.click()
        self.clicks += 1

    def focus(self, target: Locator) -> None:
        """Get to a field to type in it: nothing to do when the page put the cursor there."""
        if not target.evaluate("e => e === document.activeElement"):
            self.click(target)

    def see(self, target: Locator) -> None:
        """Read something: a scroll if it is outside the window."""
        expect(target).to_be_visible()
        self._reach(target)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def counts(self) -> dict[str, int]:
        return {"clics": self.clicks, "frappes": self.keys, "défilements": self.scrolls}


def test_advisor_logs_an_interview_for_a_person_found_by_name(browser: Browser, live_server):
    pair = PairFactory(advisor__email="c.martin@ft.fr")
    for last_name in ("Benali", "Bernard", "Durand", "Lefèvre"):
        case = CaseFactory(
            pair=pair,
            beneficiary__department=pair.department,
            beneficiary__first_name="Nadia",
            beneficiary__last_name=last_name,
            state=CaseState.ACTIVE,
        )
        for _ in range(3):  # a history, as on a real page
            InterviewFactory(case=case, author=pair.advisor)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    effort = Effort(page)
    try:
        page.goto(live_server.url)
        effort.focus(page.get_by_label("Adresse électronique professionnelle"))
        effort.type(pair.advisor.email)
        effort.press("Tab")
        effort.type(TEST_PASSWORD)
        effort.press("Enter")
        effort.focus(page.get_by_label("Rechercher une personne", exact=False))
        effort.type("benali")
        effort.press("Enter")
        effort.click(page.get_by_role("link", name="BENALI Nadia"))
        effort.focus(page.get_by_label("Compte rendu"))
        effort.type(SUMMARY)
        effort.click(page.get_by_role("button", name="Enregistrer l'entretien"))
        expect(page.locator("#resume-a-copier")).to_contain_text(SUMMARY)
        effort.see(page.locator("#resume-a-copier"))  # the summary to copy into France Travail
    finally:
        context.close()

    counts = effort.counts()
    print(f"Entretien saisi depuis la page de connexion : {counts}")
    assert all(counts[measure] <= limit for measure, limit in BUDGET.items()), counts
