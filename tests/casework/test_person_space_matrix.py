"""The access matrix of the person's space, with person viewers (the main matrix,
tests/test_access_matrix.py, crawls professionals only): the person of the case, another person,
a person whose access was withdrawn, a person whose file is archived, a professional and
anonymous, on the space's pages and on professional pages. No secret, shared or other person's
content reaches a person."""

import datetime
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from casework import services
from casework.enums import CaseState, FileStage
from casework.messages import services as message_services
from casework.retention import set_stage
from casework.space import messages as space_messages
from casework.space import services as space_services
from orientation import services as orientation_services
from orientation.models import Obstacle
from tests.casework.factories import CaseFactory, SocialNoteFactory
from tests.casework.test_person_space import log_in_person
from tests.conftest import log_in, module_transaction
from tests.world import World, build_world

pytestmark = pytest.mark.django_db

PERSONS = ["person", "other_person", "withdrawn_person", "archived_person"]
VIEWERS = [*PERSONS, "professional", "anonymous"]


def by_viewer(default: int, **overrides: int) -> dict[str, int]:
    return {**dict.fromkeys(VIEWERS, default), **overrides}


#: URL name → (kwargs from the world, GET status by viewer).
EXPECTED: dict[str, tuple[Any, dict[str, int]]] = {
    # The archived file's person sees only a sentence saying whom to contact.
    "space_home": (
        lambda world: {},
        by_viewer(302, person=200, other_person=200, archived_person=200),
    ),
    "space_agreement": (
        lambda world: {},
        by_viewer(302, person=200, other_person=200, archived_person=200),
    ),
    # The accord's confirmation pages and its renewal: the archived file's person is sent to the
    # first page; another person (no accord of their own) is sent back to their accord's page,
    # and gets the same 404 as for a category their accord does not cover.
    "space_agreement_withdraw": (
        lambda world: {},
        by_viewer(302, person=200, other_person=302),
    ),
    "space_agreement_withdraw_category": (
        lambda world: {"category": "obstacles:housing"},
        by_viewer(302, person=200, other_person=404),
    ),
    # The world's accord is in force: the person may widen it; another person has never given
    # one (a first accord is collected by the social worker): back to their accord's page.
    "space_agreement_give": (
        lambda world: {},
        by_viewer(302, person=200, other_person=302),
    ),
    # The archived file's person is sent to the first page, which says whom to contact.
    "space_diagnostic": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    "space_login": (lambda world: {}, by_viewer(200)),
    "space_code": (lambda world: {}, by_viewer(302)),
    # The archived file's person is sent to the first page, which says whom to contact.
    "space_messages": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    "space_data_requests": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    # The archived file's person is sent to the first page, which says whom to contact.
    "space_journal": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    # An appointment of the person's case: another person gets the same 404 as for a missing one.
    "space_appointment_change": (
        lambda world: {"pk": world.objects["space_appointment"].pk},
        by_viewer(302, person=200, other_person=404),
    ),
    # A signalement of the person's case: another person gets the same 404 as for a missing one.
    "space_breach": (
        lambda world: {"pk": world.objects["breach_report"].pk},
        by_viewer(302, person=200, other_person=404),
    ),
    # Documents and the plan d'action (issue 22): the person of another case sees their own
    # (empty) list; a document of the person's case is the same 404 for them as a missing one.
    "space_documents": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    "space_document_diagnostic": (
        lambda world: {"version": world.objects["diagnostic"].version},
        by_viewer(302, person=200, other_person=404),
    ),
    "space_document_decision": (
        lambda world: {"pk": world.objects["space_decision"].pk},
        by_viewer(302, person=200, other_person=404),
    ),
    "space_document_plan": (lambda world: {}, by_viewer(302, person=200, other_person=404)),
    "space_data_download": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    "space_plan": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    # POST only (tests/orientation/test_space_documents.py marks an action).
    "space_action_mark": (
        lambda world: {"pk": world.objects["action"].pk},
        by_viewer(405),
    ),
    # The person's choice of channels: another person sees their own choice; withdrawing a
    # channel the person has not said yes to is the same 404 as an unknown channel.
    "space_channels": (lambda world: {}, by_viewer(302, person=200, other_person=200)),
    "space_channel_give": (
        lambda world: {"channel": "sms"},
        by_viewer(302, person=200, other_person=200),
    ),
    "space_channel_withdraw": (
        lambda world: {"channel": "sms"},
        by_viewer(302, person=200, other_person=404),
    ),
    # Professional pages: a person's session is not a professional's (to the login page).
    "caseload": (lambda world: {}, by_viewer(302, professional=200)),
    "case_detail": (lambda world: {"pk": world.case.pk}, by_viewer(302, professional=200)),
    "space_invite": (lambda world: {"pk": world.case.pk}, by_viewer(302, professional=200)),
    "case_journal": (lambda world: {"pk": world.case.pk}, by_viewer(302, professional=200)),
    # FranceConnect, mounted when configured (as the crawl has it): the start sends everyone to
    # FranceConnect, a return without its code to the login page; tying is a POST of the
    # person's (tests/casework/test_person_space_franceconnect.py); the page for an identity
    # that opens no space is the same for all.
    "space_franceconnect_login": (lambda world: {}, by_viewer(302)),
    "space_franceconnect_callback": (lambda world: {}, by_viewer(302)),
    "space_franceconnect_tie": (lambda world: {}, by_viewer(405)),
    "space_franceconnect_untie": (lambda world: {}, by_viewer(405)),
    "space_franceconnect_unknown": (lambda world: {}, by_viewer(200)),
    # FranceConnect's return after its logout: to the login page, for everyone (the message
    # only when the session sent a logout with that state).
    "space_franceconnect_logged_out": (lambda world: {}, by_viewer(302)),
}
#: The crawl runs with FranceConnect configured (its URLs mounted, its button shown); no
#: provider answers at this address, and none is called.
FRANCECONNECT = {
    "BINOME_FRANCECONNECT_ENABLED": True,
    "ROOT_URLCONF": "tests.casework.franceconnect_urls",
    "FRANCECONNECT_CLIENT_ID": "binome-matrice",
    "FRANCECONNECT_CLIENT_SECRET": "secret-de-test",
    "FRANCECONNECT_BASE_URL": "http://127.0.0.1:9/api/v2",
}


