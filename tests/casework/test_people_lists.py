"""Lists of people to follow (issue 24): the column mapping, the preview of each row's outcome,
the duplicate suspicion, and the all-or-nothing import that creates the people and proposes
their accompaniment to a binôme."""

import datetime
import io
import re

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from casework.enums import CaseState, JournalChannel
from casework.imports import lists
from casework.models import Beneficiary, Case, InformationShare
from partners.enums import Role
from tests.casework.factories import BeneficiaryFactory
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

HEADER = "Nom;Prénom;Date de naissance;Identifiant France Travail;Téléphone;E-mail"


@pytest.fixture
def department():
    return DepartmentFactory(code="21")


@pytest.fixture
def admin(department):
    return ProfessionalFactory(role=Role.ADMIN, organisation__department=department)


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines]).encode("utf-8")


def outcomes(department, data: bytes, name: str = "liste.csv") -> list[tuple[str, str]]:
    table = lists.read_table(name, data)
    result = lists.preview(
        department_id=department.pk, table=table, mapping=lists.guess_mapping(table.header)
    )
    return [(row.outcome.value, row.reason) for row in result.rows]


# Duplicate suspicion: each case of the issue ------------------------------------------------


@pytest.mark.parametrize(
    ("known", "written"),
    [
        (("Jean-Pierre", "DUPONT"), "DUPONT;Jean Pierre"),  # swapped, hyphen, spaces
        (("Jean-Pierre", "DUPONT"), "Jean Pierre;DUPONT"),  # surname written as first name
        (("Hélène", "LEFÈVRE"), "LEFEVRE;Helene"),  # accents
        (("Noël", "N'DIAYE"), "  n'diaye ; NOEL  "),  # case, accents, extra spaces
        (("Marie", "DE LA FONTAINE"), "De la Fontaine;Marie"),  # spaces and case
    ],
    ids=["swapped-first-names", "order", "accents", "case-spaces", "particle"],
)
def test_duplicate_suspected_for_the_same_person_written_differently(department, known, written):
    person = BeneficiaryFactory(
        department=department,
        first_name=known[0],
        last_name=known[1],
        birth_date=datetime.date(1980, 5, 1),
        france_travail_id="",
    )
    data = csv_bytes(f"{written};01/05/1980;;;")
    assert outcomes(department, data) == [
        (
            "duplicate",
            f"Même date de naissance et nom proche de {person.first_name} {person.last_name}, "
            "né·e le 01/05/1980",
        )
    ]


def test_same_names_another_birth_date_is_a_new_person(department):
    BeneficiaryFactory(
        department=department,
        first_name="Jean-Pierre",
        last_name="DUPONT",
        birth_date=datetime.date(1980, 5, 1),
    )
    assert outcomes(department, csv_bytes("DUPONT;Jean Pierre;02/05/1980;;;")) == [("new", "")]


def test_same_person_twice_in_the_file_is_suspected_the_second_time(department):
    data = csv_bytes(
        "DUPONT;Jean-Pierre;01/05/1980;;;",
        "Dupont;Jean Pierre;1980-05-01;;;",
        "MARTIN;Zoé;02/03/1990;1234567A;;",
        "MARTINE;Zoe;03/03/1990;1234567A;;",
    )
    assert outcomes(department, data) == [
        ("new", ""),
        ("duplicate", "Même personne que la ligne 2 du fichier"),
        ("new", ""),
        ("duplicate", "Même identifiant France Travail que la ligne 4"),
    ]


