"""Grants mirror the current pair exactly, whatever sequence of services ran."""

import random

import pytest

from casework import permissions, services
from casework.enums import CaseState
from casework.models import Case, CaseUserObjectPermission
from partners import services as partner_services
from partners.enums import Role
from partners.errors import DomainError
from partners.models import Pair
from tests.casework.factories import BeneficiaryFactory, CaseFactory
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def _assert_grants_mirror_pairs() -> None:
    expected = {
        (user_id, codename, case.pk)
        for case in Case.objects.select_related("pair__advisor", "pair__social_worker")
        for user_id, codename in permissions.pair_grants(case.pair)
    }
    actual = set(
        CaseUserObjectPermission.objects.values_list(
            "user_id", "permission__codename", "content_object_id"
        )
    )
    assert actual == expected


def test_case_propose_grants_pair_members():
    case = CaseFactory()

    assert permissions.case_grants(case) == {
        (case.pair.advisor.pk, "view_case"),
        (case.pair.advisor.pk, "change_case"),
        (case.pair.social_worker.pk, "view_case"),
        (case.pair.social_worker.pk, "change_case"),
        (case.pair.social_worker.pk, "view_social_notes"),
    }


def test_case_reassign_moves_grants_and_keeps_history():
    case = CaseFactory(state=CaseState.ACTIVE)
    old_pair = case.pair
    new_pair = PairFactory(department=old_pair.department)

    services.case_reassign(case=case, new_pair=new_pair, reason="Départ", acting_user=None)

    assert permissions.case_grants(case) == permissions.pair_grants(new_pair)
    assert list(case.pair_periods.order_by("pk").values_list("pair_id", "ended_on")) == [
        (old_pair.pk, case.pair_periods.get(pair=old_pair).ended_on),
        (new_pair.pk, None),
    ]
    assert case.pair_periods.get(pair=old_pair).ended_on is not None


@pytest.mark.parametrize("seed", range(8))
def test_grants_mirror_current_pair_after_random_services(seed):
    rng = random.Random(seed)
    department = DepartmentFactory()
    advisors = ProfessionalFactory.create_batch(
        3, role=Role.ADVISOR, organisation__department=department
    )
    social_workers = ProfessionalFactory.create_batch(
        3, role=Role.SOCIAL_WORKER, organisation__department=department
    )
    PairFactory(department=department, advisor=advisors[0], social_worker=social_workers[0])

    def pair_create() -> None:
        partner_services.pair_create(
            advisor=rng.choice(advisors), social_worker=rng.choice(social_workers), acting_user=None
        )

    def pair_end() -> None:
        partner_services.pair_end(pair=rng.choice(list(Pair.objects.active())), acting_user=None)

    def case_open() -> None:
        services.case_propose(
            beneficiary=BeneficiaryFactory(department=department),
            pair=rng.choice(list(Pair.objects.active())),
            acting_user=None,
        )

    def case_reassign() -> None:
        services.case_reassign(
            case=rng.choice(list(Case.objects.open())),
            new_pair=rng.choice(list(Pair.objects.active())),
            reason="",
            acting_user=None,
        )

    def cases_reassign_from() -> None:
        services.cases_reassign_from(
            professional=rng.choice(advisors + social_workers),
            new_pair=rng.choice(list(Pair.objects.active())),
            reason="Départ",
            acting_user=None,
        )

    def case_close() -> None:
        case = rng.choice(list(Case.objects.open()))
        if case.state == CaseState.PROPOSED:
            services.case_record_refusal(case=case, acting_user=case.pair.social_worker)
        else:
            services.case_record_end_review(case=case, summary="Bilan", acting_user=case.referent)
            services.case_close(case=case, exit_reason="other", acting_user=case.referent)

    def case_agree() -> None:
        case = rng.choice(list(Case.objects.filter(state=CaseState.PROPOSED)))
        services.case_record_entry_agreement(case=case, acting_user=case.pair.social_worker)

    operations = [
        pair_create,
        pair_end,
        case_open,
        case_open,
        case_reassign,
        cases_reassign_from,
        case_close,
        case_agree,
    ]
    refused = 0
    for _ in range(30):
        try:
            rng.choice(operations)()
        except (DomainError, IndexError):  # a refused transition, or nothing to choose from
            refused += 1
        _assert_grants_mirror_pairs()
    assert refused < 30
    assert Case.objects.exists()
