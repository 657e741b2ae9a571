import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from casework import services as case_services
from casework.enums import CaseState, ObstacleCategory, ShareCategory
from casework.errors import ConsentRequired, InvalidInput
from casework.models import Case, InformationShare
from orientation import services
from orientation.models import Diagnostic, Obstacle
from partners.errors import InvalidTransition
from tests.casework.factories import CaseFactory
from tests.orientation.factories import make_diagnostic, obstacles_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _validate_and_sign(diagnostic):  # type: ignore[no-untyped-def]
    case = diagnostic.case
    services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=case.pair.advisor, validated=True
    )
    services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor)
    return services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.social_worker)


def _agree(case, *categories):  # type: ignore[no-untyped-def]
    return case_services.agreement_record(
        case=case,
        categories=categories,
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
    )


def test_diagnostic_start_needs_entry_agreement():
    case = CaseFactory()  # proposé: the person has not agreed to enter yet

    with refused(
        ConsentRequired,
        "Le diagnostic commence une fois l'accord de la personne pour entrer enregistré.",
    ):
        services.diagnostic_start(case=case, acting_user=case.pair.social_worker)


def test_diagnostic_start_records_three_way_draft_and_case_state():
    case = CaseFactory(state=CaseState.DIAGNOSTIC)

    diagnostic = services.diagnostic_start(case=case, acting_user=case.pair.advisor)

    case.refresh_from_db()
    assert (diagnostic.version, diagnostic.state, diagnostic.drafted_three_way) == (
        1,
        "draft",
        True,
    )
    assert case.diagnostic_state == "draft"


def test_sections_belong_to_their_writer():
    diagnostic = make_diagnostic()

    with refused(
        InvalidTransition, "Cette partie du diagnostic est écrite par l'autre membre du binôme."
    ):
        services.diagnostic_update(
            diagnostic=diagnostic,
            acting_user=diagnostic.case.pair.advisor,
            fields={"social_summary": "écrit par le conseiller"},
        )
    with refused(
        InvalidTransition, "Cette partie du diagnostic est écrite par l'autre membre du binôme."
    ):
        services.diagnostic_update(
            diagnostic=diagnostic,
            acting_user=diagnostic.case.pair.social_worker,
            fields={"professional_situation": "écrit par la travailleuse sociale"},
        )


def test_signing_before_person_opinion_refused():
    diagnostic = make_diagnostic()

    with pytest.raises(InvalidTransition) as error:
        services.diagnostic_sign(diagnostic=diagnostic, acting_user=diagnostic.case.pair.advisor)

    assert error.value.message == (
        "La personne valide ou conteste d'abord le diagnostic : les signatures viennent après."
    )


def test_contesting_needs_the_persons_words():
    diagnostic = make_diagnostic()

    with refused(
        InvalidInput,
        "Notez ce que la personne conteste, dans ses mots.",
        field="person_opinion_comment",
    ):
        services.diagnostic_record_opinion(
            diagnostic=diagnostic, acting_user=diagnostic.case.pair.advisor, validated=False
        )


def test_contested_diagnostic_can_be_signed_and_keeps_the_contest():
    diagnostic = make_diagnostic()
    case = diagnostic.case
    services.diagnostic_record_opinion(
        diagnostic=diagnostic,
        acting_user=case.pair.social_worker,
        validated=False,
        comment="Je ne suis pas d'accord sur le logement",
    )
    services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.social_worker)

    locked = services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor)

    assert (locked.state, locked.person_opinion_comment) == (
        "locked",
        "Je ne suis pas d'accord sur le logement",
    )


def test_second_signature_locks_and_starts_the_case():
    case = CaseFactory(state=CaseState.DIAGNOSTIC)
    diagnostic = make_diagnostic(case)

    locked = _validate_and_sign(diagnostic)

    case = Case.objects.get(pk=case.pk)
    assert (locked.state, case.diagnostic_state, case.state) == ("locked", "locked", "active")


def test_signing_twice_refused():
    diagnostic = make_diagnostic()
    services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=diagnostic.case.pair.advisor, validated=True
    )
    services.diagnostic_sign(diagnostic=diagnostic, acting_user=diagnostic.case.pair.advisor)

    with refused(InvalidTransition, "Vous avez déjà signé ce diagnostic."):
        services.diagnostic_sign(diagnostic=diagnostic, acting_user=diagnostic.case.pair.advisor)


