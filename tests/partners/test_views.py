import re

import pytest
from django.urls import reverse

from partners import services
from partners.enums import Role
from tests.partners.factories import TEST_PASSWORD, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_french(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Connexion à Binôme" in content
    assert "Adresse électronique professionnelle" in content


def test_login_with_good_password_lands_on_start_page(client, pair):
    response = client.post(
        reverse("login"),
        {"username": pair.advisor.email.upper(), "password": TEST_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("home"), 302), (reverse("caseload"), 302)]
    assert response.context["user"] == pair.advisor


def test_login_with_bad_password_shows_french_error_and_keeps_email(client, pair):
    response = client.post(
        reverse("login"), {"username": pair.advisor.email, "password": "mauvais"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in content
    assert f'value="{pair.advisor.email}"' in content


def test_login_of_deactivated_professional_refused(client):
    professional = ProfessionalFactory(is_active=False)

    response = client.post(
        reverse("login"), {"username": professional.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_home_anonymous_redirects_to_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_logout_ends_session(login_client, pair):
    client = login_client(pair.advisor)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_my_pairs_shows_co_accompagnant_of_each_pair(login_client):
    advisor = ProfessionalFactory(role=Role.ADVISOR)
    department = advisor.organisation.department
    first = PairFactory(advisor=advisor, department=department)
    second = PairFactory(advisor=advisor, department=department)
    stranger = PairFactory(department=department)

    response = login_client(advisor).get(reverse("my_pairs"))

    assert response.context["pairs"] == [
        (first, first.social_worker),
        (second, second.social_worker),
    ]
    content = response.content.decode()
    assert first.social_worker.full_name in content
    assert stranger.social_worker.full_name not in content


def test_my_pairs_social_worker_sees_advisor_as_co_accompagnant(login_client, pair):
    response = login_client(pair.social_worker).get(reverse("my_pairs"))

    assert response.context["pairs"] == [(pair, pair.advisor)]


def test_my_pairs_without_pair_shows_empty_state(login_client):
    advisor = ProfessionalFactory(role=Role.ADVISOR)

    response = login_client(advisor).get(reverse("my_pairs"))

    assert "Vous n'êtes membre d'aucun binôme en cours." in response.content.decode()


def test_my_pairs_hides_ended_pairs(login_client, pair):
    services.pair_end(pair=pair, acting_user=None)

    response = login_client(pair.advisor).get(reverse("my_pairs"))

    assert response.context["pairs"] == []


def test_supervisor_lands_on_the_dashboard(login_client):
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR)

    response = login_client(supervisor).get(reverse("home"))

    assert (response.status_code, response["Location"]) == (302, reverse("supervision"))


def test_team_sees_pairs_of_subtree_only(login_client):
    parent = ProfessionalFactory(role=Role.ADVISOR).organisation
    department = parent.department
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=parent)
    child = services.organisation_create(
        department=department,
        kind="france_travail",
        name="Antenne",
        parent=parent,
        acting_user=None,
    )
    inside = PairFactory(
        advisor=ProfessionalFactory(role=Role.ADVISOR, organisation=child), department=department
    )
    outside = PairFactory(department=department)

    response = login_client(supervisor).get(reverse("team"))

    assert response.context["pairs"].object_list == [inside]
    assert outside.advisor.full_name not in response.content.decode()


def test_home_admin_sees_organisations_and_pairs_of_department(login_client, pair):
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)
    other_department_pair = PairFactory()

    response = login_client(admin).get(reverse("home"))

    assert response.context["department"] == pair.department
    assert response.context["pairs"].object_list == [pair]
    assert {o.pk for o in response.context["organisations"]} == {
        pair.advisor.organisation_id,
        pair.social_worker.organisation_id,
        admin.organisation_id,
    }
    assert other_department_pair.advisor.full_name not in response.content.decode()
    assert reverse("admin:index") in response.content.decode()


def test_home_auditor_sees_department_without_admin_link(login_client, pair):
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=pair.department)

    response = login_client(auditor).get(reverse("home"))

    assert response.context["pairs"].object_list == [pair]
    assert reverse("admin:index") not in response.content.decode()


def test_home_professional_lands_on_caseload(login_client, pair):
    response = login_client(pair.advisor).get(reverse("home"))

    assert (response.status_code, response["Location"]) == (302, reverse("caseload"))


def test_my_pairs_refused_to_other_roles(login_client, pair):
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=pair.advisor.organisation)

    assert login_client(supervisor).get(reverse("my_pairs")).status_code == 404


def test_every_page_names_a_favicon_that_is_served(client):
    """Browsers ask for an icon on every page: ours, never the State's Marianne, and it exists."""
    page = client.get(reverse("login")).content.decode()
    links = re.findall(r'<link rel="(?:icon|apple-touch-icon|manifest|shortcut icon)"[^>]*>', page)

    assert len(links) == 1, links
    href = re.search(r'href="([^"]+)"', links[0]).group(1)  # type: ignore[union-attr]
    assert href.endswith("binome/favicon.svg")
    response = client.get(href)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_the_social_correspondent_lands_on_her_requests_and_is_named_so(login_client, pair):
    correspondent = ProfessionalFactory(
        role=Role.SOCIAL_WORKER,
        is_social_correspondent=True,
        organisation=pair.social_worker.organisation,
    )

    response = login_client(correspondent).get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse("social_requests"), 302)]
    assert "Correspondant·e social·e</span>" in response.content.decode()
    assert "Travailleur·se social·e</span>" not in response.content.decode()
