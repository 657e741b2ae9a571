import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from casework import services as case_services
from casework.enums import BreachStep, CaseState, ShareCategory
from casework.journal import RequestInfo
from casework.models import InformationShare
from orientation import reminders, services, snapshots
from orientation.enums import NotificationKind
from orientation.models import Notification
from orientation.supervision import dashboard, drill_down
from partners.enums import Role
from tests.casework.factories import CaseFactory, InterviewFactory
from tests.orientation.factories import lock, make_diagnostic
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


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
                InterviewFactory(case=case, author=advisor, occurred_on=timezone.localdate())
            cases.append(case)
        case_services.pair_contact_record(
            pair=pair,
            author=advisor,
            occurred_on=timezone.localdate(),
            channel="phone",
            cases=[cases[-1]],
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


def _closed(pair, started_on, closed_on, exit_reason="durable_job"):  # type: ignore[no-untyped-def]
    """A case of ``pair`` that ran from ``started_on`` to ``closed_on``, through the services."""
    actor = pair.social_worker
    case = CaseFactory(
        pair=pair,
        beneficiary__department=pair.department,
        state=CaseState.DIAGNOSTIC,
        proposed_on=started_on,
    )
    case = case_services.case_start(case=case, acting_user=actor, started_on=started_on)
    case = case_services.case_record_end_review(case=case, summary="Bilan.", acting_user=actor)
    return case_services.case_close(
        case=case, exit_reason=exit_reason, acting_user=actor, closed_on=closed_on
    )


# A calendar of its own, whatever the suite's date: the day the test was written, so that the
# two open cases of the team start on 2 February 2026 (tests/clock.py) among these dates.
@time_machine.travel(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)
def test_durable_rates_count_calendar_months_as_relativedelta():
    supervisor, advisor, pairs, cases = _team(1)
    day = datetime.date
    for started_on, closed_on in [
        (day(2025, 8, 31), day(2026, 2, 28)),  # 31 August + 6 months = 28 February: within 6
        (day(2025, 8, 31), day(2026, 3, 1)),  # a day later: within 12 only
        (day(2026, 1, 15), day(2026, 7, 15)),  # the same day 6 months later: within 6
        (day(2026, 1, 15), day(2026, 7, 16)),  # within 12 only
        (day(2024, 2, 29), day(2025, 2, 28)),  # 29 February + 12 months = 28 February
        (day(2026, 12, 31), day(2027, 1, 5)),  # started after the 6-month cutoff: not counted
    ]:
        _closed(pairs[0], started_on, closed_on)
    _closed(pairs[1], day(2025, 8, 31), day(2025, 9, 30), exit_reason="training")

    board = dashboard(supervisor, today=day(2027, 6, 30))

    # started on or before 30 December 2026 (6 months) or 30 June 2026 (12 months): 8 each (5
    # durable exits, the training one, the two open cases started on 2 February 2026); 2 and 5
    # durable exits in time: 25 % and 62.5 %, rounded half to even
    assert (board.durable_rate_6, board.durable_rate_12) == (25, 62)


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


def _agreement(case, days):  # type: ignore[no-untyped-def]
    return case_services.agreement_record(
        case=case,
        categories=[ShareCategory.SOCIAL_SUMMARY],
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    )


def test_expiring_agreements_are_the_same_for_reminder_figure_and_drill_down():
    supervisor, advisor, pairs, cases = _team(2)
    proposed = CaseFactory(
        pair=pairs[0], beneficiary__department=pairs[0].department, state=CaseState.PROPOSED
    )
    _agreement(proposed, 10)  # « proposé »: the accord already decides what crosses
    _agreement(cases[0], 30)  # the last day of the warning
    _agreement(cases[1], 31)  # one day too far
    case_services.agreement_withdraw(
        agreement=_agreement(cases[2], 5), acting_user=pairs[1].social_worker
    )

    reminders.reminders_send()
    reminded = set(
        Notification.objects.filter(kind=NotificationKind.AGREEMENT_EXPIRING).values_list(
            "case_id", "recipient_id"
        )
    )
    board = dashboard(supervisor)
    listed = {case.pk for case in drill_down(supervisor, "accords")}

    expected = {proposed.pk, cases[0].pk}
    assert reminded == {(pk, pairs[0].social_worker_id) for pk in expected}
    assert (board.agreements_expiring, listed) == (2, expected)


def test_dashboard_tables_list_everyone_with_links_to_their_cases(login_client):
    """The three tables' rows (rendered by Jinja2: partners/fragments.py), live and from the
    day's snapshot (which loads only the professionals' names)."""
    supervisor, advisor, pairs, cases = _team(2)
    client = login_client(supervisor)
    live = client.get(reverse("supervision")).content.decode()
    snapshots.refresh(advisor.organisation.department_id)
    from_snapshot = client.get(reverse("supervision"))

    open_cases = reverse("supervision_list", args=["ouverts"])
    overdue = reverse("supervision_list", args=["sans-entretien"])
    for page in (live, from_snapshot.content.decode()):
        advisor_row = page[page.index(f"<td>{escape(advisor.full_name)}</td>") :]
        advisor_row = advisor_row[: advisor_row.index("</tr>")]
        assert f'href="{open_cases}?professionnel={advisor.pk}">4</a>' in advisor_row
        assert f'href="{overdue}?professionnel={advisor.pk}">2</a>' in advisor_row
        assert "50 %" in advisor_row  # seen this month: one of the two open cases of each pair
        for pair in pairs:
            assert f"<td>{escape(pair.members_names)}</td>\n      <td>2</td>" in page
        # the social workers are in another organisation than the supervisor's
        assert "Aucun·e travailleur·se social·e dans ce périmètre." in page
    assert from_snapshot.context["computed_at"] is not None


def test_drill_down_lists_the_overdue_people(login_client):
    supervisor, advisor, pairs, cases = _team(2)

    response = login_client(supervisor).get(
        reverse("supervision_list", args=["sans-entretien"]), {"professionnel": advisor.pk}
    )

    assert sorted(c.pk for c in response.context["page"].object_list) == sorted(
        [cases[1].pk, cases[3].pk]
    )


def test_start_page_puts_what_needs_action_first_with_the_drill_downs_counts(login_client):
    """« À traiter »: each figure is the number of cases its drill-down lists."""
    supervisor, advisor, pairs, cases = _team(3)
    make_diagnostic(cases[0])  # a draft: waiting
    lock(make_diagnostic(cases[1]))  # locked: its préconisation is what waits
    services.recommendation_create(
        case=cases[1], acting_user=advisor, path="emploi", rationale="Projet", person_agrees=True
    )
    _agreement(cases[2], 10)
    client = login_client(supervisor)

    response = client.get(reverse("home"), follow=True)

    figures = {slug: count for slug, _, count in response.context["to_act_on"]}
    listed = {
        slug: client.get(reverse("supervision_list", args=[slug])).context["page"].paginator.count
        for slug in figures
    }
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("supervision"), 302)]
    assert figures == {"sans-entretien": 4, "diagnostics": 1, "preconisations": 1, "accords": 1}
    assert listed == figures
    assert page.index("À traiter") < page.index("Conseiller·ères")


