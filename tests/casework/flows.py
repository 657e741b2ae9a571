"""A factory of CAF/MSA « flux bénéficiaires » files in the national structure (vrsb0801.xsd).

Every element the schema requires is written, in the schema's order, with the values a real flow
carries — including what Binôme must never keep (NIR, resources, amounts, pregnancy, children):
the minimisation test looks for those values everywhere after an import. ``validate`` checks a
file against the national schema with lxml (a test dependency; the product never loads it).
"""

import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

SCHEMA = Path("/work/shared/reference/caf-msa/vrsb0801.xsd")

#: Values that must never be stored anywhere (the minimisation scan looks for each).
NIR_PREFIX = "18506759"
RESOURCE_AMOUNT = "1234.56"
RIGHT_AMOUNT = "607.75"
PREGNANCY_DECLARED = "2019-03-17"
CHILD_FIRST_NAME = "Zéphyrixa"  # names no factory would draw at random
BIRTH_TOWN = "Quimperlé-Xq"


@dataclass
class FlowPersonSpec:
    last_name: str
    first_name: str
    birth_date: datetime.date
    role: str = "DEM"  # DEM, CJT, ENF, AUT, RDO
    france_travail_id: str = ""
    rights_and_duties: bool = True
    nir: str = ""


@dataclass
class HouseholdSpec:
    number: str  # MATRICULE
    persons: list[FlowPersonSpec]
    paying_body: str = "CAF"
    department: str = "021"
    state: str = "2"  # ETATDOSRSA
    suspension: tuple[str, datetime.date] | None = None  # MOTISUSDRORSA, DDSUSDRORSA
    closing: tuple[str, datetime.date] | None = None  # MOTICLORSA, DTCLORSA
    moved_on: datetime.date | None = None  # OrganismePrenant / DDDEPAMUT
    homeless: bool = False
    pregnant: bool = True
    extra: dict[str, str] = field(default_factory=dict)


def _e(tag: str, value: object) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def person_xml(person: FlowPersonSpec, index: int, household: HouseholdSpec) -> str:
    nir = person.nir or f"{NIR_PREFIX}{index % 10**7:07d}"
    parts = [
        "<Personne><Identification>",
        _e("QUAL", "MME" if index % 2 else "MR"),
        _e("NOM", person.last_name),
        _e("NOMNAI", person.last_name),
        _e("PRENOM", person.first_name),
        _e("NOMCOMNAI", BIRTH_TOWN),
        _e("DTNAI", person.birth_date.isoformat()),
        _e("NIR", nir[:15]),
        _e("SEXE", "2" if index % 2 else "1"),
        "</Identification><DossierCAF>",
        _e("TOPRESPDOS", _bool(person.role == "DEM")),
        _e("DDRATDOS", "2021-01-01"),
        "</DossierCAF>",
        "<Prestations>",
        _e("NATPREST", "RSA"),
        _e("ROLEPERS", person.role),
        _e("TOPCHAPERS", _bool(person.role == "ENF")),
        "</Prestations><Prestations>",
        _e("NATPREST", "PFA"),
        _e("ROLEPERS", person.role),
        _e("TOPCHAPERS", _bool(person.role == "ENF")),
        "</Prestations>",
    ]
    if person.france_travail_id:
        parts.append(
            f"<DossierPoleEmploi>{_e('IDASSEDIC', person.france_travail_id)}</DossierPoleEmploi>"
        )
    if person.role in ("DEM", "CJT"):
        parts += [
            "<Ressources><GeneraliteRessourcesTrimestre>",
            _e("TOPRESSNUL", "false"),
            _e("DDRESS", "2026-01-01"),
            _e("DFRESS", "2026-03-31"),
            "</GeneraliteRessourcesTrimestre><RessourcesMensuelles>",
            "<GeneraliteRessourcesMensuelles>",
            _e("MOISRESS", "2026-01-01"),
            "</GeneraliteRessourcesMensuelles><DetailRessourcesMensuelles>",
            _e("NATRESS", "SAL"),
            _e("MTNATRESSMEN", RESOURCE_AMOUNT),
            "</DetailRessourcesMensuelles></RessourcesMensuelles></Ressources>",
            "<MontantCalculDroitRSAPersonne>",
            _e("TOPPERSDRODEVORSA", _bool(person.rights_and_duties)),
            _e("MTPERSRESSMENRSA", RESOURCE_AMOUNT),
            "</MontantCalculDroitRSAPersonne>",
        ]
        if household.pregnant and person.role == "DEM":
            parts += [
                "<Grossesse>",
                _e("DDGRO", "2019-01-02"),
                _e("DTDECLGRO", PREGNANCY_DECLARED),
                "</Grossesse>",
            ]
    parts.append("</Personne>")
    return "".join(parts)


