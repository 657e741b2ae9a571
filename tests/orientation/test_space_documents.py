"""The person's documents and plan d'action in their space (issue 22): each document listed and
shown only once it exists, as a printable page; the download of what the space shows, journaled
as the person's act; nothing secret in any of them; the person marks their own actions done (or
not yet), as their own act, and never another owner's or another person's."""

import datetime
import json
import re
import uuid

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.enums import FileStage, JournalChannel, ObstacleCategory
from casework.models import InformationShare
from casework.retention import set_stage
from orientation import services
from orientation.enums import ActionOwner, ActionStatus, DiagnosticState, Impact
from orientation.models import Action, Diagnostic
from orientation.services.plan import NOT_YOURS
from orientation.space.services import DATA_DOWNLOADED
from partners.errors import InvalidTransition
from tests.casework.factories import NoteFactory, SocialNoteFactory
from tests.casework.test_person_space import invited_case, log_in_person
from tests.clock import FIRST_INTERVIEW, days_ago
from tests.conftest import log_in
from tests.orientation.factories import lock, obstacles_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db

OTHER_EMAIL = "autre@exemple.fr"


def drafted(case, *, social_details: str = "Dettes de loyer.") -> Diagnostic:  # type: ignore[no-untyped-def]
    """A draft diagnostic: the person's words, the social summary, two difficulties (one the
    person disputes, which the accord de partage never covers), the secret social details."""
    social_worker = case.pair.social_worker
    diagnostic = services.diagnostic_start(case=case, acting_user=social_worker)
    services.diagnostic_update(
        diagnostic=diagnostic,
        acting_user=social_worker,
        fields={
            "person_words": "Je veux travailler près de chez moi.",
            "social_summary": "Vit seule avec son fils.",
        },
    )
    services.social_details_set(
        diagnostic=diagnostic, acting_user=social_worker, text=social_details
    )
    for category, words, agrees in (
        (ObstacleCategory.HOUSING, "Je suis hébergée chez ma sœur.", True),
        (ObstacleCategory.HEALTH, "J'ai mal au dos.", False),
    ):
        services.obstacle_add(
            diagnostic=diagnostic,
            acting_user=social_worker,
            category=category,
            impact=Impact.STRONG,
            in_persons_words=words,
            person_agrees=agrees,
        )
    return Diagnostic.objects.select_related("case").get(pk=diagnostic.pk)


def decided(case, reasons: str = "Selon les critères nationaux."):  # type: ignore[no-untyped-def]
    return services.decision_record(
        case=case,
        acting_user=case.pair.advisor,
        path="socioprofessionnel",
        decided_on=days_ago(FIRST_INTERVIEW),
        reasons=reasons,
    )


def action(case, owner: str = ActionOwner.PERSON, title: str = "Refaire mon CV", **extra):  # type: ignore[no-untyped-def]
    return services.action_add(
        case=case, acting_user=case.pair.advisor, title=title, owner=owner, **extra
    )


def document_links(page: str) -> list[str]:
    return re.findall(r'href="(/mon-espace/documents/[^"]+/)"', page)


# The list of documents ---------------------------------------------------------------------------