def test_known_by_france_travail_id_and_other_departments_ignored(department):
    person = BeneficiaryFactory(
        department=department,
        france_travail_id="7654321B",
        first_name="Ana",
        last_name="SILVA",
        birth_date=datetime.date(1975, 1, 2),
    )
    BeneficiaryFactory(
        department=DepartmentFactory(code="93"),
        first_name="Yann",
        last_name="LE GALL",
        birth_date=datetime.date(1990, 6, 7),
    )
    data = csv_bytes("Silva;Ana;02/01/1975;7654321b;;", "LE GALL;Yann;07/06/1990;;;")
    assert outcomes(department, data) == [
        ("known", "Même identifiant France Travail que Ana SILVA, né·e le 02/01/1975"),
        ("new", ""),
    ]
    table = lists.read_table("liste.csv", data)
    rows = lists.preview(
        department_id=department.pk, table=table, mapping=lists.guess_mapping(table.header)
    ).rows
    assert [row.match for row in rows] == [person, None]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("known", "written"),
    [
        (("Marie", "DE LA FONTAINE"), "Delafontaine;Marie"),
        (("Mohamed", "BENALI"), "BEN ALI;Mohammed"),
        (("Jean-Pierre", "DUPONT"), "DUPOND;Jean-Pierre"),
    ],
    ids=["joined-surname", "spelling", "typing-error"],
)
def test_duplicate_suspected_by_trigram_similarity_on_postgresql(department, known, written):
    person = BeneficiaryFactory(
        department=department,
        first_name=known[0],
        last_name=known[1],
        birth_date=datetime.date(1980, 5, 1),
        france_travail_id="",
    )
    BeneficiaryFactory(  # born another day: never suspected, however alike
        department=department,
        first_name=known[0],
        last_name=known[1],
        birth_date=datetime.date(1980, 5, 2),
    )
    assert outcomes(
        department, csv_bytes(f"{written};01/05/1980;;;", "MARTIN;Paul;01/05/1980;;;")
    ) == [
        (
            "duplicate",
            f"Même date de naissance et nom proche de {person.first_name} {person.last_name}, "
            "né·e le 01/05/1980",
        ),
        ("new", ""),
    ]


# Reading and refusing ------------------------------------------------------------------------


def test_rows_refused_with_their_reason(department, today):
    too_young = today - relativedelta(years=10)  # 29 February: the 28th ten years before
    data = csv_bytes(
        ";Ana;01/01/1980;;;",
        "SILVA;Ana;31/02/1980;;;",
        f"SILVA;Ana;{too_young:%d/%m/%Y};;;",
        "SILVA;Ana;01/01/1980;12-34;06 xx;pas-une-adresse",
    )
    assert [outcome for outcome, _ in outcomes(department, data)] == ["refused"] * 4
    reasons = [reason for _, reason in outcomes(department, data)]
    assert reasons[0] == "Nom manquant"
    assert reasons[1] == "Date de naissance « 31/02/1980 » illisible (attendu : JJ/MM/AAAA)"
    assert reasons[2].startswith("Cette date de naissance n'est pas plausible")
    assert reasons[3] == (
        "Identifiant France Travail « 12-34 » invalide ; Téléphone « 06 xx » invalide ; "
        "E-mail « pas-une-adresse » invalide"
    )


def test_xlsx_and_windows_1252_csv_read_like_utf8(department):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NOM", "PRENOM", "Né le", "Courriel"])
    sheet.append(["LEFÈVRE", "Hélène", datetime.datetime(1980, 5, 1), "h@exemple.fr"])  # noqa: DTZ001 - Excel: naive
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = lists.read_table("liste.xlsx", buffer.getvalue())
    assert (table.header, table.rows) == (
        ["NOM", "PRENOM", "Né le", "Courriel"],
        [["LEFÈVRE", "Hélène", "1980-05-01", "h@exemple.fr"]],
    )
    assert lists.guess_mapping(table.header) == {
        "last_name": "0",
        "first_name": "1",
        "birth_date": "2",
        "france_travail_id": "",
        "phone": "",
        "email": "3",
    }
    cp1252 = "Nom,Prénom,Date de naissance\nLEFÈVRE,Hélène,01/05/1980\n".encode("cp1252")
    assert lists.read_table("liste.csv", cp1252).rows == [["LEFÈVRE", "Hélène", "01/05/1980"]]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "liste.csv", "Ce fichier est vide."),
        (
            b"Nom;Pr\xc3\xa9nom\n",
            "liste.csv",
            "La liste doit avoir une ligne d'en-tête puis au moins une personne.",
        ),
        (b"PK\x03\x04broken", "liste.xlsx", "Ce fichier n'est pas un classeur XLSX lisible."),
        (
            b"x" * (lists.MAX_BYTES + 1),
            "liste.csv",
            "Ce fichier dépasse 1 Mo : découpez la liste en plusieurs fichiers.",
        ),
    ],
    ids=["empty", "header-only", "broken-xlsx", "too-large"],
)
def test_unreadable_lists_are_refused_in_french(data, name, message):
    with pytest.raises(lists.ListError) as error:
        lists.read_table(name, data)
    assert str(error.value) == message