@dataclass(frozen=True)
class Crawl:
    world: World
    names: dict[str, str]  # a person viewer → their full name
    responses: dict[tuple[str, str], Any]


def _invited(world: World, email: str) -> Any:
    case = CaseFactory(
        pair=world.pair, beneficiary__department=world.pair.department, state=CaseState.ACTIVE
    )
    SocialNoteFactory(case=case, author=world.pair.social_worker)
    space_services.space_invite(case=case, email=email, acting_user=world.pair.social_worker)
    return case


@pytest.fixture(scope="module")
def crawled(django_db_setup: None, django_db_blocker: Any) -> Iterator[Crawl]:
    importlib.import_module("config.urls")  # loaded with FranceConnect off, as configured
    with override_settings(**FRANCECONNECT), module_transaction(django_db_blocker):
        clear_url_caches()
        world = build_world()
        space_services.space_invite(
            case=world.case, email="personne@exemple.fr", acting_user=world.pair.social_worker
        )
        others = {
            viewer: _invited(world, f"{viewer}@exemple.fr")
            for viewer in ("other_person", "withdrawn_person", "archived_person")
        }
        clients = {
            "person": log_in_person(Client(), "personne@exemple.fr"),
            **{viewer: log_in_person(Client(), f"{viewer}@exemple.fr") for viewer in others},
            "professional": log_in(Client(), world.pair.social_worker),
            "anonymous": Client(),
        }
        withdrawn = others["withdrawn_person"].beneficiary.space_accesses.get()
        space_services.space_withdraw(access=withdrawn, acting_user=world.pair.advisor)
        set_stage(
            others["archived_person"].beneficiary_id,
            file_stage=FileStage.ARCHIVED,
            archived_on=timezone.localdate(),
        )
        world.objects["space_appointment"] = services.appointment_plan(
            case=world.case,
            acting_user=world.pair.advisor,
            planned_at=timezone.now() + datetime.timedelta(days=3),
            place="Agence du centre",
            with_whom=world.pair.advisor,
        )
        # A decision about the person, for the letter among their documents.
        world.objects["space_decision"] = orientation_services.decision_record(
            case=world.case,
            acting_user=world.pair.advisor,
            path="socioprofessionnel",
            decided_on=timezone.localdate(),
            reasons="Selon les critères nationaux.",
        )
        # The person's yes to SMS (the withdrawal's confirmation page needs one).
        message_services.consent_give(
            beneficiary=world.case.beneficiary,
            channel="sms",
            address="06 12 34 56 78",
            acting_user=world.pair.social_worker,
        )
        # Another person's message: it never reaches the person's pages.
        space_messages.message_send(
            access=others["other_person"].beneficiary.space_accesses.get(),
            text="MESSAGE-AUTRUI Je serai en retard.",
        )
        responses = {
            (name, viewer): clients[viewer].get(reverse(name, kwargs=kwargs(world)))
            for name, (kwargs, _statuses) in EXPECTED.items()
            for viewer in VIEWERS
        }
        names = {"person": world.case.beneficiary.full_name} | {
            viewer: case.beneficiary.full_name for viewer, case in others.items()
        }
        yield Crawl(world, names, responses)
    clear_url_caches()


