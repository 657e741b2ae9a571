"""A signalement de manquement, step by step, in a real browser (loi « pour le plein emploi »).

The référent drafts it; it leaves nothing. She prints the information letter and hands it over:
that informs the person and opens her delay. Transmission is refused while the delay runs and no
observations are recorded. The person writes her observations in her space; the référent
transmits the report with them, records the authority's decision (a suspension-remobilisation,
its rate and length) and, later, the remobilisation. The person's journal, in her space, shows
each step; no message was sent to her about any of it.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from casework.enums import CaseState
from casework.space import services as space_services
from partners.models import OutboxMessage
from tests.browser.accessibility import Audit
from tests.casework.factories import CaseFactory
from tests.partners.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "nadia.benali@exemple.fr"
CODE = re.compile(r"Votre code pour entrer dans votre espace Binôme : (\d{6})")
REASON = "Trois rendez-vous manqués sans nouvelles depuis septembre."
OBSERVATIONS = "J'étais hospitalisée en septembre ; je n'ai pas reçu les convocations."


def _code_in_outbox() -> str:
    row = (
        OutboxMessage.objects.filter(key__startswith="space-code:", payload__to=[EMAIL])
        .order_by("-pk")
        .first()
    )
    assert row is not None, "aucun code dans la boîte d'envoi"
    match = CODE.search(row.payload["body"])
    assert match is not None
    return match.group(1)


def _messages_about_the_person() -> list[str]:
    """The keys of every message queued for the person, but her space login codes."""
    return list(
        OutboxMessage.objects.exclude(key__startswith="space-code:")
        .filter(payload__to=[EMAIL])
        .values_list("key", flat=True)
    )


def _phone(browser: Browser) -> Page:
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_a_breach_report_goes_step_by_step_and_the_person_sees_each(
    page: Page, browser: Browser, live_server
):
    url = live_server.url
    audit = Audit()
    case = CaseFactory(
        state=CaseState.ACTIVE, beneficiary__first_name="Nadia", beneficiary__last_name="Benali"
    )
    referent = case.referent
    space_services.space_invite(case=case, email=EMAIL, acting_user=case.pair.social_worker)
    messages_before = _messages_about_the_person()
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")

    # 1. The référent drafts the report: it is not transmitted.
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse électronique professionnelle").fill(referent.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)
    page.goto(f"{url}/accompagnements/{case.pk}/signalement/")
    page.get_by_label("Motif du signalement").fill(REASON)
    page.get_by_role("button", name="Rédiger le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signalement de manquement du")
    expect(page.get_by_text("Rédigé : la personne n'est pas encore informée")).to_be_visible()
    audit.check(page, "signalement rédigé")
    report_url = page.url

    # 2. She prints the information letter and hands it over: the person is informed.
    page.get_by_role("link", name="Lettre d'information à la personne").click()
    expect(page.get_by_text("Rien n'est décidé.")).to_be_visible()
    audit.check(page, "lettre d'information")
    page.get_by_role("button", name="Imprimer et remettre à la personne").click()
    expect(page.get_by_text("La remise de ce document à la personne est inscrite")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("window.__printed") == 1

    # 3. Transmission while the delay runs, without observations: refused, with the reason.
    page.goto(report_url)
    expect(
        page.get_by_text("La personne est informée : délai pour ses observations")
    ).to_be_visible()
    page.get_by_role("link", name="Transmettre le signalement").click()
    page.get_by_role("button", name="Confirmer la transmission").click()
    expect(
        page.get_by_text(re.compile(r"le signalement ne peut être transmis avant, sauf si"))
    ).to_be_visible()
    expect(page.get_by_text("Transmis au ou à la président·e").first).to_be_visible()
    assert page.url == report_url

    # 4. The person writes her observations in her space, on her phone.
    person = _phone(browser)
    person.goto(f"{url}/mon-espace/connexion/")
    person.get_by_label("Votre adresse électronique").fill(EMAIL)
    person.get_by_role("button", name="Recevoir un code").click()
    person.get_by_label("Code reçu").fill(_code_in_outbox())
    person.get_by_role("button", name="Entrer dans mon espace").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Bonjour Nadia")
    expect(person.get_by_text("Vous pouvez donner vos observations jusqu'au")).to_be_visible()
    person.get_by_role("link", name=re.compile("^Signalement du")).click()
    expect(person.get_by_text(REASON)).to_be_visible()
    audit.check(person, "signalement dans l'espace")
    person.get_by_label("Vos observations").fill(OBSERVATIONS)
    person.get_by_role("button", name="Envoyer mes observations").click()
    expect(person.get_by_text("Vos observations sont enregistrées")).to_be_visible()
    expect(person.get_by_text("vous les avez écrites dans votre espace")).to_be_visible()

    # 5. The référent sees them and transmits the report with them.
    page.goto(report_url)
    expect(page.get_by_text(OBSERVATIONS)).to_be_visible()
    page.get_by_role("link", name="Transmettre le signalement").click()
    expect(page.get_by_text(OBSERVATIONS)).to_be_visible()
    audit.check(page, "confirmation de la transmission")
    page.get_by_role("button", name="Confirmer la transmission").click()
    expect(page.get_by_text("Signalement transmis au ou à la président·e")).to_be_visible()

    # 6. The authority's decision, recorded as a fact with its date.
    page.get_by_label("Décision du ou de la président·e du conseil départemental").select_option(
        "suspension"
    )
    page.get_by_label("Taux de la suspension (%)").fill("50")
    page.get_by_label("Durée de la suspension (mois)").fill("2")
    audit.check(page, "décision à enregistrer")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Décision enregistrée.")).to_be_visible()
    expect(page.get_by_text("suspension-remobilisation de 50 % pendant 2 mois")).to_be_visible()

    # 7. Later, the référent records the remobilisation: the procedure ends.
    page.get_by_role("button", name="Constater la remobilisation").click()
    expect(page.get_by_text("Remobilisation constatée : c'est inscrit au journal.")).to_be_visible()
    expect(page.get_by_text("Aucune : la procédure est terminée.")).to_be_visible()

    # 8. The person's journal, in her space, shows each step; her report page too.
    person.goto(f"{url}/mon-espace/")
    person.get_by_role("link", name="Qui a consulté mon dossier").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Qui a consulté mon dossier")
    rows = person.locator("li")
    for step in (
        "Signalement de manquement rédigé par le ou la référent·e unique",
        "Lettre d'information sur un signalement de manquement remise à la personne",
        "Observations sur le signalement de manquement",
        "Signalement de manquement transmis par le ou la référent·e unique, avec les "
        "observations de la personne",
        "Décision du ou de la président·e du conseil départemental enregistrée : "
        "suspension-remobilisation de 50 % pendant 2 mois",
        "Remobilisation constatée par le ou la référent·e unique",
    ):
        expect(rows.filter(has_text=step)).to_have_count(1)
    expect(rows.filter(has_text="Observations sur le signalement de manquement")).to_contain_text(
        "Vous, depuis votre espace"
    )
    audit.check(person, "journal de l'espace")
    person.goto(f"{url}/mon-espace/")
    person.get_by_role("link", name=re.compile("^Signalement du")).click()
    expect(person.get_by_text("a constaté votre remobilisation")).to_be_visible()

    # Nothing about the report was sent to her: no message, on any channel.
    assert _messages_about_the_person() == messages_before
    assert audit.problems == [], "\n".join(audit.problems)
    person.context.close()
