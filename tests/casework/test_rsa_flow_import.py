"""The CAF/MSA « flux bénéficiaires » import (issue 24): reading, matching, applying, refusing.

The flow files are written by tests/casework/flows.py in the national structure and validated
against the national schema here; the product itself never reads the schema.
"""

import datetime
import io
import tracemalloc
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models

from casework.enums import CaseReviewReason, CaseState, JournalChannel, RsaRole, RsaStatus
from casework.errors import FlowConfirmationRefused
from casework.imports.reader import FlowReader
from casework.imports.services import rsa_flow_apply, rsa_flow_confirm
from casework.models import Beneficiary, Case, FlowImport, InformationShare
from partners.enums import Role
from tests.casework.factories import BeneficiaryFactory, CaseFactory
from tests.casework.flows import (
    BIRTH_TOWN,
    CHILD_FIRST_NAME,
    NIR_PREFIX,
    PREGNANCY_DECLARED,
    RESOURCE_AMOUNT,
    RIGHT_AMOUNT,
    FlowPersonSpec,
    HouseholdSpec,
    flow_bytes,
    validate,
    write_flow,
)
from tests.casework.refused_flows import assert_refusal_recorded, writes_but_the_refusal
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

RSA_FIELDS = (
    "rsa_paying_body",
    "rsa_number",
    "rsa_role",
    "rsa_rights_and_duties",
    "rsa_status",
    "rsa_status_reason",
    "rsa_status_on",
    "homeless",
    "rsa_flow_on",
)


def rsa_of(beneficiary: Beneficiary) -> dict[str, object]:
    beneficiary.refresh_from_db()
    return {name: getattr(beneficiary, name) for name in RSA_FIELDS}


@pytest.fixture
def department():
    return DepartmentFactory(code="21")


def household(number: str, *persons: FlowPersonSpec, **options: object) -> HouseholdSpec:
    return HouseholdSpec(number=number, persons=list(persons), **options)  # type: ignore[arg-type]


def run(department, data: bytes, name: str = "flux.xml", **options: object):
    return rsa_flow_apply(department=department, stream=io.BytesIO(data), file_name=name, **options)


def test_fixtures_validate_against_the_national_schema(today):
    households = [
        household(
            "0123456",
            FlowPersonSpec(
                "LEFÈVRE-DURAND", "Hélène", datetime.date(1980, 5, 1), "DEM", "1234567A"
            ),
            FlowPersonSpec("DURAND", "Noël", datetime.date(1979, 1, 2), "CJT"),
            FlowPersonSpec("DURAND", CHILD_FIRST_NAME, datetime.date(2015, 3, 4), "ENF"),
            state="3",
            suspension=("01", today),
            moved_on=today,
        ),
        household(
            "7654321",
            FlowPersonSpec("MARTIN", "Loïc", datetime.date(1990, 2, 2)),
            state="5",
            closing=("PCG", today),
            homeless=True,
        ),
    ]
    for encoding in ("windows-1252", "utf-8"):
        assert validate(flow_bytes(households, created_on=today, encoding=encoding)) == []


def test_reader_keeps_only_the_claimant_and_partner_and_the_listed_fields(today):
    data = flow_bytes(
        [
            household(
                "0123456",
                FlowPersonSpec("LEFÈVRE", "Hélène", datetime.date(1980, 5, 1), "DEM", "1234567A"),
                FlowPersonSpec(
                    "DURAND", "Noël", datetime.date(1979, 1, 2), "CJT", rights_and_duties=False
                ),
                FlowPersonSpec("DURAND", CHILD_FIRST_NAME, datetime.date(2015, 3, 4), "ENF"),
                state="3",
                suspension=("01", today - datetime.timedelta(days=3)),
            )
        ],
        created_on=today,
    )
    reader = FlowReader(io.BytesIO(data), department_code="21")
    people = [
        (
            p.role,
            p.last_name,
            p.first_name,
            p.rights_and_duties,
            p.status,
            p.status_reason,
            p.status_on,
        )
        for p in reader
    ]
    assert people == [
        (
            RsaRole.CLAIMANT,
            "LEFÈVRE",
            "Hélène",
            True,
            RsaStatus.SUSPENDED,
            "01",
            today - datetime.timedelta(days=3),
        ),
        (
            RsaRole.PARTNER,
            "DURAND",
            "Noël",
            False,
            RsaStatus.SUSPENDED,
            "01",
            today - datetime.timedelta(days=3),
        ),
    ]
    assert (reader.errors, reader.households, reader.people_read_past) == ([], 1, 1)


