"""Grants mirror the current pair and the pending remplacements exactly, whatever sequence of
services ran (binômes and suivis sociaux seuls, axis 3); requests see only the remplacements
within their dates."""

import datetime
import random

import pytest
from django.utils import timezone

from casework import permissions, services
from casework.enums import CaseState
from casework.models import Case, CasePairPeriod, CaseUserObjectPermission, Delegation
from partners import services as partner_services
from partners.enums import Role
from partners.errors import DomainError
from partners.models import Pair, Professional
from tests.casework.factories import BeneficiaryFactory, CaseFactory
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def _assert_grants_mirror_pairs() -> None:
    """The rows are the pair's grants plus those of pending remplacements (the delegate gets the
    replaced professional's grants on the listed cases the replaced still follows); and what a
    request sees excludes delegations outside their dates."""
    cases = list(Case.objects.select_related("pair__advisor", "pair__social_worker"))
    expected = {
        (user_id, codename, case.pk, None)
        for case in cases
        for user_id, codename in permissions.pair_grants(case.pair)
    }
    live: set[tuple[int, int]] = set()
    today = timezone.localdate()
    for delegation in Delegation.objects.pending().select_related("replaced").order_by("pk"):
        for case in cases:
            if case.pk not in set(delegation.cases.values_list("pk", flat=True)):
                continue
            if delegation.replaced_id not in (case.pair.advisor_id, case.pair.social_worker_id):
                continue
            for codename in permissions.GRANTS_BY_ROLE[delegation.replaced.role]:
                if not any(
                    row[:3] == (delegation.delegate_id, codename, case.pk) for row in expected
                ):
                    expected.add((delegation.delegate_id, codename, case.pk, delegation.pk))
            if delegation.is_live(today):
                live.add((delegation.delegate_id, case.pk))
    actual = set(
        CaseUserObjectPermission.objects.values_list(
            "user_id", "permission__codename", "content_object_id", "delegation_id"
        )
    )
    assert actual == expected
    for professional in Professional.objects.filter(role__in=[Role.ADVISOR, Role.SOCIAL_WORKER]):
        visible = set(Case.objects.visible_to(professional).values_list("pk", flat=True))
        own = {
            case.pk
            for case in cases
            if professional.pk in (case.pair.advisor_id, case.pair.social_worker_id)
        }
        assert visible == own | {case_pk for user_pk, case_pk in live if user_pk == professional.pk}


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
def test_grants_mirror_current_pair_after_random_services(seed, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    rng = random.Random(seed)
    department = DepartmentFactory()
    advisors = ProfessionalFactory.create_batch(
        3, role=Role.ADVISOR, organisation__department=department
    )
    social_workers = ProfessionalFactory.create_batch(
        3, role=Role.SOCIAL_WORKER, organisation__department=department
    )
    PairFactory(department=department, advisor=advisors[0], social_worker=social_workers[0])
    # Axis 3: a suivi social seul (no advisor) from the start, so that cases move between
    # social-only pairs and binômes in every sequence.
    PairFactory(department=department, advisor=None, social_worker=social_workers[1])

    def pair_create() -> None:
        partner_services.pair_create(
            advisor=rng.choice([*advisors, None]),
            social_worker=rng.choice(social_workers),
            acting_user=None,
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

    def delegation_give() -> None:
        case = rng.choice(list(Case.objects.open().select_related("pair")))
        replaced = rng.choice(case.pair.members)
        colleagues = [
            p
            for p in (advisors if replaced.role == Role.ADVISOR else social_workers)
            if p != replaced
        ]
        followed = list(Case.objects.open().filter(pair__in=Pair.objects.of(replaced)))
        chosen = rng.sample(followed, k=rng.randint(1, len(followed)))
        today = timezone.localdate()
        starts_on = today + datetime.timedelta(days=rng.choice([0, 0, 2]))
        services.delegation_give(
            replaced=replaced,
            delegate=rng.choice(colleagues),
            starts_on=starts_on,
            ends_on=starts_on + datetime.timedelta(days=rng.randint(0, 4)),
            reason="Congés",
            cases=rng.choice([None, chosen]),
            acting_user=replaced,
        )

    def delegation_revoke() -> None:
        delegation = rng.choice(list(Delegation.objects.pending()))
        services.delegation_revoke(delegation=delegation, acting_user=delegation.replaced)

    def next_day() -> None:
        time_machine.shift(datetime.timedelta(days=1))
        if rng.random() < 0.5:  # the nightly task may not have run yet
            services.delegations_expire()

    operations = [
        delegation_give,
        delegation_give,
        delegation_revoke,
        next_day,
        pair_create,
        pair_end,
        case_open,
        case_open,
        case_reassign,
        cases_reassign_from,
        case_close,
        case_agree,
    ]
    case_open()
    delegation_give()
    _assert_grants_mirror_pairs()
    refused = 0
    for _ in range(40):
        try:
            rng.choice(operations)()
        except (DomainError, IndexError):  # a refused transition, or nothing to choose from
            refused += 1
        _assert_grants_mirror_pairs()
    assert refused < 40
    assert Case.objects.exists()
    assert Delegation.objects.exists()
    # The sequence did put cases in a suivi social seul.
    assert CasePairPeriod.objects.filter(pair__advisor__isnull=True).exists()