# The pages: mapping, preview, all or nothing -------------------------------------------------


def _upload(client, data: bytes, name: str = "liste-ft.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("people_lists"), {"document": SimpleUploadedFile(name, data, "text/csv")}
    )


def _mapping(response) -> dict[str, str]:
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.COLUMNS} | {
        "jeton": form["jeton"].value()
    }


LIST = csv_bytes(
    "DUPONT;Jean Pierre;01/05/1980;;0601020304;jp@exemple.fr",
    "MARTIN;Zoé;02/03/1990;1234567A;;",
    "SILVA;Ana;31/02/1980;;;",
)


def test_upload_proposes_a_mapping_then_a_preview(login_client, department, admin):
    known = BeneficiaryFactory(
        department=department,
        first_name="Jean-Pierre",
        last_name="DUPONT",
        birth_date=datetime.date(1980, 5, 1),
    )
    client = login_client(admin)

    mapping_page = _upload(client, LIST)

    assert mapping_page.context["step"] == "mapping"
    data = _mapping(mapping_page)
    assert {k: v for k, v in data.items() if k != "jeton"} == {
        "last_name": "0",
        "first_name": "1",
        "birth_date": "2",
        "france_travail_id": "3",
        "phone": "4",
        "email": "5",
    }
    preview = client.post(reverse("people_lists"), {**data, "etape": "apercu"})
    rows = [(row.line, row.outcome.value, checked) for row, checked in preview.context["rows"]]
    assert rows == [(2, "duplicate", False), (3, "new", True), (4, "refused", True)]
    assert preview.context["preview"].rows[0].match == known
    assert Beneficiary.objects.count() == 1


def test_import_refused_row_ticked_imports_nothing(login_client, department, admin):
    pair = PairFactory(department=department)
    client = login_client(admin)
    data = _mapping(_upload(client, LIST))
    before = (Beneficiary.objects.count(), Case.objects.count(), LogEntry.objects.count())

    response = client.post(
        reverse("people_lists"),
        {**data, "binome": pair.pk, "etape": "import", "lignes": ["2", "3", "4"]},
    )

    assert response.status_code == 200
    refusal = response.context["refusal"]
    assert refusal.lines == [
        (4, "Date de naissance « 31/02/1980 » illisible (attendu : JJ/MM/AAAA)")
    ]
    assert (Beneficiary.objects.count(), Case.objects.count(), LogEntry.objects.count()) == before
    # The page keeps the administrator's ticks.
    assert [checked for _row, checked in response.context["rows"]] == [True, True, True]