def test_flow_matches_by_france_travail_id_and_writes_only_the_rsa_fields(department, today):
    person = BeneficiaryFactory(
        department=department, last_name="Autre", first_name="Nom", france_travail_id="1234567A"
    )
    data = flow_bytes(
        [
            household(
                "0123456",
                FlowPersonSpec("LEFÈVRE", "Hélène", datetime.date(1980, 5, 1), "DEM", "1234567A"),
                state="3",
                suspension=("01", today - datetime.timedelta(days=2)),
                homeless=True,
            )
        ],
        created_on=today,
    )
    report = run(department, data)
    assert rsa_of(person) == {
        "rsa_paying_body": "caf",
        "rsa_number": "0123456",
        "rsa_role": "claimant",
        "rsa_rights_and_duties": True,
        "rsa_status": "suspended",
        "rsa_status_reason": "01",
        "rsa_status_on": today - datetime.timedelta(days=2),
        "homeless": True,
        "rsa_flow_on": today,
    }
    person.refresh_from_db()
    assert (person.last_name, person.first_name) == ("Autre", "Nom")
    counts = (report.matched, report.updated, report.unchanged, report.to_confirm, report.unknown)
    assert counts == (1, 1, 0, 0, 0)
    journal = list(
        InformationShare.objects.filter(channel=JournalChannel.IMPORT)
        .order_by("seq")
        .values_list("beneficiary_id", "purpose")
    )
    assert journal == [
        (person.pk, f"Situation RSA mise à jour par le flux quotidien du {today:%d/%m/%Y}"),
        (
            None,
            f"Import d'un flux : « flux.xml », flux quotidien du {today:%d/%m/%Y} — 1 foyer(s), "
            "1 reconnue(s), 1 mise(s) à jour, 0 inchangée(s), 0 à confirmer, 0 inconnue(s), "
            "0 à examiner",
        ),
    ]


def test_flow_matches_by_paying_body_number_and_role(department, today):
    claimant = BeneficiaryFactory(
        department=department, france_travail_id="", rsa_paying_body="msa", rsa_number="0555",
        rsa_role="claimant",
    )  # fmt: skip
    partner = BeneficiaryFactory(
        department=department, france_travail_id="", rsa_paying_body="msa", rsa_number="0555",
        rsa_role="partner",
    )  # fmt: skip
    other_body = BeneficiaryFactory(
        department=department, france_travail_id="", rsa_paying_body="caf", rsa_number="0555",
        rsa_role="claimant",
    )  # fmt: skip
    data = flow_bytes(
        [
            household(
                "0555",
                FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM"),
                FlowPersonSpec("C", "D", datetime.date(1971, 1, 1), "CJT", rights_and_duties=False),
                paying_body="MSA",
                state="2",
            )
        ],
        created_on=today,
    )
    report = run(department, data)
    assert (rsa_of(claimant)["rsa_status"], rsa_of(claimant)["rsa_rights_and_duties"]) == (
        "paid", True,
    )  # fmt: skip
    assert (rsa_of(partner)["rsa_status"], rsa_of(partner)["rsa_rights_and_duties"]) == (
        "paid", False,
    )  # fmt: skip
    assert rsa_of(other_body)["rsa_status"] == ""
    assert (report.matched, report.updated, report.unknown) == (2, 2, 0)


