"""Axis 3: a case followed by a social worker alone (« suivi social seul », no advisor), which
can join a binôme later and come back, keeping its history."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import permissions, services
from casework.enums import CaseState, JournalChannel, ShareCategory
from casework.models import Case, CasePairPeriod, InformationShare, Note, SocialNote
from casework.space import services as space_services
from orientation import services as orientation_services
from orientation.enums import RecommendationState
from orientation.models import Diagnostic
from orientation.reminders import late_signatures
from partners import services as partner_services
from partners.enums import Role
from partners.errors import InvalidPair, InvalidTransition
from tests.casework.factories import CaseFactory, NoteFactory, SocialNoteFactory
from tests.casework.test_person_space import EMAIL, log_in_person
from tests.conftest import log_in
from tests.orientation.factories import make_diagnostic
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def social_worker(department):
    return ProfessionalFactory(role=Role.SOCIAL_WORKER, organisation__department=department)


@pytest.fixture
def advisor(department):
    return ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)


@pytest.fixture
def solo_pair(department, social_worker):
    return PairFactory(department=department, advisor=None, social_worker=social_worker)


def test_pair_create_without_advisor_is_a_social_only_pair(solo_pair, social_worker):
    assert (solo_pair.is_social_only, solo_pair.members, str(solo_pair)) == (
        True,
        (social_worker,),
        f"Suivi social seul n°{solo_pair.pk}",
    )
    assert solo_pair.co_member(social_worker) is None


def test_pair_create_refuses_a_second_social_only_pair_of_the_same_social_worker(
    solo_pair, social_worker
):
    with pytest.raises(InvalidPair) as refused:
        partner_services.pair_create(advisor=None, social_worker=social_worker, acting_user=None)

    assert refused.value.message == partner_services.ACTIVE_SOCIAL_ONLY_EXISTS


def test_pair_create_refuses_a_social_only_pair_of_an_advisor(department, advisor):
    with pytest.raises(InvalidPair) as refused:
        partner_services.pair_create(advisor=None, social_worker=advisor, acting_user=None)

    assert refused.value.message == (
        f"{advisor.full_name} n'est pas travailleur·se social·e (rôle : Conseiller·ère France "
        "Travail) : un suivi social seul est mené par un·e travailleur·se social·e."
    )


def test_social_only_pair_may_sit_beside_a_binome_of_its_social_worker(
    solo_pair, social_worker, advisor
):
    binome = PairFactory(
        department=solo_pair.department, advisor=advisor, social_worker=social_worker
    )

    assert binome.is_active and solo_pair.is_active


def test_case_propose_in_a_social_only_pair_grants_its_social_worker_alone(
    solo_pair, social_worker
):
    case = CaseFactory(pair=solo_pair, state=CaseState.ACTIVE)

    assert case.referent == social_worker
    assert case.co_accompagnant is None
    assert permissions.case_grants(case) == {
        (social_worker.pk, "view_case"),
        (social_worker.pk, "change_case"),
        (social_worker.pk, "view_social_notes"),
    }


def test_case_moved_social_only_to_binome_and_back_keeps_its_history(
    solo_pair, social_worker, advisor
):
    binome = PairFactory(
        department=solo_pair.department, advisor=advisor, social_worker=social_worker
    )
    case = CaseFactory(pair=solo_pair, state=CaseState.ACTIVE)
    note = NoteFactory(case=case)
    social_note = SocialNoteFactory(case=case)
    diagnostic = make_diagnostic(case)
    advisor_client = log_in(Client(), advisor)
    page = reverse("case_detail", kwargs={"pk": case.pk})
    assert advisor_client.get(page).status_code == 404

    services.case_reassign(
        case=case, new_pair=binome, reason="Un emploi se dessine", acting_user=None
    )
    joined = advisor_client.get(page)
    services.case_reassign(
        case=case, new_pair=solo_pair, reason="Retour au suivi social", acting_user=None
    )

    case.refresh_from_db()
    today = timezone.localdate()
    assert (case.pair, case.referent, case.state) == (solo_pair, social_worker, CaseState.ACTIVE)
    assert list(
        CasePairPeriod.objects.filter(case=case)
        .order_by("pk")
        .values_list("pair_id", "reason", "ended_on")
    ) == [
        (solo_pair.pk, "", today),
        (binome.pk, "Un emploi se dessine", today),
        (solo_pair.pk, "Retour au suivi social", None),
    ]
    assert list(
        InformationShare.objects.filter(case=case, channel=JournalChannel.GRANT)
        .order_by("seq")
        .values_list("purpose", "object_id")
    ) == [
        ("Accompagnement proposé : droits d'accès donnés au binôme", ""),
        (
            "Changement de binôme : droits retirés au binôme précédent, donnés au nouveau",
            str(binome.pk),
        ),
        (
            "Changement de binôme : droits retirés au binôme précédent, donnés au nouveau",
            str(solo_pair.pk),
        ),
    ]
    # What was written stays with the case, whoever follows it.
    assert list(Note.objects.filter(case=case)) == [note]
    assert list(SocialNote.objects.filter(case=case)) == [social_note]
    assert list(Diagnostic.objects.filter(case=case)) == [diagnostic]
    # The advisor followed the case while it was a binôme's, and no longer does.
    assert joined.status_code == 200
    assert advisor_client.get(page).status_code == 404
    assert list(Case.objects.visible_to(advisor)) == []
    assert permissions.case_grants(case) == permissions.pair_grants(solo_pair)


def test_case_moved_from_a_binome_to_social_only_makes_the_social_worker_referent(
    solo_pair, social_worker, advisor
):
    binome = PairFactory(department=solo_pair.department, advisor=advisor)
    case = CaseFactory(pair=binome, state=CaseState.ACTIVE)
    assert case.referent == advisor

    services.case_reassign(case=case, new_pair=solo_pair, reason="", acting_user=None)

    case.refresh_from_db()
    assert (case.referent, case.co_accompagnant) == (social_worker, None)


def test_social_only_diagnostic_is_locked_by_the_social_worker_alone_after_the_person(
    solo_pair, social_worker
):
    case = CaseFactory(pair=solo_pair, state=CaseState.DIAGNOSTIC)
    diagnostic = make_diagnostic(case)
    with pytest.raises(InvalidTransition) as refused:
        orientation_services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)
    orientation_services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=social_worker, validated=True
    )

    signed = orientation_services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)

    assert refused.value.message == (
        "La personne valide ou conteste d'abord le diagnostic : les signatures viennent après."
    )
    assert (signed.state, signed.signed_without_advisor, signed.advisor_signed_at) == (
        "locked",
        True,
        None,
    )
    # The social worker wrote the professional situation too (make_diagnostic, as the member).
    assert signed.professional_situation == "Sans emploi depuis 2024, CAP cuisine."
    case.refresh_from_db()
    assert case.state == CaseState.ACTIVE


def test_binome_diagnostic_still_waits_for_the_advisor(department, social_worker, advisor):
    case = CaseFactory(
        pair=PairFactory(department=department, advisor=advisor, social_worker=social_worker),
        state=CaseState.DIAGNOSTIC,
    )
    diagnostic = make_diagnostic(case)
    orientation_services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=social_worker, validated=True
    )

    signed = orientation_services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)

    assert (signed.state, signed.signed_without_advisor) == ("validated", False)
    assert [(due.recipient_id, due.case_id) for due in late_signatures_later(signed)] == [
        (advisor.pk, case.pk)
    ]


def late_signatures_later(diagnostic: Diagnostic):
    """The late-signature reminders a fortnight after the person's opinion."""
    day = diagnostic.person_opinion_at.date()
    return list(late_signatures(day + datetime.timedelta(days=15)))


