"""Rectification and objection: a correction is a new recorded version, never a silent overwrite."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from casework import rights
from casework.enums import CaseState, PersonRequestState
from casework.errors import InvalidInput
from casework.models import Beneficiary, InformationShare, PersonRequest, Rectification
from orientation import services as orientation_services
from orientation.models import Diagnostic, Obstacle
from partners.enums import Role
from tests.casework.factories import CaseFactory, InterviewFactory
from tests.conftest import log_in
from tests.orientation.factories import lock, make_diagnostic, obstacles_of
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db


def history(beneficiary: Beneficiary) -> list[tuple[str, str, str, str, str]]:
    return [
        (r.object_type, r.field_name, r.previous_value, r.new_value, r.reason)
        for r in Rectification.objects.filter(beneficiary=beneficiary).order_by("pk")
    ]


def test_identity_rectification_keeps_the_previous_value_with_who_and_why():
    case = CaseFactory(
        state=CaseState.ACTIVE, beneficiary__last_name="Dupond", beneficiary__city="Dijon"
    )
    advisor = case.pair.advisor
    client = Client()
    client.force_login(advisor)
    current = {name: getattr(case.beneficiary, name) or "" for name in rights.RECTIFIABLE_IDENTITY}
    current["birth_date"] = case.beneficiary.birth_date.isoformat()

    response = client.post(
        reverse("identity_rectify", kwargs={"pk": case.pk}),
        {**current, "last_name": "Dupont", "reason": "Nom mal orthographié à l'inscription"},
    )

    assert response.status_code == 302
    case.beneficiary.refresh_from_db()
    assert case.beneficiary.last_name == "Dupont"
    assert history(case.beneficiary) == [
        ("beneficiary", "last_name", "Dupond", "Dupont", "Nom mal orthographié à l'inscription")
    ]
    row = Rectification.objects.get()
    assert (row.recorded_by, row.case) == (advisor, case)
    page = client.get(reverse("case_rights", kwargs={"pk": case.pk})).content.decode()
    assert "Dupond" in page
    assert "Nom mal orthographié" in page


def test_rectification_without_reason_is_refused_and_keeps_what_was_typed():
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__last_name="Dupond")
    client = Client()
    client.force_login(case.pair.social_worker)
    current = {name: getattr(case.beneficiary, name) or "" for name in rights.RECTIFIABLE_IDENTITY}
    current["birth_date"] = case.beneficiary.birth_date.isoformat()

    response = client.post(
        reverse("identity_rectify", kwargs={"pk": case.pk}),
        {**current, "last_name": "Dupontel", "reason": ""},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Notez pourquoi la personne demande cette correction." in content
    assert 'value="Dupontel"' in content
    case.beneficiary.refresh_from_db()
    assert (case.beneficiary.last_name, Rectification.objects.count()) == ("Dupond", 0)


def test_interview_summary_rectified_twice_keeps_both_versions():
    case = CaseFactory(state=CaseState.ACTIVE)
    interview = InterviewFactory(case=case, summary="A refusé le poste proposé")
    advisor = case.pair.advisor

    rights.interview_rectify(
        interview=interview,
        acting_user=advisor,
        summary="A demandé un délai pour le poste proposé",
        reason="La personne n'a pas refusé",
    )
    rights.interview_rectify(
        interview=interview,
        acting_user=case.pair.social_worker,
        summary="A demandé un délai d'une semaine",
        reason="Précision de la personne",
    )

    interview.refresh_from_db()
    assert interview.summary == "A demandé un délai d'une semaine"
    assert history(case.beneficiary) == [
        (
            "interview",
            "summary",
            "A refusé le poste proposé",
            "A demandé un délai pour le poste proposé",
            "La personne n'a pas refusé",
        ),
        (
            "interview",
            "summary",
            "A demandé un délai pour le poste proposé",
            "A demandé un délai d'une semaine",
            "Précision de la personne",
        ),
    ]
    with pytest.raises(InvalidInput, match="Rien n'a changé"):
        rights.interview_rectify(
            interview=interview,
            acting_user=advisor,
            summary="A demandé un délai d'une semaine",
            reason="Même texte",
        )


def test_contested_obstacle_in_a_locked_diagnostic_is_corrected_in_the_next_version():
    case = CaseFactory(state=CaseState.ACTIVE)
    diagnostic = lock(
        make_diagnostic(case, obstacles=[("housing", "Je dors dans ma voiture", True)])
    )
    obstacle = obstacles_of(diagnostic)[0]

    orientation_services.obstacle_rectify(
        obstacle=obstacle,
        acting_user=case.pair.social_worker,
        reason="La personne vit chez un ami, plus dans sa voiture",
        in_persons_words="Je suis hébergé chez un ami",
        person_agrees=True,
    )

    versions = list(Diagnostic.objects.filter(case=case).order_by("version"))
    assert [(d.version, d.state) for d in versions] == [(1, "locked"), (2, "draft")]
    assert [o.in_persons_words for o in obstacles_of(versions[0])] == ["Je dors dans ma voiture"]
    assert [o.in_persons_words for o in obstacles_of(versions[1])] == [
        "Je suis hébergé chez un ami"
    ]
    new_obstacle = Obstacle.objects.get(diagnostic=versions[1])
    assert history(case.beneficiary) == [
        (
            "obstacle",
            "in_persons_words",
            "Je dors dans ma voiture",
            "Je suis hébergé chez un ami",
            "La personne vit chez un ami, plus dans sa voiture",
        )
    ]
    row = Rectification.objects.get()
    assert (row.object_id, row.share_category) == (str(new_obstacle.pk), "obstacles:housing")


def test_obstacle_rectification_page_shows_the_history():
    case = CaseFactory(state=CaseState.ACTIVE)
    diagnostic = make_diagnostic(case, obstacles=[("mobility", "Pas de permis", True)])
    obstacle = obstacles_of(diagnostic)[0]
    client = Client()
    client.force_login(case.pair.social_worker)
    url = reverse("obstacle_rectify", kwargs={"pk": case.pk, "obstacle_pk": obstacle.pk})

    response = client.post(
        url,
        {
            "in_persons_words": "Permis en cours, code obtenu",
            "impact": "medium",
            "person_agrees": "on",
            "reason": "Le code est obtenu depuis le diagnostic",
        },
    )

    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "« Pas de permis » → « Permis en cours, code obtenu »" in page
    assert "Le code est obtenu depuis le diagnostic" in page


def test_objection_is_recorded_and_routed_to_the_dpo(django_capture_on_commit_callbacks):
    case = CaseFactory(state=CaseState.ACTIVE)
    dpo = ProfessionalFactory(role=Role.AUDITOR, organisation__department=case.pair.department)
    other_dpo = ProfessionalFactory(role=Role.AUDITOR)
    client = Client()
    client.force_login(case.pair.advisor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("person_request_create", kwargs={"pk": case.pk}),
            {
                "kind": "objection",
                "text": "Je m'oppose à l'envoi de mes données à la plateforme régionale",
                "received_on": datetime.date(2026, 11, 20).isoformat(),
            },
        )

    assert response.status_code == 302
    request = PersonRequest.objects.get()
    assert (request.kind, request.state, request.beneficiary) == (
        "objection",
        PersonRequestState.OPEN,
        case.beneficiary,
    )
    assert [message.to for message in mail.outbox] == [[dpo.email]]
    assert case.beneficiary.last_name not in mail.outbox[0].body
    dpo_client = Client()
    log_in(dpo_client, dpo)
    assert "plateforme régionale" in dpo_client.get(reverse("person_requests")).content.decode()
    other_client = Client()
    log_in(other_client, other_dpo)
    assert (
        "plateforme régionale" not in other_client.get(reverse("person_requests")).content.decode()
    )
    response = dpo_client.post(
        reverse("person_request_answer", kwargs={"request_pk": request.pk}),
        {"answer": "Opposition acceptée : aucune transmission."},
    )
    request.refresh_from_db()
    assert (request.state, request.answered_by) == (PersonRequestState.ANSWERED, dpo)


def test_rights_page_journals_the_social_side_reading_corrected_difficulties():
    case = CaseFactory(state=CaseState.ACTIVE)
    obstacle = obstacles_of(make_diagnostic(case, obstacles=[("health", "Mal au dos", True)]))[0]
    orientation_services.obstacle_rectify(
        obstacle=obstacle,
        acting_user=case.pair.social_worker,
        reason="Précision",
        in_persons_words="Hernie discale opérée",
    )
    url = reverse("case_rights", kwargs={"pk": case.pk})
    social, advisor = Client(), Client()
    social.force_login(case.pair.social_worker)
    advisor.force_login(case.pair.advisor)

    seen = social.get(url)
    unseen = advisor.get(url)

    assert "Hernie discale opérée" in seen.content.decode()
    assert "Hernie discale opérée" not in unseen.content.decode()
    assert InformationShare.objects.filter(request_id=seen["X-Request-ID"]).count() == 1
    assert InformationShare.objects.filter(request_id=unseen["X-Request-ID"]).count() == 0