def test_no_document_before_any_exists():
    invited_case()
    client = log_in_person(Client())

    page = client.get(reverse("space_documents")).content.decode()

    assert document_links(page) == []
    assert "Vous n'avez pas encore de document." in page
    for name, kwargs in (
        ("space_document_diagnostic", {"version": 1}),
        ("space_document_plan", {}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_each_document_is_listed_once_it_exists():
    case, _access = invited_case()
    client = log_in_person(Client())
    diagnostic = drafted(case)

    page = client.get(reverse("space_documents")).content.decode()
    assert document_links(page) == [reverse("space_document_diagnostic", args=[1])]
    assert "En attente de votre avis : pas encore signé." in page

    lock(diagnostic)
    services.diagnostic_new_version(diagnostic=diagnostic, acting_user=case.pair.social_worker)
    decision = decided(case)
    action(case)
    page = client.get(reverse("space_documents")).content.decode()

    # the open version 2 first, then the signed version 1 it follows
    assert document_links(page) == [
        reverse("space_document_diagnostic", args=[2]),
        reverse("space_document_diagnostic", args=[1]),
        reverse("space_document_decision", args=[decision.pk]),
        reverse("space_document_plan"),
    ]
    assert "Vous n'avez pas encore de document." not in page
    assert f'href="{reverse("space_data_requests")}"' in page


def test_an_older_signed_version_is_not_a_document():
    case, _access = invited_case()
    first = lock(drafted(case))
    second = services.diagnostic_new_version(diagnostic=first, acting_user=case.pair.social_worker)
    lock(second)
    client = log_in_person(Client())

    assert client.get(reverse("space_document_diagnostic", args=[1])).status_code == 404
    assert client.get(reverse("space_document_diagnostic", args=[2])).status_code == 200


# The documents -----------------------------------------------------------------------------------


def test_the_draft_is_marked_as_awaiting_the_persons_opinion():
    case, _access = invited_case()
    drafted(case)

    response = log_in_person(Client()).get(reverse("space_document_diagnostic", args=[1]))
    page = response.content.decode()

    assert "Document en attente de votre avis : pas encore signé." in page
    # the person's own difficulties, the disputed one and the uncovered one included
    for text in (
        "Je veux travailler près de chez moi.",
        "Vit seule avec son fils.",
        "Logement : « Je suis hébergée chez ma sœur. »",
        "Santé : « J&#x27;ai mal au dos. »",
        "(vous n'êtes pas d'accord avec ce qui est écrit)",
    ):
        assert text in page, text
    assert "data-print" in page
    assert "Imprimer et remettre" not in page
    assert "binome-preview" not in page
    assert "no-store" in response["Cache-Control"]


def test_the_signed_diagnostic_says_when_it_was_signed():
    case, _access = invited_case()
    diagnostic = lock(drafted(case))

    page = (
        log_in_person(Client()).get(reverse("space_document_diagnostic", args=[1])).content.decode()
    )

    signed_on = timezone.localtime(diagnostic.locked_at).date()
    assert f"Signé par vos deux professionnel·les le {signed_on:%-d}" in page
    assert "pas encore signé" not in page


def test_the_decision_letter_carries_the_ways_to_appeal():
    case, _access = invited_case()
    decision = decided(case, reasons="Projet en restauration.")

    response = log_in_person(Client()).get(reverse("space_document_decision", args=[decision.pk]))
    page = response.content.decode()

    for text in (
        "Objet : décision d'orientation",
        "Motifs : Projet en restauration.",
        "Si vous n'êtes pas d'accord",
        "Recours gracieux",
        "tribunal administratif",
        case.referent.full_name,
    ):
        assert text in page, text
    assert "no-store" in response["Cache-Control"]


def test_the_plan_document_shows_the_contract_and_every_action():
    case, _access = invited_case()
    services.plan_set_contract(
        case=case,
        acting_user=case.pair.advisor,
        kind="contrat_engagement",
        reference="CE-2041",
        signed_on=days_ago(10),
    )
    action(case, title="Refaire mon CV")
    action(case, owner=ActionOwner.ADVISOR, title="Chercher une formation")

    page = log_in_person(Client()).get(reverse("space_document_plan")).content.decode()

    assert "Contrat d&#x27;engagement n° CE-2041, signé le" in page
    assert "Refaire mon CV — la personne" in page
    assert "Chercher une formation — le ou la conseiller·ère" in page


def test_another_persons_documents_are_the_same_404_as_missing_ones():
    case, _access = invited_case()
    other, _other_access = invited_case(OTHER_EMAIL)
    drafted(other)
    decision = decided(other)
    action(other)
    client = log_in_person(Client())

    statuses = {
        "decision of another person": client.get(
            reverse("space_document_decision", args=[decision.pk])
        ).status_code,
        "missing decision": client.get(
            reverse("space_document_decision", args=[decision.pk + 1000])
        ).status_code,
        "diagnostic of another person": client.get(
            reverse("space_document_diagnostic", args=[1])
        ).status_code,
        "plan of another person": client.get(reverse("space_document_plan")).status_code,
    }

    assert statuses == dict.fromkeys(statuses, 404)
    assert document_links(client.get(reverse("space_documents")).content.decode()) == []


def test_an_archived_file_sends_the_person_to_the_first_page():
    case, _access = invited_case()
    decision = decided(case)
    action(case)
    client = log_in_person(Client())
    set_stage(case.beneficiary_id, file_stage=FileStage.ARCHIVED, archived_on=timezone.localdate())

    locations = {
        name: client.get(reverse(name, kwargs=kwargs))["Location"]
        for name, kwargs in (
            ("space_documents", {}),
            ("space_document_decision", {"pk": decision.pk}),
            ("space_document_plan", {}),
            ("space_data_download", {}),
            ("space_plan", {}),
        )
    }

    assert locations == dict.fromkeys(locations, reverse("space_home"))
    assert not InformationShare.objects.filter(purpose=DATA_DOWNLOADED).exists()


# Nothing secret ----------------------------------------------------------------------------------


def test_nothing_secret_in_the_documents_the_plan_or_the_download():
    case, _access = invited_case()
    canaries = {
        "social details": f"SECRET-{uuid.uuid4()}",
        "binôme note": f"SECRET-{uuid.uuid4()}",
        "point binôme": f"SECRET-{uuid.uuid4()}",
    }
    diagnostic = drafted(case, social_details=canaries["social details"])
    canaries["social note"] = SocialNoteFactory(
        case=case, author=case.pair.social_worker
    ).text.split(", ")[-1]
    NoteFactory(case=case, author=case.pair.advisor, text=canaries["binôme note"])
    case_services.pair_contact_record(
        pair=case.pair,
        author=case.pair.advisor,
        occurred_on=timezone.localdate(),
        channel="phone",
        cases=[case],
        summary=canaries["point binôme"],
    )
    decision = decided(case)
    obstacle = services.obstacle_add(
        diagnostic=diagnostic,
        acting_user=case.pair.social_worker,
        category=ObstacleCategory.MOBILITY,
        impact=Impact.MEDIUM,
        in_persons_words="Pas de voiture.",
    )
    action(case, obstacle=obstacle)
    client = log_in_person(Client())

    responses = {
        name: client.get(reverse(name, kwargs=kwargs))
        for name, kwargs in (
            ("space_documents", {}),
            ("space_document_diagnostic", {"version": 1}),
            ("space_document_decision", {"pk": decision.pk}),
            ("space_document_plan", {}),
            ("space_data_download", {}),
            ("space_plan", {}),
        )
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    leaks = sorted(
        (name, what)
        for name, response in responses.items()
        for what, canary in canaries.items()
        if canary in response.content.decode()
    )
    assert leaks == []
    # The check can fail: the person's own words are there.
    download = responses["space_data_download"].content.decode()
    assert "Pas de voiture." in download
    assert "Vit seule avec son fils." in download


# The download ------------------------------------------------------------------------------------


def test_the_download_holds_what_the_space_shows_and_is_journaled_as_the_persons_act():
    case, access = invited_case()
    diagnostic = drafted(case)
    decision = decided(case)
    own = action(case, due_on=timezone.localdate() + datetime.timedelta(days=20))
    appointment = case_services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=timezone.now() + datetime.timedelta(days=3),
        place="Agence du centre",
        with_whom=case.pair.advisor,
    )
    client = log_in_person(Client())
    case.refresh_from_db()

    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.localtime()
        response = client.get(reverse("space_data_download"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="mon-espace-binome.json"'
    assert "no-store" in response["Cache-Control"]
    referent = case.referent
    co_member = case.co_accompagnant
    assert json.loads(response.content) == {
        "telecharge_le": now.isoformat(timespec="seconds"),
        "accompagnement": {
            "etat": "Votre accompagnement est en cours.",
            "commence_le": case.started_on.isoformat() if case.started_on else None,
            "prevu_jusqu_au": case.planned_end_on.isoformat() if case.planned_end_on else None,
            "referent": {
                "nom": referent.full_name,
                "fonction": referent.job_title or "référent·e",
                "organisation": referent.organisation.name,
                "courriel": referent.email,
            },
            "co_accompagnant": {
                "nom": co_member.full_name,
                "fonction": co_member.job_title or "co-accompagnant·e",
                "organisation": co_member.organisation.name,
                "courriel": co_member.email,
            },
        },
        "prochains_rendez_vous": [
            {
                "le": timezone.localtime(appointment.planned_at).isoformat(timespec="minutes"),
                "lieu": "Agence du centre",
                "avec": case.pair.advisor.full_name,
            }
        ],
        "diagnostic": [
            {
                "version": 1,
                "etat": DiagnosticState.DRAFT.label,
                "redige_le": diagnostic.drafted_on.isoformat(),
                "ce_que_vous_nous_avez_dit": "Je veux travailler près de chez moi.",
                "vos_atouts": "",
                "votre_situation_pour_l_emploi": "",
                "votre_situation_de_vie": "Vit seule avec son fils.",
                "difficultes": [
                    # in the order of the categories' codes, as on the diagnostic page
                    {
                        "categorie": "Santé",
                        "avec_vos_mots": "J'ai mal au dos.",
                        "vous_etes_d_accord": False,
                    },
                    {
                        "categorie": "Logement",
                        "avec_vos_mots": "Je suis hébergée chez ma sœur.",
                        "vous_etes_d_accord": True,
                    },
                ],
                "votre_avis_le": None,
                "votre_commentaire": "",
                "verrouille_le": None,
            }
        ],
        "decisions_d_orientation": [
            {
                "decidee_le": decision.decided_on.isoformat(),
                "par": decision.get_authority_display(),
                "parcours": decision.get_path_display(),
                "reorientation": False,
                "motifs": "Selon les critères nationaux.",
                "reexamen_au_plus_tard_le": decision.review_on.isoformat(),
                "vous_etiez_d_accord": None,
                "votre_commentaire": "",
            }
        ],
        "contrat_et_plan_d_action": {
            "contrat": "Contrat d'engagement",
            "reference": "",
            "signe_le": None,
            "actions": [
                {
                    "action": "Refaire mon CV",
                    "qui": "La personne",
                    "partenaire": "",
                    "echeance": own.due_on.isoformat(),
                    "etat": "À faire",
                    "faite_le": None,
                    "difficulte": None,
                    "votre_commentaire": "",
                }
            ],
        },
    }
    row = InformationShare.objects.get(case=case, purpose=DATA_DOWNLOADED)
    assert (row.channel, row.actor, row.object_id) == (
        JournalChannel.PERSON,
        None,
        str(access.pk),
    )
    timeline = (
        log_in(Client(), case.pair.social_worker)
        .get(reverse("case_detail", args=[case.pk]))
        .content.decode()
    )
    assert re.search(
        rf"<strong>{DATA_DOWNLOADED}</strong>, le [^<]+— <em>par la personne, depuis son espace",
        timeline,
    )


# The plan d'action -------------------------------------------------------------------------------


def test_the_plan_page_has_a_form_for_the_persons_own_actions_only():
    case, _access = invited_case()
    own = action(case)
    advisors = action(case, owner=ActionOwner.ADVISOR, title="Chercher une formation")
    dropped = action(case, title="Passer le permis")
    services.action_set_status(
        action=dropped, acting_user=case.pair.advisor, status=ActionStatus.DROPPED
    )

    page = log_in_person(Client()).get(reverse("space_plan")).content.decode()

    assert re.findall(r'action="/mon-espace/plan/actions/(\d+)/"', page) == [str(own.pk)]
    assert "Chercher une formation" in page
    assert "Qui : le ou la conseiller·ère" in page
    assert f'id="action-{own.pk}-comment"' in page
    assert f"/mon-espace/plan/actions/{advisors.pk}/" not in page


def test_the_person_marks_their_action_done_with_a_comment_as_their_own_act():
    case, access = invited_case()
    own = action(case, due_on=timezone.localdate() + datetime.timedelta(days=20))
    client = log_in_person(Client())

    response = client.post(
        reverse("space_action_mark", args=[own.pk]),
        {"done": "1", "comment": "  Envoyé à trois restaurants.  "},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("space_plan"))
    own.refresh_from_db()
    assert (own.status, own.done_on, own.person_comment) == (
        ActionStatus.DONE,
        timezone.localdate(),
        "Envoyé à trois restaurants.",
    )
    row = InformationShare.objects.get(case=case, channel=JournalChannel.PERSON)
    assert (row.purpose, row.actor, row.object_type, row.object_id) == (
        "Action du plan marquée faite",
        None,
        "action",
        str(own.pk),
    )
    audit = LogEntry.objects.get_for_object(own).order_by("-pk").first()
    assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")
    case.refresh_from_db()
    assert case.next_action_due_on is None  # no open action with a due date left
    social_worker = log_in(Client(), case.pair.social_worker)
    timeline = social_worker.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert re.search(
        r"<strong>Action du plan marquée faite</strong>, le [^<]+— "
        r"<em>par la personne, depuis son espace",
        timeline,
    )
    plan_page = social_worker.get(reverse("action_plan", args=[case.pk])).content.decode()
    assert "La personne a écrit : « Envoyé à trois restaurants. »" in plan_page
    page = client.get(reverse("space_plan")).content.decode()
    assert "Votre commentaire : « Envoyé à trois restaurants. »" in page
    assert "Pas encore faite" in page


def test_the_person_says_their_action_is_not_done_yet():
    case, _access = invited_case()
    own = action(case)
    client = log_in_person(Client())
    client.post(reverse("space_action_mark", args=[own.pk]), {"done": "1", "comment": "Fait."})

    client.post(reverse("space_action_mark", args=[own.pk]), {"done": "0", "comment": ""})

    own.refresh_from_db()
    assert (own.status, own.done_on, own.person_comment) == (ActionStatus.TO_DO, None, "")
    assert list(
        InformationShare.objects.filter(case=case, channel=JournalChannel.PERSON)
        .order_by("pk")
        .values_list("purpose", flat=True)
    ) == ["Action du plan marquée faite", "Action du plan marquée pas encore faite"]


def test_another_owners_or_persons_action_is_the_same_404_as_a_missing_one():
    case, _access = invited_case()
    advisors = action(case, owner=ActionOwner.ADVISOR, title="Chercher une formation")
    dropped = action(case, title="Passer le permis")
    services.action_set_status(
        action=dropped, acting_user=case.pair.advisor, status=ActionStatus.DROPPED
    )
    other, _other_access = invited_case(OTHER_EMAIL)
    others = action(other)
    client = log_in_person(Client())
    before = list(Action.objects.order_by("pk").values_list("status", "person_comment"))

    statuses = {
        what: client.post(
            reverse("space_action_mark", args=[pk]), {"done": "1", "comment": "Fait."}
        ).status_code
        for what, pk in (
            ("another owner's", advisors.pk),
            ("abandoned", dropped.pk),
            ("another person's", others.pk),
            ("missing", others.pk + 1000),
        )
    }

    assert statuses == dict.fromkeys(statuses, 404)
    assert list(Action.objects.order_by("pk").values_list("status", "person_comment")) == before
    assert not InformationShare.objects.filter(channel=JournalChannel.PERSON).exists()


def test_the_service_refuses_an_action_that_is_not_the_persons():
    case, access = invited_case()
    advisors = action(case, owner=ActionOwner.ADVISOR, title="Chercher une formation")
    other, _other_access = invited_case(OTHER_EMAIL)
    others = action(other)

    for refused_action in (advisors, others):
        with refused(InvalidTransition, NOT_YOURS):
            services.action_person_mark(access=access, action=refused_action, done=True)


def test_a_too_long_comment_is_refused_and_changes_nothing():
    case, _access = invited_case()
    own = action(case)
    client = log_in_person(Client())

    response = client.post(
        reverse("space_action_mark", args=[own.pk]),
        {"done": "1", "comment": "x" * 501},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Votre commentaire est trop long : 500 caractères au plus."
    ]
    own.refresh_from_db()
    assert (own.status, own.person_comment) == (ActionStatus.TO_DO, "")


def test_marking_is_post_only():
    case, _access = invited_case()
    own = action(case)

    response = log_in_person(Client()).get(reverse("space_action_mark", args=[own.pk]))

    assert response.status_code == 405


# Query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 6])
def test_the_documents_list_queries_constant(size, django_assert_num_queries):
    case, _access = invited_case()
    lock(drafted(case))
    services.diagnostic_new_version(
        diagnostic=Diagnostic.objects.get(case=case), acting_user=case.pair.social_worker
    )
    for number in range(size):
        decided(case, reasons=f"Décision {number}")
        action(case, title=f"Action {number}")
    client = log_in_person(Client())

    # session, the access (with the person and the case), the diagnostic versions shown, the
    # decisions, the plan
    with django_assert_num_queries(5):
        response = client.get(reverse("space_documents"))

    assert [d.version for d in response.context["diagnostics"]] == [2, 1]
    assert len(response.context["decisions"]) == size


@pytest.mark.parametrize("size", [2, 6])
def test_the_plan_page_queries_constant(size, django_assert_num_queries):
    case, _access = invited_case()
    diagnostic = drafted(case)
    obstacles = obstacles_of(diagnostic)
    owners = [ActionOwner.PERSON, ActionOwner.ADVISOR, ActionOwner.SOCIAL_WORKER]
    for number in range(size):
        action(
            case,
            owner=owners[number % len(owners)],
            title=f"Action {number}",
            obstacle=obstacles[number % len(obstacles)],
            due_on=timezone.localdate() + datetime.timedelta(days=number + 1),
        )
    client = log_in_person(Client())

    # session, the access (with the person and the case), the actions with their difficulty,
    # the plan
    with django_assert_num_queries(4):
        response = client.get(reverse("space_plan"))

    rows = response.context["rows"]
    assert len(rows) == size
    assert {action.obstacle.category for action, _form in rows} == {
        ObstacleCategory.HOUSING,
        ObstacleCategory.HEALTH,
    }
    assert sum(1 for _action, form in rows if form is not None) == len(range(0, size, 3))
