import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.enums import CaseState
from casework.errors import InvalidInput
from casework.models import Case, InformationShare
from orientation import services
from orientation.models import Notification, OrientationDecision, Recommendation
from partners import services as partner_services
from partners.enums import Role
from partners.errors import InvalidTransition
from tests.casework.factories import CaseFactory
from tests.orientation.factories import lock, make_diagnostic, make_recommendation
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 2)


def _decide(case, path, recommendation=None, on=MARCH):  # type: ignore[no-untyped-def]
    return services.decision_record(
        case=case,
        acting_user=case.pair.advisor,
        path=path,
        decided_on=on,
        reasons="Décision du président du conseil départemental.",
        recommendation=recommendation,
    )


@pytest.mark.parametrize(
    ("path", "referent_role"),
    [("emploi", "advisor"), ("socioprofessionnel", "advisor"), ("social", "social_worker")],
)
def test_path_sets_the_referent(path, referent_role):
    case = CaseFactory(state=CaseState.ACTIVE)

    _decide(case, path)

    case = Case.objects.select_related("pair__advisor", "pair__social_worker").get(pk=case.pk)
    expected = case.pair.advisor if referent_role == "advisor" else case.pair.social_worker
    assert (case.orientation_path, case.referent, case.co_accompagnant) == (
        path,
        expected,
        case.pair.co_member(expected),
    )


def test_referent_change_is_journaled():
    case = CaseFactory(state=CaseState.ACTIVE)

    _decide(case, "social")

    row = InformationShare.objects.filter(case=case).order_by("-seq").first()
    assert row is not None
    assert row.purpose == "Changement de référent unique à la suite de la décision d'orientation"


def test_recommendation_needs_a_locked_diagnostic():
    case = CaseFactory(state=CaseState.ACTIVE)
    make_diagnostic(case)  # a draft

    with pytest.raises(InvalidTransition) as error:
        services.recommendation_create(
            case=case,
            acting_user=case.pair.advisor,
            path="emploi",
            rationale="Prête à reprendre un emploi",
            person_agrees=True,
        )

    assert (
        error.value.message == "Une préconisation s'appuie sur un diagnostic signé et verrouillé."
    )


def test_recommendation_signed_by_author_and_other_member_notified():
    case = CaseFactory(state=CaseState.ACTIVE)
    lock(make_diagnostic(case))

    recommendation = services.recommendation_create(
        case=case,
        acting_user=case.pair.advisor,
        path="emploi",
        rationale="Projet clair",
        person_agrees=True,
    )

    assert (recommendation.state, recommendation.advisor_signed_by) == (
        "signing",
        case.pair.advisor,
    )
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (case.pair.social_worker.pk, "signature")
    ]


