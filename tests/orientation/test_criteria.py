"""The decision aid's criteria, as data: each branch, the order, and the source printed."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from casework.enums import OrientationPath
from orientation.criteria import CRITERIA, DEFAULT_SOURCE, OTHERWISE, Condition, Facts, suggest
from orientation.models import Diagnostic
from tests.orientation.factories import lock
from tests.orientation.test_hidden_obstacles import _followed

EMPLOI, SOCIOPRO, SOCIAL = (
    OrientationPath.EMPLOI,
    OrientationPath.SOCIOPROFESSIONNEL,
    OrientationPath.SOCIAL,
)


@pytest.mark.parametrize(
    ("active", "projects", "strong", "path", "criterion"),
    [
        # Two strong difficulties or more: the social path, whatever else is true.
        (True, True, 2, SOCIAL, "several_strong_difficulties"),
        (None, False, 3, SOCIAL, "several_strong_difficulties"),
        # Not projecting into work: socio-professional.
        (True, False, 0, SOCIOPRO, "no_projection_into_work"),
        (False, False, 1, SOCIOPRO, "no_projection_into_work"),
        # Recent activity, projecting into work, no strong difficulty: employment.
        (True, True, 0, EMPLOI, "close_to_work"),
        # Every other situation, unanswered questions included: socio-professional.
        (True, True, 1, SOCIOPRO, "other_situations"),
        (False, True, 0, SOCIOPRO, "other_situations"),
        (None, True, 0, SOCIOPRO, "other_situations"),
        (True, None, 0, SOCIOPRO, "other_situations"),
        (None, None, 0, SOCIOPRO, "other_situations"),
    ],
)
def test_each_branch_gives_its_path(active, projects, strong, path, criterion):
    suggestion = suggest(Facts(active, projects, strong))

    assert (suggestion.path, suggestion.criterion.key) == (path, criterion)


def test_the_first_criterion_that_holds_wins_and_every_criterion_can_hold():
    """Order is part of the data: the social path's criterion comes before the others, and
    none is shadowed by an earlier one."""
    assert [criterion.path for criterion in CRITERIA] == [SOCIAL, SOCIOPRO, EMPLOI]
    witnesses = {
        "several_strong_difficulties": Facts(True, True, 2),
        "no_projection_into_work": Facts(True, False, 1),
        "close_to_work": Facts(True, True, 0),
    }
    for criterion in CRITERIA:
        assert suggest(witnesses[criterion.key]).criterion is criterion
    assert OTHERWISE.path == SOCIOPRO


def test_an_unanswered_question_never_holds_and_a_test_must_be_known():
    assert not Condition("can_project_into_work", "is", False, "…").holds(Facts(True, None, 0))
    with pytest.raises(ValueError, match="Test inconnu"):
        Condition("strong_difficulties", "more_than", 1, "…").holds(Facts(True, True, 2))


def test_the_wording_and_the_source_in_plain_words():
    suggestion = suggest(Facts(True, True, 0), source="  ")
    assert suggestion.criterion_wording == (
        "activité au cours des deux dernières années, se projette dans un emploi, "
        "aucune difficulté à impact fort"
    )
    assert suggestion.reasons == [
        "activité au cours des deux dernières années",
        "se projette dans un emploi",
    ]
    assert suggestion.source == DEFAULT_SOURCE
    assert suggest(Facts(None, None, 0)).criterion_wording == "les autres situations"
    assert suggest(Facts(None, None, 0), source="Délibération du 3 juin").source == (
        "Délibération du 3 juin"
    )


def test_the_form_prints_the_criterion_and_the_departments_source(login_client):
    case, _obstacles = _followed()  # one strong difficulty shared, two hidden
    lock(Diagnostic.objects.get(case=case))
    department = case.pair.department
    url = reverse("recommendation_create", kwargs={"pk": case.pk})

    page = login_client(case.pair.advisor).get(url).content.decode()
    assert "Critère appliqué : les autres situations." in page
    assert escape(DEFAULT_SOURCE) in page

    department.orientation_criteria_source = "Délibération CD-2024-117 du 24 juin 2024"
    department.save()
    page = login_client(case.pair.social_worker).get(url).content.decode()
    assert "Source : Délibération CD-2024-117 du 24 juin 2024" in page
