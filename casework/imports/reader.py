"""A streaming reader of the CAF/MSA « flux bénéficiaires » (national schema vrsb0801).

Why pyexpat rather than ``ElementTree.iterparse`` (docs/architecture.md § Imports): the handlers
see each element's line number, which the French report needs, and the reader never builds an
element at all: the text of an element is kept only when its path is one of :data:`KEPT` below,
so the NIR, resources, amounts, pregnancy, children's details… are dropped by the parser as it
reads them. Memory stays flat: one household at a time, a few records waiting to be yielded.

The structure relied on (hand-written from vrsb0801.xsd; the product never loads the schema):

    Racine
      IdentificationFlux: TYPEFLUX (M mensuel, I quotidien, R reprise), NATFLUX (D bénéficiaires),
                          DTCREAFLUX, DTREF
      InfosFoyerRSA*      (one per household)
        IdentificationRSA/Organisme: FONORG (CAF, MSA), MATRICULE
        IdentificationRSA/Partenaire: IDEPARTE (the department)
        IdentificationRSA/OrganismePrenant: DDDEPAMUT (the file left for another organism)
        Personne+: Identification (NOM, PRENOM, DTNAI), Prestations (NATPREST RSA → ROLEPERS),
                   DossierPoleEmploi/IDASSEDIC, MontantCalculDroitRSAPersonne/TOPPERSDRODEVORSA
        PrestationRSA/SituationDossierRSA: EtatDossierRSA/ETATDOSRSA, SuspensionDroit*,
                   SuspensionVersement*, FinDroit, FinDroitMoisAnterieur
        PrestationRSA/DetailDroitRSA/TroncCommunDroitRSA/TOPSANSDOMFIXE
      TransmissionFlux: NBTOTDOSRSATRANSM (the number of households: a truncated file shows)
"""

import datetime
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat

from casework.enums import FlowKind, PayingBody, RsaRole, RsaStatus

CHUNK = 64 * 1024
MAX_ERRORS = 50

_HOUSEHOLD = "Racine/InfosFoyerRSA"
_PERSON = f"{_HOUSEHOLD}/Personne"
_SITUATION = f"{_HOUSEHOLD}/PrestationRSA/SituationDossierRSA"

#: The only elements whose text the reader keeps (paths from the root), and the key it goes to.
KEPT: dict[str, str] = {
    "Racine/IdentificationFlux/TYPEFLUX": "kind",
    "Racine/IdentificationFlux/NATFLUX": "nature",
    "Racine/IdentificationFlux/DTCREAFLUX": "created_on",
    "Racine/IdentificationFlux/DTREF": "reference_on",
    f"{_HOUSEHOLD}/IdentificationRSA/Organisme/FONORG": "paying_body",
    f"{_HOUSEHOLD}/IdentificationRSA/Organisme/MATRICULE": "number",
    f"{_HOUSEHOLD}/IdentificationRSA/Partenaire/IDEPARTE": "department",
    f"{_HOUSEHOLD}/IdentificationRSA/OrganismePrenant/DDDEPAMUT": "moved_on",
    f"{_PERSON}/Identification/NOM": "last_name",
    f"{_PERSON}/Identification/PRENOM": "first_name",
    f"{_PERSON}/Identification/DTNAI": "birth_date",
    f"{_PERSON}/Prestations/NATPREST": "benefit",
    f"{_PERSON}/Prestations/ROLEPERS": "role",
    f"{_PERSON}/DossierPoleEmploi/IDASSEDIC": "france_travail_id",
    f"{_PERSON}/MontantCalculDroitRSAPersonne/TOPPERSDRODEVORSA": "rights_and_duties",
    f"{_SITUATION}/EtatDossierRSA/ETATDOSRSA": "state",
    f"{_SITUATION}/SuspensionDroit/MOTISUSDRORSA": "reason",
    f"{_SITUATION}/SuspensionDroit/DDSUSDRORSA": "on",
    f"{_SITUATION}/SuspensionVersement/MOTISUSVERSRSA": "reason",
    f"{_SITUATION}/SuspensionVersement/DDSUSVERSRSA": "on",
    f"{_SITUATION}/FinDroit/MOTICLORSA": "reason",
    f"{_SITUATION}/FinDroit/DTCLORSA": "on",
    f"{_SITUATION}/FinDroitMoisAnterieur/MOTICLORSA": "reason",
    f"{_SITUATION}/FinDroitMoisAnterieur/DTCLORSA": "on",
    f"{_HOUSEHOLD}/PrestationRSA/DetailDroitRSA/TroncCommunDroitRSA/TOPSANSDOMFIXE": "homeless",
    "Racine/TransmissionFlux/NBTOTDOSRSATRANSM": "announced",
}

