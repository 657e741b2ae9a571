"""The whole mission on the demo department, in a real browser, as the people who use Binôme do.

An advisor registers a person and proposes an accompaniment; the social worker records the person's
agreement to enter and their accord de partage; the pair drafts the diagnostic with the person, who
validates it, and both sign; both sign a socioprofessional recommendation with the person's
agreement and the decision is recorded; the référent agrees the action plan and plans an
appointment, then logs the monthly interview; the supervisor sees the figures move; the auditor
finds the shares in the journal and exports the person's data.

Every page visited is checked with axe-core (no serious or critical violation); the main pages are
saved into docs/images/ for the user guide (docs/user-guide.md), which must use exactly those.
"""

import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from casework.models import Beneficiary
from casework.services.dashboards import KEY_PREFIX
from orientation import tasks
from partners.models import OutboxMessage
from tests.browser.accessibility import ROOT, Audit
from tests.browser.demo import (
    ADMIN,
    ADVISOR,
    AUDITOR,
    CORRESPONDENT,
    SOCIAL_WORKER,
    SUPERVISOR,
    log_in,
    narrow_pages,
    open_menu_group,
    second_factor,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGES = ROOT / "docs" / "images"
GUIDE = ROOT / "docs" / "user-guide.md"


@pytest.fixture
def shots() -> Iterator[Callable[[Page, str], None]]:
    """Save a full-page screenshot as docs/images/<name>.png; the names written are kept."""
    written: list[str] = []
    IMAGES.mkdir(parents=True, exist_ok=True)

    def shoot(page: Page, name: str) -> None:
        page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=True, animations="disabled")
        written.append(f"{name}.png")

    shoot.written = written  # type: ignore[attr-defined]
    yield shoot


def _advisor_open_cases(page: Page) -> int:
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Camille Martin"))
    return int(row.get_by_role("cell").nth(1).inner_text())


