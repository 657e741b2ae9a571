"""Lists of people to follow (CSV or XLSX, e.g. a France Travail or department export), issue 24.

Three steps, each recomputed from the file itself (nothing of the file is stored before the
import): ``read_table`` turns the file into a header and rows of text; the administrator maps
columns to fields (``guess_mapping`` proposes a mapping from the headers); ``preview`` gives each
row its outcome — a new person, already known (same France Travail identifier), a duplicate
suspected (same birth date and a name alike, below), or refused with the reason. The import
itself is ``services.people_list_import``: all or nothing.

Duplicate suspicion, for a row with a birth date, against the department's people born that day
and the rows above it in the file:

- everywhere: the same *name key* — first names and surname together, without accents, case,
  hyphens, apostrophes or extra spaces, words sorted (« Jean-Pierre DUPONT » and « DUPONT Jean
  Pierre » give « dupont jean pierre »);
- on PostgreSQL, also pg_trgm's similarity of the unaccented names at least
  ``SIMILARITY_THRESHOLD`` (typing errors: « Mohamed BENALI » and « Mohammed BEN ALI »), computed
  for every row of the file in one query (``_similar_on_postgresql``).
"""

import csv
import datetime
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection

from casework.enums import CLOSED_FILE_STAGES
from casework.errors import InvalidInput
from casework.imports.services import name_key
from casework.models import Beneficiary, Case
from casework.services.cases import check_birth_date

#: The largest list the page takes, and its most rows: a list is a few hundred people.
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
#: pg_trgm similarity from which two names born the same day are suspected to be one person.
SIMILARITY_THRESHOLD = 0.5


class ListError(Exception):
    """The file cannot be read as a list (the message is French)."""


class Target(StrEnum):
    """The fields of a person a column may fill."""

    LAST_NAME = "last_name"
    FIRST_NAME = "first_name"
    BIRTH_DATE = "birth_date"
    FRANCE_TRAVAIL_ID = "france_travail_id"
    PHONE = "phone"
    EMAIL = "email"


TARGET_LABELS: dict[Target, str] = {
    Target.LAST_NAME: "Nom",
    Target.FIRST_NAME: "Prénom",
    Target.BIRTH_DATE: "Date de naissance",
    Target.FRANCE_TRAVAIL_ID: "Identifiant France Travail",
    Target.PHONE: "Téléphone",
    Target.EMAIL: "E-mail",
}
REQUIRED = (Target.LAST_NAME, Target.FIRST_NAME, Target.BIRTH_DATE)
#: Header words that point to a target (compared as name keys).
_HEADER_WORDS: dict[Target, tuple[str, ...]] = {
    Target.LAST_NAME: ("nom", "nom de famille", "nom d usage", "last name", "surname"),
    Target.FIRST_NAME: ("prenom", "prenoms", "first name"),
    Target.BIRTH_DATE: ("date de naissance", "ne le", "nee le", "naissance", "birth date"),
    Target.FRANCE_TRAVAIL_ID: (
        "identifiant france travail",
        "identifiant ft",
        "id france travail",
        "identifiant pole emploi",
        "idassedic",
    ),
    Target.PHONE: ("telephone", "tel", "portable", "mobile"),
    Target.EMAIL: ("e mail", "email", "courriel", "adresse electronique", "mel"),
}


class Outcome(StrEnum):
    NEW = "new"
    KNOWN = "known"
    FOLLOWED = "followed"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


OUTCOME_LABELS = {
    Outcome.NEW: "Nouvelle personne",
    Outcome.KNOWN: "Déjà connue",
    Outcome.FOLLOWED: "Déjà accompagnée",
    Outcome.DUPLICATE: "Doublon possible",
    Outcome.REFUSED: "Refusée",
}


@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Row:
    """One row of the list with its outcome; ``line``: its line in the file (the header is 1)."""

    line: int
    values: dict[str, Any]
    outcome: Outcome = Outcome.NEW
    reason: str = ""
    match: Beneficiary | None = None
    #: Whether the row has a box to tick: not a person already accompanied, nor a known person
    #: when no binôme is chosen (there is nothing to do for them).
    selectable: bool = True

    @property
    def birth_text(self) -> str:
        birth = self.values[Target.BIRTH_DATE]
        return f"{birth:%d/%m/%Y}" if isinstance(birth, datetime.date) else str(birth)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def ticked_by_default(self) -> bool:
        """New people are imported; refused rows stop the import until unticked; a duplicate
        suspected is created only if the administrator ticks it; a known person not accompanied
        is proposed to the binôme chosen, if any; a person already accompanied is left."""
        return self.selectable and self.outcome in (Outcome.NEW, Outcome.REFUSED, Outcome.KNOWN)

    @property
    def can_import(self) -> bool:
        """A person to create (new, or a duplicate the administrator ticked)."""
        return self.outcome in (Outcome.NEW, Outcome.DUPLICATE)


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {OUTCOME_LABELS[outcome]: self.count(outcome) for outcome in Outcome}


