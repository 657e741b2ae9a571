import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.enums import CaseState
from casework.models import InformationShare
from orientation import services
from orientation.supervision import dashboard
from partners.enums import Role
from tests.casework.factories import CaseFactory, InterviewFactory
from tests.orientation.factories import lock, make_diagnostic
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _team(cases_per_pair: int):  # type: ignore[no-untyped-def]
    """Two binômes sharing an advisor, under one supervisor; ``cases_per_pair`` open cases each,
    the first of each seen this month by the référent, the others not seen for 30+ days."""
    department = DepartmentFactory()
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=advisor.organisation)
    pairs = [PairFactory(department=department, advisor=advisor) for _ in range(2)]
    cases = []
    for pair in pairs:
        for index in range(cases_per_pair):
            case = CaseFactory(
                pair=pair,
                beneficiary__department=department,
                # Unlike Faker's names, these cannot be a professional's name too.
                beneficiary__last_name=f"Personnenommee{pair.pk}x{index}",
                state=CaseState.ACTIVE,
            )
            if index == 0:
                InterviewFactory(case=case, author=advisor, occurred_on=TODAY)
            cases.append(case)
        case_services.pair_contact_record(
            pair=pair, author=advisor, occurred_on=TODAY, channel="phone", cases=[cases[-1]]
        )
    return supervisor, advisor, pairs, cases


def test_dashboard_figures_match_hand_computed_fixture():
    supervisor, advisor, pairs, cases = _team(3)
    closed = CaseFactory(
        pair=pairs[0], beneficiary__department=pairs[0].department, state=CaseState.CLOSED
    )

    board = dashboard(supervisor)

    row = board.advisors[0]
    assert (row.professional, row.open_cases, row.overdue) == (advisor, 6, 4)
    assert row.seen_share[-1] == 33  # 2 of the 6 people of whom the advisor is référent
    assert [(r.open_cases, r.contacts_7, r.contacts_30) for r in board.pairs] == [
        (3, 1, 1),
        (3, 1, 1),
    ]
    assert all(r.seen_share == [] for r in board.social_workers)  # never measured on contacts
    assert {value: count for value, _, count in board.exits} == {"durable_job": 1}
    assert board.target == 70
    assert closed.exit_reason == "durable_job"


def test_small_obstacle_counts_are_hidden():
    supervisor, advisor, pairs, cases = _team(3)
    for case in cases[:5]:
        make_diagnostic(case, obstacles=[("housing", "Logement", True)])
    make_diagnostic(cases[5], obstacles=[("health", "Santé", True)])

    board = dashboard(supervisor)

    assert sorted(board.obstacles) == [("Logement", "5"), ("Santé", "moins de 5")]


def test_waiting_diagnostics_and_recommendations_counted():
    supervisor, advisor, pairs, cases = _team(2)
    make_diagnostic(cases[0])
    lock(make_diagnostic(cases[1]))
    services.recommendation_create(
        case=cases[1], acting_user=advisor, path="emploi", rationale="Projet", person_agrees=True
    )

    board = dashboard(supervisor)

    assert board.diagnostics_waiting == {"Brouillon": 1}
    assert board.recommendations_waiting == {"En attente de signature": 1}


def test_drill_down_lists_the_overdue_people(login_client):
    supervisor, advisor, pairs, cases = _team(2)

    response = login_client(supervisor).get(
        reverse("supervision_list", args=["sans-entretien"]), {"professionnel": advisor.pk}
    )

    assert sorted(c.pk for c in response.context["page"].object_list) == sorted(
        [cases[1].pk, cases[3].pk]
    )


def test_export_is_journaled_and_carries_no_person_name(login_client):
    supervisor, advisor, pairs, cases = _team(2)

    response = login_client(supervisor).get(reverse("supervision_export", args=["csv"]))

    content = response.content.decode("utf-8-sig")
    assert "accompagnements ouverts" in content
    assert all(c.beneficiary.last_name not in content for c in cases)
    assert InformationShare.objects.filter(channel="export", actor=supervisor).count() == 1


@pytest.mark.parametrize("size", [2, 6])
def test_dashboard_queries_constant(size, login_client, django_assert_num_queries):
    supervisor, *_ = _team(size)
    client = login_client(supervisor)

    # session and professional, then one query per block of figures (binômes, team, open cases
    # per binôme and référent, interviews, points binôme, waiting diagnostics and
    # recommendations, agreements, all cases per state, durable-job exits, obstacles of the
    # latest diagnostics)
    with django_assert_num_queries(13):
        response = client.get(reverse("supervision"))

    assert response.context["board"].advisors[0].open_cases == 2 * size
