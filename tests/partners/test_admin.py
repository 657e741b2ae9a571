import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from partners.enums import Role
from partners.models import Organisation, Pair, Professional
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login_client, pair):  # type: ignore[no-untyped-def]
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)
    return admin, login_client(admin)


def test_admin_add_pair_goes_through_pair_create(admin_client, pair):
    admin, client = admin_client
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=pair.department)

    response = client.post(
        reverse("admin:partners_pair_add"),
        {
            "advisor": advisor.pk,
            "social_worker": pair.social_worker.pk,
            "started_on": "02/03/2026",
        },
    )

    assert response.status_code == 302
    created = Pair.objects.get(advisor=advisor)
    assert (created.department, created.started_on) == (
        pair.department,
        datetime.date(2026, 3, 2),
    )
    assert LogEntry.objects.get_for_object(created).get().actor == admin


def test_admin_add_pair_without_advisor_forms_a_social_only_pair(admin_client, pair):
    admin, client = admin_client

    response = client.post(
        reverse("admin:partners_pair_add"),
        {"advisor": "", "social_worker": pair.social_worker.pk, "started_on": "02/03/2026"},
    )

    assert response.status_code == 302
    created = Pair.objects.get(advisor__isnull=True)
    assert (created.social_worker, created.department, created.is_social_only) == (
        pair.social_worker,
        pair.department,
        True,
    )
    assert LogEntry.objects.get_for_object(created).get().actor == admin


def test_admin_add_second_social_only_pair_shows_french_error(admin_client, pair):
    _, client = admin_client
    data = {"advisor": "", "social_worker": pair.social_worker.pk, "started_on": "02/03/2026"}
    client.post(reverse("admin:partners_pair_add"), data)

    response = client.post(reverse("admin:partners_pair_add"), data)

    assert response.status_code == 200
    assert "Ce suivi social seul existe déjà et est en cours." in response.content.decode()
    assert Pair.objects.filter(advisor__isnull=True).count() == 1


def test_admin_add_social_only_pair_of_an_advisor_shows_french_error(admin_client, pair):
    _, client = admin_client

    response = client.post(
        reverse("admin:partners_pair_add"),
        {"advisor": "", "social_worker": pair.advisor.pk, "started_on": "02/03/2026"},
    )

    assert response.status_code == 200
    assert "un suivi social seul est mené par un·e travailleur·se social·e" in (
        response.content.decode()
    )
    assert Pair.objects.count() == 1


def test_admin_add_pair_of_two_advisors_shows_french_error(admin_client, pair):
    _, client = admin_client

    response = client.post(
        reverse("admin:partners_pair_add"),
        {"advisor": pair.advisor.pk, "social_worker": pair.advisor.pk, "started_on": "02/03/2026"},
    )

    assert response.status_code == 200
    assert "Un binôme réunit deux professionnel·les différent·es." in response.content.decode()
    assert Pair.objects.count() == 1


def test_admin_end_pair_goes_through_pair_end(admin_client, pair):
    _, client = admin_client
    ended_on = pair.started_on + datetime.timedelta(days=30)

    response = client.post(
        reverse("admin:partners_pair_change", args=[pair.pk]),
        {"ended_on": f"{ended_on:%d/%m/%Y}", "end_reason": "departure"},
    )

    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.ended_on, pair.end_reason) == (ended_on, "departure")


def test_admin_end_pair_before_start_shows_french_error(admin_client, pair):
    _, client = admin_client

    response = client.post(
        reverse("admin:partners_pair_change", args=[pair.pk]),
        {"ended_on": "01/01/2020", "end_reason": "departure"},
    )

    assert "La fin d&#x27;un binôme ne peut précéder son début" in response.content.decode()
    pair.refresh_from_db()
    assert pair.ended_on is None


def test_admin_add_professional_goes_through_professional_create(admin_client, pair):
    admin, client = admin_client

    response = client.post(
        reverse("admin:partners_professional_add"),
        {
            "email": "Nouvelle.Conseillere@Exemple.test",
            "first_name": "Zoé",
            "last_name": "Lambert",
            "organisation": pair.advisor.organisation_id,
            "role": Role.ADVISOR,
            "job_title": "Conseillère",
            # No such fields any more: the administrator never sets a password.
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
    )

    assert response.status_code == 302
    created = Professional.objects.get(email="nouvelle.conseillere@exemple.test")
    assert created.has_usable_password() is False
    assert created.invited_by == admin
    assert LogEntry.objects.get_for_object(created).get().actor == admin


def test_admin_add_organisation_computes_its_path(admin_client, pair):
    _, client = admin_client
    parent = pair.advisor.organisation

    client.post(
        reverse("admin:partners_organisation_add"),
        {
            "department": pair.department.pk,
            "kind": "france_travail",
            "name": "Antenne du marché",
            "parent": parent.pk,
        },
    )

    child = Organisation.objects.get(name="Antenne du marché")
    assert child.path.startswith(parent.path)
    assert list(Organisation.objects.subtree_of(parent).order_by("pk")) == [parent, child]


def test_admin_deactivate_action_refuses_member_of_active_pair(admin_client, pair):
    _, client = admin_client
    idle = ProfessionalFactory(role=Role.ADVISOR, organisation__department=pair.department)

    response = client.post(
        reverse("admin:partners_professional_changelist"),
        {"action": "deactivate", "_selected_action": [pair.advisor.pk, idle.pk]},
        follow=True,
    )

    content = response.content.decode()
    assert "est encore membre d&#x27;un binôme en cours" in content
    assert dict(
        Professional.objects.filter(pk__in=[pair.advisor.pk, idle.pk]).values_list(
            "pk", "is_active"
        )
    ) == {pair.advisor.pk: True, idle.pk: False}


def test_admin_offers_no_deletion(admin_client, pair):
    _, client = admin_client

    delete_pair = client.get(reverse("admin:partners_pair_delete", args=[pair.pk]))
    delete_professional = client.get(
        reverse("admin:partners_professional_delete", args=[pair.advisor.pk])
    )
    changelist = client.get(reverse("admin:partners_professional_changelist"))

    assert (delete_pair.status_code, delete_professional.status_code) == (403, 403)
    assert "delete_selected" not in changelist.content.decode()


def test_admin_role_change_of_a_pair_member_shows_french_error(admin_client, pair):
    """The service's refusal is the change form's error, not a server error (500)."""
    _, client = admin_client
    advisor = pair.advisor

    response = client.post(
        reverse("admin:partners_professional_change", args=[advisor.pk]),
        {
            "email": advisor.email,
            "first_name": advisor.first_name,
            "last_name": advisor.last_name,
            "organisation": advisor.organisation_id,
            "role": Role.SUPERVISOR,
            "job_title": advisor.job_title,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        f"{advisor.full_name} est membre d'un binôme en cours : "
        "terminez-le avant de changer son rôle."
    ]
    assert Professional.objects.get(pk=advisor.pk).role == Role.ADVISOR