def test_the_whole_mission_in_the_browser(
    demo, new_page: Callable[[], Page], browser: Browser, live_server, shots
):
    url = live_server.url
    audit = Audit()
    today = timezone.localdate()
    started = time.monotonic()

    # The supervisor looks at the dashboard before.
    supervisor = new_page()
    log_in(supervisor, url, SUPERVISOR)
    audit.check(supervisor, "accueil de l'encadrante")
    supervisor.goto(f"{url}/tableau-de-bord/")
    expect(supervisor.get_by_role("heading", level=1)).to_have_text(
        "Tableau de bord de mon périmètre"
    )
    open_before = _advisor_open_cases(supervisor)

    # 1. The advisor registers the person and proposes the accompaniment.
    advisor = new_page()
    advisor.goto(f"{url}/connexion/")
    audit.check(advisor, "connexion")
    shots(advisor, "01-connexion")
    log_in(advisor, url, ADVISOR)
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Mon portefeuille")
    audit.check(advisor, "portefeuille")
    shots(advisor, "02-portefeuille")
    advisor.get_by_role("link", name="Nouvelle personne").first.click()
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Nouvelle personne")
    advisor.get_by_label("Prénom").fill("Rosalie")
    advisor.get_by_label("Nom", exact=True).fill("Parcours")
    advisor.get_by_label("Date de naissance").fill("1988-04-12")
    advisor.get_by_label("Identifiant France Travail").fill("7654321X")
    advisor.get_by_label("Téléphone").fill("06 12 34 56 78")
    advisor.get_by_label("Binôme qui propose l'accompagnement").select_option(
        label="Camille Martin et Sophie Laurent"
    )
    audit.check(advisor, "nouvelle personne")
    shots(advisor, "03-nouvelle-personne")
    advisor.get_by_role("button", name="Enregistrer et proposer l'accompagnement").click()
    expect(
        advisor.get_by_text("Personne enregistrée ; l'accompagnement est proposé.")
    ).to_be_visible()
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Rosalie PARCOURS")
    expect(advisor.locator(".fr-badge").first).to_have_text("Proposé")
    case_url = advisor.url
    audit.check(advisor, "fiche (proposé)")

    # 2. The social worker records the agreement to enter, then the accord de partage.
    social = new_page()
    log_in(social, url, SOCIAL_WORKER)
    social.goto(case_url)
    social.get_by_role("button", name="Enregistrer l'accord de la personne pour entrer").click()
    expect(social.locator(".fr-badge").first).to_have_text("Diagnostic en cours")
    social.get_by_role("link", name="Enregistrer l'accord de la personne").click()
    expect(social.get_by_role("heading", level=1)).to_contain_text("Accord de partage")
    for box in social.locator("fieldset input[type=checkbox]").all():
        # the design system hides the box under its label: a click on the element itself (a
        # click at the box's position could land on the label while the page settles)
        box.evaluate("box => { if (!box.checked) box.click(); }")
        expect(box).to_be_checked()
    social.get_by_label("Recueilli par").select_option(index=0)
    audit.check(social, "accord de partage")
    shots(social, "04-accord-de-partage")
    social.get_by_role("button", name="Enregistrer l'accord de partage").click()
    expect(social.get_by_text("Accord de partage enregistré.")).to_be_visible()
    expect(social.get_by_text("En vigueur jusqu'au")).to_be_visible()
    audit.check(social, "fiche (diagnostic)")

    # 3. The three-way diagnostic, validated by the person, signed by both.
    social.get_by_role("link", name="Diagnostic partagé").click()
    social.get_by_role("button", name="Commencer le diagnostic").click()
    social.get_by_role("textbox", name="Parole de la personne").fill(
        "Je veux reprendre un travail dans la logistique."
    )
    social.get_by_role("textbox", name="Atouts et compétences").fill("CACES 1, ponctuelle.")
    social.locator("form:has(input[value=person])").get_by_role(
        "button", name="Enregistrer"
    ).click()
    social.get_by_role("textbox", name="Synthèse sociale").fill(
        "Hébergée chez une amie, demande de logement social en cours."
    )
    social.locator("form:has(input[value=social])").get_by_role(
        "button", name="Enregistrer"
    ).click()
    social.get_by_label("La difficulté, dans les mots de la personne").fill(
        "Je n'ai pas de logement à moi"
    )
    social.get_by_role("button", name="Noter la difficulté").click()
    social.locator("label", has_text="La personne valide le diagnostic").click()
    social.get_by_role("button", name="Enregistrer l'avis de la personne").click()
    expect(social.get_by_text("La personne a validé ce diagnostic")).to_be_visible()
    social.get_by_role("button", name="Signer le diagnostic").click()
    expect(social.get_by_text("la seconde signature verrouillera")).to_be_visible()
    audit.check(social, "diagnostic (une signature)")
    shots(social, "05-diagnostic")

    advisor.goto(f"{case_url}diagnostic/")
    expect(advisor.get_by_text("Hébergée chez une amie")).to_be_visible()
    advisor.get_by_role("button", name="Signer le diagnostic").click()
    expect(advisor.get_by_text("Diagnostic signé par le binôme et verrouillé.")).to_be_visible()
    audit.check(advisor, "diagnostic (verrouillé)")

    # 4. The recommendation, signed by both with the person's agreement; the decision.
    advisor.goto(case_url)
    advisor.get_by_role("link", name="Orientation : préconisations et décisions").click()
    audit.check(advisor, "orientation (vide)")
    advisor.get_by_role("link", name="Préconiser un parcours").click()
    expect(advisor.get_by_text("Aide à la décision : les critères nationaux")).to_be_visible()
    advisor.locator("label", has_text="Parcours socioprofessionnel").click()
    advisor.get_by_label("Motifs").fill("Projet en logistique ; logement à stabiliser.")
    advisor.locator("label", has_text="La personne est d'accord").click()
    audit.check(advisor, "préconisation")
    shots(advisor, "06-preconisation")
    advisor.get_by_role("button", name="Enregistrer et signer la préconisation").click()
    expect(advisor.get_by_text("En attente de signature", exact=False)).to_be_visible()

    social.goto(f"{url}/notifications/")
    expect(social.get_by_text("Préconisation à signer")).to_be_visible()
    audit.check(social, "notifications")
    social.goto(f"{case_url}orientation/")
    social.get_by_role("button", name="Signer la préconisation").click()
    expect(social.get_by_text("en attente de décision")).to_be_visible()
    audit.check(social, "orientation (signée)")
    social.get_by_role("link", name="Enregistrer une décision d'orientation").click()
    social.get_by_label("Motifs de la décision").fill("Suit la préconisation du binôme.")
    audit.check(social, "décision")
    shots(social, "07-decision")
    social.get_by_role("button", name="Enregistrer la décision").click()
    expect(social.get_by_text("Décision d'orientation enregistrée.")).to_be_visible()
    audit.check(social, "orientation (décidée)")
    shots(social, "08-orientation")

    # 5. The référent (the advisor, on the socioprofessional path) agrees the plan and plans an
    # appointment.
    advisor.goto(case_url)
    expect(advisor.locator(".fr-badge").first).to_have_text("En cours")
    expect(advisor.locator("[aria-labelledby=titre-accompagnement] dl")).to_contain_text(
        "Référent·e unique Camille Martin"
    )
    advisor.get_by_role("link", name="Plan d'action").click()
    advisor.get_by_label("Action", exact=True).fill("Atelier CV et lettre de motivation")
    advisor.get_by_role("button", name="Ajouter l'action").click()
    expect(
        advisor.get_by_role("cell", name="Atelier CV et lettre de motivation", exact=True)
    ).to_be_visible()
    advisor.get_by_role("combobox", name="Contrat", exact=True).select_option(
        label="Contrat d'engagement"
    )
    advisor.get_by_label("Signé le").fill(f"{today:%Y-%m-%d}")
    advisor.get_by_role("button", name="Enregistrer le contrat").click()
    expect(advisor.get_by_text(f"Contrat d'engagement, signé le {today:%d/%m/%Y}")).to_be_visible()
    audit.check(advisor, "plan d'action")
    shots(advisor, "09-plan-d-action")

    advisor.goto(f"{case_url}rendez-vous/")
    advisor.get_by_label("Date et heure").fill(f"{today:%Y-%m-%d}T10:00")
    advisor.get_by_label("Lieu").fill("Agence de Lourdon, bureau 2")
    advisor.get_by_label("Avec").select_option(index=1)
    advisor.get_by_role("button", name="Planifier le rendez-vous").click()
    expect(advisor.get_by_text("Rendez-vous planifié le")).to_be_visible()
    audit.check(advisor, "rendez-vous")
    shots(advisor, "10-rendez-vous")

    # 6. The monthly interview.
    advisor.goto(case_url)
    advisor.get_by_label("Modalité").select_option(label="Par téléphone")
    advisor.get_by_label("Compte rendu").fill("Point mensuel : deux candidatures envoyées.")
    advisor.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(advisor.locator("#resume-a-copier")).to_contain_text(
        "Point mensuel : deux candidatures envoyées."
    )
    audit.check(advisor, "fiche (entretien saisi)")
    shots(advisor, "11-fiche-entretien")

    # 7. The supervisor sees the figures change: the advisor's writes asked for the dashboards'
    # refresh at the end of their window; the worker runs it then (here, at once).
    refresh = OutboxMessage.objects.filter(key__startswith=KEY_PREFIX).latest("pk")
    tasks.refresh_dashboards(**refresh.payload["kwargs"])
    supervisor.reload()
    expect(supervisor.get_by_text("Chiffres calculés le")).to_be_visible()
    assert _advisor_open_cases(supervisor) == open_before + 1
    audit.check(supervisor, "tableau de bord")
    shots(supervisor, "12-tableau-de-bord")

    # 8. The auditor finds the shares in the journal and exports the person's data.
    person = Beneficiary.objects.get(first_name="Rosalie", last_name="Parcours")
    auditor = new_page()
    log_in(auditor, url, AUDITOR)
    second_factor(auditor, AUDITOR)
    auditor.get_by_role("link", name="Journal des accès et des partages").first.click()
    # By name: posted, never in the address.
    auditor.get_by_role("textbox", name="Personne").fill("parcours rosalie")
    auditor.get_by_role("button", name="Rechercher").click()
    expect(auditor.get_by_text("Rosalie PARCOURS (n°")).to_be_visible()
    assert "parcours" not in auditor.url.lower()
    journal = auditor.get_by_role("table")
    expect(journal).to_contain_text("Accord de partage de la personne")
    expect(journal).to_contain_text("Synthèse sociale")
    expect(journal).to_contain_text("Camille Martin")
    audit.check(auditor, "journal")
    shots(auditor, "13-journal")

    open_menu_group(auditor, "Droits des personnes")
    auditor.get_by_role("link", name="Droits des personnes et archives").first.click()
    auditor.get_by_label("Nom, prénom ou identifiant France Travail").fill("Parcours")
    auditor.get_by_role("button", name="Rechercher").click()
    expect(auditor.get_by_role("link", name="Rosalie Parcours")).to_be_visible()
    audit.check(auditor, "recherche d'une personne")
    auditor.get_by_role("link", name="Rosalie Parcours").click()
    expect(auditor.get_by_role("heading", level=1)).to_contain_text("Rosalie Parcours")
    audit.check(auditor, "droits de la personne")
    shots(auditor, "14-droits-de-la-personne")
    with auditor.expect_download() as download_info:
        auditor.get_by_role("button", name="Produire l'export").click()
    download = download_info.value
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        names = archive.namelist()
        assert any(name.endswith(".json") for name in names), names
        assert any(name.endswith(".html") for name in names), names
        json_name = next(name for name in names if name.endswith(".json"))
        assert "Point mensuel : deux candidatures envoyées." in archive.read(json_name).decode()

    # The other roles of the guide: the social correspondent's requests, the administrator.
    correspondent = new_page()
    log_in(correspondent, url, CORRESPONDENT)
    correspondent.get_by_role("link", name="Demandes ponctuelles").first.click()
    expect(correspondent.get_by_role("heading", level=1)).to_be_visible()
    audit.check(correspondent, "demandes ponctuelles")
    shots(correspondent, "15-demandes-ponctuelles")

    admin = new_page()
    log_in(admin, url, ADMIN)
    audit.check(admin, "double authentification")
    shots(admin, "16-double-authentification")
    second_factor(admin, ADMIN)
    audit.check(admin, "accueil de l'administration")
    shots(admin, "17-administration")
    open_menu_group(admin, "Binômes")
    admin.get_by_role("link", name="Changement de binôme").first.click()
    expect(admin.get_by_role("heading", level=1)).to_be_visible()
    audit.check(admin, "changement de binôme")
    shots(admin, "18-changement-de-binome")

    # The same pages on a phone.
    narrow = narrow_pages(
        browser,
        advisor,
        [
            f"{url}/portefeuille/",
            f"{url}/personnes/nouvelle/",
            case_url,
            f"{case_url}diagnostic/",
            f"{case_url}orientation/",
            f"{case_url}plan/",
            f"{case_url}rendez-vous/",
        ],
        audit,
    )
    narrow += narrow_pages(browser, admin, [f"{url}/", f"{url}/changements-de-binome/"], audit)
    narrow += narrow_pages(browser, supervisor, [f"{url}/tableau-de-bord/"], audit)
    narrow += narrow_pages(
        browser, auditor, [auditor.url, f"{url}/journal/?person={person.pk}"], audit
    )

    print(f"\nParcours : {time.monotonic() - started:.1f} s, {len(audit.pages)} pages vérifiées")
    assert not audit.problems, "Violations axe (graves ou critiques) :\n" + audit.report()
    assert not narrow, "\n".join(narrow)

    # The user guide shows exactly the screens this run saved.
    referenced = set(re.findall(r"images/([\w.-]+\.png)", GUIDE.read_text(encoding="utf-8")))
    assert referenced == set(shots.written), (
        f"Images du guide sans capture : {sorted(referenced - set(shots.written))} ; "
        f"captures absentes du guide : {sorted(set(shots.written) - referenced)}"
    )
    assert {p.name for p in IMAGES.glob("*.png")} == set(shots.written), "images périmées"
