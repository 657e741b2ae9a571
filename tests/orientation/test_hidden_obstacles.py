"""Every verb on a difficulty goes through the viewer's view of the diagnostic: a difficulty the
advisor cannot see (disputed by the person, or of a category the accord de partage does not
cover) is the same 404 as a missing one, for every verb, and nothing is written."""

import datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from casework import services as case_services
from casework.enums import CaseState, ObstacleCategory, ShareCategory
from casework.models import Case, InformationShare, Rectification
from orientation import services
from orientation.models import Diagnostic, Obstacle, ObstacleLift
from partners.enums import Role
from partners.models import Professional
from tests.casework.factories import CaseFactory
from tests.orientation.factories import lock, make_diagnostic, obstacles_of
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

#: (URL name, method, data): every verb on one difficulty, with data that would write.
VERBS = [
    ("obstacle_opinion", "post", {"agrees": "true"}),
    ("obstacle_lift", "post", {"person_agrees": "on"}),
    ("obstacle_rectify", "get", {}),
    (
        "obstacle_rectify",
        "post",
        {
            "in_persons_words": "Je dors dans ma voiture",
            "impact": "strong",
            "person_agrees": "on",
            "reason": "La personne précise sa situation.",
        },
    ),
]
HIDDEN = ["disputed", "uncovered"]


def _followed() -> tuple[Case, dict[str, Obstacle]]:
    """A case whose accord de partage covers housing only, with a housing difficulty the person
    agrees with (shared), one she disputes, and a health one (not covered)."""
    case = CaseFactory(state=CaseState.ACTIVE)
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HOUSING],
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
    )
    diagnostic = make_diagnostic(
        case,
        obstacles=[
            (ObstacleCategory.HOUSING, "Je dors chez ma sœur", True),
            (ObstacleCategory.HOUSING, "Je vais être expulsée", False),
            (ObstacleCategory.HEALTH, "Mal au dos", True),
        ],
    )
    shared, disputed, uncovered = obstacles_of(diagnostic)
    return case, {"shared": shared, "disputed": disputed, "uncovered": uncovered}


def _remplacant(case: Case, today: datetime.date) -> Professional:
    """An advisor replacing the case's advisor this week (the rights of the replaced)."""
    delegate = ProfessionalFactory(role=Role.ADVISOR, organisation=case.pair.advisor.organisation)
    case_services.delegation_give(
        replaced=case.pair.advisor,
        delegate=delegate,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        reason="Congés",
        acting_user=case.pair.advisor,
    )
    return delegate


def _written() -> dict[str, Any]:
    """Everything a verb on a difficulty could write."""
    return {
        "obstacles": list(
            Obstacle.objects.order_by("pk").values_list(
                "pk", "in_persons_words", "impact", "person_agrees"
            )
        ),
        "lifts": ObstacleLift.objects.count(),
        "rectifications": Rectification.objects.count(),
        "audit rows": LogEntry.objects.count(),
        "journal rows": InformationShare.objects.count(),
    }


def _request(client, name: str, method: str, data: dict[str, str], case: Case, pk: int):  # type: ignore[no-untyped-def]
    url = reverse(name, kwargs={"pk": case.pk, "obstacle_pk": pk})
    return getattr(client, method)(url, data)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("advisor", ["case_advisor", "remplacant"])
@pytest.mark.parametrize(("name", "method", "data"), VERBS)
def test_a_hidden_difficulty_is_a_404_for_the_advisor_and_nothing_is_written(
    login_client, today, hidden, advisor, name, method, data
):
    case, obstacles = _followed()
    assert case.referent == case.pair.advisor  # the référent·e, who may lift a frein
    user = case.pair.advisor if advisor == "case_advisor" else _remplacant(case, today)
    client = login_client(user)
    before = _written()

    response = _request(client, name, method, data, case, obstacles[hidden].pk)
    missing = _request(client, name, method, data, case, 10**9)

    assert (response.status_code, missing.status_code) == (404, 404)
    assert _written() == before