def household_xml(household: HouseholdSpec, index: int) -> str:
    parts = [
        "<InfosFoyerRSA><IdentificationRSA><Organisme>",
        _e("FONORG", household.paying_body),
        _e("NUMORG", "211"),
        _e("MATRICULE", household.number),
        "</Organisme><Partenaire>",
        _e("TYPEPARTE", "CG"),
        _e("IDEPARTE", household.department),
        "</Partenaire><DemandeRSA>",
        _e("DTDEMRSA", "2021-01-01"),
        _e("NUMDEMRSA", f"{index:011d}"),
        "</DemandeRSA>",
    ]
    if household.moved_on is not None:
        parts += [
            "<OrganismePrenant>",
            _e("FONORGPRENMUT", household.paying_body),
            _e("NUMORGPRENMUT", "931"),
            _e("DDDEPAMUT", household.moved_on.isoformat()),
            "</OrganismePrenant>",
        ]
    parts.append("</IdentificationRSA>")
    for offset, person in enumerate(household.persons):
        parts.append(person_xml(person, index * 10 + offset, household))
    parts += [
        "<DonneesAdministratives><SituationFamille>",
        _e("SITFAM", "MAR" if len(household.persons) > 1 else "CEL"),
        _e("DDSITFAM", "2020-01-01"),
        "</SituationFamille><Adresse><TroncCommunAdresse>",
        _e("RGADR", "1"),
        _e("PAYS", "FRA"),
        _e("TYPEADR", "D"),
        _e("ETATADR", "CO"),
        "</TroncCommunAdresse></Adresse></DonneesAdministratives>",
        "<PrestationRSA><SituationDossierRSA><EtatDossierRSA>",
        _e("ETATDOSRSA", household.state),
        "</EtatDossierRSA>",
    ]
    if household.suspension is not None:
        reason, on = household.suspension
        parts += [
            "<SuspensionDroit>",
            _e("MOTISUSDRORSA", reason),
            _e("DDSUSDRORSA", on.isoformat()),
            "</SuspensionDroit>",
        ]
    if household.closing is not None:
        reason, on = household.closing
        parts += [
            "<FinDroit>",
            _e("MOTICLORSA", reason),
            _e("DTCLORSA", on.isoformat()),
            "</FinDroit>",
        ]
    parts += [
        "</SituationDossierRSA><DetailDroitRSA><TroncCommunDroitRSA>",
        _e("TOPSANSDOMFIXE", _bool(household.homeless)),
        _e("NBENFAUTCHA", "1"),
        _e("ORIDEMRSA", "RSA"),
        "</TroncCommunDroitRSA><MontantsCalculDroitRSA>",
        _e("DDELECAL", "2026-01-01"),
        _e("MTREVMINIGARARSA", RIGHT_AMOUNT),
        _e("MTREVGARARSA", RIGHT_AMOUNT),
        _e("MTRESSMENRSA", RESOURCE_AMOUNT),
        _e("MTTOTDRORSA", RIGHT_AMOUNT),
        "</MontantsCalculDroitRSA></DetailDroitRSA></PrestationRSA>",
        "</InfosFoyerRSA>",
    ]
    return "\n".join(parts) + "\n"


def flow_chunks(
    households: Iterable[HouseholdSpec],
    *,
    created_on: datetime.date,
    kind: str = "I",
    encoding: str = "windows-1252",
    announced: int | None = None,
) -> Iterator[str]:
    """The file's text, piece by piece (the large-file test never holds it whole)."""
    yield f'<?xml version="1.0" encoding="{encoding}"?>\n<Racine>\n'
    yield (
        "<IdentificationFlux>"
        + _e("APPLIEME", "CRI")
        + _e("NUMVERSIONAPPLIEME", "0801")
        + _e("TYPEFLUX", kind)
        + _e("NATFLUX", "D")
        + _e("DTCREAFLUX", created_on.isoformat())
        + _e("HEUCREAFLUX", "04:30:00")
        + _e("DTREF", created_on.isoformat())
        + "</IdentificationFlux>\n"
    )
    count = 0
    for index, household in enumerate(households, start=1):
        count += 1
        yield household_xml(household, index)
    total = count if announced is None else announced
    yield (
        "<TransmissionFlux>"
        + _e("NBTOTDOSRSATRANSM", total)
        + _e("NBTOTDOSRSATRANSMANO", 0)
        + "</TransmissionFlux>\n</Racine>\n"
    )


def flow_bytes(households: Iterable[HouseholdSpec], **options: object) -> bytes:
    encoding = str(options.get("encoding", "windows-1252"))
    return "".join(flow_chunks(households, **options)).encode(encoding)  # type: ignore[arg-type]


def write_flow(target: IO[bytes], households: Iterable[HouseholdSpec], **options: object) -> None:
    encoding = str(options.get("encoding", "windows-1252"))
    for chunk in flow_chunks(households, **options):  # type: ignore[arg-type]
        target.write(chunk.encode(encoding))


def validate(data: bytes) -> list[str]:
    """The national schema's complaints about ``data`` (none: the file is valid)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.parse(io.BytesIO(data))
    if schema.validate(document):
        return []
    return [f"{error.line}: {error.message}" for error in schema.error_log]