def test_export_is_journaled_and_carries_no_person_name(login_client):
    supervisor, advisor, pairs, cases = _team(2)

    response = login_client(supervisor).get(reverse("supervision_export", args=["csv"]))

    content = response.content.decode("utf-8-sig")
    assert "Accompagnements ouverts" in content
    assert all(c.beneficiary.last_name not in content for c in cases)
    assert InformationShare.objects.filter(channel="export", actor=supervisor).count() == 1


def test_export_carries_every_figure_of_the_screen(login_client):
    supervisor, advisor, pairs, cases = _team(2)
    make_diagnostic(cases[1])
    board = dashboard(supervisor)
    month = board.months[0]

    response = login_client(supervisor).get(reverse("supervision_export", args=["csv"]))

    rows = [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]
    by_section = {}
    for section, label, value in rows[1:]:
        by_section.setdefault(section, {})[label] = value
    pair = f"{pairs[0].advisor.full_name} et {pairs[0].social_worker.full_name}"
    seen = f"Personnes vues par leur référent·e dans le mois (%), {month:%m/%Y}"
    assert board.advisors[0].seen_share[0] == 0  # nobody seen two months ago: 0 %, not « — »
    assert by_section[seen] == {advisor.full_name: "0"}
    assert by_section["Points binôme (7 jours)"][pair] == "1"
    assert by_section["Diagnostics en attente de validation ou de signature"] == {
        "Brouillon": "1",
        "la plus ancienne depuis le": f"{board.diagnostics_oldest:%d/%m/%Y}",
    }
    assert by_section["Accords de partage qui expirent dans les 30 jours"] == {"": "0"}


@pytest.mark.parametrize("size", [2, 6])
def test_dashboard_queries_constant(size, login_client, django_assert_num_queries):
    supervisor, *_ = _team(size)
    client = login_client(supervisor)

    # session and professional, no snapshot of the day (test_dashboard_snapshot.py), then one
    # query per block of figures (binômes, team, every case per binôme, référent, state, path and
    # exit reason, interviews, points binôme, waiting diagnostics and recommendations, agreements,
    # obstacles of the latest diagnostics, signalements by step)
    with django_assert_num_queries(13):
        response = client.get(reverse("supervision"))

    assert response.context["board"].advisors[0].open_cases == 2 * size


def test_breach_reports_are_shown_as_totals_of_five_or_more_only():
    """Six signalements drafted, four of them handed over with their letter: the drafted ones
    are below five (« moins de 5 »), the informed ones too; two more letters make six informed.
    No step is counted per person or per professional."""
    supervisor, advisor, _pairs, cases = _team(3)
    reports = [
        case_services.breach_report(case=case, acting_user=case.referent, reason="Absences")
        for case in cases
    ]

    def shown() -> dict[str, str]:
        return dict(dashboard(supervisor).breach_steps)

    before = shown()
    for report in reports[:4]:
        case_services.breach_inform(
            report=report, acting_user=report.case.referent, info=RequestInfo()
        )
    four = shown()
    for report in reports[4:]:
        case_services.breach_inform(
            report=report, acting_user=report.case.referent, info=RequestInfo()
        )
    six = shown()

    drafted, informed = BreachStep.DRAFTED.label, BreachStep.INFORMED.label
    assert (before[drafted], before[informed]) == ("6", "moins de 5")
    assert (four[drafted], four[informed]) == ("moins de 5", "moins de 5")
    assert (six[drafted], six[informed]) == ("moins de 5", "6")
    assert set(six) == {step.label for step in BreachStep}
