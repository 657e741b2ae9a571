"""The territory's offer: search, and exchange in the national inclusion-offer schema."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from casework import directory, services
from casework.directory import Rejection
from casework.enums import ObstacleCategory
from casework.models import Resource
from partners.enums import Role
from partners.errors import InvalidTransition
from tests.partners.factories import DepartmentFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

COMPARED = (
    "source",
    "external_id",
    "name",
    "provider",
    "provider_id",
    "categories",
    "thematiques",
    "description",
    "conditions",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "area",
    "link",
    "updated_on",
)


def structure(number: int, name: str) -> dict:
    return {"source": "cd21", "id": f"cd21--s{number}", "nom": name, "date_maj": "2026-01-05"}


def service(number: int, structure_number: int = 1, **fields: object) -> dict:
    return {
        "source": "cd21",
        "structure_id": f"cd21--s{structure_number}",
        "id": f"cd21--service-{number}",
        "nom": f"Service numéro {number}",
        "description": "Une aide locale pour les personnes accompagnées.",
        "date_maj": "2026-01-05",
        "thematiques": ["mobilite--acceder-a-un-vehicule"],
        **fields,
    }


VALID = {
    "structures": [structure(1, "CCAS de Dijon"), structure(2, "Maison de l'emploi")],
    "services": [
        service(
            1,
            nom="Prêt de cyclomoteurs",
            conditions_acces="Avoir un contrat ou une formation",
            telephone="0380000000",
            zone_eligibilite=["21"],
        ),
        service(
            2,
            2,
            nom="Places en crèche à vocation d'insertion",
            thematiques=["famille--garde-denfants", "trouver-un-emploi--maintien-dans-lemploi"],
        ),
        service(
            3,
            nom="Point conseil budget",
            thematiques=["difficultes-financieres--situation-dendettement-surendettement"],
            commune="Dijon",
            code_postal="21000",
        ),
    ],
}


def snapshot(department) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [
        tuple(row)
        for row in Resource.objects.of_department(department.pk)
        .order_by("external_id")
        .values_list(*COMPARED)
    ]


def test_import_valid_file_creates_the_directory():
    department = DepartmentFactory()

    report = services.directory_import(
        department=department, document=json.dumps(VALID), acting_user=None
    )

    assert (report.created, report.updated, report.rejected) == (3, 0, [])
    rows = {
        r.name: (r.provider, r.category_list, r.conditions, r.area)
        for r in Resource.objects.of_department(department.pk)
    }
    assert rows == {
        "Prêt de cyclomoteurs": (
            "CCAS de Dijon",
            ["mobility"],
            "Avoir un contrat ou une formation",
            ["21"],
        ),
        "Places en crèche à vocation d'insertion": ("Maison de l'emploi", ["childcare"], "", []),
        "Point conseil budget": ("CCAS de Dijon", ["finances"], "", []),
    }


def test_import_with_bad_rows_reports_them_and_imports_nothing():
    department = DepartmentFactory()
    services.directory_import(department=department, document=json.dumps(VALID), acting_user=None)
    before = snapshot(department)
    document = {
        "structures": [structure(1, "CCAS de Dijon"), {"source": "cd21", "id": "cd21--s9"}],
        "services": [
            service(1, nom="Prêt de scooters"),  # valid: an update that must not happen either
            service(4, thematiques=["mobilite"]),
            service(5, structure_number=7),
            service(6, nom="Ab", date_maj="05/01/2026"),
            service(1),
            {**service(8), "telephone": "0" * 40},
            service(9, description=""),
        ],
    }

    report = services.directory_import(
        department=department, document=json.dumps(document), acting_user=None
    )

    assert report.rejected == [
        Rejection("structures", 2, "nom", "champ obligatoire absent"),
        Rejection("structures", 2, "date_maj", "champ obligatoire absent"),
        Rejection(
            "services", 2, "thematiques.0", "valeur inconnue du schéma national : 'mobilite'"
        ),
        Rejection("services", 3, "structure_id", "structure absente de « structures »"),
        Rejection("services", 4, "nom", "trop court"),
        Rejection("services", 4, "date_maj", "date invalide (AAAA-MM-JJ)"),
        Rejection("services", 5, "id", "identifiant en double dans le fichier"),
        Rejection(
            "services",
            6,
            "telephone",
            "Assurez-vous que cette valeur comporte au plus 30 caractères (actuellement 40).",
        ),
        Rejection("services", 7, "description", "trop court"),
    ]
    assert (report.created, report.updated) == (0, 0)
    assert snapshot(department) == before


def test_import_of_something_else_is_refused_whole():
    department = DepartmentFactory()

    report = services.directory_import(department=department, document=b"[1, 2", acting_user=None)

    assert [(r.section, r.line, r.field) for r in report.rejected] == [("fichier", 0, "fichier")]
    assert Resource.objects.count() == 0


def test_export_reimported_gives_the_same_directory():
    department = DepartmentFactory()
    services.directory_import(department=department, document=json.dumps(VALID), acting_user=None)
    services.resource_save(
        department=department,
        acting_user=None,
        categories=[ObstacleCategory.LANGUAGE, ObstacleCategory.HEALTH],
        name="Ateliers sociolinguistiques",
        provider="Centre social des Grésilles",
        description="Cours de français à visée professionnelle, deux matinées par semaine.",
        area=["21231"],
        link="https://exemple.test/asl",
    )
    exported = directory.export(Resource.objects.of_department(department.pk).order_by("pk"))
    elsewhere = DepartmentFactory()

    same = services.directory_import(
        department=department, document=json.dumps(exported), acting_user=None
    )
    other = services.directory_import(
        department=elsewhere, document=json.dumps(exported), acting_user=None
    )

    assert (same.created, same.updated, same.unchanged, same.rejected) == (0, 0, 4, [])
    assert (other.created, other.rejected) == (4, [])
    assert snapshot(elsewhere) == snapshot(department)
    assert directory.export(Resource.objects.of_department(elsewhere.pk).order_by("pk")) == (
        exported
    )


def test_management_commands_import_and_export(tmp_path, capsys):
    department = DepartmentFactory()
    good, bad, out = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "out.json"
    good.write_text(json.dumps(VALID))
    bad.write_text(json.dumps({"structures": [], "services": [service(1)]}))

    with pytest.raises(SystemExit) as refused:
        call_command("directory_import", department.code, str(bad))
    refused_output = capsys.readouterr().out
    call_command("directory_import", department.code, str(good))
    call_command("directory_export", department.code, "-o", str(out))

    assert refused.value.code == 1
    assert "services, ligne 1, structure_id : structure absente" in refused_output
    assert len(json.loads(out.read_text())["services"]) == 3


def test_admin_uploads_a_file_all_or_nothing(login_client):
    admin = ProfessionalFactory(role=Role.ADMIN)
    department = admin.organisation.department
    client = login_client(admin)
    bad = {**VALID, "services": [*VALID["services"], service(4, nom="")]}

    refused = client.post(
        reverse("directory_import"),
        {"document": SimpleUploadedFile("offre.json", json.dumps(bad).encode())},
    )
    accepted = client.post(
        reverse("directory_import"),
        {"document": SimpleUploadedFile("offre.json", json.dumps(VALID).encode())},
    )

    assert refused.status_code == 200
    assert [(r.line, r.field) for r in refused.context["report"].rejected] == [(4, "nom")]
    assert accepted.url == reverse("directory")
    assert Resource.objects.of_department(department.pk).count() == 3


def test_admin_adds_a_resource_and_others_may_not():
    admin = ProfessionalFactory(role=Role.ADMIN)
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation=admin.organisation)
    department = admin.organisation.department
    fields = {
        "categories": ["housing"],
        "name": "Conseil logement",
        "provider": "ADIL 21",
        "description": "Conseil juridique et financier sur le logement.",
    }

    resource = services.resource_save(department=department, acting_user=admin, **fields)

    assert (resource.category_list, resource.provider_id) == (
        ["housing"],
        f"binome-{department.code}--adil-21",
    )
    assert resource.thematiques == directory.themes_of("housing")
    with pytest.raises(InvalidTransition, match="administration fonctionnelle"):
        services.resource_save(department=department, acting_user=advisor, **fields)


def test_search_by_category_and_words(login_client):
    department = DepartmentFactory()
    services.directory_import(department=department, document=json.dumps(VALID), acting_user=None)
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    client = login_client(advisor)

    def names(query: dict) -> list[str]:  # type: ignore[type-arg]
        page = client.get(reverse("directory"), query).context["page"]
        return [resource.name for resource in page.object_list]

    assert names({"categorie": "mobility"}) == ["Prêt de cyclomoteurs"]
    assert names({"categorie": "childcare"}) == ["Places en crèche à vocation d'insertion"]
    assert names({"q": "dijon budget"}) == ["Point conseil budget"]
    assert names({"categorie": "housing"}) == []
    assert len(names({})) == 3


SIZES = [3, 10]


@pytest.mark.parametrize("size", SIZES)
def test_directory_search_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    for index in range(size):
        for category, provider in (("mobility", "CCAS"), ("housing", "ADIL")):
            services.resource_save(
                department=department,
                acting_user=None,
                categories=[category, "finances"],
                name=f"Ressource {category} {index}",
                provider=f"{provider} {index % 2}",
                description="Une aide locale.",
                conditions="Sans condition",
                area=["21"],
            )
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    client = login_client(advisor)

    # session, professional, count, page of resources
    with django_assert_num_queries(4):
        response = client.get(reverse("directory"), {"categorie": "finances", "q": "aide"})

    rows = response.context["page"].object_list
    assert len(rows) == 2 * size
    assert {row.provider for row in rows} == {"CCAS 0", "CCAS 1", "ADIL 0", "ADIL 1"}


def test_admin_export_page_gives_the_national_schema_document(login_client):
    admin = ProfessionalFactory(role=Role.ADMIN)
    department = admin.organisation.department
    services.directory_import(department=department, document=json.dumps(VALID), acting_user=None)

    response = login_client(admin).get(reverse("directory_export"))

    assert response["Content-Disposition"] == (
        f'attachment; filename="offre-insertion-{department.code}.json"'
    )
    assert json.loads(response.content) == directory.export(
        Resource.objects.of_department(department.pk).order_by("pk")
    )
    assert [s["id"] for s in json.loads(response.content)["structures"]] == [
        "cd21--s1",
        "cd21--s2",
    ]