KINDS = {"M": FlowKind.MONTHLY, "I": FlowKind.DAILY, "R": FlowKind.RECOVERY}
PAYING_BODIES = {"CAF": PayingBody.CAF, "MSA": PayingBody.MSA}
#: ROLEPERS: the claimant and the partner are followed; children and other members of the
#: household are read past (their role only tells they are not the people followed).
ROLES = {"DEM": RsaRole.CLAIMANT, "CJT": RsaRole.PARTNER, "ENF": None, "AUT": None, "RDO": None}
#: ETATDOSRSA → the right's state; "Z" (non défini) leaves the state as it is.
STATES: dict[str, RsaStatus | None] = {
    "0": RsaStatus.PENDING,
    "1": RsaStatus.REFUSED,
    "2": RsaStatus.PAID,
    "3": RsaStatus.SUSPENDED,
    "4": RsaStatus.SUSPENDED,
    "5": RsaStatus.CLOSED,
    "6": RsaStatus.CLOSED,
    "Z": None,
}
#: Which block of SituationDossierRSA gives the reason and date of each state.
_STATE_BLOCKS = {
    "3": ("SuspensionDroit",),
    "4": ("SuspensionVersement",),
    "5": ("FinDroit", "FinDroitMoisAnterieur"),
    "6": ("FinDroitMoisAnterieur", "FinDroit"),
}
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True, slots=True)
class FlowError:
    """One problem of the file, for the French report."""

    line: int
    path: str
    message: str
    #: The household's rank in the file (1 for the first InfosFoyerRSA), 0 outside a household.
    household: int = 0

    @property
    def element(self) -> str:
        """The element at fault, without its path (« DTNAI »)."""
        return self.path.rsplit("/", 1)[-1] or "Racine"

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}, {self.path or 'Racine'} : {self.message}"


@dataclass(frozen=True, slots=True)
class FlowHeader:
    kind: FlowKind
    created_on: datetime.date
    reference_on: datetime.date


@dataclass(frozen=True, slots=True)
class FlowPerson:
    """What the flow says of one claimant or partner: only what matching and the design need."""

    line: int
    household: int
    paying_body: PayingBody
    number: str
    role: RsaRole
    last_name: str
    first_name: str
    birth_date: datetime.date
    france_travail_id: str
    rights_and_duties: bool
    status: RsaStatus | None
    status_reason: str
    status_on: datetime.date | None
    homeless: bool
    moved_on: datetime.date | None


class _Stop(Exception):
    """A problem after which the rest of the file cannot be read sensibly."""


@dataclass
class _Household:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    persons: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    #: (block, reason, date) of every suspension or end of right, to pick the one that applies.
    blocks: list[tuple[str, str, str]] = field(default_factory=list)


_EXPAT_MESSAGES = {
    expat.errors.XML_ERROR_NO_ELEMENTS: "fichier tronqué ou vide : le flux s'arrête avant sa fin",
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: "fichier tronqué : une balise n'est pas terminée",
    expat.errors.XML_ERROR_INVALID_TOKEN: (
        "caractère invalide : le fichier n'est pas dans l'encodage que sa déclaration annonce "
        "(windows-1252 ou UTF-8), ou ce n'est pas du XML"
    ),
    expat.errors.XML_ERROR_TAG_MISMATCH: "balise fermée sans avoir été ouverte (XML mal formé)",
    expat.errors.XML_ERROR_UNKNOWN_ENCODING: "encodage inconnu dans la déclaration XML",
    expat.errors.XML_ERROR_INCORRECT_ENCODING: "l'encodage déclaré ne correspond pas au contenu",
    expat.errors.XML_ERROR_SYNTAX: "ce n'est pas du XML (erreur de syntaxe)",
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "du contenu suit la fin du flux",
}


