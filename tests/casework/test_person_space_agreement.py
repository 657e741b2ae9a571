"""The person's accord de partage in their space."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from casework.enums import AgreementMethod, JournalChannel, ShareCategory
from casework.models import InformationShare, SharingAgreement
from casework.services.agreements import agreement_record
from tests.casework.test_person_space import invited_case, log_in_person

pytestmark = pytest.mark.django_db


def test_agreement_page_says_there_is_none():
    invited_case()
    client = log_in_person(Client())
    response = client.get(reverse("space_agreement"))
    assert response.status_code == 200
    assert "Vous n'avez pas d'accord de partage en cours" in response.content.decode()


def test_agreement_page_lists_each_category_shared_or_not():
    case, _access = invited_case()
    agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HEALTH],
        how_obtained=AgreementMethod.SIGNED_FORM,
        acting_user=case.pair.social_worker,
    )
    client = log_in_person(Client())
    html = " ".join(client.get(reverse("space_agreement")).content.decode().split())
    assert "Difficultés : santé : <strong>partagé</strong>" in html
    assert "Difficultés : logement : non partagé" in html


def test_agreement_page_refuses_without_a_person_session():
    response = Client().get(reverse("space_agreement"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("space_login"))


@pytest.mark.parametrize("renewals", [1, 3])
def test_agreement_page_query_count(renewals, django_assert_num_queries):
    """Earlier, replaced agreements add no query: only the one in force is read."""
    case, _access = invited_case()
    for _ in range(renewals):
        agreement_record(
            case=case,
            categories=[ShareCategory.OBSTACLES_HEALTH],
            how_obtained=AgreementMethod.SIGNED_FORM,
            acting_user=case.pair.social_worker,
        )
    client = log_in_person(Client())
    with django_assert_num_queries(4):
        client.get(reverse("space_agreement"))


def test_withdraw_all_asks_confirmation_then_withdraws_as_the_persons_act():
    case, access = invited_case()
    agreement = agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING],
        how_obtained=AgreementMethod.SIGNED_FORM,
        acting_user=case.pair.social_worker,
    )
    client = log_in_person(Client())
    confirm = client.get(reverse("space_agreement_withdraw"))
    assert "Oui, je retire mon accord" in confirm.content.decode()
    assert SharingAgreement.objects.get(pk=agreement.pk).withdrawn_at is None

    response = client.post(reverse("space_agreement_withdraw"))

    assert response.status_code == 302
    assert response["Location"] == reverse("space_agreement")
    agreement.refresh_from_db()
    assert agreement.withdrawn_at is not None
    assert agreement.withdrawn_by is None
    audit = LogEntry.objects.get_for_object(agreement).order_by("-pk").first()
    assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")
    row = InformationShare.objects.filter(case=case).order_by("-pk").first()
    assert (row.channel, row.actor_id, row.purpose, row.category) == (
        JournalChannel.PERSON,
        None,
        "Retrait de l'accord de partage par la personne",
        "obstacles:health,obstacles:housing",
    )
    page = client.get(reverse("space_agreement")).content.decode()
    assert "Vous n'avez pas d'accord de partage en cours" in page