def test_editing_after_opinion_returns_to_draft_and_clears_signatures():
    diagnostic = make_diagnostic()
    case = diagnostic.case
    services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=case.pair.advisor, validated=True
    )
    services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor)

    edited = services.diagnostic_update(
        diagnostic=diagnostic, acting_user=case.pair.advisor, fields={"strengths": "Autre chose"}
    )

    assert (edited.state, edited.advisor_signed_at) == ("draft", None)


def test_locked_version_never_changes_and_edit_makes_next_version():
    diagnostic = _validate_and_sign(make_diagnostic())
    case = diagnostic.case
    stored = model_to_dict(Diagnostic.objects.get(pk=diagnostic.pk))
    stored_obstacles = [model_to_dict(o) for o in obstacles_of(diagnostic)]

    with refused(
        InvalidTransition,
        "Ce diagnostic est verrouillé : il ne change plus. Créez une nouvelle version.",
    ):
        services.diagnostic_update(
            diagnostic=diagnostic, acting_user=case.pair.advisor, fields={"strengths": "x"}
        )
    with refused(
        InvalidTransition,
        "Ce diagnostic est verrouillé : il ne change plus. Créez une nouvelle version.",
    ):
        services.obstacle_add(
            diagnostic=diagnostic,
            acting_user=case.pair.advisor,
            category="mobility",
            impact="medium",
            in_persons_words="Pas de voiture",
        )
    successor = services.diagnostic_new_version(
        diagnostic=diagnostic, acting_user=case.pair.advisor
    )
    services.diagnostic_update(
        diagnostic=successor, acting_user=case.pair.advisor, fields={"strengths": "Nouvelle"}
    )

    assert model_to_dict(Diagnostic.objects.get(pk=diagnostic.pk)) == stored
    assert [model_to_dict(o) for o in obstacles_of(diagnostic)] == stored_obstacles
    assert (successor.version, successor.state, successor.person_words) == (
        2,
        "draft",
        diagnostic.person_words,
    )
    assert len(obstacles_of(successor)) == len(stored_obstacles)
    assert Case.objects.get(pk=case.pk).diagnostic_state == "draft"


def test_person_refusing_writing_stores_nothing():
    diagnostic = make_diagnostic(obstacles=[])

    result = services.obstacle_add(
        diagnostic=diagnostic,
        acting_user=diagnostic.case.pair.social_worker,
        category="health",
        impact="strong",
        in_persons_words="Ce que la personne ne veut pas voir écrit",
        person_refuses_writing=True,
    )

    assert result is None
    assert Obstacle.objects.filter(diagnostic=diagnostic).count() == 0


def _page(login_client, user, case):  # type: ignore[no-untyped-def]
    return login_client(user).get(reverse("diagnostic", args=[case.pk])).content.decode()


def test_advisor_sees_only_what_the_accord_covers(login_client):
    diagnostic = make_diagnostic(
        social_summary="Synthèse partagée",
        obstacles=[
            (ObstacleCategory.HOUSING, "Je dors chez ma sœur", True),
            (ObstacleCategory.HEALTH, "Mal au dos", True),
        ],
    )
    case = diagnostic.case
    _agree(case, ShareCategory.SOCIAL_SUMMARY, ShareCategory.OBSTACLES_HOUSING)

    content = _page(login_client, case.pair.advisor, case)

    assert "Synthèse partagée" in content
    assert "Je dors chez ma sœur" in content
    assert "Mal au dos" not in content
    assert "Dettes" not in content  # the social details, never shared
    assert "D'autres éléments existent du côté social." in content
    row = InformationShare.objects.filter(case=case, channel="view").get()
    assert (row.category, row.basis, row.actor) == (
        "obstacles:housing,social_summary",
        "agreement",
        case.pair.advisor,
    )


