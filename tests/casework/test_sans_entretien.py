"""One rule for « sans entretien » (docs/roles.md): the référent's interviews count, and those of a
remplaçant·e in the référent's place; the co-accompagnant·e's do not, and the badge then says
whose interview is missing."""

import datetime

import pytest
from django.urls import reverse

from casework import services
from casework.enums import CaseState
from tests.casework.factories import CaseFactory

pytestmark = pytest.mark.django_db

REFERENT_BADGE = "Sans entretien depuis plus de 30 jours"
CO_BADGE = "Sans entretien avec le ou la référent·e depuis plus de 30 jours"


def _log(case, author, today):  # type: ignore[no-untyped-def]
    return services.interview_log(case=case, author=author, occurred_on=today, channel="in_person")


def _row(client, case) -> str:  # type: ignore[no-untyped-def]
    """The portefeuille's row of ``case`` (its badge, if any), as its viewer sees it."""
    page = client.get(reverse("caseload")).content.decode()
    link = reverse("case_detail", args=[case.pk])
    start = page.index(f'href="{link}"')
    return page[start : page.index("</tr>", start)]


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    """An accompaniment whose référent (its advisor) has not seen the person for months."""
    case = CaseFactory(state=CaseState.ACTIVE)
    assert case.referent == case.pair.advisor
    return case


def test_the_referents_interview_clears_the_flag(case, login_client, today):
    client = login_client(case.referent)
    assert REFERENT_BADGE in _row(client, case)

    _log(case, case.referent, today)

    assert "Sans entretien" not in _row(client, case)


def test_the_co_accompagnants_interview_leaves_the_flag_and_says_whose_is_missing(
    case, login_client, today
):
    co = case.pair.social_worker

    _log(case, co, today)

    row = _row(login_client(co), case)
    assert CO_BADGE in row
    assert co.full_name in row
    assert REFERENT_BADGE in _row(login_client(case.referent), case)


def test_the_remplacants_interview_in_the_referents_place_clears_the_flag(
    case, login_client, today
):
    delegate = CaseFactory(pair__department=case.pair.department).pair.advisor
    services.delegation_give(
        replaced=case.referent,
        delegate=delegate,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        reason="Congés",
        acting_user=case.referent,
        cases=[case],
    )

    _log(case, delegate, today)

    case.refresh_from_db()
    assert case.last_referent_interview_on == today
    assert "Sans entretien" not in _row(login_client(case.referent), case)
    assert "Sans entretien" not in _row(login_client(delegate), case)


def test_the_remplacant_of_the_co_accompagnant_leaves_the_flag(case, login_client, today):
    delegate = CaseFactory(pair__department=case.pair.department).pair.social_worker
    services.delegation_give(
        replaced=case.pair.social_worker,
        delegate=delegate,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        reason="Congés",
        acting_user=case.pair.social_worker,
        cases=[case],
    )
    before = case.last_referent_interview_on

    _log(case, delegate, today)

    case.refresh_from_db()
    assert (case.last_interview_on, case.last_referent_interview_on) == (today, before)
    assert REFERENT_BADGE in _row(login_client(case.referent), case)


def test_a_remplacement_not_yet_begun_leaves_the_flag(case, login_client, today):
    """Its grants exist from the day it is given, but count only from its first day."""
    delegate = CaseFactory(pair__department=case.pair.department).pair.advisor
    services.delegation_give(
        replaced=case.referent,
        delegate=delegate,
        starts_on=today + datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=7),
        reason="Congés",
        acting_user=case.referent,
        cases=[case],
    )
    before = case.last_referent_interview_on

    _log(case, delegate, today)

    case.refresh_from_db()
    assert (case.last_interview_on, case.last_referent_interview_on) == (today, before)
    assert REFERENT_BADGE in _row(login_client(case.referent), case)


def test_the_portefeuille_filters_my_people_as_referent(case, login_client):
    co = login_client(case.pair.social_worker)

    mine = co.get(reverse("caseload"), {"referent": "1"})
    everyone = co.get(reverse("caseload"))
    as_referent = login_client(case.referent).get(reverse("caseload"), {"referent": "1"})

    assert list(mine.context["page"].object_list) == []
    assert "Aucune personne ne correspond à cette recherche ou à ces filtres." in (
        mine.content.decode()
    )
    assert [c.pk for c in everyone.context["page"].object_list] == [case.pk]
    assert [c.pk for c in as_referent.context["page"].object_list] == [case.pk]
