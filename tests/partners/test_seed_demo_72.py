"""The demo department with 72 people, seeded once for this module's tests, which only read it."""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from casework.models import (
    Beneficiary,
    Case,
    Enrolment,
    PersonRequest,
    Programme,
    Resource,
    SocialRequest,
)
from casework.retention import disposal_candidates
from casework.selectors import CaseloadFilters, caseload
from orientation.models import Diagnostic
from partners.demo import DEMO_DEPARTMENT_CODE
from partners.models import Department, Professional
from tests.conftest import module_transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_72(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo department with 72 people (twelve per binôme: the whole plan of histories),
    seeded once for the tests below that only read it."""
    with module_transaction(django_db_blocker), override_settings(DEBUG=True):
        call_command("seed_demo", "--people", "72", stdout=StringIO())
        yield


def test_seed_demo_people_have_varied_histories(demo_72):
    advisor = Professional.objects.get(email="conseillere@demo.binome.test")

    states = set(Case.objects.values_list("state", flat=True))
    overdue = caseload(advisor, CaseloadFilters(overdue_only=True))
    seen = caseload(advisor, CaseloadFilters()).filter(overdue=False, state="active")

    assert states == {"proposed", "diagnostic", "active", "suspended", "closed", "refused"}
    assert overdue.exists()
    assert seen.exists()
    assert set(Diagnostic.objects.values_list("state", flat=True)) == {"draft", "locked"}


def test_seed_demo_shows_the_territorys_offer_requests_and_collective_actions(demo_72):

    assert Resource.objects.count() == 9
    assert sorted(SocialRequest.objects.values_list("state", flat=True)) == [
        "answered",
        "open",
        "open",
    ]
    assert sorted(
        (p.name, p.sessions.count(), Enrolment.objects.filter(programme=p).count())
        for p in Programme.objects.all()
    ) == [("Club 45 ans et plus", 3, 3), ("Club de remobilisation 25–35 ans", 3, 8)]


def test_seed_demo_gives_the_dpo_requests_an_archive_and_a_file_awaiting_its_visa(demo_72):
    department = Department.objects.get(code=DEMO_DEPARTMENT_CODE)

    assert sorted(PersonRequest.objects.values_list("kind", flat=True)) == ["access", "objection"]
    assert Beneficiary.objects.filter(file_stage="archived").count() == 2
    assert len(disposal_candidates(department)) == 1
