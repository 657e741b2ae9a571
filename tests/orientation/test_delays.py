"""The supervisors' delays: from the proposal to the orientation decision, the first appointment
held with the référent·e and the contrat d'engagement, against a hand-built fixture; the rule of
5; per organisation and per month; the drill-down, the export (journaled), the query counts."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.enums import AppointmentOutcome, CaseState, JournalChannel
from casework.models import InformationShare
from orientation import delays, services, snapshots
from orientation.delays import Step
from partners.enums import Role
from tests.casework.factories import CaseFactory
from tests.clock import days_ago
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _case(pair, proposed_ago: int, decision=None, held=None, contract=None):  # type: ignore[no-untyped-def]
    """A case proposed ``proposed_ago`` days ago whose steps were reached that many days after
    the proposal (None: not yet), each through the services, on its day."""
    proposed_on = days_ago(proposed_ago)
    case = CaseFactory(
        pair=pair,
        beneficiary__department=pair.department,
        proposed_on=proposed_on,
        started_on=proposed_on,
        state=CaseState.ACTIVE,
    )
    if decision is not None:
        services.decision_record(
            case=case,
            acting_user=pair.advisor,
            path="emploi",  # the advisor stays the référent·e
            decided_on=proposed_on + datetime.timedelta(days=decision),
            reasons="Critères nationaux.",
        )
    if held is not None:
        day = proposed_on + datetime.timedelta(days=held)
        with time_machine.travel(_noon(day) - datetime.timedelta(hours=2), tick=False):
            appointment = case_services.appointment_plan(
                case=case,
                acting_user=pair.advisor,
                planned_at=_noon(day),
                place="Agence",
                with_whom=pair.advisor,
            )
            case_services.appointment_record_outcome(
                appointment=appointment, acting_user=pair.advisor, outcome=AppointmentOutcome.HELD
            )
    if contract is not None:
        services.plan_set_contract(
            case=case,
            acting_user=pair.advisor,
            kind="contrat_engagement",
            reference="CE-1",
            signed_on=proposed_on + datetime.timedelta(days=contract),
        )
    return case


@pytest.fixture
def team():  # type: ignore[no-untyped-def]
    """A supervisor over one agency; a binôme whose advisor is in it."""
    department = DepartmentFactory()
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=advisor.organisation)
    pair = PairFactory(department=department, advisor=advisor)
    return supervisor, pair


def test_the_delays_match_a_hand_built_fixture(team):
    supervisor, pair = team
    # Six cases proposed 100 days ago (all old enough for every window):
    #   decision after 10, 20, 40, 60 days, and two not decided  → median of 10, 20, 40, 60 = 30;
    #   within 15: 1/6 = 17 %, within 30: 2/6 = 33 %, within 45: 3/6 = 50 %.
    for decision in (10, 20, 40, 60, None, None):
        _case(pair, 100, decision=decision)
    board = delays.delays(supervisor)

    total = board.total
    figures = total.steps[Step.DECISION]
    assert total.cohort == 6
    assert (figures.reached, figures.median) == (4, None)  # 4 reached: fewer than 5
    assert figures.shares == {15: 17, 30: 33, 45: 50}
    # The appointment and the contract: nobody yet, shares of 0 % over 6 old enough.
    assert board.total.steps[Step.CONTRACT].shares == {15: 0, 30: 0, 45: 0}


def test_median_and_shares_count_only_the_cases_old_enough(team):
    supervisor, pair = team
    # Five cases proposed 40 days ago, held appointment after 3, 8, 12, 20, 35 days; five
    # proposed 10 days ago, held after 2, 4, 6, 8 days and one not yet.
    for held in (3, 8, 12, 20, 35):
        _case(pair, 40, held=held)
    for held in (2, 4, 6, 8, None):
        _case(pair, 10, held=held)

    figures = delays.delays(supervisor).total.steps[Step.APPOINTMENT]

    assert figures.reached == 9
    assert figures.median == 8  # 2 3 4 6 [8] 8 12 20 35
    # Within 15 and 30 days: among the five proposed 40 days ago only (the others are 10 days
    # old): 3/5 and 4/5. Within 45: none is 45 days old yet, so fewer than 5: not shown.
    assert figures.shares == {15: 60, 30: 80, 45: None}


def test_per_organisation_and_per_month_hide_what_counts_fewer_than_five(team):
    supervisor, pair = team
    other_agency = ProfessionalFactory(
        role=Role.ADVISOR,
        organisation__department=pair.department,
        organisation__parent=supervisor.organisation,
    )
    other_pair = PairFactory(department=pair.department, advisor=other_agency)
    for _ in range(5):
        _case(pair, 60, contract=20)
    for _ in range(2):
        _case(other_pair, 60, contract=5)

    board = delays.delays(supervisor)

    rows = {row.label: row for row in board.by_organisation}
    assert rows[supervisor.organisation.name].cohort == 5
    assert rows[supervisor.organisation.name].steps[Step.CONTRACT].median == 20
    assert rows[other_agency.organisation.name].hidden
    assert board.total.steps[Step.CONTRACT].median == 20  # 5 5 20 20 20 20 20
    month = days_ago(60).replace(day=1)
    by_month = {row.label: row for row in board.by_month}
    assert by_month[f"{month:%m/%Y}"].cohort == 7
    assert len(board.by_month) == delays.MONTHS


def test_a_case_outside_the_subtree_or_older_than_twelve_months_is_not_counted(team):
    supervisor, pair = team
    elsewhere = PairFactory(department=pair.department)
    _case(elsewhere, 30, decision=3)
    _case(pair, 400, decision=3)
    _case(pair, 30, decision=3)

    assert delays.delays(supervisor).total.cohort == 1


def test_the_page_shows_the_figures_and_the_drill_down_lists_the_cases(team, login_client):
    supervisor, pair = team
    cases = [_case(pair, 50, decision=days) for days in (5, 10, 15, 20, 25)]
    client = login_client(supervisor)

    page = html.unescape(client.get(reverse("supervision_delays")).content.decode())
    listing = client.get(
        reverse("supervision_delays_list"), {"organisation": supervisor.organisation_id}
    )

    assert "Jusqu'à la décision d'orientation" in page
    assert "60 %" in page  # within 15 days: 3 of 5
    assert {case.pk for case, _ in listing.context["rows"]} == {case.pk for case in cases}
    assert sorted(d.days[Step.DECISION] for _, d in listing.context["rows"]) == [5, 10, 15, 20, 25]


def test_the_drill_down_by_month_and_a_bad_parameter(team, login_client):
    supervisor, pair = team
    _case(pair, 50, decision=5)
    client = login_client(supervisor)
    month = days_ago(50).replace(day=1)

    listed = client.get(reverse("supervision_delays_list"), {"mois": f"{month:%Y-%m}"})
    empty = client.get(reverse("supervision_delays_list"), {"mois": "1990-01"})
    bad = client.get(reverse("supervision_delays_list"), {"mois": "pas-un-mois"})
    bad_org = client.get(reverse("supervision_delays_list"), {"organisation": "x"})

    assert len(listed.context["rows"]) == 1
    assert "Aucun accompagnement." in empty.content.decode()
    assert (bad.status_code, bad_org.status_code) == (404, 404)


def test_the_export_is_journaled_and_names_no_one(team, login_client):
    supervisor, pair = team
    cases = [_case(pair, 50, decision=days) for days in (5, 10, 15, 20, 25)]

    response = login_client(supervisor).get(reverse("supervision_delays_export"))

    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("regroupement;ligne;accompagnements proposés;étape")
    assert "ensemble;Ensemble;5;Jusqu'à la décision d'orientation;5;15;60;100;100" in lines
    for case in cases:
        assert case.beneficiary.last_name not in text
    share = InformationShare.objects.get(channel=JournalChannel.EXPORT, actor=supervisor)
    assert share.purpose == "Export des délais (CSV, chiffres sans nom de personne)"


def test_only_supervisors_see_the_delays(team, login_client):
    _supervisor, pair = team
    for url in ("supervision_delays", "supervision_delays_list", "supervision_delays_export"):
        assert login_client(pair.advisor).get(reverse(url)).status_code == 404


@pytest.mark.parametrize("size", [2, 6])
def test_delays_queries_constant(size, team, login_client, django_assert_num_queries):
    supervisor, pair = team
    for index in range(size):
        _case(pair, 20 + index, decision=index, held=index, contract=index)
    client = login_client(supervisor)

    # session, professional (with its organisation and department), no snapshot of the day,
    # the cases with their steps, their organisations
    with django_assert_num_queries(5):
        page = client.get(reverse("supervision_delays"))
    # session, professional, the page of cases (count, rows)
    with django_assert_num_queries(4):
        listing = client.get(reverse("supervision_delays_list"))

    assert page.context["board"].total.cohort == size
    assert len(listing.context["rows"]) == size


@pytest.mark.parametrize("size", [5, 9])
def test_the_page_reads_the_figures_of_the_snapshot(
    size, team, login_client, django_assert_num_queries
):
    """The night's or the last writes' snapshot holds the delays as computed live; the page
    reads it whatever the cohort's size, and says when it was computed."""
    supervisor, pair = team
    for days in range(size):
        _case(pair, 50, decision=days * 5, held=days * 5 + 1)
    assert snapshots.refresh(pair.department_id) == 1

    stored, computed_at = snapshots.delays_of(supervisor)
    client = login_client(supervisor)
    # session, professional (with its organisation and department), the snapshot
    with django_assert_num_queries(3):
        page = client.get(reverse("supervision_delays"))

    assert computed_at is not None
    assert stored == delays.delays(supervisor)
    assert stored.total.steps[Step.DECISION].median == (size - 1) * 5 / 2
    assert page.context["board"].total.cohort == size
    assert f"Chiffres calculés le {timezone.localtime(computed_at):%d/%m/%Y}" in (
        page.content.decode()
    )