def test_social_only_signature_reminder_goes_to_the_social_worker_only(solo_pair, social_worker):
    case = CaseFactory(pair=solo_pair, state=CaseState.DIAGNOSTIC)
    diagnostic = orientation_services.diagnostic_record_opinion(
        diagnostic=make_diagnostic(case), acting_user=social_worker, validated=True
    )

    assert [(due.recipient_id, due.case_id) for due in late_signatures_later(diagnostic)] == [
        (social_worker.pk, case.pk)
    ]


def test_social_only_recommendation_is_signed_by_the_social_worker_alone(solo_pair, social_worker):
    case = CaseFactory(pair=solo_pair, state=CaseState.DIAGNOSTIC)
    diagnostic = make_diagnostic(case)
    orientation_services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=social_worker, validated=True
    )
    orientation_services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)

    recommendation = orientation_services.recommendation_create(
        case=case,
        acting_user=social_worker,
        path="social",
        rationale="Le logement d'abord.",
        person_agrees=True,
    )

    assert (
        recommendation.state,
        recommendation.signed_without_advisor,
        recommendation.advisor_signed_at,
    ) == (RecommendationState.AWAITING_DECISION, True, None)


def test_space_of_a_social_only_person_names_the_social_worker_alone(solo_pair, social_worker):
    case = CaseFactory(pair=solo_pair, state=CaseState.ACTIVE)
    space_services.space_invite(case=case, email=EMAIL, acting_user=social_worker)
    services.agreement_record(
        case=case,
        categories=[ShareCategory.SOCIAL_SUMMARY],
        how_obtained="oral_three_way",
        acting_user=social_worker,
    )
    client = log_in_person(Client(), EMAIL)

    home = client.get(reverse("space_home"))
    agreement = client.get(reverse("space_agreement"))
    data = client.get(reverse("space_data_download"))

    assert (home.status_code, agreement.status_code, data.status_code) == (200, 200, 200)
    assert social_worker.full_name in home.content.decode()
    assert "qui vous accompagne aussi" not in home.content.decode()
    assert social_worker.full_name in agreement.content.decode()


def test_signatures_waiting_for_an_advisor_are_completed_once_the_case_is_social_only(
    solo_pair, social_worker, advisor
):
    binome = PairFactory(
        department=solo_pair.department, advisor=advisor, social_worker=social_worker
    )
    case = CaseFactory(pair=binome, state=CaseState.DIAGNOSTIC)
    diagnostic = orientation_services.diagnostic_record_opinion(
        diagnostic=make_diagnostic(case), acting_user=social_worker, validated=True
    )
    orientation_services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)
    with pytest.raises(InvalidTransition) as refused:
        orientation_services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)
    services.case_reassign(case=case, new_pair=solo_pair, reason="", acting_user=None)

    signed = orientation_services.diagnostic_sign(diagnostic=diagnostic, acting_user=social_worker)

    assert refused.value.message == "Vous avez déjà signé ce diagnostic."
    assert (signed.state, signed.signed_without_advisor) == ("locked", True)
