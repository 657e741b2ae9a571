from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.management import call_command

from casework.api.selectors import partner_cases
from casework.demo import DEMO_PERSON_EMAIL, DEMO_PERSON_SHARES
from casework.enums import ObstacleCategory
from casework.models import (
    Beneficiary,
    Case,
    CaseUserObjectPermission,
    InformationShare,
    Interview,
    SharingAgreement,
    SpaceAccess,
)
from casework.space import services as space_services
from orientation.enums import DiagnosticState
from orientation.models import Diagnostic, Obstacle
from partners.api.models import PartnerKey, PartnerSystem
from partners.demo import DEMO_DEPARTMENT_CODE, DEMO_PARTNER_NAME
from partners.enums import OrganisationKind, Role
from partners.models import Department, Organisation, Pair, Professional
from tests.partners.api import api_client

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "departments": Department.objects.count(),
        "organisations": Organisation.objects.count(),
        "professionals": Professional.objects.count(),
        "pairs": Pair.objects.count(),
        "people": Beneficiary.objects.count(),
        "cases": Case.objects.count(),
        "interviews": Interview.objects.count(),
        "grants": CaseUserObjectPermission.objects.count(),
        "diagnostics": Diagnostic.objects.count(),
        "journal": InformationShare.objects.count(),
        "groups": Group.objects.count(),
        "audit rows": LogEntry.objects.count(),
    }


def _seed(settings, debug: bool = True, people: int = 24) -> str:
    settings.DEBUG = debug
    out = StringIO()
    call_command("seed_demo", "--people", str(people), stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_demo_department(settings):
    _seed(settings)

    department = Department.objects.get(code=DEMO_DEPARTMENT_CODE)
    organisations = Organisation.objects.filter(department=department)
    professionals = Professional.objects.filter(organisation__department=department)
    assert {kind: organisations.filter(kind=kind).count() for kind in OrganisationKind.values} == {
        "france_travail": 2,
        "department": 3,
        "ccas": 1,
        "plie": 0,
        "other": 0,
    }
    assert {role: professionals.filter(role=role).count() for role in Role.values} == {
        "advisor": 8,
        "social_worker": 8,
        "supervisor": 2,
        "admin": 1,
        "auditor": 1,
    }
    assert professionals.filter(is_social_correspondent=True).count() == 2
    assert Pair.objects.active().filter(department=department).count() == 6
    cases = Case.objects.filter(pair__department=department)
    assert cases.count() == 24
    assert set(cases.values_list("pair", flat=True)) == set(
        Pair.objects.filter(department=department).values_list("pk", flat=True)
    )


def test_seed_demo_twice_changes_nothing(settings):
    _seed(settings)
    before = _counts()

    _seed(settings)

    assert _counts() == before


def test_seed_demo_prints_one_login_per_role_with_password_in_debug(settings, client):
    output = _seed(settings, debug=True)

    emails = [
        line.split()[-1]
        for line in output.splitlines()
        if "@demo.binome.test" in line and "Espace de la personne" not in line
    ]
    roles = set(Professional.objects.filter(email__in=emails).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert "Mot de passe de chaque compte : demo-binome-2026" in output
    for email in emails:
        assert client.login(username=email, password="demo-binome-2026"), email


def test_seed_demo_sets_no_password_without_debug(settings, client):
    output = _seed(settings, debug=False)

    assert "demo-binome-2026" not in output
    assert not any(p.has_usable_password() for p in Professional.objects.all())


def test_seed_demo_invites_one_person_and_says_how_to_log_in_as_her(settings):
    output = _seed(settings)

    access = SpaceAccess.objects.active().get()
    assert (access.email, access.beneficiary.first_name) == (DEMO_PERSON_EMAIL, "Rosalie")
    assert access.created_by == access.case.pair.social_worker
    assert (
        f"Espace de la personne (/mon-espace/connexion/) : « Rosalie », adresse "
        f"{DEMO_PERSON_EMAIL} ; le code à 6 chiffres s'affiche dans la console"
    ) in output
    assert space_services.code_send(contact=DEMO_PERSON_EMAIL) is not None
    # Her accord covers housing and health; her diagnostic awaits her opinion (a draft, unsigned).
    agreement = SharingAgreement.objects.in_force().get(case=access.case)
    assert sorted(agreement.categories) == sorted(DEMO_PERSON_SHARES)
    diagnostic = Diagnostic.objects.get(case=access.case)
    assert (diagnostic.state, diagnostic.person_opinion_at) == (DiagnosticState.DRAFT, None)
    obstacles = Obstacle.objects.filter(diagnostic=diagnostic)
    assert sorted(obstacles.values_list("category", flat=True)) == [
        ObstacleCategory.HEALTH,
        ObstacleCategory.HOUSING,
    ]


KEY_LINE = "Clé d'API (affichée une seule fois) : "


def _printed_key(output: str) -> str:
    (key,) = [line.split(KEY_LINE)[1] for line in output.splitlines() if KEY_LINE in line]
    return key


def test_seed_demo_prints_the_demo_partners_key_which_lists_the_departments_cases(settings):
    output = _seed(settings)

    key = _printed_key(output)
    partner = PartnerSystem.objects.get(name=DEMO_PARTNER_NAME)
    assert (partner.department.code, partner.organisation, partner.scopes) == (
        DEMO_DEPARTMENT_CODE,
        "ANCT",
        ["appointments:write", "followup:read", "orientation:write"],
    )
    assert (
        f'Essai : curl -H "Authorization: Bearer {key}" http://127.0.0.1:8000/api/v1/cases/'
        in output
    )
    response = api_client(key).get("/api/v1/cases/")
    assert response.status_code == 200
    listed = [row["id"] for row in response.json()["results"]]
    expected = list(partner_cases(partner).order_by("pk").values_list("pk", flat=True))
    assert (listed, response.json()["next"], len(expected) > 0) == (expected, None, True)
    assert set(
        Case.objects.filter(pk__in=listed).values_list("pair__department__code", flat=True)
    ) == {DEMO_DEPARTMENT_CODE}


def test_seed_demo_again_keeps_the_key_in_force_and_says_it_cannot_show_it(settings):
    key = _printed_key(_seed(settings))

    output = _seed(settings)

    (in_force,) = PartnerKey.objects.all()
    assert KEY_LINE not in output
    assert f"Une clé d'API est déjà en vigueur (préfixe {in_force.prefix})" in output
    assert api_client(key).get("/api/v1/cases/").status_code == 200


def test_seed_demo_new_api_key_replaces_the_key_in_force(settings):
    old = _printed_key(_seed(settings))
    settings.DEBUG = True
    out = StringIO()

    call_command("seed_demo", "--people", "24", "--new-api-key", stdout=out)

    new = _printed_key(out.getvalue())
    assert new != old
    refused = api_client(old).get("/api/v1/cases/")
    assert (refused.status_code, refused.json()["code"]) == (401, "cle-remplacee")
    assert api_client(new).get("/api/v1/cases/").status_code == 200