class FlowReader:
    """Iterate over the people of a flow; after the iteration, ``errors`` lists the problems.

    ``stream``: the file, opened in binary (the XML declaration says its encoding);
    ``department_code``: the department the import is for (every household must be addressed to
    it). The records of a household are yielded once the household is read whole and sound.
    """

    def __init__(self, stream: IO[bytes], *, department_code: str) -> None:
        self.stream = stream
        self.department_code = department_code
        self.header: FlowHeader | None = None
        self.errors: list[FlowError] = []
        self.error_count = 0
        self.households = 0
        self._in_household = 0  # the rank of the household being read, 0 outside one
        self.people_read_past = 0
        self._parser: Any = None
        self._stack: list[str] = []
        self._path = ""
        self._text: list[str] | None = None
        self._header: dict[str, str] = {}
        self._household: _Household | None = None
        self._person: dict[str, str] | None = None
        self._benefit: dict[str, str] = {}
        self._block: dict[str, str] = {}
        self._announced: str | None = None
        self._out: deque[FlowPerson] = deque()

    # The report ---------------------------------------------------------------------------

    def _error(self, path: str, message: str, line: int | None = None) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(
                FlowError(
                    line if line is not None else self._line(), path, message, self._in_household
                )
            )

    def _line(self) -> int:
        return int(self._parser.CurrentLineNumber) if self._parser is not None else 0

    # Reading --------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[FlowPerson]:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        # A national flow has no DTD: refusing any keeps entity expansion (« billion laughs »)
        # and external entities out, whatever expat's own limits.
        parser.StartDoctypeDeclHandler = self._doctype
        self._parser = parser
        try:
            while chunk := self.stream.read(CHUNK):
                parser.Parse(chunk, False)
                while self._out:
                    yield self._out.popleft()
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            text = expat.errors.messages[error.code]
            message = _EXPAT_MESSAGES.get(text, f"XML mal formé ({text})")
            self._error(self._path, message, line=error.lineno)
            self._out.clear()
            return
        except _Stop:
            self._out.clear()
            return
        while self._out:
            yield self._out.popleft()
        self._check_end()

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if not self._stack and name != "Racine":
            self._error(
                name, "ce n'est pas un flux bénéficiaires RSA (élément racine attendu : Racine)"
            )
            raise _Stop
        self._stack.append(name)
        path = self._path = "/".join(self._stack)
        if path in KEPT:
            self._text = []
        elif path == _HOUSEHOLD:
            if self.header is None:
                self._read_header()
            self._household = _Household(line=self._line())
            self._in_household = self.households + 1
        elif path == _PERSON:
            self._person = {"_line": str(self._line())}
        elif path == f"{_PERSON}/Prestations":
            self._benefit = {}
        elif (
            self._household is not None
            and path.startswith(f"{_SITUATION}/")
            and (path.count("/") == _SITUATION.count("/") + 1)
        ):
            self._block = {}

    def _doctype(self, *args: Any) -> None:
        self._error("", "déclaration DOCTYPE refusée : un flux national n'en contient pas")
        raise _Stop

    def _chars(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _end(self, name: str) -> None:
        path = self._path
        if self._text is not None:
            self._keep(path, "".join(self._text).strip())
            self._text = None
        if path == "Racine/IdentificationFlux":
            self._read_header()
        elif path == f"{_PERSON}/Prestations":
            if self._benefit.get("benefit") == "RSA" and self._person is not None:
                self._person["role"] = self._benefit.get("role", "")
        elif path == _PERSON:
            if self._household is not None and self._person is not None:
                line = int(self._person.pop("_line"))
                self._household.persons.append((line, self._person))
            self._person = None
        elif path == _HOUSEHOLD:
            self._close_household()
            self._in_household = 0
        elif (
            self._household is not None
            and path.startswith(f"{_SITUATION}/")
            and path.count("/") == _SITUATION.count("/") + 1
            and ("reason" in self._block or "on" in self._block)
        ):
            self._household.blocks.append(
                (name, self._block.get("reason", ""), self._block.get("on", ""))
            )
        self._stack.pop()
        self._path = "/".join(self._stack)

    def _keep(self, path: str, text: str) -> None:
        key = KEPT[path]
        if path.startswith("Racine/IdentificationFlux/"):
            self._header[key] = text
        elif key == "announced":
            self._announced = text
        elif path.startswith(f"{_PERSON}/Prestations/"):
            self._benefit[key] = text
        elif path.startswith(f"{_PERSON}/"):
            if self._person is not None:
                self._person[key] = text
                self._person[f"_line_{key}"] = str(self._line())
        elif path.startswith(f"{_SITUATION}/") and key in ("reason", "on"):
            self._block[key] = text
        elif self._household is not None:
            self._household.values[key] = text

    # Checking -------------------------------------------------------------------------------

    def _read_header(self) -> None:
        if self.header is not None:
            return
        path = "Racine/IdentificationFlux"
        values = self._header
        missing = [
            tag
            for tag, key in (
                ("TYPEFLUX", "kind"),
                ("NATFLUX", "nature"),
                ("DTCREAFLUX", "created_on"),
                ("DTREF", "reference_on"),
            )
            if not values.get(key)
        ]
        if missing:
            self._error(path, f"élément(s) obligatoire(s) absent(s) : {', '.join(missing)}")
            raise _Stop
        if values["nature"] != "D":
            self._error(
                f"{path}/NATFLUX",
                f"nature de flux « {values['nature']} » : seul le flux bénéficiaires (D) est lu",
            )
            raise _Stop
        kind = KINDS.get(values["kind"])
        if kind is None:
            self._error(
                f"{path}/TYPEFLUX",
                f"type de flux « {values['kind']} » inconnu (attendu : M, I ou R)",
            )
            raise _Stop
        created_on = self._date(f"{path}/DTCREAFLUX", values["created_on"])
        reference_on = self._date(f"{path}/DTREF", values["reference_on"])
        if created_on is None or reference_on is None:
            raise _Stop
        self.header = FlowHeader(kind=kind, created_on=created_on, reference_on=reference_on)

    def _date(self, path: str, text: str, line: int | None = None) -> datetime.date | None:
        try:
            if len(text) < 10:
                raise ValueError
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            self._error(path, f"date invalide « {text} » (attendu : AAAA-MM-JJ)", line)
            return None

    def _boolean(self, path: str, text: str, line: int) -> bool | None:
        value = _BOOLEANS.get(text)
        if value is None:
            self._error(path, f"valeur « {text} » : attendu true ou false", line)
        return value

    def _close_household(self) -> None:
        household, self._household = self._household, None
        if household is None:  # an InfosFoyerRSA closed twice cannot happen in well-formed XML
            return
        self.households += 1
        line, values = household.line, household.values
        before = self.error_count
        missing = [
            tag
            for tag, key in (
                ("IdentificationRSA/Organisme/FONORG", "paying_body"),
                ("IdentificationRSA/Organisme/MATRICULE", "number"),
                ("IdentificationRSA/Partenaire/IDEPARTE", "department"),
                ("PrestationRSA/SituationDossierRSA/EtatDossierRSA/ETATDOSRSA", "state"),
                ("PrestationRSA/DetailDroitRSA/TroncCommunDroitRSA/TOPSANSDOMFIXE", "homeless"),
            )
            if not values.get(key)
        ]
        if missing:
            self._error(
                _HOUSEHOLD, f"élément(s) obligatoire(s) absent(s) : {', '.join(missing)}", line
            )
            return
        if not household.persons:
            self._error(_HOUSEHOLD, "aucune personne dans le foyer (Personne obligatoire)", line)
            return
        paying_body = PAYING_BODIES.get(values["paying_body"].upper())
        if paying_body is None:
            self._error(
                f"{_HOUSEHOLD}/IdentificationRSA/Organisme/FONORG",
                f"organisme « {values['paying_body']} » inconnu (attendu : CAF ou MSA)",
                line,
            )
        number = values["number"]
        if not number.isdigit():
            self._error(
                f"{_HOUSEHOLD}/IdentificationRSA/Organisme/MATRICULE",
                "le matricule n'est pas un nombre",
                line,
            )
        addressed_to = values["department"]
        if addressed_to.lstrip("0").upper() != self.department_code.lstrip("0").upper():
            self._error(
                f"{_HOUSEHOLD}/IdentificationRSA/Partenaire/IDEPARTE",
                f"le foyer est adressé au département {addressed_to}, "
                f"pas au département {self.department_code} de cet import",
                line,
            )
        state_code = values["state"]
        if state_code not in STATES:
            self._error(
                f"{_SITUATION}/EtatDossierRSA/ETATDOSRSA",
                f"état du droit « {state_code} » inconnu (attendu : 0 à 6 ou Z)",
                line,
            )
        homeless = self._boolean(
            f"{_HOUSEHOLD}/PrestationRSA/DetailDroitRSA/TroncCommunDroitRSA/TOPSANSDOMFIXE",
            values["homeless"],
            line,
        )
        moved_on = None
        if values.get("moved_on"):
            moved_on = self._date(
                f"{_HOUSEHOLD}/IdentificationRSA/OrganismePrenant/DDDEPAMUT",
                values["moved_on"],
                line,
            )
        reason, status_on = self._reason(household, state_code, line)
        people = [self._person_of(person_line, person) for person_line, person in household.persons]
        if self.error_count != before or paying_body is None or homeless is None:
            return
        for person_line, person in zip(
            (person_line for person_line, _ in household.persons), people, strict=True
        ):
            if person is None:
                continue
            self._out.append(
                FlowPerson(
                    line=person_line,
                    household=self.households,
                    paying_body=paying_body,
                    number=number,
                    role=person["role"],
                    last_name=person["last_name"],
                    first_name=person["first_name"],
                    birth_date=person["birth_date"],
                    france_travail_id=person["france_travail_id"],
                    rights_and_duties=person["rights_and_duties"],
                    status=STATES[state_code],
                    status_reason=reason,
                    status_on=status_on,
                    homeless=homeless,
                    moved_on=moved_on,
                )
            )

    def _reason(
        self, household: _Household, state_code: str, line: int
    ) -> tuple[str, datetime.date | None]:
        """The reason and date of a suspension or end of right: the latest of its blocks."""
        found: list[tuple[datetime.date, str]] = []
        for wanted in _STATE_BLOCKS.get(state_code, ()):
            for block, reason, text in household.blocks:
                if block != wanted:
                    continue
                on = self._date(f"{_SITUATION}/{block}", text, line)
                if on is not None:
                    found.append((on, reason[:3]))
            if found:
                break
        if not found:
            return "", None
        on, reason = max(found)
        return reason, on

    def _person_of(self, line: int, person: dict[str, str]) -> dict[str, Any] | None:
        role_code = person.get("role", "")
        if role_code not in ROLES:
            self._error(
                f"{_PERSON}/Prestations/ROLEPERS",
                f"rôle « {role_code} » inconnu pour la prestation RSA "
                "(attendu : DEM, CJT, ENF, AUT ou RDO)"
                if role_code
                else "rôle de la personne au regard du RSA absent (Prestations RSA / ROLEPERS)",
                line,
            )
            return None
        role = ROLES[role_code]
        if role is None:
            self.people_read_past += 1
            return None
        missing = [
            tag
            for tag, key in (
                ("Identification/NOM", "last_name"),
                ("Identification/PRENOM", "first_name"),
                ("Identification/DTNAI", "birth_date"),
            )
            if not person.get(key)
        ]
        if missing:
            missing_text = ", ".join(missing)
            self._error(_PERSON, f"élément(s) obligatoire(s) absent(s) : {missing_text}", line)
            return None
        birth_date = self._date(
            f"{_PERSON}/Identification/DTNAI",
            person["birth_date"],
            int(person.get("_line_birth_date", line)),
        )
        rights_and_duties = False
        if person.get("rights_and_duties"):
            value = self._boolean(
                f"{_PERSON}/MontantCalculDroitRSAPersonne/TOPPERSDRODEVORSA",
                person["rights_and_duties"],
                int(person.get("_line_rights_and_duties", line)),
            )
            rights_and_duties = bool(value)
        if birth_date is None:
            return None
        return {
            "role": role,
            "last_name": person["last_name"],
            "first_name": person["first_name"],
            "birth_date": birth_date,
            "france_travail_id": person.get("france_travail_id", ""),
            "rights_and_duties": rights_and_duties,
        }

    def _check_end(self) -> None:
        if self.header is None:
            self._read_header_or_fail()
            return
        if self._announced is None:
            self._error("Racine/TransmissionFlux", "élément obligatoire absent : NBTOTDOSRSATRANSM")
        elif not self._announced.isdigit() or int(self._announced) != self.households:
            self._error(
                "Racine/TransmissionFlux/NBTOTDOSRSATRANSM",
                f"le flux annonce {self._announced} foyer(s) mais en contient {self.households} : "
                "fichier incomplet ?",
            )

    def _read_header_or_fail(self) -> None:
        try:
            self._read_header()
        except _Stop:
            return
