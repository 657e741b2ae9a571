"""The admin site scoped to the administrator's department: two departments, an administrator in
each; one never reaches, lists, offers or changes the other's objects."""

from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth.models import Permission
from django.core import checks
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from partners.admin import DepartmentScopedAdmin
from partners.checks import admin_scope_errors
from partners.enums import OrganisationKind, Role
from partners.errors import InvalidPair, InvalidTransition
from partners.models import Department, Organisation, Pair, PartnerKey, PartnerSystem, Professional
from partners.permissions import functional_admin_group
from partners.services import (
    SELF_PAIR_REFUSED,
    SELF_RIGHTS_REFUSED,
    pair_create,
    professional_update,
)
from tests.conftest import log_in
from tests.partners.api import make_partner
from tests.partners.factories import (
    DepartmentFactory,
    OrganisationFactory,
    PairFactory,
    ProfessionalFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@dataclass
class Side:
    """One department with its administrator (logged in), an organisation, a binôme, and a
    partner system with a key (the partner API)."""

    department: Department
    organisation: Organisation
    admin: Professional
    pair: Pair
    client: Client
    partner: PartnerSystem


def make_side(code: str, login_client) -> Side:  # type: ignore[no-untyped-def]
    department = DepartmentFactory(code=code, name=f"Département {code}")
    organisation = OrganisationFactory(
        department=department, kind=OrganisationKind.DEPARTMENT, name=f"Direction {code}"
    )
    administrator = ProfessionalFactory(role=Role.ADMIN, organisation=organisation)
    pair = PairFactory(department=department)
    partner, _secret = make_partner(department, name=f"Logiciel {code}")
    return Side(department, organisation, administrator, pair, login_client(administrator), partner)


@pytest.fixture
def ours(login_client) -> Side:  # type: ignore[no-untyped-def]
    return make_side("01", login_client)


@pytest.fixture
def theirs(login_client) -> Side:  # type: ignore[no-untyped-def]
    return make_side("99", login_client)


def scoped_admins() -> list[DepartmentScopedAdmin]:
    return [
        model_admin
        for model_admin in (
            admin.site.get_model_admin(model)
            for model in admin.site._registry  # noqa: SLF001
        )
        if isinstance(model_admin, DepartmentScopedAdmin)
    ]


def object_of(model_admin: DepartmentScopedAdmin, department: Department) -> Model:
    return model_admin.model._default_manager.filter(  # type: ignore[no-any-return]
        **{model_admin.department_lookup: department.pk}
    ).earliest("pk")


def written() -> tuple[int, int]:
    """The audit trail and the admin's own history: any write leaves a row in one of them."""
    return LogEntry.objects.count(), AdminLogEntry.objects.count()


def test_every_registered_admin_is_scoped_or_for_operators():
    assert admin_scope_errors(admin.site) == []
    # The check can fail: a plain ModelAdmin on another site is named.
    site = admin.AdminSite(name="unscoped")
    site.register(Organisation, admin.ModelAdmin)
    site.register(Pair, type("PairAdmin", (DepartmentScopedAdmin,), {"department_lookup": "pk"}))

    errors = admin_scope_errors(site)

    assert [(error.id, error.level, error.msg) for error in errors] == [
        (
            "binome.E006",
            checks.ERROR,
            "L'administration de partners.Organisation (ModelAdmin) n'est pas limitée au "
            "département de l'administrateur·rice.",
        )
    ]


def test_admin_object_pages_of_another_department_are_404_for_get_and_post(ours, theirs):
    pages = [
        (model_admin, f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_{page}")
        for model_admin in scoped_admins()
        for page in ("change", "history", "delete")
    ]
    before = written()

    statuses = {
        (name, method): getattr(theirs.client, method)(
            reverse(name, args=[object_of(model_admin, ours.department).pk])
        ).status_code
        for model_admin, name in pages
        for method in ("get", "post")
    }
    # Their own department's objects: the same pages answer (deletion is refused to everyone).
    own = {
        (name, "get"): theirs.client.get(
            reverse(name, args=[object_of(model_admin, theirs.department).pk])
        ).status_code
        for model_admin, name in pages
    }

    assert {model_admin.model for model_admin, _ in pages} == {
        Department,
        Organisation,
        Professional,
        Pair,
        PartnerSystem,
        PartnerKey,
    }
    assert statuses == dict.fromkeys(statuses, 404)
    assert own == {key: 403 if key[0].endswith("_delete") else 200 for key in own}
    assert written() == before


def test_admin_change_of_another_department_writes_nothing(ours, theirs):
    department_url = reverse("admin:partners_department_change", args=[ours.department.pk])
    professional = ours.pair.advisor
    first_name = professional.first_name
    professional_url = reverse("admin:partners_professional_change", args=[professional.pk])
    department_data = {
        "code": ours.department.code,
        "name": ours.department.name,
        "rsa_orientation_authority": ours.department.rsa_orientation_authority,
        "retention_active_years": 2,
        "retention_archive_years": 5,
        "notice_delay_days": 30,
        "interview_interval_days": 30,
        "caseload_target": 12,
        "second_admin_days": 30,
        "breach_observation_days": 10,
        "sms_sender": "Binome",
        "sms_quiet_from": "20:00",
        "sms_quiet_until": "08:00",
        "reminder_days": "2,1",
        "legal_basis_text": ours.department.legal_basis_text,
        "appeal_court": ours.department.appeal_court,
        "appeal_france_travail": ours.department.appeal_france_travail,
    }
    professional_data = {
        "email": professional.email,
        "first_name": "Usurpée",
        "last_name": professional.last_name,
        "organisation": professional.organisation_id,
        "role": Role.ADVISOR,
    }
    before = written()

    refused_department = theirs.client.post(department_url, department_data)
    refused_professional = theirs.client.post(professional_url, professional_data)

    assert (refused_department.status_code, refused_professional.status_code) == (404, 404)
    assert written() == before
    ours.department.refresh_from_db()
    professional.refresh_from_db()
    assert (ours.department.caseload_target, professional.first_name) == (70, first_name)
    # The same data from the department's own administrator is written: the refusal was scope.
    accepted = ours.client.post(department_url, department_data)
    ours.department.refresh_from_db()
    assert (accepted.status_code, ours.department.caseload_target) == (302, 12)


def test_admin_changelists_list_only_the_administrators_department(ours, theirs):
    lists = {
        model_admin.model: {
            obj.pk
            for obj in theirs.client.get(
                reverse(
                    f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"
                )
            )
            .context["cl"]
            .result_list
        }
        for model_admin in scoped_admins()
    }

    assert lists == {
        Department: {theirs.department.pk},
        Organisation: set(
            Organisation.objects.filter(department=theirs.department).values_list("pk", flat=True)
        ),
        Professional: set(
            Professional.objects.filter(organisation__department=theirs.department).values_list(
                "pk", flat=True
            )
        ),
        Pair: {theirs.pair.pk},
        PartnerSystem: {theirs.partner.pk},
        PartnerKey: set(theirs.partner.keys.values_list("pk", flat=True)),
    }


def operator_client() -> Client:
    operator = Professional.objects.create_superuser(
        "exploitation@exemple.test",
        "un-mot-de-passe-solide-42",
        first_name="Op",
        last_name="Ération",
    )
    return log_in(Client(), operator)


def test_admin_list_filters_offer_only_the_administrators_department(ours, theirs):
    url = reverse("admin:partners_organisation_changelist")
    response = theirs.client.get(url)
    operators = operator_client().get(url)

    def departments_offered(page) -> list[str]:  # type: ignore[no-untyped-def]
        return [
            label
            for spec in page.context["cl"].filter_specs
            if spec.title == "département"
            for _pk, label in spec.lookup_choices
        ]

    # One department: Django hides a filter with one choice. The operator sees both.
    assert departments_offered(response) == []
    assert sorted(departments_offered(operators)) == [str(ours.department), str(theirs.department)]
    assert str(ours.department) not in response.content.decode()


def test_admin_search_of_another_departments_name_finds_nothing(ours, theirs):
    url = reverse("admin:partners_professional_changelist")
    search = {"q": ours.pair.advisor.last_name}

    found_by_theirs = list(theirs.client.get(url, search).context["cl"].result_list)
    found_by_ours = list(ours.client.get(url, search).context["cl"].result_list)

    assert ours.pair.advisor not in found_by_theirs
    assert ours.pair.advisor in found_by_ours


def test_admin_add_forms_offer_only_the_administrators_department(ours, theirs):
    def form(name: str):  # type: ignore[no-untyped-def]
        return theirs.client.get(reverse(name)).context["adminform"].form

    professional_form = form("admin:partners_professional_add")
    organisation_form = form("admin:partners_organisation_add")
    pair_form = form("admin:partners_pair_add")
    key_form = form("admin:partners_partnerkey_add")
    partner_form = form("admin:partners_partnersystem_add")
    their_organisations = set(Organisation.objects.filter(department=theirs.department))
    their_professionals = set(
        Professional.objects.filter(organisation__department=theirs.department)
    )

    assert set(professional_form.fields["organisation"].queryset) == their_organisations
    assert set(organisation_form.fields["department"].queryset) == {theirs.department}
    assert set(organisation_form.fields["parent"].queryset) == their_organisations
    assert set(pair_form.fields["advisor"].queryset) == their_professionals
    assert set(pair_form.fields["social_worker"].queryset) == their_professionals
    assert ours.organisation not in their_organisations
    assert set(key_form.fields["partner"].queryset) == {theirs.partner}
    assert set(partner_form.fields["department"].queryset) == {theirs.department}


def test_admin_autocomplete_offers_only_the_administrators_department(ours, theirs):
    response = theirs.client.get(
        reverse("admin:autocomplete"),
        {"app_label": "partners", "model_name": "pair", "field_name": "advisor", "term": ""},
    )

    offered = {int(result["id"]) for result in response.json()["results"]}
    assert offered == set(
        Professional.objects.filter(organisation__department=theirs.department).values_list(
            "pk", flat=True
        )
    )


CHOICE_ERROR = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."


def test_admin_add_with_another_departments_objects_is_refused(ours, theirs):
    before = written()

    professional = theirs.client.post(
        reverse("admin:partners_professional_add"),
        {
            "email": "intruse@exemple.test",
            "first_name": "Ines",
            "last_name": "Trus",
            "organisation": ours.organisation.pk,
            "role": Role.ADMIN,
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
    )
    pair = theirs.client.post(
        reverse("admin:partners_pair_add"),
        {
            "advisor": ours.pair.advisor.pk,
            "social_worker": ours.pair.social_worker.pk,
            "started_on": "02/03/2026",
        },
    )

    assert professional.context["adminform"].form.errors == {"organisation": [CHOICE_ERROR]}
    assert pair.context["adminform"].form.errors == {
        "advisor": [CHOICE_ERROR],
        "social_worker": [CHOICE_ERROR],
    }
    assert not Professional.objects.filter(email="intruse@exemple.test").exists()
    assert Pair.objects.count() == 2
    assert written() == before


def test_admin_action_on_another_departments_professionals_changes_nothing(ours, theirs):
    idle = ProfessionalFactory(role=Role.ADVISOR, organisation=ours.organisation)
    before = written()

    theirs.client.post(
        reverse("admin:partners_professional_changelist"),
        {"action": "deactivate", "_selected_action": [idle.pk]},
    )

    idle.refresh_from_db()
    assert idle.is_active is True
    assert written() == before


def test_admin_department_add_is_for_operators_only(ours, theirs):
    client = operator_client()

    refused_add = theirs.client.get(reverse("admin:partners_department_add"))
    operator_add = client.get(reverse("admin:partners_department_add"))
    operator_list = client.get(reverse("admin:partners_department_changelist"))

    assert (refused_add.status_code, operator_add.status_code) == (403, 200)
    assert set(operator_list.context["cl"].result_list) == {ours.department, theirs.department}


def test_admin_operator_pages_stay_closed_even_with_a_granted_permission(ours):
    # A permission given by mistake to the functional administrators' group opens nothing.
    functional_admin_group().permissions.add(
        Permission.objects.get(codename="view_logentry", content_type__app_label="auditlog")
    )

    statuses = [
        ours.client.get(reverse(name)).status_code
        for name in (
            "admin:auditlog_logentry_changelist",
            "admin:otp_totp_totpdevice_changelist",
            "admin:auth_group_changelist",
            "admin:dsfr_dsfrconfig_changelist",
        )
    ]

    assert statuses == [403, 403, 403, 403]


def test_pair_create_including_the_acting_professional_is_refused(ours):
    advisor = ours.pair.advisor
    social_worker = ProfessionalFactory(role=Role.SOCIAL_WORKER, organisation=ours.organisation)

    with refused(InvalidPair, SELF_PAIR_REFUSED):
        pair_create(advisor=advisor, social_worker=social_worker, acting_user=social_worker)

    assert not Pair.objects.filter(social_worker=social_worker).exists()


def test_admin_pair_including_the_administrator_is_refused_in_french(ours):
    before = written()

    response = ours.client.post(
        reverse("admin:partners_pair_add"),
        {
            "advisor": ours.pair.advisor.pk,
            "social_worker": ours.admin.pk,
            "started_on": "02/03/2026",
        },
    )

    assert response.context["adminform"].form.non_field_errors() == [SELF_PAIR_REFUSED]
    assert Pair.objects.filter(social_worker=ours.admin).exists() is False
    assert written() == before


def test_professional_update_of_ones_own_rights_is_refused(ours):
    organisation = ours.admin.organisation

    with refused(InvalidTransition, SELF_RIGHTS_REFUSED):
        professional_update(
            professional=ours.admin,
            fields={"role": Role.SOCIAL_WORKER, "is_social_correspondent": True},
            acting_user=ours.admin,
        )
    # Another administrator may; and one's own name stays one's own to correct.
    professional_update(
        professional=ours.admin, fields={"job_title": "Cheffe de projet"}, acting_user=ours.admin
    )

    ours.admin.refresh_from_db()
    assert (ours.admin.role, ours.admin.organisation, ours.admin.job_title) == (
        Role.ADMIN,
        organisation,
        "Cheffe de projet",
    )


def test_admin_own_change_form_does_not_offer_ones_rights(ours):
    url = reverse("admin:partners_professional_change", args=[ours.admin.pk])

    form = ours.client.get(url).context["adminform"].form
    ours.client.post(
        url,
        {
            "email": ours.admin.email,
            "first_name": ours.admin.first_name,
            "last_name": ours.admin.last_name,
            "role": Role.SOCIAL_WORKER,
            "is_social_correspondent": "on",
        },
    )

    ours.admin.refresh_from_db()
    # An activated account's address is read-only too (services.ACTIVATED_EMAIL_REFUSED).
    assert set(form.fields) == {"first_name", "last_name", "job_title"}
    assert (ours.admin.role, ours.admin.is_social_correspondent) == (Role.ADMIN, False)
