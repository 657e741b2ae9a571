"""The department administrator's page « Import du flux CAF/MSA » (issue 24): upload, the report
of a refused file, the report of an import, and the lines matched only by names and birth date,
confirmed or set aside on screen."""

import datetime
import html

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.enums import CaseState, JournalChannel
from casework.forms.imports import FLOW_MAX_BYTES
from casework.models import Beneficiary, FlowImport, InformationShare
from partners.enums import Role
from tests.casework.factories import BeneficiaryFactory, CaseFactory
from tests.casework.flows import FlowPersonSpec, HouseholdSpec, flow_bytes
from tests.casework.refused_flows import assert_refusal_recorded, writes_but_the_refusal
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return DepartmentFactory(code="21")


@pytest.fixture
def admin(department):
    return ProfessionalFactory(role=Role.ADMIN, organisation__department=department)


def upload(client, data: bytes, name: str = "flux-caf.xml"):
    return client.post(
        reverse("flow_imports"),
        {"document": SimpleUploadedFile(name, data, content_type="text/xml")},
    )


def rsa_of(person: Beneficiary) -> tuple[object, ...]:
    person.refresh_from_db()
    return (person.rsa_number, person.rsa_status, person.rsa_flow_on)


def named_flow(today: datetime.date, birth: datetime.date) -> bytes:
    """One household whose claimant is known in Binôme only by names and birth date."""
    return flow_bytes(
        [
            HouseholdSpec(
                number="0123456",
                persons=[FlowPersonSpec("LEFÈVRE-DURAND", "Hélène", birth)],
                state="3",
                suspension=("02", today - datetime.timedelta(days=2)),
            )
        ],
        created_on=today,
    )


def test_admin_uploads_a_flow_and_reads_its_report(login_client, department, admin, today):
    known = BeneficiaryFactory(department=department, france_travail_id="1234567A")
    data = flow_bytes(
        [
            HouseholdSpec(
                number="42",
                persons=[FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", "1234567A")],
            ),
            HouseholdSpec(
                number="43", persons=[FlowPersonSpec("C", "D", datetime.date(1971, 1, 1))]
            ),
        ],
        created_on=today,
    )
    client = login_client(admin)

    response = upload(client, data)

    flow_import = FlowImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("flow_import_detail", args=[flow_import.pk])
    assert (flow_import.imported_by, flow_import.updated, flow_import.unknown) == (admin, 1, 1)
    assert rsa_of(known) == ("42", "paid", today)
    report = client.get(response.url)
    rows = {
        row[0]: row[1]
        for row in report.context["flow_import"].__dict__.items()
        if row[0] in ("households", "matched", "updated", "unchanged", "to_confirm", "unknown")
    }
    assert rows == {
        "households": 2,
        "matched": 1,
        "updated": 1,
        "unchanged": 0,
        "to_confirm": 0,
        "unknown": 1,
    }
    text = report.content.decode()
    assert f"Import n°{flow_import.pk} enregistré." in text
    assert "Personnes inconnues de Binôme (non créées)" in text
    assert "Aucun rapprochement à confirmer." in text
    listing = client.get(reverse("flow_imports"))
    assert [row.pk for row in listing.context["page"].object_list] == [flow_import.pk]
    assert admin.full_name in listing.content.decode()


def _spoil_date(data: bytes) -> bytes:
    return data.replace(b"<DTNAI>1971-01-01</DTNAI>", b"<DTNAI>1971-13-45</DTNAI>")


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (
            lambda data: data.replace(b"<Racine>", b"<Flux>").replace(b"</Racine>", b"</Flux>"),
            [
                (
                    0,
                    2,
                    "Flux",
                    "ce n'est pas un flux bénéficiaires RSA (élément racine attendu : Racine)",
                )
            ],
        ),
        (
            lambda data: data[: data.index(b"<Personne>")],
            [(1, 16, "InfosFoyerRSA", "fichier tronqué ou vide : le flux s'arrête avant sa fin")],
        ),
        (
            lambda data: data.replace(b'encoding="windows-1252"', b'encoding="UTF-8"'),
            [
                (
                    1,
                    16,
                    "PRENOM",
                    "caractère invalide : le fichier n'est pas dans l'encodage que sa "
                    "déclaration annonce (windows-1252 ou UTF-8), ou ce n'est pas du XML",
                )
            ],
        ),
        (
            lambda data: data.replace(b"<IDEPARTE>021<", b"<IDEPARTE>093<", 1),
            [
                (
                    1,
                    4,
                    "IDEPARTE",
                    "le foyer est adressé au département 093, pas au département 21 de cet import",
                )
            ],
        ),
        (
            _spoil_date,
            [(2, 53, "DTNAI", "date invalide « 1971-13-45 » (attendu : AAAA-MM-JJ)")],
        ),
    ],
    ids=["schema", "truncated", "encoding", "department", "date"],
)
def test_bad_file_shows_a_french_report_and_imports_nothing(
    login_client, department, admin, today, spoil, expected
):
    known = BeneficiaryFactory(department=department, france_travail_id="1234567A")
    data = flow_bytes(
        [
            HouseholdSpec(
                number="42",
                persons=[
                    FlowPersonSpec("A", "Bérénice", datetime.date(1970, 1, 1), "DEM", "1234567A")
                ],
            ),
            HouseholdSpec(
                number="43", persons=[FlowPersonSpec("C", "D", datetime.date(1971, 1, 1))]
            ),
        ],
        created_on=today,
    )
    before = (rsa_of(known), *writes_but_the_refusal())
    client = login_client(admin)

    response = client.post(
        reverse("flow_imports"),
        {"document": SimpleUploadedFile("flux.xml", spoil(data), content_type="text/xml")},
    )

    assert response.status_code == 200
    report = response.context["report"]
    got = [(error.household, error.line, error.element, error.message) for error in report.errors]
    assert got == expected
    assert (rsa_of(known), *writes_but_the_refusal()) == before
    assert_refusal_recorded(report.errors, report.error_count, "flux.xml")
    text = html.unescape(response.content.decode())
    assert "Fichier refusé : rien n'a été importé" in text
    assert expected[0][3] in text
    # The refusal stays in the list of imports, with its errors on its own page.
    refused = FlowImport.objects.get()
    listed = html.unescape(client.get(reverse("flow_imports")).content.decode())
    assert f"Refusé : {report.error_count} erreur(s)" in listed
    detail = client.get(reverse("flow_import_detail", args=[refused.pk]))
    detail_text = html.unescape(detail.content.decode())
    assert "Fichier refusé : rien n'a été importé" in detail_text
    assert expected[0][3] in detail_text
    assert "Ce que l'import a fait" not in detail_text