def test_import_creates_the_ticked_people_and_proposes_them_to_the_pair(
    login_client, department, admin, today
):
    pair = PairFactory(department=department)
    client = login_client(admin)
    data = _mapping(_upload(client, LIST))

    response = client.post(
        reverse("people_lists"),
        {**data, "binome": pair.pk, "etape": "import", "lignes": ["2", "3"]},
    )

    assert response.status_code == 302
    created = Beneficiary.objects.order_by("pk")
    assert [
        (b.last_name, b.first_name, b.birth_date, b.france_travail_id, b.phone, b.email)
        for b in created
    ] == [
        ("DUPONT", "Jean Pierre", datetime.date(1980, 5, 1), "", "0601020304", "jp@exemple.fr"),
        ("MARTIN", "Zoé", datetime.date(1990, 3, 2), "1234567A", "", ""),
    ]
    cases = Case.objects.order_by("pk")
    assert [(c.beneficiary, c.pair, c.state, c.proposed_on) for c in cases] == [
        (b, pair, CaseState.PROPOSED, today) for b in created
    ]
    for beneficiary in created:
        audit = LogEntry.objects.get_for_object(beneficiary).get()
        assert audit.actor == admin
    rows = InformationShare.objects.filter(channel=JournalChannel.IMPORT).order_by("pk")
    assert [(r.beneficiary_id, r.case_id, r.actor) for r in rows] == [
        *[(c.beneficiary_id, c.pk, admin) for c in cases],
        (None, None, admin),
    ]
    assert rows.last().purpose == (
        "Import de la liste « liste-ft.csv » : 2 personne(s) créée(s), 2 accompagnement(s) "
        "proposé(s), 1 ligne(s) non importée(s)"
    )
    page = client.get(response.url)
    assert [str(m) for m in page.context["messages"]] == [
        "Liste « liste-ft.csv » importée : 2 personne(s) créée(s) et 2 accompagnement(s) "
        "proposé(s) au binôme. 1 ligne(s) non importée(s)."
    ]


def test_a_tampered_or_expired_list_is_refused(login_client, department, admin):
    client = login_client(admin)
    data = _mapping(_upload(client, LIST))
    response = client.post(
        reverse("people_lists"),
        {**data, "jeton": data["jeton"][:-2] + "xx", "etape": "import", "lignes": ["3"]},
    )
    assert [str(m) for m in response.context["messages"]] == ["Déposez à nouveau la liste."]
    assert "Déposez à nouveau la liste." in response.content.decode()
    assert Beneficiary.objects.count() == 0


def test_only_the_departments_active_pairs_may_be_chosen(login_client, department, admin):
    other = PairFactory(department=DepartmentFactory(code="93"))
    client = login_client(admin)
    data = _mapping(_upload(client, LIST))
    response = client.post(
        reverse("people_lists"),
        {**data, "binome": other.pk, "etape": "import", "lignes": ["3"]},
    )
    assert response.context["form"].errors == {
        "binome": ["Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."]
    }
    assert Beneficiary.objects.count() == 0


SIZES = [3, 9]


@pytest.mark.parametrize("size", SIZES)
def test_people_list_preview_queries_constant(
    size, login_client, department, admin, django_assert_num_queries
):
    PairFactory(department=department)
    PairFactory(department=department)
    lines = []
    for index in range(size):
        known = BeneficiaryFactory(
            department=department, birth_date=datetime.date(1980, 1, 1 + index)
        )
        lines += [
            f"{known.last_name};{known.first_name};{known.birth_date:%d/%m/%Y};;;",
            f"NOUVEAU;Personne {index};01/02/1990;;;",
            f"X;Y;{known.birth_date:%d/%m/%Y};{known.france_travail_id};;",
            "SILVA;Ana;31/02/1980;;;",
        ]
    client = login_client(admin)
    data = _mapping(_upload(client, csv_bytes(*lines)))

    # session, professional, OTP device, the pairs (choices), the known identifiers, their
    # accompaniments under way, the people born on the rows' dates; on PostgreSQL, the names
    # alike by trigram similarity
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 7):
        response = client.post(reverse("people_lists"), {**data, "etape": "apercu"})

    got = [row.outcome.value for row in response.context["preview"].rows]
    assert got == ["duplicate", "new", "known", "refused"] * size
    assert len(re.findall(r'name="lignes"', response.content.decode())) == 3 * size


# Known people: proposed to the binôme chosen, unless already accompanied ---------------------

KNOWN_LIST = csv_bytes(
    "SILVA;Ana;02/01/1975;7654321B;;",  # known, no accompaniment under way
    "COSTA;Rui;03/04/1981;1111111C;;",  # known, accompanied
    "MARTIN;Zoé;02/03/1990;;;",  # new
)