def test_flow_match_by_names_waits_for_a_professional_to_confirm(department, today):
    person = BeneficiaryFactory(
        department=department,
        france_travail_id="",
        last_name="Lefevre Durand",
        first_name="helene",
        birth_date=datetime.date(1980, 5, 1),
    )
    before = rsa_of(person)
    data = flow_bytes(
        [
            household(
                "0123456",
                FlowPersonSpec("LEFÈVRE-DURAND", "Hélène", datetime.date(1980, 5, 1)),
                state="5",
                closing=("PCG", today - datetime.timedelta(days=1)),
            )
        ],
        created_on=today,
    )
    report = run(department, data)
    assert (report.matched, report.to_confirm, report.unknown) == (0, 1, 0)
    assert rsa_of(person) == before
    flow_import = FlowImport.objects.get()
    assert [line["beneficiary"] for line in flow_import.pending] == [person.pk]

    case = CaseFactory(
        beneficiary=person, pair=PairFactory(department=department), state=CaseState.ACTIVE
    )
    advisor = case.pair.advisor
    rsa_flow_confirm(flow_import=flow_import, beneficiary_id=person.pk, acting_user=advisor)
    assert rsa_of(person) == {
        "rsa_paying_body": "caf",
        "rsa_number": "0123456",
        "rsa_role": "claimant",
        "rsa_rights_and_duties": True,
        "rsa_status": "closed",
        "rsa_status_reason": "PCG",
        "rsa_status_on": today - datetime.timedelta(days=1),
        "homeless": False,
        "rsa_flow_on": today,
    }
    case.refresh_from_db()
    assert (case.state, case.review_reason) == (CaseState.ACTIVE, CaseReviewReason.RSA_CLOSED)
    with pytest.raises(FlowConfirmationRefused) as refusal:
        rsa_flow_confirm(flow_import=flow_import, beneficiary_id=person.pk, acting_user=advisor)
    assert str(refusal.value) == "Aucun rapprochement à confirmer pour cette personne."
    stranger = ProfessionalFactory(role=Role.ADVISOR)
    with pytest.raises(FlowConfirmationRefused) as refusal:
        rsa_flow_confirm(flow_import=flow_import, beneficiary_id=person.pk, acting_user=stranger)
    assert str(refusal.value) == "Cet import n'est pas celui de votre département."


def test_flow_unknown_people_are_counted_never_created(department, today):
    BeneficiaryFactory(department=department, france_travail_id="9999999Z")
    other_department = BeneficiaryFactory(
        department=DepartmentFactory(code="93"), france_travail_id="1234567A"
    )
    data = flow_bytes(
        [household("1", FlowPersonSpec("X", "Y", datetime.date(1970, 1, 1), "DEM", "1234567A"))],
        created_on=today,
    )
    report = run(department, data)
    assert (report.matched, report.to_confirm, report.unknown) == (0, 0, 1)
    assert Beneficiary.objects.count() == 2
    assert rsa_of(other_department)["rsa_flow_on"] is None


def test_flow_closed_right_and_move_put_cases_to_review_never_decide(department, today):
    pair = PairFactory(department=department)
    closed = CaseFactory(
        pair=pair, beneficiary__france_travail_id="1111111A", state=CaseState.ACTIVE
    )
    moved = CaseFactory(
        pair=pair, beneficiary__france_travail_id="2222222B", state=CaseState.ACTIVE
    )
    data = flow_bytes(
        [
            household(
                "1", FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", "1111111A"),
                state="5", closing=("PCG", today - datetime.timedelta(days=4)),
            ),
            household(
                "2", FlowPersonSpec("C", "D", datetime.date(1970, 1, 1), "DEM", "2222222B"),
                moved_on=today - datetime.timedelta(days=6),
            ),
        ],
        created_on=today,
    )  # fmt: skip
    report = run(department, data)
    rows = {
        case.pk: (case.state, case.review_reason, case.review_detail, case.review_since)
        for case in Case.objects.all()
    }
    assert rows == {
        closed.pk: (
            CaseState.ACTIVE,
            CaseReviewReason.RSA_CLOSED,
            f"Fin de droit (motif PCG) le {today - datetime.timedelta(days=4):%d/%m/%Y}",
            today,
        ),
        moved.pk: (
            CaseState.ACTIVE,
            CaseReviewReason.MOVED,
            f"Départ vers un autre organisme le {today - datetime.timedelta(days=6):%d/%m/%Y}",
            today,
        ),
    }
    assert report.to_review == 2