def test_upload_refuses_a_file_too_large_and_no_file(login_client, admin):
    client = login_client(admin)
    large = SimpleUploadedFile("flux.xml", b"<" * (FLOW_MAX_BYTES + 1), content_type="text/xml")

    too_large = client.post(reverse("flow_imports"), {"document": large})
    missing = client.post(reverse("flow_imports"), {})

    assert too_large.context["form"].errors == {
        "document": [
            "Ce fichier dépasse 10 Mo : importez-le avec la commande rsa_flow_import "
            "(voir le guide d'exploitation)."
        ]
    }
    assert missing.context["form"].errors == {"document": ["Choisissez le fichier du flux."]}
    assert FlowImport.objects.count() == 0


def test_same_file_again_leads_to_the_first_report(login_client, department, admin, today):
    data = named_flow(today, datetime.date(1980, 5, 1))
    client = login_client(admin)
    client.get(upload(client, data).url)  # its message read
    first = FlowImport.objects.get()

    again = upload(client, data, name="le-meme.xml")

    assert again.url == reverse("flow_import_detail", args=[first.pk])
    assert FlowImport.objects.count() == 1
    page = client.get(again.url)
    assert [str(m) for m in page.context["messages"]] == [
        "Ce fichier a déjà été importé : rien n'a changé. Voici son rapport."
    ]


def _import_with_a_line_to_confirm(client, department, today):
    person = BeneficiaryFactory(
        department=department,
        france_travail_id="",
        last_name="Lefevre Durand",
        first_name="helene",
        birth_date=datetime.date(1980, 5, 1),
    )
    case = CaseFactory(
        beneficiary=person, pair=PairFactory(department=department), state=CaseState.ACTIVE
    )
    upload(client, named_flow(today, person.birth_date))
    return person, case, FlowImport.objects.get()


def test_admin_confirms_the_same_person_on_the_report(login_client, department, admin, today):
    client = login_client(admin)
    person, case, flow_import = _import_with_a_line_to_confirm(client, department, today)
    page = client.get(reverse("flow_import_detail", args=[flow_import.pk]))
    assert [line.beneficiary for line in page.context["lines"]] == [person]
    assert rsa_of(person) == ("", "", None)
    audit_before = LogEntry.objects.count()

    response = client.post(
        reverse("flow_import_decide", args=[flow_import.pk]),
        {"personne": person.pk, "decision": "meme"},
    )

    assert response.status_code == 302
    assert rsa_of(person) == ("0123456", "suspended", today)
    flow_import.refresh_from_db()
    assert (flow_import.confirmed, flow_import.set_aside) == (1, 0)
    person_audit = LogEntry.objects.get_for_object(person).latest("pk")
    assert (person_audit.actor, LogEntry.objects.count() > audit_before) == (admin, True)
    row = InformationShare.objects.filter(beneficiary=person).latest("pk")
    assert (row.actor, row.channel, row.case_id, row.object_id) == (
        admin,
        JournalChannel.IMPORT,
        case.pk,
        str(flow_import.pk),
    )
    after = client.get(response.url)
    assert after.context["lines"] == []
    assert [str(m) for m in after.context["messages"]] == [
        "Rapprochement confirmé : la situation RSA de la personne est mise à jour."
    ]


