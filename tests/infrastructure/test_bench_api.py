"""The partner API's benchmark (bench/api.py) on a small department: it reads every readable case
once by following the cursor, writes an appointment on each open case, and leaves the database
as it was."""

import pytest

from bench.api import measure_api
from casework.enums import CaseState
from casework.models import Appointment, Case, InformationShare
from partners.api.models import PartnerKey, PartnerSystem
from tests.casework.factories import CaseFactory
from tests.partners.factories import PairFactory

pytestmark = pytest.mark.django_db


def test_bench_api_reads_every_page_writes_each_open_case_and_leaves_nothing():
    pair = PairFactory()
    other_pair = PairFactory(department=pair.department)
    CaseFactory.create_batch(50, pair=pair, state=CaseState.PROPOSED)
    CaseFactory.create_batch(2, pair=other_pair, state=CaseState.ACTIVE)
    CaseFactory(pair=pair, state=CaseState.REFUSED)  # never read by a partner
    CaseFactory(state=CaseState.ACTIVE)  # another department's
    journal_rows = InformationShare.objects.count()

    result = measure_api(pair.department, writes=3)

    listing, writes = result["listing"], result["appointments"]
    assert (
        result["department_open_cases"],
        listing["pages"],
        listing["rows"],
        listing["open_rows"],
        listing["every_case_once"],
    ) == (52, 2, 52, 52, True)
    queries = listing["queries_per_page"]
    assert queries["premiere"] == queries["derniere"]
    assert (writes["writes"], writes["cases"]) == (3, 3)
    assert (
        Appointment.objects.count(),
        PartnerSystem.objects.count(),
        PartnerKey.objects.count(),
        InformationShare.objects.count(),
        Case.objects.count(),
    ) == (0, 0, 0, journal_rows, 54)
