"""Rosalie's story, from her side of Binôme, in a real browser on a 390 px phone.

Her social worker invites her into her space; the code arrives in the outbox; she logs in on her
phone, reads her diagnostic and contests one difficulty in her own words; the social worker sees
it on the case; she withdraws the health category of her accord de partage, and on the advisor's
next request the health difficulty is gone (housing stays); after reading the notice she shares it
again; her journal shows that the advisor's organisation and
job title viewed her diagnostic earlier. Every page of the space is checked with axe-core.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from casework.demo import DEMO_PERSON_EMAIL
from casework.models import SpaceAccess
from casework.space import services as space_services
from partners.models import OutboxMessage, Professional
from tests.browser.accessibility import Audit, horizontal_overflow, overflowing_elements
from tests.browser.demo import ADVISOR, SOCIAL_WORKER, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"Votre code pour entrer dans votre espace Binôme : (\d{6})")
#: Rosalie's words about her health, in her diagnostic (orientation.demo.WORDS).
HEALTH_WORDS = "J'ai mal au dos, je ne peux pas porter de charges."
HOUSING_WORDS = "Je suis hébergée chez ma sœur, ça ne peut pas durer."
CONTESTATION = "Le logement passe avant : sans logement, je ne peux pas chercher de travail."


def _rosalie_not_yet_invited() -> int:
    """The demo invites Rosalie; the story starts before: her access is withdrawn first."""
    access = (
        SpaceAccess.objects.active()
        .select_related("case__pair__social_worker")
        .get(email=DEMO_PERSON_EMAIL)
    )
    space_services.space_withdraw(access=access, acting_user=access.case.pair.social_worker)
    return access.case_id


def _code_in_outbox() -> str:
    row = (
        OutboxMessage.objects.filter(key__startswith="space-code:", payload__to=[DEMO_PERSON_EMAIL])
        .order_by("-pk")
        .first()
    )
    assert row is not None, "aucun code dans la boîte d'envoi"
    match = CODE.search(row.payload["body"])
    assert match is not None
    return match.group(1)


def _phone(browser: Browser) -> Page:
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _fits(page: Page, problems: list[str]) -> None:
    overflow = horizontal_overflow(page)
    if overflow:
        problems.append(
            f"{page.url} : {overflow} px de trop à 390 px ({', '.join(overflowing_elements(page))})"
        )


def test_rosalie_uses_her_space_on_her_phone(
    demo, new_page: Callable[[], Page], browser: Browser, live_server
):
    url = live_server.url
    audit = Audit()
    narrow: list[str] = []
    case_id = _rosalie_not_yet_invited()
    advisor_user = Professional.objects.select_related("organisation").get(email=ADVISOR)

    # The advisor reads Rosalie's diagnostic: health crosses under her accord.
    advisor = new_page()
    log_in(advisor, url, ADVISOR)
    advisor.goto(f"{url}/accompagnements/{case_id}/diagnostic/")
    expect(advisor.get_by_text(HEALTH_WORDS)).to_be_visible()

    # 1. The social worker invites her, with her agreement, at the address she gave.
    social = new_page()
    log_in(social, url, SOCIAL_WORKER)
    social.goto(f"{url}/accompagnements/{case_id}/")
    social.get_by_role("link", name="Inviter la personne dans son espace").click()
    social.get_by_label("Adresse électronique ou numéro de portable de la personne").fill(
        DEMO_PERSON_EMAIL
    )
    social.locator("label[for=id_person_agreed]").click()
    social.get_by_role("button", name="Envoyer l'invitation").click()
    expect(social.get_by_role("heading", level=1)).to_contain_text("Rosalie")

    # 2. On her phone, she asks for a code; it arrives (the outbox holds the e-mail).
    rosalie = _phone(browser)
    rosalie.goto(f"{url}/mon-espace/connexion/")
    audit.check(rosalie, "connexion de l'espace")
    rosalie.get_by_label("Votre adresse électronique").fill(DEMO_PERSON_EMAIL)
    rosalie.get_by_role("button", name="Recevoir un code").click()
    audit.check(rosalie, "code de l'espace")
    rosalie.get_by_label("Code reçu").fill(_code_in_outbox())
    rosalie.get_by_role("button", name="Entrer dans mon espace").click()
    expect(rosalie.get_by_role("heading", level=1)).to_have_text("Bonjour Rosalie")
    audit.check(rosalie, "accueil de l'espace")
    _fits(rosalie, narrow)

    # 3. She reads her diagnostic, awaiting her opinion, and contests it in her own words.
    rosalie.get_by_role("link", name="Mon diagnostic : le lire, donner mon avis").click()
    expect(rosalie.get_by_role("heading", level=1)).to_have_text("Mon diagnostic")
    expect(rosalie.get_by_text(HEALTH_WORDS)).to_be_visible()
    audit.check(rosalie, "diagnostic de l'espace")
    _fits(rosalie, narrow)
    rosalie.locator("label", has_text="Je ne suis pas d'accord").click()
    rosalie.get_by_label("Avec vos mots").fill(CONTESTATION)
    rosalie.get_by_role("button", name="Envoyer mon avis").click()
    expect(rosalie.get_by_text(f"Vous avez dit : « {CONTESTATION} »")).to_be_visible()
    audit.check(rosalie, "diagnostic contesté")

    # 4. The social worker sees the contestation, given from the space.
    social.goto(f"{url}/accompagnements/{case_id}/diagnostic/")
    expect(social.get_by_text(CONTESTATION)).to_be_visible()
    expect(social.get_by_text("Donné par la personne, depuis son espace.")).to_be_visible()

    # 5. She stops sharing the health category of her accord de partage, from her phone.
    rosalie.goto(f"{url}/mon-espace/")
    rosalie.get_by_role("link", name=re.compile("accord de partage")).click()
    expect(rosalie.get_by_role("heading", level=1)).to_have_text("Mon accord de partage")
    audit.check(rosalie, "accord de l'espace")
    _fits(rosalie, narrow)
    rosalie.get_by_role("link", name="Ne plus partager « Difficultés : santé »").click()
    audit.check(rosalie, "retrait d'une catégorie de l'accord")
    _fits(rosalie, narrow)
    rosalie.get_by_role("button", name="Oui, je ne partage plus « Difficultés : santé »").click()
    expect(rosalie.get_by_text("Difficultés : santé : non partagé")).to_be_visible()

    # 6. On the advisor's next request, the health difficulty is no longer shown; housing is.
    advisor.goto(f"{url}/accompagnements/{case_id}/diagnostic/")
    expect(advisor.get_by_role("heading", level=1)).to_be_visible()
    expect(advisor.get_by_text(HEALTH_WORDS)).to_have_count(0)
    expect(advisor.get_by_text(HOUSING_WORDS)).to_be_visible()
    social.goto(f"{url}/accompagnements/{case_id}/diagnostic/")
    expect(social.get_by_text(HEALTH_WORDS)).to_be_visible()

    # 7. Her journal shows that the advisor's organisation and job title viewed her diagnostic
    # earlier; the department shows no names (the demo's default).
    assert advisor_user.organisation is not None
    rosalie.goto(f"{url}/mon-espace/")
    rosalie.get_by_role("link", name="Qui a consulté mon dossier").click()
    expect(rosalie.get_by_role("heading", level=1)).to_have_text("Qui a consulté mon dossier")
    advisor_read = (
        rosalie.locator("li")
        .filter(has_text="Consultation du diagnostic partagé")
        .filter(has_text=advisor_user.job_title)
        .filter(has_text=advisor_user.organisation.name)
    )
    # Health withdrawn, the advisor's second read showed her housing only: one row with health.
    expect(advisor_read.filter(has_text="santé")).to_have_count(1)
    expect(advisor_read.filter(has_text=advisor_user.last_name)).to_have_count(0)
    mine = rosalie.locator("li").filter(has_text="Avis sur le diagnostic : contesté")
    expect(mine).to_contain_text("Vous, depuis votre espace")
    audit.check(rosalie, "journal de l'espace")
    _fits(rosalie, narrow)

    # 8. She changes her mind: after reading the notice, she shares her health again.
    rosalie.goto(f"{url}/mon-espace/accord/")
    rosalie.get_by_role("link", name="Partager d'autres catégories").click()
    expect(rosalie.get_by_role("heading", level=1)).to_have_text("Partager d'autres catégories")
    audit.check(rosalie, "élargissement de l'accord")
    _fits(rosalie, narrow)
    rosalie.locator("label", has_text="Difficultés : santé").click()
    rosalie.get_by_role("button", name="Donner mon accord").click()
    expect(rosalie.get_by_text("Cochez « J'ai lu ces informations »")).to_be_visible()
    rosalie.locator("label", has_text="J'ai lu ces informations").click()
    rosalie.get_by_role("button", name="Donner mon accord").click()
    expect(rosalie.get_by_text("Difficultés : santé : partagé")).to_be_visible()
    advisor.goto(f"{url}/accompagnements/{case_id}/diagnostic/")
    expect(advisor.get_by_text(HEALTH_WORDS)).to_be_visible()

    assert audit.problems == [], "\n".join(audit.problems)
    assert narrow == [], "\n".join(narrow)
    rosalie.context.close()