# Reading ------------------------------------------------------------------------------------


def read_table(name: str, data: bytes) -> Table:
    """The list's header and rows as text; CSV (UTF-8 or Windows-1252, « ; », « , » or
    tabulation) or XLSX (its first sheet)."""
    if not data:
        raise ListError("Ce fichier est vide.")
    if len(data) > MAX_BYTES:
        raise ListError("Ce fichier dépasse 1 Mo : découpez la liste en plusieurs fichiers.")
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif name.lower().endswith((".xlsx", ".xls")):
        raise ListError("Ce fichier n'est pas un classeur XLSX lisible : enregistrez-le en XLSX.")
    else:
        rows = _csv_rows(data)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ListError("La liste doit avoir une ligne d'en-tête puis au moins une personne.")
    if len(rows) - 1 > MAX_ROWS:
        raise ListError(f"La liste dépasse {MAX_ROWS} personnes : découpez-la.")
    header = [cell.strip() for cell in rows[0]]
    width = len(header)
    body = [(row + [""] * width)[:width] for row in rows[1:]]
    return Table(name=name, header=header, rows=body)


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly every byte; the five it does not land here
        raise ListError("Ce fichier n'est ni en UTF-8 ni en Windows-1252.")
    if "\x00" in text:
        raise ListError("Ce fichier n'est pas un fichier texte CSV.")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ListError("Ce fichier n'est pas un classeur XLSX lisible.") from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Mapping ------------------------------------------------------------------------------------


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Each target with the first column whose header names it ("" when none does)."""
    keys = [name_key(cell) for cell in header]
    mapping: dict[str, str] = {}
    for target, words in _HEADER_WORDS.items():
        found = next((str(i) for i, key in enumerate(keys) if key in words), "")
        mapping[target] = found
    return mapping


# The rows -----------------------------------------------------------------------------------


def person_key(first_name: str, last_name: str) -> str:
    """First names and surname as one key: no accents, case, hyphens or extra spaces, words
    sorted (so that a surname written first, or two first names joined, compare equal)."""
    return " ".join(sorted(name_key(f"{first_name} {last_name}").split()))


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _date(text: str) -> datetime.date:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError(text)


def _parse(line: int, cells: list[str], mapping: dict[str, str]) -> Row:
    def cell(target: Target) -> str:
        column = mapping.get(target, "")
        return cells[int(column)].strip() if column.isdigit() and int(column) < len(cells) else ""

    values: dict[str, Any] = {target.value: cell(target) for target in Target}
    row = Row(line=line, values=values)
    problems = []
    for target in (Target.LAST_NAME, Target.FIRST_NAME):
        text = values[target]
        if not text:
            problems.append(f"{TARGET_LABELS[target]} manquant")
        elif len(text) > 150:
            problems.append(f"{TARGET_LABELS[target]} trop long (150 caractères au plus)")
    birth = values[Target.BIRTH_DATE]
    if not birth:
        problems.append("Date de naissance manquante")
    else:
        try:
            values[Target.BIRTH_DATE] = _date(birth)
            check_birth_date(values[Target.BIRTH_DATE])
        except ValueError:
            problems.append(f"Date de naissance « {birth} » illisible (attendu : JJ/MM/AAAA)")
        except InvalidInput as error:
            problems.append(error.message)
    identifier = values[Target.FRANCE_TRAVAIL_ID].replace(" ", "").upper()
    values[Target.FRANCE_TRAVAIL_ID] = identifier
    if identifier and (len(identifier) > 20 or not identifier.isalnum()):
        problems.append(f"Identifiant France Travail « {identifier[:30]} » invalide")
    phone = values[Target.PHONE]
    if phone and (len(phone) > 20 or not all(c.isdigit() or c in " +.-()" for c in phone)):
        problems.append(f"Téléphone « {phone[:30]} » invalide")
    email = values[Target.EMAIL]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"E-mail « {email[:60]} » invalide")
    if problems:
        row.outcome, row.reason = Outcome.REFUSED, " ; ".join(problems)
    return row


def preview(
    *, department_id: int, table: Table, mapping: dict[str, str], propose: bool = False
) -> Preview:
    """Each row of ``table`` with its outcome: three queries (four on PostgreSQL), whatever the
    number of rows. ``propose``: a binôme is chosen, so a known person without an accompaniment
    under way can be proposed to it."""
    result = Preview(rows=[_parse(i, cells, mapping) for i, cells in enumerate(table.rows, 2)])
    valid = [row for row in result.rows if row.outcome != Outcome.REFUSED]
    people = Beneficiary.objects.filter(department_id=department_id).exclude(
        file_stage__in=CLOSED_FILE_STAGES
    )
    identifiers = {row.values[Target.FRANCE_TRAVAIL_ID] for row in valid} - {""}
    known = {
        person.france_travail_id: person
        for person in people.filter(france_travail_id__in=identifiers).only(
            "pk", "first_name", "last_name", "birth_date", "france_travail_id"
        )
    }
    followed = dict(
        Case.objects.open()
        .filter(beneficiary__in=[person.pk for person in known.values()])
        .values_list("beneficiary_id", "pk")
    )
    births = {row.values[Target.BIRTH_DATE] for row in valid}
    by_birth: dict[datetime.date, list[Beneficiary]] = {}
    for person in people.filter(birth_date__in=births).only(
        "pk", "first_name", "last_name", "birth_date", "france_travail_id"
    ):
        by_birth.setdefault(person.birth_date, []).append(person)
    similar = (
        _similar_on_postgresql(department_id, valid) if connection.vendor == "postgresql" else {}
    )
    seen: dict[tuple[str, datetime.date], int] = {}
    seen_ids: dict[str, int] = {}
    for row in valid:
        birth, identifier = row.values[Target.BIRTH_DATE], row.values[Target.FRANCE_TRAVAIL_ID]
        key = person_key(row.values[Target.FIRST_NAME], row.values[Target.LAST_NAME])
        if identifier and identifier in known and known[identifier].pk in followed:
            row.outcome, row.match = Outcome.FOLLOWED, known[identifier]
            row.reason = (
                f"{_who(known[identifier])} : accompagnement "
                f"n°{followed[known[identifier].pk]} en cours"
            )
            row.selectable = False
        elif identifier and identifier in known:
            row.outcome, row.match = Outcome.KNOWN, known[identifier]
            row.reason = f"Même identifiant France Travail que {_who(known[identifier])}"
            row.selectable = propose
        elif identifier and identifier in seen_ids:
            row.outcome = Outcome.DUPLICATE
            row.reason = f"Même identifiant France Travail que la ligne {seen_ids[identifier]}"
        elif match := _same_name(key, by_birth.get(birth, []), similar.get(row.line, set())):
            row.outcome, row.match = Outcome.DUPLICATE, match
            row.reason = f"Même date de naissance et nom proche de {_who(match)}"
        elif (key, birth) in seen:
            row.outcome = Outcome.DUPLICATE
            row.reason = f"Même personne que la ligne {seen[(key, birth)]} du fichier"
        seen.setdefault((key, birth), row.line)
        if identifier:
            seen_ids.setdefault(identifier, row.line)
    return result


def _who(person: Beneficiary) -> str:
    return f"{person.first_name} {person.last_name}, né·e le {person.birth_date:%d/%m/%Y}"


def _same_name(
    key: str, candidates: Iterable[Beneficiary], similar: set[int]
) -> Beneficiary | None:
    for person in candidates:
        if person.pk in similar or person_key(person.first_name, person.last_name) == key:
            return person
    return None


def _similar_on_postgresql(department_id: int, rows: list[Row]) -> dict[int, set[int]]:
    """For each row (by line), the department's people born the same day whose unaccented names
    have a pg_trgm similarity of at least ``SIMILARITY_THRESHOLD`` with the row's: one query for
    the whole file (the rows are joined as arrays; ``TrigramSimilarity`` takes one value per
    query, so it would be one query per row)."""
    if not rows:
        return {}
    lines = [row.line for row in rows]
    births = [row.values[Target.BIRTH_DATE] for row in rows]
    names = [
        _unaccented(f"{row.values[Target.FIRST_NAME]} {row.values[Target.LAST_NAME]}")
        for row in rows
    ]
    table = Beneficiary._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT r.line, b.id
            FROM unnest(%s::integer[], %s::date[], %s::text[]) AS r(line, birth, name)
            JOIN {table} b ON b.department_id = %s AND b.birth_date = r.birth
            WHERE NOT (b.file_stage = ANY(%s))
              AND similarity(unaccent(lower(b.first_name || ' ' || b.last_name)), r.name) >= %s
            """,  # noqa: S608 - the table name is the model's, every value a parameter
            [lines, births, names, department_id, list(CLOSED_FILE_STAGES), SIMILARITY_THRESHOLD],
        )
        found: dict[int, set[int]] = {}
        for line, person_id in cursor.fetchall():
            found.setdefault(line, set()).add(person_id)
    return found
