"""The person's accord de partage in their space."""

import pytest
from django.test import Client
from django.urls import reverse

from casework.enums import AgreementMethod, ShareCategory
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
        how_obtained=AgreementMethod.choices[0][0],
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
            how_obtained=AgreementMethod.choices[0][0],
            acting_user=case.pair.social_worker,
        )
    client = log_in_person(Client())
    with django_assert_num_queries(4):
        client.get(reverse("space_agreement"))