@pytest.fixture
def known_people(department):  # type: ignore[no-untyped-def]
    from tests.casework.factories import CaseFactory

    free = BeneficiaryFactory(
        department=department, france_travail_id="7654321B", first_name="Ana",
        last_name="SILVA", birth_date=datetime.date(1975, 1, 2),
    )  # fmt: skip
    followed = CaseFactory(
        pair=PairFactory(department=department),
        beneficiary=BeneficiaryFactory(
            department=department, france_travail_id="1111111C", first_name="Rui",
            last_name="COSTA", birth_date=datetime.date(1981, 4, 3),
        ),
        state=CaseState.ACTIVE,
    )  # fmt: skip
    return free, followed


def test_preview_says_who_is_already_accompanied_and_offers_the_known_to_a_binome(
    department, known_people
):
    free, followed = known_people
    table = lists.read_table("liste.csv", KNOWN_LIST)
    mapping = lists.guess_mapping(table.header)

    alone = lists.preview(department_id=department.pk, table=table, mapping=mapping).rows
    with_pair = lists.preview(
        department_id=department.pk, table=table, mapping=mapping, propose=True
    ).rows

    assert [(r.outcome.value, r.selectable, r.ticked_by_default) for r in alone] == [
        ("known", False, False),
        ("followed", False, False),
        ("new", True, True),
    ]
    assert [(r.outcome.value, r.selectable, r.ticked_by_default) for r in with_pair] == [
        ("known", True, True),
        ("followed", False, False),
        ("new", True, True),
    ]
    assert with_pair[1].label == "Déjà accompagnée"
    assert with_pair[1].reason == (
        f"Rui COSTA, né·e le 03/04/1981 : accompagnement n°{followed.pk} en cours"
    )


def test_import_proposes_the_known_person_to_the_binome_and_never_the_accompanied_one(
    login_client, department, admin, known_people
):
    free, followed = known_people
    pair = PairFactory(department=department)
    client = login_client(admin)
    data = _mapping(_upload(client, KNOWN_LIST))
    preview = client.post(reverse("people_lists"), {**data, "binome": pair.pk, "etape": "apercu"})
    boxes = re.findall(r'name="lignes"\s+value="(\d+)"', preview.content.decode())
    assert boxes == ["2", "4"]  # the accompanied person has no box

    # Line 3 ticked anyway (a tampered form): still never proposed twice.
    response = client.post(
        reverse("people_lists"),
        {**data, "binome": pair.pk, "etape": "import", "lignes": ["2", "3", "4"]},
    )

    assert response.status_code == 302
    assert Beneficiary.objects.filter(france_travail_id="7654321B").count() == 1
    assert list(Case.objects.filter(beneficiary=free).values_list("pair", "state")) == [
        (pair.pk, CaseState.PROPOSED)
    ]
    assert Case.objects.filter(beneficiary=followed.beneficiary).count() == 1
    proposed = Case.objects.get(beneficiary=free)
    share = InformationShare.objects.get(case=proposed, channel=JournalChannel.IMPORT)
    assert share.purpose == (
        "Accompagnement proposé au binôme par l'import de la liste « liste-ft.csv »"
    )
    assert (share.actor, share.beneficiary_id) == (admin, free.pk)
    page = client.get(response.url)
    assert [str(m) for m in page.context["messages"]] == [
        "Liste « liste-ft.csv » importée : 1 personne(s) créée(s) et 2 accompagnement(s) "
        "proposé(s) au binôme. 1 ligne(s) non importée(s)."
    ]


def test_without_a_binome_a_known_person_is_left_as_it_is(
    login_client, department, admin, known_people
):
    free, _ = known_people
    client = login_client(admin)
    data = _mapping(_upload(client, KNOWN_LIST))

    response = client.post(
        reverse("people_lists"), {**data, "etape": "import", "lignes": ["2", "4"]}
    )

    assert response.status_code == 302
    assert not Case.objects.filter(beneficiary=free).exists()
    assert Beneficiary.objects.filter(last_name="MARTIN").count() == 1
