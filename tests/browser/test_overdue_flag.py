"""« Sans entretien » in the browser, after an interview saved on the case page by each kind of
author: the référent's and a remplaçant·e's clear it, the co-accompagnant·e's leaves it and the
badge says whose interview is missing (the one rule of docs/roles.md)."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from casework import services
from casework.enums import CaseState
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CO_BADGE = "Sans entretien avec le ou la référent·e depuis plus de 30 jours"


@pytest.mark.parametrize("author", ["référent·e", "remplaçant·e", "co-accompagnant·e"])
def test_the_flag_after_an_interview_by_each_kind_of_author(page: Page, live_server, today, author):
    case = CaseFactory(
        state=CaseState.ACTIVE, beneficiary__first_name="Nadia", beneficiary__last_name="Benali"
    )
    who = {"référent·e": case.referent, "co-accompagnant·e": case.pair.social_worker}.get(author)
    if who is None:
        who = CaseFactory(pair__department=case.pair.department).pair.advisor
        services.delegation_give(
            replaced=case.referent,
            delegate=who,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=7),
            reason="Congés",
            acting_user=case.referent,
            cases=[case],
        )
    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(who.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/accompagnements/{case.pk}/")
    expect(page.locator("p").filter(has_text="Sans entretien")).to_be_visible()

    page.get_by_label("Compte rendu").fill("Point sur la recherche d'emploi.")
    page.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(page.locator("#resume-a-copier")).to_be_visible()
    page.get_by_role("link", name="Mon portefeuille").click()

    row = page.get_by_role("row").filter(has_text="BENALI")
    if author == "co-accompagnant·e":
        expect(row).to_contain_text(
            "Sans entretien avec le ou la référent·e depuis plus de 30 jours"
        )
        expect(row).to_contain_text(who.full_name)  # the last interview: hers, not the référent's
    else:
        expect(row).not_to_contain_text("Sans entretien")