def test_admin_sets_aside_another_person_and_nothing_of_the_line_stays(
    login_client, department, admin, today
):
    client = login_client(admin)
    person, _case, flow_import = _import_with_a_line_to_confirm(client, department, today)

    response = client.post(
        reverse("flow_import_decide", args=[flow_import.pk]),
        {"personne": person.pk, "decision": "autre"},
    )

    assert response.status_code == 302
    flow_import.refresh_from_db()
    assert flow_import.pending == []
    assert rsa_of(person) == ("", "", None)
    audit = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(FlowImport), object_pk=str(flow_import.pk)
    ).latest("pk")
    assert (audit.actor, audit.changes_dict) == (admin, {"set_aside": [0, 1]})
    row = InformationShare.objects.filter(beneficiary=person).latest("pk")
    assert (row.actor, row.channel, row.purpose) == (
        admin,
        JournalChannel.IMPORT,
        f"Rapprochement écarté avec le flux du {today:%d/%m/%Y} : ce n'est pas la même "
        "personne, rien n'est modifié",
    )

    twice = client.post(
        reverse("flow_import_decide", args=[flow_import.pk]),
        {"personne": person.pk, "decision": "meme"},
    )
    assert twice.status_code == 200
    assert twice.context["form"].non_field_errors() == [
        "Aucun rapprochement à confirmer pour cette personne."
    ]
    assert rsa_of(person) == ("", "", None)


def test_another_departments_import_is_not_found(login_client, department, admin, today):
    client = login_client(admin)
    person, _case, flow_import = _import_with_a_line_to_confirm(client, department, today)
    stranger = ProfessionalFactory(
        role=Role.ADMIN, organisation__department=DepartmentFactory(code="93")
    )
    other = login_client(stranger)

    detail = other.get(reverse("flow_import_detail", args=[flow_import.pk]))
    decide = other.post(
        reverse("flow_import_decide", args=[flow_import.pk]),
        {"personne": person.pk, "decision": "meme"},
    )
    listing = other.get(reverse("flow_imports"))

    assert (detail.status_code, decide.status_code) == (404, 404)
    assert listing.context["page"].object_list == []
    assert rsa_of(person) == ("", "", None)


SIZES = [3, 9]


@pytest.mark.parametrize("size", SIZES)
def test_flow_imports_list_queries_constant(
    size, login_client, department, admin, today, django_assert_num_queries
):
    importers = [admin, ProfessionalFactory(role=Role.ADMIN, organisation__department=department)]
    for index in range(size):
        FlowImport.objects.create(
            department=department,
            paying_body="caf",
            kind="daily",
            file_name=f"flux-{index}.xml",
            sha256=f"{index:064d}",
            created_on=today,
            imported_by=importers[index % 2],
        )
    client = login_client(admin)

    # session, professional, OTP device, count, page of imports (with their importer)
    with django_assert_num_queries(5):
        response = client.get(reverse("flow_imports"))

    rows = response.context["page"].object_list
    assert len(rows) == size
    assert {row.imported_by for row in rows} == set(importers)


@pytest.mark.parametrize("size", SIZES)
def test_flow_import_report_queries_constant(
    size, login_client, department, admin, today, django_assert_num_queries
):
    people = BeneficiaryFactory.create_batch(size, department=department)
    values = {"rsa_paying_body": "caf", "rsa_number": "1", "rsa_role": "claimant"}
    flow_import = FlowImport.objects.create(
        department=department,
        paying_body="caf",
        kind="daily",
        file_name="flux.xml",
        sha256="1" * 64,
        created_on=today,
        imported_by=admin,
        to_confirm=size,
        pending=[
            {"beneficiary": person.pk, "values": values, "confirmed_by": None} for person in people
        ],
    )
    client = login_client(admin)

    # session, professional, OTP device, the import (with its importer), its people
    with django_assert_num_queries(5):
        response = client.get(reverse("flow_import_detail", args=[flow_import.pk]))

    assert [line.beneficiary for line in response.context["lines"]] == people
