"""The person's diagnostic in their space: they read it (never the social details), validate or
contest it in their own words before the binôme signs, as their own act; the social worker sees
the contestation; a signed diagnostic takes no more opinion; a professional's change after the
opinion brings it back to the person."""

import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from casework.enums import JournalChannel, ObstacleCategory
from casework.models import InformationShare
from orientation import services
from orientation.enums import DiagnosticState, Impact
from orientation.models import Diagnostic
from partners.errors import InvalidTransition
from tests.casework.test_person_space import invited_case, log_in_person
from tests.conftest import log_in
from tests.refusals import refused

pytestmark = pytest.mark.django_db

SECRET = "SECRET-détail-social-jamais-dans-l-espace"


def drafted(case) -> Diagnostic:  # type: ignore[no-untyped-def]
    social_worker = case.pair.social_worker
    diagnostic = services.diagnostic_start(case=case, acting_user=social_worker)
    services.diagnostic_update(
        diagnostic=diagnostic,
        acting_user=social_worker,
        fields={
            "person_words": "Je veux travailler près de chez moi.",
            "social_summary": "Vit seule.",
        },
    )
    services.social_details_set(diagnostic=diagnostic, acting_user=social_worker, text=SECRET)
    for category, words in (
        (ObstacleCategory.HOUSING, "Je suis hébergée chez ma sœur."),
        (ObstacleCategory.HEALTH, "J'ai mal au dos."),
    ):
        services.obstacle_add(
            diagnostic=diagnostic,
            acting_user=social_worker,
            category=category,
            impact=Impact.STRONG,
            in_persons_words=words,
        )
    return Diagnostic.objects.get(pk=diagnostic.pk)


def test_the_person_reads_their_diagnostic_without_the_social_details():
    case, _access = invited_case()
    drafted(case)

    page = log_in_person(Client()).get(reverse("space_diagnostic")).content.decode()

    for text in (
        "Je veux travailler près de chez moi.",
        "Vit seule.",
        "Logement : « Je suis hébergée chez ma sœur. »",
        "Santé : « J&#x27;ai mal au dos. »",
        "Lisez-le, puis dites si vous êtes d'accord.",
    ):
        assert text in page, text
    assert SECRET not in page
    for word in ("bénéficiaire", "frein"):
        assert word not in page.lower()
    # The words are required when the person disagrees: never called « Facultatif ».
    assert "Facultatif" not in page


def test_the_person_contests_in_their_own_words_and_the_social_worker_sees_it():
    case, access = invited_case()
    diagnostic = drafted(case)
    client = log_in_person(Client())

    response = client.post(
        reverse("space_diagnostic"),
        {"validated": "0", "comment": "Le logement n'est pas mon problème principal."},
    )

    assert response.status_code == 302
    diagnostic.refresh_from_db()
    assert (
        diagnostic.state,
        diagnostic.person_opinion_comment,
        diagnostic.person_opinion_recorded_by,
    ) == (DiagnosticState.CONTESTED, "Le logement n'est pas mon problème principal.", None)
    row = InformationShare.objects.get(case=case, channel=JournalChannel.PERSON)
    assert (row.purpose, row.actor, row.object_id) == (
        "Avis sur le diagnostic : contesté",
        None,
        str(diagnostic.pk),
    )
    # The diagnostic and the case it updates are both written as the person's act.
    for written in (diagnostic, case):
        audit = LogEntry.objects.get_for_object(written).order_by("-pk").first()
        assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")
    seen = (
        log_in(Client(), case.pair.social_worker)
        .get(reverse("diagnostic", args=[case.pk]))
        .content.decode()
    )
    assert "Le logement n&#x27;est pas mon problème principal." in seen
    assert "Donné par la personne, depuis son espace." in seen


def test_contesting_without_words_is_refused_and_keeps_the_choice():
    case, _access = invited_case()
    diagnostic = drafted(case)

    response = log_in_person(Client()).post(
        reverse("space_diagnostic"), {"validated": "0", "comment": "  "}
    )

    assert response.context["form"].errors == {
        "comment": ["Écrivez avec vos mots ce que vous contestez."]
    }
    assert re.search(r'value="0"[^>]*checked', response.content.decode())
    diagnostic.refresh_from_db()
    assert diagnostic.state == DiagnosticState.DRAFT


def test_the_person_validates_then_the_binome_may_sign():
    case, access = invited_case()
    diagnostic = drafted(case)

    log_in_person(Client()).post(reverse("space_diagnostic"), {"validated": "1", "comment": ""})
    signed = services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor)

    assert signed.state == DiagnosticState.VALIDATED
    assert signed.advisor_signed_at is not None
    with refused(InvalidTransition, "Votre avis sur ce diagnostic est déjà enregistré."):
        services.diagnostic_person_opinion(
            diagnostic=diagnostic, access_id=access.pk, validated=False, comment="Non."
        )


def test_a_change_after_the_opinion_brings_it_back_to_the_person():
    case, _access = invited_case()
    diagnostic = drafted(case)
    client = log_in_person(Client())
    client.post(reverse("space_diagnostic"), {"validated": "1", "comment": ""})

    services.diagnostic_update(
        diagnostic=diagnostic,
        acting_user=case.pair.advisor,
        fields={"strengths": "Ponctuelle, à l'écoute."},
    )
    page = client.get(reverse("space_diagnostic")).content.decode()

    diagnostic.refresh_from_db()
    assert diagnostic.state == DiagnosticState.DRAFT
    assert "Envoyer mon avis" in page


def test_a_professional_session_is_sent_to_the_persons_login():
    case, _access = invited_case()
    drafted(case)

    response = log_in(Client(), case.pair.social_worker).get(reverse("space_diagnostic"))

    assert (response.status_code, response["Location"]) == (302, reverse("space_login"))


@pytest.mark.parametrize("size", [2, 6])
def test_the_persons_diagnostic_queries_constant(size, django_assert_num_queries):
    case, _access = invited_case()
    diagnostic = drafted(case)
    for number in range(size):
        services.obstacle_add(
            diagnostic=diagnostic,
            acting_user=case.pair.social_worker,
            category=ObstacleCategory.MOBILITY,
            impact=Impact.MEDIUM,
            in_persons_words=f"Trajet {number}",
        )
    client = log_in_person(Client())

    # session, the access (with the person and the case), the diagnostic, its difficulties
    with django_assert_num_queries(4):
        response = client.get(reverse("space_diagnostic"))

    assert len(response.context["obstacles"]) == 2 + size
