import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import CaseState, ShareCategory
from casework.errors import InvalidInput
from casework.models import InformationShare, SharingAgreement
from casework.sharing import agreement_in_force, sharing_covers
from partners.errors import InvalidTransition
from tests.casework.factories import CaseFactory
from tests.partners.factories import PairFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

SUMMARY = ShareCategory.SOCIAL_SUMMARY


def _agree(case, categories=(SUMMARY,), **kwargs):  # type: ignore[no-untyped-def]
    return services.agreement_record(
        case=case,
        categories=categories,
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
        **kwargs,
    )


def test_agreement_covers_its_categories_for_the_pair_only():
    case = CaseFactory(state=CaseState.ACTIVE)
    agreement = _agree(case, categories=[SUMMARY, ShareCategory.OBSTACLES_HOUSING])
    stranger = PairFactory(department=case.pair.department).advisor

    assert sharing_covers(case, case.pair.advisor, SUMMARY) == agreement
    assert sharing_covers(case, case.pair.advisor, ShareCategory.OBSTACLES_HOUSING) == agreement
    assert sharing_covers(case, case.pair.advisor, ShareCategory.OBSTACLES_HEALTH) is None
    assert sharing_covers(case, stranger, SUMMARY) is None


def test_agreement_default_expiry_is_planned_end_plus_one_month(today):
    started_on = today - datetime.timedelta(days=300)
    case = CaseFactory(state=CaseState.ACTIVE, started_on=started_on)

    agreement = _agree(case)

    planned_end_on = started_on + relativedelta(years=1)
    assert (case.planned_end_on, agreement.expires_on) == (
        planned_end_on,
        planned_end_on + relativedelta(months=1),
    )


def test_withdrawal_takes_effect_on_next_evaluation_and_is_journaled():
    case = CaseFactory(state=CaseState.ACTIVE)
    agreement = _agree(case)
    assert sharing_covers(case, case.pair.advisor, SUMMARY) == agreement

    services.agreement_withdraw(agreement=agreement, acting_user=case.pair.advisor)

    assert sharing_covers(case, case.pair.advisor, SUMMARY) is None
    assert list(
        InformationShare.objects.filter(case=case)
        .order_by("seq")
        .values_list("channel", "basis_agreement")
    ) == [("grant", None), ("agreement_given", agreement.pk), ("agreement_withdrawn", agreement.pk)]


def test_expiry_takes_effect_the_day_after():
    case = CaseFactory(state=CaseState.ACTIVE)
    today = timezone.localdate()
    _agree(case, expires_on=today)

    assert sharing_covers(case, case.pair.advisor, SUMMARY) is not None
    assert agreement_in_force(case, today=today + datetime.timedelta(days=1)) is None


def test_new_agreement_replaces_current_and_keeps_history():
    case = CaseFactory(state=CaseState.ACTIVE)
    first = _agree(case)

    second = _agree(case, categories=[ShareCategory.OBSTACLES_MOBILITY])

    first.refresh_from_db()
    assert first.replaced_at is not None
    assert sharing_covers(case, case.pair.advisor, SUMMARY) is None
    assert sharing_covers(case, case.pair.advisor, ShareCategory.OBSTACLES_MOBILITY) == second
    assert SharingAgreement.objects.filter(case=case).count() == 2


def test_handover_needs_a_new_agreement():
    case = CaseFactory(state=CaseState.ACTIVE)
    _agree(case)
    new_pair = PairFactory(department=case.pair.department)

    case = services.case_reassign(case=case, new_pair=new_pair, reason="", acting_user=None)

    assert sharing_covers(case, new_pair.advisor, SUMMARY) is None


def test_only_the_social_worker_records_the_agreement():
    case = CaseFactory(state=CaseState.ACTIVE)

    with refused(
        InvalidTransition,
        "L'accord de partage est recueilli par le ou la travailleur·se social·e du binôme.",
    ):
        services.agreement_record(
            case=case,
            categories=[SUMMARY],
            how_obtained="signed_form",
            acting_user=case.pair.advisor,
        )


def test_agreement_without_category_refused():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidInput) as error:
        _agree(case, categories=[])

    assert error.value.field == "categories"


def test_agreement_page_records_and_case_page_shows_it(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    client = login_client(case.pair.social_worker)

    response = client.post(
        reverse("agreement_record", args=[case.pk]),
        {"categories": [SUMMARY, "obstacles:housing"], "how_obtained": "oral_three_way"},
    )
    page = login_client(case.pair.advisor).get(reverse("case_detail", args=[case.pk]))

    assert response.status_code == 302
    assert sorted(SharingAgreement.objects.get(case=case).categories) == [
        "obstacles:housing",
        "social_summary",
    ]
    expires_on = case.planned_end_on + relativedelta(months=1)
    assert f"En vigueur jusqu'au {expires_on:%d/%m/%Y}" in page.content.decode()


def test_agreement_page_without_category_keeps_choice_and_says_why(login_client, today):
    case = CaseFactory(state=CaseState.ACTIVE)
    typed = (today + datetime.timedelta(days=60)).isoformat()

    response = login_client(case.pair.social_worker).post(
        reverse("agreement_record", args=[case.pk]),
        {"how_obtained": "signed_form", "expires_on": typed},
    )

    content = response.content.decode()
    assert "Cochez au moins une catégorie" in content
    assert f'value="{typed}"' in content
    assert not SharingAgreement.objects.exists()


def test_withdraw_page_confirms_then_withdraws(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    _agree(case)
    client = login_client(case.pair.advisor)

    confirm = client.get(reverse("agreement_withdraw", args=[case.pk]))
    done = client.post(reverse("agreement_withdraw", args=[case.pk]))

    assert "Confirmer le retrait de l'accord" in confirm.content.decode()
    assert done.status_code == 302
    assert SharingAgreement.objects.get(case=case).withdrawn_by == case.pair.advisor
