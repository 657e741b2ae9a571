"""In a real browser: every printed document's « Imprimer et remettre à la personne » button
journals the handing over once and opens the print dialog; opening the document journals nothing.

The page comes back with ``data-autoprint`` and ``binome.js`` calls ``window.print()``; « Imprimer
de nouveau » carries ``data-print``: an inline ``onclick`` would be blocked by the
Content-Security-Policy (``script-src 'self'``). A spy replaces ``window.print`` before the page's
scripts run, so no dialog opens.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from casework import services as case_services
from casework.enums import CaseState, JournalChannel
from casework.models import InformationShare
from orientation import services as orientation_services
from partners.models import Professional
from tests.casework.factories import CaseFactory
from tests.orientation.factories import make_decided_case
from tests.partners.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Every printed document, by URL name. A new printed document adds its name here.
DOCUMENTS = [
    "information_notice",
    "handover_letter",
    "case_journal_print",
    "convocation",
    "diagnostic_copy",
    "decision_letter",
    "plan_print",
    "breach_letter",
]


def printable_documents() -> tuple[Professional, dict[str, str]]:
    """One accompaniment with something in every printed document; its référent (the advisor,
    allowed to print each of them) and the path of each document."""
    case = CaseFactory(
        state=CaseState.ACTIVE,
        beneficiary__first_name="Nadia",
        beneficiary__last_name="Benali",
        beneficiary__address="12 rue des Lilas",
        beneficiary__postal_code="65100",
        beneficiary__city="Lourdes",
    )
    _recommendation, decision = make_decided_case(case)
    advisor = case.pair.advisor
    appointment = case_services.appointment_plan(
        case=case,
        acting_user=advisor,
        planned_at=timezone.now() + datetime.timedelta(days=7),
        place="Agence de Lourdon, bureau 4",
        with_whom=advisor,
    )
    orientation_services.action_add(
        case=case, acting_user=advisor, title="Refaire le CV avec l'atelier", owner="person"
    )
    report = case_services.breach_report(
        case=case, acting_user=case.referent, reason="Trois rendez-vous manqués"
    )
    args: dict[str, list[int]] = {
        "convocation": [case.pk, appointment.pk],
        "breach_letter": [case.pk, report.pk],
        "decision_letter": [case.pk, decision.pk],
    }
    return advisor, {name: reverse(name, args=args.get(name, [case.pk])) for name in DOCUMENTS}


def _watch_csp(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def _log_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url)
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_print_button_opens_the_print_dialog(document: str, page: Page, live_server):
    advisor, paths = printable_documents()
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    violations = _watch_csp(page)
    _log_in(page, live_server, advisor.email)

    page.goto(f"{live_server.url}{paths[document]}")
    opened = InformationShare.objects.filter(channel=JournalChannel.PRINT).count()
    page.get_by_role("button", name="Imprimer et remettre à la personne").click()
    expect(page.get_by_text("La remise de ce document à la personne est inscrite")).to_be_visible()
    page.wait_for_load_state("load")  # binome.js prints on the window's load event

    assert opened == 0
    assert InformationShare.objects.filter(channel=JournalChannel.PRINT).count() == 1
    assert page.evaluate("window.__printed") == 1
    page.get_by_role("button", name="Imprimer de nouveau").click()
    assert page.evaluate("window.__printed") == 2
    assert InformationShare.objects.filter(channel=JournalChannel.PRINT).count() == 1
    assert violations == []