def test_the_advisor_previewing_the_copy_is_a_journaled_read_of_what_it_shares(login_client):
    diagnostic = make_diagnostic(
        social_summary="Synthèse partagée",
        obstacles=[(ObstacleCategory.HOUSING, "Je dors chez ma sœur", True)],
    )
    case = diagnostic.case
    _agree(case, ShareCategory.SOCIAL_SUMMARY, ShareCategory.OBSTACLES_HOUSING)

    before = set(InformationShare.objects.values_list("pk", flat=True))

    login_client(case.pair.advisor).get(reverse("diagnostic_copy", args=[case.pk]))

    row = InformationShare.objects.exclude(pk__in=before).get()
    assert (row.channel, row.category, row.basis, row.actor) == (
        "view",
        "obstacles:housing,social_summary",
        "agreement",
        case.pair.advisor,
    )
    assert row.purpose == "Consultation de la copie du diagnostic avant sa remise"


def test_disputed_obstacle_never_reaches_the_advisor(login_client):
    diagnostic = make_diagnostic(
        obstacles=[(ObstacleCategory.HOUSING, "Je dors chez ma sœur", False)]
    )
    case = diagnostic.case
    _agree(case, ShareCategory.OBSTACLES_HOUSING)

    content = _page(login_client, case.pair.advisor, case)

    assert "Je dors chez ma sœur" not in content
    assert not InformationShare.objects.filter(case=case, channel="view").exists()


def test_after_withdrawal_the_advisor_no_longer_sees_the_social_summary(login_client):
    diagnostic = make_diagnostic(social_summary="Synthèse partagée")
    case = diagnostic.case
    agreement = _agree(case, ShareCategory.SOCIAL_SUMMARY)
    before = _page(login_client, case.pair.advisor, case)

    case_services.agreement_withdraw(agreement=agreement, acting_user=case.pair.social_worker)
    after = _page(login_client, case.pair.advisor, case)

    assert "Synthèse partagée" in before
    assert "Synthèse partagée" not in after
    assert list(
        InformationShare.objects.filter(case=case).order_by("seq").values_list("channel", flat=True)
    ) == ["grant", "agreement_given", "view", "agreement_withdrawn"]


def test_after_expiry_the_advisor_no_longer_sees_the_social_summary(login_client):
    diagnostic = make_diagnostic(social_summary="Synthèse partagée")
    case = diagnostic.case
    agreement = _agree(case, ShareCategory.SOCIAL_SUMMARY)
    before = _page(login_client, case.pair.advisor, case)

    # The agreement's validity ends: simulated by moving its end date (an audited save).
    agreement.expires_on = agreement.given_at.date().replace(year=2020)
    agreement.save(update_fields=["expires_on"])
    after = _page(login_client, case.pair.advisor, case)

    assert ("Synthèse partagée" in before, "Synthèse partagée" in after) == (True, False)


def test_person_copy_is_plain_french_and_shows_the_contest(login_client):
    diagnostic = make_diagnostic()
    case = diagnostic.case
    services.diagnostic_record_opinion(
        diagnostic=diagnostic,
        acting_user=case.pair.social_worker,
        validated=False,
        comment="Le logement n'est pas un problème pour moi",
    )

    client = login_client(case.pair.social_worker)
    url = reverse("diagnostic_copy", args=[case.pk])

    response = client.get(url)

    content = response.content.decode()
    assert "Les difficultés que vous voulez travailler" in content
    assert "freins" not in content.lower()
    assert "Vous n'êtes pas d'accord avec ce diagnostic." in content
    assert InformationShare.objects.filter(case=case, channel="print").count() == 0
    client.post(url)
    assert InformationShare.objects.filter(case=case, channel="print").count() == 1


@pytest.mark.parametrize("size", [2, 6])
def test_diagnostic_page_queries_constant(size, login_client, django_assert_num_queries):
    categories = list(ObstacleCategory.values)
    diagnostic = make_diagnostic(
        obstacles=[(categories[i], f"Difficulté {i}", True) for i in range(size)]
    )
    case = diagnostic.case
    _agree(case, ShareCategory.SOCIAL_SUMMARY, *[f"obstacles:{c}" for c in categories])
    client = login_client(case.pair.advisor)

    # session, professional, case, grant check, diagnostic, obstacles with their writers,
    # social check, agreement in force; the journal row: savepoint, head, insert, head, release
    with django_assert_num_queries(12):
        response = client.get(reverse("diagnostic", args=[case.pk]))

    assert len(response.context["view"].obstacles) == size