def test_persons_disagreement_is_recorded_and_shown_on_decision(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    recommendation = make_recommendation(
        case, person_agrees=False, comment="Je préfère d'abord régler mon logement"
    )

    decision = _decide(case, "socioprofessionnel", recommendation)
    client = login_client(case.pair.advisor)
    page = client.get(reverse("orientation", args=[case.pk])).content.decode()
    letter = client.get(reverse("decision_letter", args=[case.pk, decision.pk])).content.decode()

    assert (decision.person_agrees, decision.person_comment) == (
        False,
        "Je préfère d'abord régler mon logement",
    )
    assert (
        "la personne n&#x27;était pas d&#x27;accord" in page
        or "la personne n'était pas d'accord" in page
    )
    assert "Je préfère d&#x27;abord régler mon logement" in letter
    assert "tribunal administratif" in letter


def test_case_opened_with_a_decision_already_taken():
    case = CaseFactory()  # proposé, no diagnostic yet

    decision = _decide(case, "emploi")

    case.refresh_from_db()
    assert (decision.basis, decision.recommendation, decision.is_reorientation) == (
        "national_criteria",
        None,
        False,
    )
    assert (case.state, case.orientation_path) == ("proposed", "emploi")
    assert decision.review_on == datetime.date(2026, 9, 2)


def test_reorientation_keeps_history_in_order():
    case = CaseFactory(state=CaseState.ACTIVE)
    first = _decide(case, "emploi", on=datetime.date(2026, 2, 1))
    recommendation = make_recommendation(case, path="social")

    second = _decide(case, "social", recommendation, on=datetime.date(2026, 6, 1))

    assert list(
        OrientationDecision.objects.filter(case=case)
        .order_by("decided_on", "pk")
        .values_list("pk", "path", "is_reorientation")
    ) == [(first.pk, "emploi", False), (second.pk, "social", True)]
    assert recommendation.is_reorientation is True


def test_supervisor_validation_off_goes_straight_to_decision():
    case = CaseFactory(state=CaseState.ACTIVE)

    recommendation = make_recommendation(case)

    assert recommendation.state == "awaiting_decision"
    assert list(
        Notification.objects.filter(done_at__isnull=True).values_list("kind", flat=True)
    ) == ["decision"]


def test_supervisor_validation_on(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    partner_services.department_update(
        department=case.pair.department,
        fields={"supervisor_validates_recommendations": True},
        acting_user=None,
    )
    supervisor = ProfessionalFactory(
        role=Role.SUPERVISOR, organisation=case.pair.advisor.organisation
    )
    outsider = ProfessionalFactory(
        role=Role.SUPERVISOR, organisation__department=case.pair.department
    )

    recommendation = make_recommendation(case)
    listed = login_client(supervisor).get(reverse("to_validate"))
    with refused(InvalidTransition, "Cette préconisation n'attend pas de décision."):
        services.decision_record(
            case=case,
            acting_user=case.pair.advisor,
            path="emploi",
            decided_on=MARCH,
            reasons="x",
            recommendation=recommendation,
        )
    with refused(InvalidTransition, "Seul·e l'encadrement de ce binôme valide ses préconisations."):
        services.recommendation_validate(
            recommendation=recommendation, acting_user=outsider, approve=True
        )
    validated = services.recommendation_validate(
        recommendation=recommendation, acting_user=supervisor, approve=True
    )

    assert recommendation.state == "validation"
    assert [r.pk for r in listed.context["page"].object_list] == [recommendation.pk]
    assert Notification.objects.filter(recipient=supervisor, kind="validation").exists()
    assert validated.state == "awaiting_decision"


def test_supervisor_sends_back_with_a_reason():
    case = CaseFactory(state=CaseState.ACTIVE)
    partner_services.department_update(
        department=case.pair.department,
        fields={"supervisor_validates_recommendations": True},
        acting_user=None,
    )
    supervisor = ProfessionalFactory(
        role=Role.SUPERVISOR, organisation=case.pair.advisor.organisation
    )
    recommendation = make_recommendation(case)

    sent_back = services.recommendation_validate(
        recommendation=recommendation,
        acting_user=supervisor,
        approve=False,
        comment="Préciser le projet de logement",
    )

    assert (sent_back.state, sent_back.validation_comment) == (
        "rejected",
        "Préciser le projet de logement",
    )


def test_decision_in_the_future_refused():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidInput) as error:
        _decide(case, "emploi", on=timezone.localdate() + datetime.timedelta(days=3))

    assert (error.value.field, error.value.message) == (
        "decided_on",
        "Une décision ne peut pas être datée dans le futur.",
    )


SIZES = [3, 10]


@pytest.mark.parametrize("size", SIZES)
def test_to_validate_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    partner_services.department_update(
        department=department,
        fields={"supervisor_validates_recommendations": True},
        acting_user=None,
    )
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=advisor.organisation)
    pairs = [PairFactory(department=department, advisor=advisor) for _ in range(2)]
    for index in range(size):
        case = CaseFactory(
            pair=pairs[index % 2], beneficiary__department=department, state=CaseState.ACTIVE
        )
        make_recommendation(case)
    client = login_client(supervisor)

    # session, professional, count, page with person and binôme
    with django_assert_num_queries(4):
        response = client.get(reverse("to_validate"))

    assert len(response.context["page"].object_list) == size
    assert Recommendation.objects.filter(state="validation").count() == size


@pytest.mark.parametrize("size", SIZES)
def test_notifications_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    social_worker = ProfessionalFactory(
        role=Role.SOCIAL_WORKER, organisation__department=department
    )
    pairs = [PairFactory(department=department, social_worker=social_worker) for _ in range(2)]
    for index in range(size):
        case = CaseFactory(
            pair=pairs[index % 2], beneficiary__department=department, state=CaseState.ACTIVE
        )
        lock(make_diagnostic(case))
        services.recommendation_create(
            case=case,
            acting_user=case.pair.advisor,
            path="emploi",
            rationale="Projet clair",
            person_agrees=True,
        )
    client = login_client(social_worker)

    # session, professional, count, page with the persons
    with django_assert_num_queries(4):
        response = client.get(reverse("notifications"))

    assert len(response.context["page"].object_list) == size


def test_an_rsa_decision_letter_requires_the_prior_appeal_to_the_department(login_client):
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__rsa_rights_and_duties=True)
    department = case.pair.department
    partner_services.department_update(
        department=department,
        fields={
            "appeal_address": "Hôtel du Département, 7 avenue de la Gare d'Eau, 25000 Besançon",
            "appeal_court": "le tribunal administratif de Besançon",
        },
        acting_user=None,
    )

    decision = _decide(case, "social")
    letter = (
        login_client(case.pair.advisor)
        .get(reverse("decision_letter", args=[case.pk, decision.pk]))
        .content.decode()
    )

    assert decision.authority == "pcd"
    assert "Recours administratif préalable obligatoire" in letter
    assert "article L262-47 du code de l&#x27;action sociale et des familles" in letter
    assert "7 avenue de la Gare d&#x27;Eau, 25000 Besançon" in letter
    assert "vous pouvez saisir le tribunal administratif de Besançon" in letter
    assert "Recours gracieux" not in letter


def test_a_france_travail_decision_letter_gives_france_travail_routes(login_client):
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__rsa_rights_and_duties=False)

    decision = _decide(case, "emploi")
    letter = (
        login_client(case.pair.advisor)
        .get(reverse("decision_letter", args=[case.pk, decision.pk]))
        .content.decode()
    )

    assert decision.authority == "france_travail"
    assert "l&#x27;agence France Travail qui a pris la décision" in letter
    assert "médiateur·rice régional·e de France Travail" in letter
    assert "L262-47" not in letter
    assert "vous pouvez saisir le tribunal administratif dans un délai de deux mois" in letter