def test_flow_same_file_twice_changes_nothing_the_second_time(department, today):
    person = BeneficiaryFactory(department=department, france_travail_id="1234567A")
    data = flow_bytes(
        [household("1", FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", "1234567A"))],
        created_on=today,
    )
    first = run(department, data)
    state = (rsa_of(person), LogEntry.objects.count(), InformationShare.objects.count())
    second = run(department, data, name="flux-bis.xml")
    assert (rsa_of(person), LogEntry.objects.count(), InformationShare.objects.count()) == state
    assert second.already_imported == first.flow_import
    assert second.lines()[1].startswith("Ce fichier a déjà été importé le ")
    assert second.lines()[1].endswith(f"(import n°{first.flow_import.pk}) : rien n'a changé.")
    # The same content in another file (a new creation time): matched, unchanged, no audit row.
    again = flow_bytes(
        [household("1", FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", "1234567A"))],
        created_on=today,
        encoding="utf-8",
    )
    audit_rows = LogEntry.objects.filter(object_pk=str(person.pk)).count()
    report = run(department, again)
    assert (report.matched, report.updated, report.unchanged) == (1, 0, 1)
    assert LogEntry.objects.filter(object_pk=str(person.pk)).count() == audit_rows


def test_flow_daily_then_monthly_and_an_older_flow_after_them(department, today):
    person = BeneficiaryFactory(department=department, france_travail_id="1234567A")

    def flow(state: str, created_on: datetime.date, kind: str) -> bytes:
        return flow_bytes(
            [
                household(
                    "1",
                    FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", "1234567A"),
                    state=state,
                )
            ],
            created_on=created_on,
            kind=kind,
        )

    run(department, flow("2", today - datetime.timedelta(days=2), "I"))
    assert rsa_of(person)["rsa_status"] == "paid"
    monthly = run(department, flow("4", today, "M"))
    assert (monthly.kind, monthly.updated, rsa_of(person)["rsa_status"]) == (
        "Flux mensuel",
        1,
        "suspended",
    )
    older = run(department, flow("2", today - datetime.timedelta(days=1), "I"))
    assert (older.matched, older.older, older.updated, rsa_of(person)["rsa_status"]) == (
        1, 1, 0, "suspended",
    )  # fmt: skip


def test_flow_with_an_error_in_the_middle_writes_nothing(department, today):
    person = BeneficiaryFactory(department=department, france_travail_id="1234567A")
    pair = PairFactory(department=department)
    case = CaseFactory(pair=pair, beneficiary=person, state=CaseState.ACTIVE)
    before = (rsa_of(person), *writes_but_the_refusal())
    good = household(
        "1", FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", "1234567A"),
        state="5", closing=("PCG", today),
    )  # fmt: skip
    text = flow_bytes(
        [good, household("2", FlowPersonSpec("C", "D", datetime.date(1971, 1, 1)))],
        created_on=today,
    ).replace(b"<DTNAI>1971-01-01</DTNAI>", b"<DTNAI>1971-13-45</DTNAI>")
    report = run(department, text)
    assert [str(error) for error in report.errors] == [
        "ligne 57, Racine/InfosFoyerRSA/Personne/Identification/DTNAI : date invalide "
        "« 1971-13-45 » (attendu : AAAA-MM-JJ)"
    ]
    assert (rsa_of(person), *writes_but_the_refusal()) == before
    assert_refusal_recorded(report.errors, 1, "flux.xml")
    case.refresh_from_db()
    assert case.review_reason == ""
    assert report.lines()[1] == "Fichier refusé : 1 erreur(s). Rien n'a été importé de ce fichier."


def _good(today: datetime.date, **options: object) -> bytes:
    return flow_bytes(
        [household("1", FlowPersonSpec("A", "B", datetime.date(1970, 1, 1)))],
        created_on=today,
        **options,
    )


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (
            lambda data: data.replace(b"<Racine>", b"<Flux>").replace(b"</Racine>", b"</Flux>"),
            "ligne 2, Flux : ce n'est pas un flux bénéficiaires RSA (élément racine attendu : "
            "Racine)",
        ),
        (
            lambda data: data[: len(data) // 2],
            "fichier tronqué",
        ),
        (
            lambda data: data.replace(b'encoding="windows-1252"', b'encoding="UTF-8"'),
            "ligne 16, Racine/InfosFoyerRSA/Personne/Identification/PRENOM : caractère invalide : "
            "le fichier n'est pas dans l'encodage que sa déclaration annonce (windows-1252 ou "
            "UTF-8), ou ce n'est pas du XML",
        ),
        (
            lambda data: data.replace(b"<IDEPARTE>021<", b"<IDEPARTE>093<"),
            "ligne 4, Racine/InfosFoyerRSA/IdentificationRSA/Partenaire/IDEPARTE : le foyer est "
            "adressé au département 093, pas au département 21 de cet import",
        ),
        (
            lambda data: data.replace(b"<ETATDOSRSA>2<", b"<ETATDOSRSA>9<"),
            "ligne 4, Racine/InfosFoyerRSA/PrestationRSA/SituationDossierRSA/EtatDossierRSA/"
            "ETATDOSRSA : état du droit « 9 » inconnu (attendu : 0 à 6 ou Z)",
        ),
        (
            lambda data: data.replace(b"<ROLEPERS>DEM<", b"<ROLEPERS>XYZ<"),
            "ligne 16, Racine/InfosFoyerRSA/Personne/Prestations/ROLEPERS : rôle « XYZ » inconnu "
            "pour la prestation RSA (attendu : DEM, CJT, ENF, AUT ou RDO)",
        ),
        (
            lambda data: data.replace(b"<NBTOTDOSRSATRANSM>1<", b"<NBTOTDOSRSATRANSM>2<"),
            "ligne 43, Racine/TransmissionFlux/NBTOTDOSRSATRANSM : le flux annonce 2 foyer(s) "
            "mais en contient 1 : fichier incomplet ?",
        ),
        (
            lambda data: data.replace(b"<MATRICULE>1</MATRICULE>", b""),
            "ligne 4, Racine/InfosFoyerRSA : élément(s) obligatoire(s) absent(s) : "
            "IdentificationRSA/Organisme/MATRICULE",
        ),
        (
            lambda data: data.replace(
                b"<Racine>",
                b'<!DOCTYPE Racine [<!ENTITY a "aaaaaaaaaa">]>\n<Racine>',
            ),
            "ligne 2, Racine : déclaration DOCTYPE refusée : un flux national n'en contient pas",
        ),
    ],
    ids=[
        "root",
        "truncated",
        "encoding",
        "department",
        "state",
        "role",
        "count",
        "missing",
        "doctype",
    ],  # fmt: skip
)
def test_flow_bad_file_is_refused_with_a_french_report(department, today, spoil, expected):
    person = BeneficiaryFactory(
        department=department, france_travail_id="", rsa_paying_body="caf", rsa_number="1",
        rsa_role="claimant",
    )  # fmt: skip
    before = (rsa_of(person), *writes_but_the_refusal())
    good = _good(today)
    # Accents in the names so that a wrong declared encoding shows.
    good = good.replace(b"<PRENOM>B<", "<PRENOM>Bérénice<".encode("windows-1252"))
    report = run(department, spoil(good))
    assert (rsa_of(person), *writes_but_the_refusal()) == before
    assert_refusal_recorded(report.errors, report.error_count, "flux.xml")
    messages = [str(error) for error in report.errors]
    if expected == "fichier tronqué":
        assert len(messages) == 1
        assert "fichier tronqué" in messages[0]
    else:
        assert messages == [expected]


def test_flow_import_stores_none_of_what_the_design_excludes(department, today):
    BeneficiaryFactory(department=department, france_travail_id="1234567A")
    BeneficiaryFactory(
        department=department, france_travail_id="", last_name="Durand", first_name="Noël",
        birth_date=datetime.date(1979, 1, 2),
    )  # fmt: skip
    data = flow_bytes(
        [
            household(
                "0123456",
                FlowPersonSpec(
                    "VALDÉRIXQ", "Hélixanne", datetime.date(1980, 5, 1), "DEM", "1234567A"
                ),
                FlowPersonSpec("DURAND", "Noël", datetime.date(1979, 1, 2), "CJT"),
                FlowPersonSpec("DURAND", CHILD_FIRST_NAME, datetime.date(2015, 3, 4), "ENF"),
                state="5",
                closing=("PCG", today),
            )
        ],
        created_on=today,
    )
    report = run(department, data)
    assert (report.updated, report.to_confirm) == (1, 1)
    forbidden = [
        NIR_PREFIX, RESOURCE_AMOUNT, RIGHT_AMOUNT, PREGNANCY_DECLARED, CHILD_FIRST_NAME,
        BIRTH_TOWN, "VALDÉRIXQ", "Hélixanne",
    ]  # fmt: skip
    found = []
    scanned = 0
    for model in apps.get_models():
        columns = [
            f.column
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            for column in columns:
                cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table}")  # noqa: S608
                for (value,) in cursor.fetchall():
                    scanned += 1
                    text = str(value)
                    found += [(model.__name__, column, v) for v in forbidden if v in text]
    assert found == []
    assert scanned > 50


def _write_large(path: Path, households: int, today: datetime.date) -> None:
    def specs():
        for n in range(households):
            yield household(
                f"{n:07d}",
                FlowPersonSpec(
                    f"NOM{n}", "Émile",
                    datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 9000), "DEM",
                    f"{n:07d}X",
                ),
                FlowPersonSpec(f"NOM{n}", "Zoé", datetime.date(1972, 1, 1), "CJT"),
            )  # fmt: skip

    with path.open("wb") as target:
        write_flow(target, specs(), created_on=today)


def _peak_of_reading(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            reader = FlowReader(stream, department_code="21")
            people = sum(1 for _ in reader)
        return tracemalloc.get_traced_memory()[1], people
    finally:
        tracemalloc.stop()


def test_flow_reader_memory_stays_flat_as_the_file_grows(tmp_path, today):
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    _write_large(small, 2_500, today)
    _write_large(large, 10_000, today)
    small_peak, small_people = _peak_of_reading(small)
    large_peak, large_people = _peak_of_reading(large)
    assert (small_people, large_people) == (5_000, 20_000)
    assert large.stat().st_size > 3.9 * small.stat().st_size  # 35 MB against 9 MB
    # About 300 kB at both sizes (one household and the parser's buffers), whatever the size.
    assert large_peak < 1024 * 1024
    assert large_peak / small_peak < 1.1


def test_command_prints_the_report_with_progress(department, today, tmp_path):
    BeneficiaryFactory(department=department, france_travail_id="0000001X")
    path = tmp_path / "flux-caf-quotidien.xml"
    _write_large(path, 3, today)
    out = io.StringIO()
    call_command(
        "rsa_flow_import", str(path), "--department", "21", "--progress-every", "2", stdout=out
    )
    flow_import = FlowImport.objects.get()
    sha = flow_import.sha256
    assert out.getvalue().splitlines() == [
        "… 2 personne(s) lue(s)",
        "… 4 personne(s) lue(s)",
        "… 6 personne(s) lue(s)",
        f"Fichier : flux-caf-quotidien.xml (SHA-256 {sha[:16]}…)",
        f"Flux quotidien créé le {today:%d/%m/%Y} : 3 foyer(s), 6 demandeur·se(s) ou "
        "conjoint·e(s).",
        "Personnes reconnues : 1",
        "  dont mises à jour : 1",
        "  dont inchangées : 0",
        "  dont ignorées car un flux plus récent est déjà appliqué : 0",
        "Rapprochements à confirmer (nom, prénom et date de naissance) : 0",
        "Personnes inconnues de Binôme (non créées) : 5",
        "Accompagnements mis « à examiner » : 0",
        f"Import n°{flow_import.pk} enregistré.",
    ]


def test_command_dry_run_writes_nothing(department, today, tmp_path):
    person = BeneficiaryFactory(department=department, france_travail_id="0000001X")
    before = (rsa_of(person), LogEntry.objects.count(), InformationShare.objects.count())
    path = tmp_path / "flux.xml"
    _write_large(path, 2, today)
    out = io.StringIO()
    call_command("rsa_flow_import", str(path), "--department", "21", "--dry-run", stdout=out)
    assert (rsa_of(person), LogEntry.objects.count(), InformationShare.objects.count()) == before
    assert FlowImport.objects.count() == 0
    lines = out.getvalue().splitlines()
    assert (lines[2], lines[-1]) == (
        "Personnes reconnues : 1",
        "Essai à blanc : rien n'a été enregistré.",
    )


def _closed_right_flow(today: datetime.date, france_travail_id: str) -> bytes:
    return flow_bytes(
        [
            household(
                "1", FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", france_travail_id),
                state="5", closing=("PCG", today - datetime.timedelta(days=1)),
            )
        ],
        created_on=today,
    )  # fmt: skip


def test_portefeuille_shows_and_filters_the_cases_to_review(client, department, today):
    pair = PairFactory(department=department)
    flagged = CaseFactory(
        pair=pair, beneficiary__france_travail_id="1111111A", beneficiary__last_name="Aubert",
        state=CaseState.ACTIVE,
    )  # fmt: skip
    CaseFactory(
        pair=pair, beneficiary__france_travail_id="2222222B", beneficiary__last_name="Bernard",
        state=CaseState.ACTIVE,
    )  # fmt: skip
    run(department, _closed_right_flow(today, "1111111A"))
    client.force_login(pair.advisor)
    page = client.get("/portefeuille/").content.decode()
    assert page.count("À examiner : Droit RSA clos") == 1
    filtered = client.get("/portefeuille/?a_examiner=1").content.decode()
    assert (f"/accompagnements/{flagged.pk}/" in filtered, "BERNARD" in filtered) == (True, False)
    detail = client.get(f"/accompagnements/{flagged.pk}/").content.decode()
    closed_on = today - datetime.timedelta(days=1)
    assert (
        f"Droit RSA clos : Fin de droit (motif PCG) le {closed_on:%d/%m/%Y}"
        f" (signalé par le flux CAF/MSA le {today:%d/%m/%Y})"
    ) in detail
    assert f"Droit clos\n        depuis le {closed_on:%d/%m/%Y}" in detail
    journal = client.get(f"/accompagnements/{flagged.pk}/journal/").content.decode()
    assert journal.count("<td>Import d&#39;un flux</td>") == 1  # rows written by Jinja2
    assert f"Situation RSA mise à jour par le flux quotidien du {today:%d/%m/%Y}" in journal


def test_binome_marks_a_case_to_review_as_examined(client, department, today):
    pair = PairFactory(department=department)
    case = CaseFactory(pair=pair, beneficiary__france_travail_id="1111111A", state=CaseState.ACTIVE)
    run(department, _closed_right_flow(today, "1111111A"))
    client.force_login(pair.social_worker)
    response = client.post(f"/accompagnements/{case.pk}/a-examiner/", follow=True)
    case.refresh_from_db()
    assert (case.state, case.review_reason, case.review_detail, case.review_since) == (
        CaseState.ACTIVE, "", "", None,
    )  # fmt: skip
    assert [str(m) for m in response.context["messages"]] == [
        "C'est noté : l'accompagnement n'est plus « à examiner »."
    ]
    again = client.post(f"/accompagnements/{case.pk}/a-examiner/", follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "Rien n'est à examiner sur cet accompagnement."
    ]
    outsider = PairFactory(department=department).advisor
    client.force_login(outsider)
    assert client.post(f"/accompagnements/{case.pk}/a-examiner/").status_code == 404


def test_flow_with_many_changes_saves_them_through_the_audited_bulk_path(department, today):
    from django.contrib.contenttypes.models import ContentType

    from casework.journal import verify

    people = [
        BeneficiaryFactory(department=department, france_travail_id=f"{n:07d}Z") for n in range(60)
    ]
    data = flow_bytes(
        [
            household(
                f"{n}", FlowPersonSpec("A", "B", datetime.date(1970, 1, 1), "DEM", f"{n:07d}Z")
            )
            for n in range(60)
        ],
        created_on=today,
        kind="M",
    )
    beneficiary_type = ContentType.objects.get_for_model(Beneficiary)
    before = LogEntry.objects.filter(content_type=beneficiary_type).count()
    report = run(department, data)
    assert (report.matched, report.updated) == (60, 60)
    assert {rsa_of(b)["rsa_status"] for b in people} == {"paid"}
    batch = list(LogEntry.objects.filter(content_type=beneficiary_type).order_by("pk"))[before:]
    numbers = ", ".join(str(b.pk) for b in people)
    assert [(row.object_pk, row.changes_text) for row in batch] == [
        (
            "*",
            f"Flux CAF/MSA du {today:%d/%m/%Y} (import n°{report.flow_import.pk}) : situation RSA "
            f"de 60 personne(s) mise à jour — personnes n°{numbers}",
        )
    ]
    journal_people = set(
        InformationShare.objects.filter(
            channel=JournalChannel.IMPORT, beneficiary__isnull=False
        ).values_list("beneficiary_id", flat=True)
    )
    assert journal_people == {b.pk for b in people}
    assert verify(department).intact


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Racine [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Racine><IdentificationFlux><NUMPROD>&lol9;</NUMPROD></IdentificationFlux></Racine>
"""


def test_an_entity_bomb_is_refused_before_any_expansion(department):
    tracemalloc.start()
    try:
        report = run(department, BILLION_LAUGHS, name="bombe.xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [str(error) for error in report.errors] == [
        "ligne 2, Racine : déclaration DOCTYPE refusée : un flux national n'en contient pas"
    ]
    assert peak < 5 * 1024 * 1024  # a billion « lol » would be 3 GB
    assert_refusal_recorded(report.errors, 1, "bombe.xml")


def test_an_external_entity_is_never_read(department, today, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE-DU-SERVEUR")
    data = (
        _good(today)
        .replace(
            b"<Racine>",
            f'<!DOCTYPE Racine [<!ENTITY xxe SYSTEM "file://{secret}">]>\n<Racine>'.encode(),
        )
        .replace(b"<PRENOM>B<", b"<PRENOM>&xxe;<")
    )

    report = run(department, data, name="xxe.xml")

    assert [str(error) for error in report.errors] == [
        "ligne 2, Racine : déclaration DOCTYPE refusée : un flux national n'en contient pas"
    ]
    assert "MOT-DE-PASSE-DU-SERVEUR" not in "\n".join(report.lines())
    assert "MOT-DE-PASSE-DU-SERVEUR" not in str(FlowImport.objects.get().errors)


def test_a_refused_file_may_be_refused_again_then_applied_once_corrected(department, today):
    BeneficiaryFactory(department=department, france_travail_id="1234567A")
    bad = _good(today).replace(b"<DTNAI>1970-01-01</DTNAI>", b"<DTNAI>1970-13-45</DTNAI>")

    first, second = run(department, bad), run(department, bad)
    applied = run(department, _good(today))

    assert first.refused_import is not None and second.refused_import is not None
    assert first.refused_import.pk != second.refused_import.pk
    assert applied.applied and applied.already_imported is None
    assert [row.state for row in FlowImport.objects.order_by("pk")] == [
        "refused", "refused", "applied",
    ]  # fmt: skip
