"""The case page built around the next interview (issue « la journée d'un binôme »): the form in the
first screen at 1280×800 and one tap away at 390 px, « En bref » with the accord's categories in
words, the confirmation and the summary to copy in view after saving, and no serious or critical
axe-core violation at either width."""

import datetime
from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from casework import services as case_services
from casework.enums import CaseState, ShareCategory
from casework.models import Case
from tests.browser.accessibility import axe_violations, horizontal_overflow
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD, PairFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(today: datetime.date) -> Case:
    pair = PairFactory()
    case = CaseFactory(
        pair=pair,
        beneficiary__department=pair.department,
        beneficiary__first_name="Nadia",
        beneficiary__last_name="Benali",
        state=CaseState.ACTIVE,
    )
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HOUSING, ShareCategory.SOCIAL_SUMMARY],
        how_obtained="oral_three_way",
        acting_user=pair.social_worker,
        expires_on=today + datetime.timedelta(days=180),
    )
    return case


@pytest.fixture
def window(browser: Browser) -> Iterator[Callable[[int, int], Page]]:
    contexts = []

    def open_at(width: int, height: int) -> Page:
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_at
    for context in contexts:
        context.close()


def _open_case(page: Page, live_server, case: Case) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(case.pair.advisor.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_server.url + reverse("case_detail", kwargs={"pk": case.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia BENALI")


def test_interview_form_in_the_first_screen_and_its_confirmation_in_view(
    window, live_server, case, today
):
    page = window(1280, 800)
    _open_case(page, live_server, case)
    save = page.get_by_role("button", name="Enregistrer l'entretien")
    facts = page.locator("#en-bref")

    expect(page.locator("#etat-accompagnement")).to_contain_text("Sans entretien")
    box = save.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800, box  # no scrolling
    expect(facts).to_contain_text(
        "il couvre «\u00a0Difficultés : logement\u00a0», «\u00a0Synthèse sociale\u00a0»"
    )
    expect(facts).to_contain_text(case.referent.full_name)
    assert axe_violations(page) == []

    page.get_by_label("Modalité").select_option(label="Par téléphone")
    page.get_by_label("Compte rendu").fill("Point sur les candidatures en cours.")
    save.click()

    expect(page.locator("#resume-a-copier")).to_contain_text("Point sur les candidatures")
    expect(page.locator("#resume-a-copier")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Copier le résumé")).to_be_in_viewport()
    # « En bref » and the badges follow the interview just saved (sent again with the answer).
    expect(facts).to_contain_text(f"{today:%d/%m/%Y}, {case.pair.advisor.full_name}")
    expect(page.locator("#etat-accompagnement")).not_to_contain_text("Sans entretien")


def test_interview_form_one_tap_away_on_a_phone(window, live_server, case):
    page = window(390, 844)
    _open_case(page, live_server, case)
    jump = page.get_by_role("link", name="Saisir un entretien").first
    summary = page.get_by_label("Compte rendu")

    expect(jump).to_be_in_viewport()
    expect(summary).not_to_be_in_viewport()
    assert horizontal_overflow(page) == 0
    assert axe_violations(page) == []

    jump.click()

    expect(summary).to_be_in_viewport()
    expect(page.get_by_role("button", name="Enregistrer l'entretien")).to_be_in_viewport()


def test_no_interview_form_once_the_accompaniment_is_closed(window, live_server):
    case = CaseFactory(
        state=CaseState.CLOSED, beneficiary__first_name="Nadia", beneficiary__last_name="Benali"
    )
    page = window(1280, 800)
    _open_case(page, live_server, case)

    expect(
        page.get_by_text("Cet accompagnement est terminé : plus d'entretien à saisir.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer l'entretien")).to_have_count(0)
    expect(page.get_by_role("link", name="Saisir un entretien")).to_have_count(0)
