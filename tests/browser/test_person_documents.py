"""In a real browser, on a 390 px phone: the person marks their action done on their plan
d'action, opens their documents, and prints one (``data-print``, binome.js: the
Content-Security-Policy blocks inline handlers). Every page is checked with axe-core."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from casework.enums import CaseState
from casework.space import services as space_services
from orientation import services as orientation_services
from orientation.enums import ActionStatus
from orientation.models import Action
from partners.models import OutboxMessage
from tests.browser.accessibility import Audit, horizontal_overflow, overflowing_elements
from tests.casework.factories import CaseFactory
from tests.orientation.factories import make_decided_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "nadia@exemple.fr"
CODE = re.compile(r"Votre code pour entrer dans votre espace Binôme : (\d{6})")


def _code() -> str:
    row = (
        OutboxMessage.objects.filter(key__startswith="space-code:", payload__to=[EMAIL])
        .order_by("-pk")
        .first()
    )
    assert row is not None
    match = CODE.search(row.payload["body"])
    assert match is not None
    return match.group(1)


def _fits(page: Page, problems: list[str]) -> None:
    overflow = horizontal_overflow(page)
    if overflow:
        problems.append(
            f"{page.url} : {overflow} px de trop à 390 px ({', '.join(overflowing_elements(page))})"
        )


def test_the_person_marks_an_action_done_and_prints_a_document(browser: Browser, live_server):
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__first_name="Nadia")
    make_decided_case(case)
    advisor = case.pair.advisor
    own = orientation_services.action_add(
        case=case,
        acting_user=advisor,
        title="Refaire mon CV avec l'atelier",
        owner="person",
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    orientation_services.action_add(
        case=case, acting_user=advisor, title="Chercher une formation", owner="advisor"
    )
    space_services.space_invite(case=case, email=EMAIL, acting_user=case.pair.social_worker)
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    audit = Audit()
    narrow: list[str] = []

    page.goto(f"{live_server.url}/mon-espace/connexion/")
    page.get_by_label("Votre adresse électronique").fill(EMAIL)
    page.get_by_role("button", name="Recevoir un code").click()
    page.get_by_label("Code reçu").fill(_code())
    page.get_by_role("button", name="Entrer dans mon espace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Nadia")

    # Her plan d'action: she says her action is done, in a few words.
    page.get_by_role("link", name=re.compile("Mon plan d'action")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon plan d'action")
    audit.check(page, "plan d'action de l'espace")
    _fits(page, narrow)
    expect(page.get_by_role("button", name=re.compile("C'est fait"))).to_have_count(1)
    page.get_by_label("Un mot pour vos professionnel·les").fill("Envoyé à trois restaurants.")
    page.get_by_role("button", name=re.compile("C'est fait")).click()
    expect(page.get_by_text("Votre commentaire : « Envoyé à trois restaurants. »")).to_be_visible()
    audit.check(page, "action faite")
    own.refresh_from_db()
    assert own.status == ActionStatus.DONE

    # Her documents: the decision letter, the plan; she prints the plan.
    page.goto(f"{live_server.url}/mon-espace/")
    page.get_by_role("link", name=re.compile("Mes documents")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    audit.check(page, "documents de l'espace")
    _fits(page, narrow)
    page.get_by_role("link", name="Mon contrat et mon plan d'action").click()
    expect(page.get_by_text("Refaire mon CV avec l'atelier")).to_be_visible()
    audit.check(page, "plan imprimable de l'espace")
    _fits(page, narrow)
    page.get_by_role("button", name="Imprimer ou enregistrer en PDF").click()
    assert page.evaluate("window.__printed") == 1

    assert Action.objects.get(title="Chercher une formation").status == ActionStatus.TO_DO
    assert violations == []
    assert audit.problems == [], "\n".join(audit.problems)
    assert narrow == [], "\n".join(narrow)
    context.close()
