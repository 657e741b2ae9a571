"""The demo department with 72 people, seeded once for this module's tests, which only read it
(pages opened here add journal rows of their reading, which no test of the module counts)."""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape

from casework.demo import SOCIAL_NOTES
from casework.models import (
    Beneficiary,
    Case,
    Enrolment,
    InformationShare,
    PersonRequest,
    Programme,
    Resource,
    SocialNote,
    SocialRequest,
)
from casework.retention import disposal_candidates
from casework.selectors import CaseloadFilters, caseload
from orientation.demo import SOCIAL_DETAILS
from orientation.models import Diagnostic, SocialDetails
from partners.demo import DEMO_DEPARTMENT_CODE
from partners.models import Department, Pair, Professional
from tests.conftest import log_in, module_transaction

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


def test_seed_demo_writes_social_notes_and_details_in_every_binome(demo_72):
    """The secret side at work: social notes in three accompaniments under way of each binôme,
    secret detailed elements in a third of the diagnostics (the first of each binôme's)."""
    noted = Case.objects.filter(pk__in=SocialNote.objects.values("case_id"))
    details = SocialDetails.objects.exclude(text="").select_related("diagnostic__case")

    assert sorted(noted.values_list("pair_id", flat=True)) == sorted(
        list(Pair.objects.values_list("pk", flat=True)) * 3
    )
    assert set(noted.values_list("state", flat=True)) <= {"active", "suspended"}
    assert set(SocialNote.objects.values_list("text", flat=True)) == set(SOCIAL_NOTES)
    assert {d.text for d in details} == set(SOCIAL_DETAILS)
    assert {d.diagnostic.case.pair_id for d in details} == set(
        Pair.objects.values_list("pk", flat=True)
    )
    assert 0 < details.count() < Diagnostic.objects.count()


def test_the_demo_social_worker_reads_the_secret_side_her_co_accompagnante_never(demo_72):
    social_worker = Professional.objects.get(email="travailleuse.sociale@demo.binome.test")
    advisor = Professional.objects.get(email="conseillere@demo.binome.test")
    case = (
        Case.objects.filter(pair__social_worker=social_worker, pair__advisor=advisor)
        .filter(pk__in=SocialNote.objects.values("case_id"))
        .filter(pk__in=SocialDetails.objects.exclude(text="").values("diagnostic__case_id"))
        .order_by("pk")
        .first()
    )
    assert case is not None
    secrets = [
        *SocialNote.objects.filter(case=case).values_list("text", flat=True),
        SocialDetails.objects.get(diagnostic__case=case).text,
    ]
    pages = [reverse("case_detail", args=[case.pk]), reverse("diagnostic", args=[case.pk])]

    def shown(professional: Professional) -> list[str]:
        client = log_in(Client(), professional)
        content = " ".join(client.get(page).content.decode() for page in pages)
        return [text for text in secrets if escape(text) in content or text in content]

    assert len(secrets) == 3  # two notes, the detailed elements
    assert shown(social_worker) == secrets
    assert shown(advisor) == []
    # Her reading is journaled, as every reading of social content.
    assert InformationShare.objects.filter(
        case=case, actor=social_worker, category__contains="social_notes"
    ).exists()