def test_the_advisor_still_acts_on_a_shared_difficulty(login_client):
    """The same verbs on the difficulty the accord shares: the advisor's requests do write (the
    check above can fail)."""
    case, obstacles = _followed()
    shared = obstacles["shared"]
    client = login_client(case.pair.advisor)

    rectify = _request(client, *VERBS[3], case, shared.pk)
    lift = _request(client, *VERBS[1], case, shared.pk)
    opinion = _request(client, "obstacle_opinion", "post", {"agrees": "false"}, case, shared.pk)

    assert (rectify.status_code, lift.status_code, opinion.status_code) == (302, 302, 302)
    shared.refresh_from_db()
    assert (shared.in_persons_words, shared.person_agrees) == ("Je dors dans ma voiture", False)
    assert ObstacleLift.objects.get().obstacle == shared
    # Now disputed, the difficulty is no longer shared: the advisor's next opinion finds nothing.
    again = _request(client, "obstacle_opinion", "post", {"agrees": "true"}, case, shared.pk)
    assert again.status_code == 404
    shared.refresh_from_db()
    assert shared.person_agrees is False


@pytest.mark.parametrize("hidden", HIDDEN)
def test_the_social_worker_acts_on_every_difficulty(login_client, hidden):
    case, obstacles = _followed()
    obstacle = obstacles[hidden]
    client = login_client(case.pair.social_worker)

    page = _request(client, *VERBS[2], case, obstacle.pk)
    rectify = _request(client, *VERBS[3], case, obstacle.pk)
    opinion = _request(client, *VERBS[0], case, obstacle.pk)

    assert (page.status_code, rectify.status_code, opinion.status_code) == (200, 302, 302)
    assert obstacle.in_persons_words in page.content.decode()
    obstacle.refresh_from_db()
    assert (obstacle.in_persons_words, obstacle.person_agrees) == (
        "Je dors dans ma voiture",
        True,
    )
    assert Rectification.objects.filter(object_id=str(obstacle.pk)).exists()


def test_once_the_person_agrees_the_advisor_lifts_the_difficulty(login_client):
    """The social worker records that the person now agrees with the disputed difficulty: it
    crosses under the accord, and the référent·e lifts it with the person."""
    case, obstacles = _followed()
    disputed = obstacles["disputed"]
    advisor = login_client(case.pair.advisor)
    assert _request(advisor, *VERBS[1], case, disputed.pk).status_code == 404

    social = login_client(case.pair.social_worker)
    assert _request(social, *VERBS[0], case, disputed.pk).status_code == 302

    assert _request(advisor, *VERBS[1], case, disputed.pk).status_code == 302
    assert ObstacleLift.objects.get().obstacle == disputed


def test_the_criteria_suggestion_counts_only_what_crossed(login_client):
    """The recommendation form's « critères nationaux » read the difficulties both members see:
    two hidden strong difficulties would tell the advisor that they exist (« 3 difficulté(s) à
    impact fort », « parcours social »)."""
    case, _obstacles = _followed()  # three strong difficulties, one shared
    lock(Diagnostic.objects.get(case=case))
    url = reverse("recommendation_create", kwargs={"pk": case.pk})

    pages = [
        login_client(member).get(url).content.decode()
        for member in (case.pair.advisor, case.pair.social_worker)
    ]
    recommendation = services.recommendation_create(
        case=case,
        acting_user=case.pair.advisor,
        path="socioprofessionnel",
        rationale="Projet à construire",
        person_agrees=True,
    )

    suggestions = [page.split("les critères nationaux orientent vers")[1][:200] for page in pages]
    assert suggestions[0] == suggestions[1]
    assert "1 difficulté(s) à impact fort" in suggestions[0]
    assert "parcours socioprofessionnel" in suggestions[0]
    assert recommendation.criteria_path == "socioprofessionnel"