def test_person_space_matrix(crawled):
    actual = {key: response.status_code for key, response in crawled.responses.items()}
    expected = {(name, viewer): EXPECTED[name][1][viewer] for name, viewer in actual}

    assert actual == expected
    # Refused persons are sent to the professionals' login, and professionals to the person's.
    professional_urls = {"caseload", "case_detail", "space_invite", "case_journal"}
    for (name, viewer), response in crawled.responses.items():
        if viewer in PERSONS and name in professional_urls:
            assert response["Location"].startswith(reverse("login")), (name, viewer)
    assert crawled.responses[("space_home", "professional")]["Location"] == reverse("space_login")
    for viewer in VIEWERS:
        start = crawled.responses[("space_franceconnect_login", viewer)]["Location"]
        back = crawled.responses[("space_franceconnect_callback", viewer)]["Location"]
        assert start.startswith("http://127.0.0.1:9/api/v2/authorize?"), viewer
        assert back == reverse("space_login"), viewer
    for name in ("space_home", "space_agreement"):
        assert crawled.responses[(name, "professional")]["Location"] == reverse("space_login")
        assert crawled.responses[(name, "withdrawn_person")]["Location"] == reverse("space_login")
    accord_pages = (
        "space_agreement_withdraw",
        "space_agreement_withdraw_category",
        "space_agreement_give",
    )
    for name in accord_pages:
        locations = {
            viewer: crawled.responses[(name, viewer)].get("Location")
            for viewer in ("withdrawn_person", "archived_person", "professional", "anonymous")
        }
        assert locations == {
            "withdrawn_person": reverse("space_login"),
            "archived_person": reverse("space_home"),
            "professional": reverse("space_login"),
            "anonymous": reverse("space_login"),
        }, name
    for name in ("space_agreement_withdraw", "space_agreement_give"):
        other = crawled.responses[(name, "other_person")]
        assert other["Location"] == reverse("space_agreement"), name


def test_nothing_secret_or_of_someone_else_reaches_a_person(crawled):
    world = crawled.world
    forbidden = [*world.secrets, *world.shared, *world.request_content, "SECRET-"]
    # Another person's message is on their own page only.
    assert (
        "MESSAGE-AUTRUI" in crawled.responses[("space_messages", "other_person")].content.decode()
    )
    assert (
        sorted(
            (name, viewer)
            for (name, viewer), response in crawled.responses.items()
            if viewer in PERSONS and viewer != "other_person"
            if "MESSAGE-AUTRUI" in response.content.decode()
        )
        == []
    )
    # The person's own diagnostic shows them their own difficulties (those the accord does not
    # cover and the one they dispute included) and their social summary: theirs, not secret from
    # them. The social details, the social notes and anything of someone else never.
    own = {
        obstacle.in_persons_words.split(", ")[-1]
        for obstacle in Obstacle.objects.filter(diagnostic__case=world.case)
    } | set(world.shared)

    # The same diagnostic, as their document and in the download of what the space shows.
    own_pages = ["space_diagnostic", "space_document_diagnostic", "space_data_download"]

    def allowed(name: str, viewer: str) -> set[str]:
        return own if viewer == "person" and name in own_pages else set()

    leaks = sorted(
        (name, viewer, token)
        for (name, viewer), response in crawled.responses.items()
        if viewer in PERSONS
        for token in forbidden
        if token not in allowed(name, viewer)
        if token in response.content.decode() and not (token == "SECRET-" and allowed(name, viewer))
    )
    assert leaks == []
    for name in own_pages:
        diagnostic_page = crawled.responses[(name, "person")].content.decode()
        assert world.secrets[1] not in diagnostic_page, name  # the social details
        assert world.secrets[0] not in diagnostic_page, name  # the social note
        assert sorted(token for token in own if token in diagnostic_page) == sorted(own), name
    for viewer in PERSONS:
        page = crawled.responses[("space_home", viewer)].content.decode()
        others = [name for other, name in crawled.names.items() if other != viewer]
        assert [name for name in others if name in page] == [], viewer
    person_page = crawled.responses[("space_home", "person")].content.decode()
    assert world.pair.advisor.full_name in person_page
    # The journal: the person's binôme by organisation and job title, no names by default.
    journal_page = crawled.responses[("space_journal", "person")].content.decode()
    assert "Consultation du diagnostic partagé" in journal_page
    assert [
        name
        for name in (world.pair.advisor.full_name, world.pair.social_worker.full_name)
        if name in journal_page
    ] == []
    archived_page = crawled.responses[("space_home", "archived_person")].content.decode()
    assert "Votre dossier est archivé" in archived_page
    assert world.pair.advisor.full_name not in archived_page
