"""The data of a large department, for measuring: ``manage.py seed_scale`` (PostgreSQL only).

The shape (100,000 people by default, scaled by ``--people``):

- one department, two territories; in each, a France Travail direction over agencies and a
  departmental direction over social-action units (a leaf organisation holds ≤ 15 % of the open
  accompaniments); 250 binômes of one advisor and one social worker each, a supervisor per
  organisation, an administrator and an auditor;
- one person and one accompaniment each: 30 % open (proposed, diagnostic, active, suspended),
  65 % closed, 5 % refused; the first binôme (the bench's advisor) follows 250 open ones and each
  territory half of them, so that a territorial supervisor sees 15,000;
- ~10 interviews and ~20 journal rows per accompaniment, an accord de partage for those entered,
  the guardian grants that mirror the pair, and, through the apps' extensions (orientation),
  diagnostics, obstacles, préconisations and decisions that agree with the denormalised columns.

Rows are generated in chunks of accompaniments and streamed with COPY through
:func:`partners.audit.audited_copy` (one audit row per table and chunk). Identifiers are reserved
from the tables' sequences. The journal rows are chained with :func:`casework.journal.row_hash`,
the same canonical JSON as :func:`casework.journal.record`, so ``audit_verify`` passes.
The non-constraint indexes and the foreign keys of the loaded tables are dropped before the load
and recreated (and validated) after it; then VACUUM (ANALYZE).
"""

import datetime
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection, models
from django.utils import timezone
from django.utils.crypto import get_random_string

from casework import partitions
from casework.enums import (
    PROFESSIONAL_AGREEMENT_METHODS,
    CaseState,
    DiagnosticState,
    EducationLevel,
    ExitReason,
    FileStage,
    InterviewChannel,
    JournalBasis,
    JournalChannel,
    OrientationPath,
    PayingBody,
    RsaRole,
    RsaStatus,
    ShareCategory,
    SuspensionReason,
)
from casework.journal import HASHED_FIELDS, row_hash
from casework.models import (
    GENESIS_HASH,
    Beneficiary,
    Case,
    CasePairPeriod,
    CaseUserObjectPermission,
    InformationShare,
    Interview,
    LedgerHead,
    SharingAgreement,
    Suspension,
)
from casework.permissions import GRANTS_BY_ROLE
from partners import services as partner_services
from partners.audit import audited_copy
from partners.enums import OrganisationKind, Role
from partners.models import Department, Organisation, Pair, Professional

#: How far back the seeded history goes: pairs formed then, their cases and journal after.
HISTORY_DAYS = 4 * 365

#: One row of a COPY into a table, in its columns' order.
Row = tuple[Any, ...]

SCALE_DEPARTMENT_CODE = "EC"
SCALE_DEPARTMENT_NAME = "Département d'essai de charge"
SCALE_EMAIL_DOMAIN = "echelle.binome.test"
DEFAULT_PEOPLE = 100_000
CHUNK = 2_000  # accompaniments per chunk: the rows of a chunk are the only ones held in memory

FIRST_NAMES = (  # noqa: SIM905 — a list of words reads better as text
    "Camille Louis Inès Hugo Jade Nathan Léa Tom Sophie Amina Karim Julie Mehdi Sarah Lucas "
    "Emma Nora Yanis Chloé Adam Manon Rayan Zoé Enzo Lina Noah Alice Sami Anaïs Théo Maëlys "
    "Ilyes Clara Paul Yasmine Jules Louise Bilal Eva Arthur Salomé Malik Rose Gabriel Lou "
    "Ibrahim Jeanne"
).split()
LAST_NAMES = (  # noqa: SIM905 — a list of words reads better as text
    "Martin Bernard Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau "
    "Vincent Muller Lefevre Faure Andre Mercier Blanc Guerin Boyer Garnier Chevalier "
    "Francois Legrand Gauthier Garcia Perrin Robin Clement Morin Nicolas Henry Roussel "
    "Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noel Meyer Dufour "
    "Meunier Brun Blanchard Giraud Joly Riviere Lucas Brunet Gaillard Barbier Arnaud "
    "Martinez Gerard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre "
    "Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoit Rey "
    "Leclerc Payet Rolland Leclercq Guillaume Lecomte"
).split()
CITIES = ("Lourdon", "Sainte-Ode", "Vallon-sur-Loue", "Beaufort", "Montcel", "Rivières")


@dataclass(frozen=True)
class ScalePlan:
    """How many of each, for ``people`` people (the proportions of a large department)."""

    people: int

    @property
    def open_cases(self) -> int:
        return round(self.people * 0.30)

    @property
    def refused_cases(self) -> int:
        return round(self.people * 0.05)

    @property
    def pairs_per_territory(self) -> int:
        return max(2, round(125 * self.people / DEFAULT_PEOPLE))

    @property
    def leaves_per_territory(self) -> int:
        return max(1, round(5 * self.people / DEFAULT_PEOPLE))

    @property
    def bench_open_cases(self) -> int:
        """The open accompaniments of the first binôme (the bench's advisor)."""
        return min(250, self.open_cases // 2 // 2)


@dataclass
class Person:
    """A professional of the seeded department, as the generator needs it."""

    pk: int
    role: str
    organisation: str
    job_title: str


@dataclass
class PairSeed:
    pk: int
    advisor: Person
    social_worker: Person
    territory: int


@dataclass
class CaseSeed:
    """One accompaniment as generated: what the extensions need to add their rows."""

    pk: int
    beneficiary_id: int
    pair: PairSeed
    state: str
    proposed_on: datetime.date
    started_on: datetime.date | None
    closed_on: datetime.date | None
    referent: Person
    orientation_path: str
    diagnostic_state: str
    education_level: str
    agreement_id: int | None = None
    agreement_categories: list[str] = field(default_factory=list)


@dataclass
class TableRows:
    """A chunk's rows for one table (one COPY, one audit row)."""

    model: type[models.Model]
    columns: Sequence[str]
    rows: list[tuple[Any, ...]]


#: An app's contribution: rows for a chunk of accompaniments.
Extension = Callable[["ChunkContext"], list[TableRows]]


@dataclass
class ChunkContext:
    cases: list[CaseSeed]
    rng: random.Random
    today: datetime.date
    reserve: Callable[[type[models.Model], int], int]


def log(message: str) -> None:
    sys.stderr.write(f"seed_scale : {message}\n")
    sys.stderr.flush()


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Take ``count`` consecutive identifiers from the table's sequence; return the first."""
    if count <= 0:
        return 0
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return int(last) - count + 1


def copy_rows(batch: TableRows, description: str) -> int:
    if not batch.rows:
        return 0
    return audited_copy(
        model=batch.model,
        actor=None,
        description=f"seed_scale — {description}",
        columns=batch.columns,
        rows=batch.rows,
    )


# -- grants: the one place that turns a pair into permission rows ----------------------------


def case_permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(
            content_type__app_label="casework", content_type__model="case"
        ).values_list("codename", "pk")
    )


def pair_grant_rows(
    case_id: int, pair: PairSeed, permission_ids: dict[str, int]
) -> Iterator[tuple[int, int, int]]:
    """(user id, permission id, case id) for every grant a case followed by ``pair`` carries:
    the same grants as :func:`casework.permissions.grant_pair`. Seeds of the direct table and of
    guardian's generic tables (the bench) both come from here."""
    for member in (pair.advisor, pair.social_worker):
        for codename in GRANTS_BY_ROLE[member.role]:
            yield member.pk, permission_ids[codename], case_id


# -- indexes: dropped before the load, rebuilt after ------------------------------------------


@dataclass
class DeferredDefinitions:
    indexes: list[str] = field(default_factory=list)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, def


def _check_pending_constraints(cursor: Any) -> None:
    if connection.in_atomic_block:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def drop_indexes_and_foreign_keys(tables: Iterable[str]) -> DeferredDefinitions:
    """Drop the non-constraint indexes (but the primary key) and the foreign keys of ``tables``,
    returning what to recreate. Unique and check constraints stay."""
    deferred = DeferredDefinitions()
    with connection.cursor() as cursor:
        # Inside an enclosing transaction (the tests), check the pending deferred foreign keys
        # now: ALTER TABLE refuses to run while trigger events are pending.
        _check_pending_constraints(cursor)
        for table in tables:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [table],
            )
            for name, definition in cursor.fetchall():
                # A partitioned table's index reads « ON ONLY »: recreated so, it would stay
                # invalid, on no partition; without ONLY it is built on every partition.
                deferred.indexes.append(definition.replace(" ON ONLY ", " ON ", 1))
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for name, definition in cursor.fetchall():
                deferred.foreign_keys.append((table, name, definition))
                cursor.execute(
                    f"ALTER TABLE {connection.ops.quote_name(table)} "
                    f"DROP CONSTRAINT {connection.ops.quote_name(name)}"
                )
    return deferred


def recreate(deferred: DeferredDefinitions) -> None:
    with connection.cursor() as cursor:
        _check_pending_constraints(cursor)
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for index, definition in enumerate(deferred.indexes, start=1):
            cursor.execute(definition)
            if index % 10 == 0 or index == len(deferred.indexes):
                log(f"index recréés : {index}/{len(deferred.indexes)}")
        for table, name, definition in deferred.foreign_keys:
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} "
                f"ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
        log(f"clés étrangères recréées et vérifiées : {len(deferred.foreign_keys)}")


@contextmanager
def indexes_built_after(tables: Sequence[str]) -> Iterator[None]:
    deferred = drop_indexes_and_foreign_keys(tables)
    log(
        f"{len(deferred.indexes)} index et {len(deferred.foreign_keys)} clés étrangères "
        "retirés le temps du chargement"
    )
    try:
        yield
    finally:  # even after a failure: never leave the tables without their indexes
        recreate(deferred)


@contextmanager
def journal_fork_check_off() -> Iterator[None]:
    """The journal's insert trigger that refuses a fork across months (PostgreSQL, partitioned:
    docs/architecture.md) probes every monthly partition for each row; off during the load,
    whose chains are built here from the heads and checked by ``audit_verify`` (as the owner,
    like the indexes above)."""
    if not partitions.partitioned():
        yield
        return
    statement = (
        "ALTER TABLE casework_informationshare {} TRIGGER casework_informationshare_refuse_fork"
    )
    with connection.cursor() as cursor:
        _check_pending_constraints(cursor)
        cursor.execute(statement.format("DISABLE"))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            _check_pending_constraints(cursor)
            cursor.execute(statement.format("ENABLE"))


# -- the department and its professionals ---------------------------------------------------


@dataclass
class Staff:
    department: Department
    pairs: list[PairSeed]
    supervisors: dict[str, Person]  # organisation name -> its supervisor
    organisations: dict[str, Organisation]


PROFESSIONAL_COLUMNS = (
    "id", "password", "is_superuser", "email", "first_name", "last_name", "organisation_id",
    "role", "is_social_correspondent", "job_title", "is_active", "is_staff", "date_joined",
    "enrolment_code_hash",
)  # fmt: skip


def department_code(index: int) -> str:
    """The scale departments' codes: « EC », then « EC2 », « EC3 »…"""
    return SCALE_DEPARTMENT_CODE if index == 0 else f"{SCALE_DEPARTMENT_CODE}{index + 1}"


def seed_staff(plan: ScalePlan, rng: random.Random, today: datetime.date, index: int = 0) -> Staff:
    department = partner_services.department_create(
        code=department_code(index),
        name=SCALE_DEPARTMENT_NAME + (f" n°{index + 1}" if index else ""),
        acting_user=None,
    )
    # Each department's professionals have addresses of their own (the e-mail is the login).
    domain = SCALE_EMAIL_DOMAIN if index == 0 else f"d{index + 1}.{SCALE_EMAIL_DOMAIN}"
    organisations: dict[str, Organisation] = {}

    def organisation(name: str, kind: str, parent: str | None) -> str:
        organisations[name] = partner_services.organisation_create(
            department=department,
            kind=kind,
            name=name,
            parent=organisations[parent] if parent else None,
            acting_user=None,
        )
        return name

    root = organisation("Conseil départemental — Direction de l'insertion", "department", None)
    leaves: dict[tuple[int, str], list[str]] = {}
    for territory, label in enumerate(("Nord", "Sud")):
        ft = organisation(
            f"France Travail — Direction territoriale {label}",
            OrganisationKind.FRANCE_TRAVAIL,
            None,
        )
        cd = organisation(f"Territoire d'action sociale {label}", OrganisationKind.DEPARTMENT, root)
        leaves[territory, Role.ADVISOR] = [
            organisation(
                f"France Travail — Agence {label} {n}", OrganisationKind.FRANCE_TRAVAIL, ft
            )
            for n in range(1, plan.leaves_per_territory + 1)
        ]
        leaves[territory, Role.SOCIAL_WORKER] = [
            organisation(f"Maison des solidarités {label} {n}", OrganisationKind.DEPARTMENT, cd)
            for n in range(1, plan.leaves_per_territory + 1)
        ]

    people: list[tuple[Person, str, str, str]] = []  # person, first, last, email

    def person(role: str, organisation_name: str, title: str, local: str) -> Person:
        p = Person(0, role, organisation_name, title)
        people.append((p, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), local))
        return p

    pair_members: list[tuple[Person, Person, int]] = []
    for territory in (0, 1):
        for n in range(plan.pairs_per_territory):
            advisor_orgs = leaves[territory, Role.ADVISOR]
            social_orgs = leaves[territory, Role.SOCIAL_WORKER]
            advisor = person(
                Role.ADVISOR,
                advisor_orgs[n % len(advisor_orgs)],
                "Conseiller·ère accompagnement global",
                f"conseiller.{territory}.{n}",
            )
            social = person(
                Role.SOCIAL_WORKER,
                social_orgs[n % len(social_orgs)],
                "Assistant·e de service social",
                f"social.{territory}.{n}",
            )
            pair_members.append((advisor, social, territory))
    supervisors = {
        name: person(Role.SUPERVISOR, name, "Responsable d'équipe", f"encadrant.{index}")
        for index, name in enumerate(organisations)
    }
    person(Role.ADMIN, root, "Administrateur·rice fonctionnel·le", "admin")
    person(Role.AUDITOR, root, "Délégué·e à la protection des données", "dpo")

    first_id = reserve_ids(Professional, len(people))
    rows = []
    now = timezone.now()
    for offset, (p, first, last, local) in enumerate(people):
        p.pk = first_id + offset
        rows.append(
            (
                p.pk,
                "!" + get_random_string(40),  # unusable: set one with changepassword
                False,
                f"{local}@{domain}",
                first,
                last,
                organisations[p.organisation].pk,
                p.role,
                False,
                p.job_title,
                True,
                False,
                now,
                "",  # no enrolment code: the operator gives one (manage.py enrolment_code)
            )  # fmt: skip
        )
    copy_rows(TableRows(Professional, PROFESSIONAL_COLUMNS, rows), "professionnel·les")

    first_pair = reserve_ids(Pair, len(pair_members))
    started = today - datetime.timedelta(days=HISTORY_DAYS)
    pairs = [
        PairSeed(first_pair + index, advisor, social, territory)
        for index, (advisor, social, territory) in enumerate(pair_members)
    ]
    copy_rows(
        TableRows(
            Pair,
            ("id", "department_id", "advisor_id", "social_worker_id", "started_on", "end_reason"),
            [(p.pk, department.pk, p.advisor.pk, p.social_worker.pk, started, "") for p in pairs],
        ),
        "binômes",
    )
    log(
        f"{len(people)} professionnel·les, {len(pairs)} binômes, {len(organisations)} organisations"
    )
    return Staff(department, pairs, supervisors, organisations)


# -- accompaniments -------------------------------------------------------------------------


def assign_cases(
    plan: ScalePlan, pairs: list[PairSeed], rng: random.Random
) -> list[tuple[int, str]]:
    """(pair index, state) of every accompaniment, in a shuffled order."""
    open_states = [CaseState.PROPOSED] * 5 + [CaseState.DIAGNOSTIC] * 15
    open_states += [CaseState.ACTIVE] * 75 + [CaseState.SUSPENDED] * 5
    per_territory = [
        [i for i, p in enumerate(pairs) if p.territory == territory] for territory in (0, 1)
    ]
    assignments: list[tuple[int, str]] = []
    half = plan.open_cases // 2
    for territory, members in enumerate(per_territory):
        count = half if territory == 0 else plan.open_cases - half
        if territory == 0:  # the first binôme: the bench's portefeuille of 250
            assignments += [
                (members[0], rng.choice(open_states)) for _ in range(plan.bench_open_cases)
            ]
            count -= plan.bench_open_cases
            members = members[1:]
        assignments += [(members[i % len(members)], rng.choice(open_states)) for i in range(count)]
    closed = plan.people - plan.open_cases - plan.refused_cases
    assignments += [(rng.randrange(len(pairs)), CaseState.CLOSED) for _ in range(closed)]
    assignments += [
        (rng.randrange(len(pairs)), CaseState.REFUSED) for _ in range(plan.refused_cases)
    ]
    rng.shuffle(assignments)
    return assignments


EXITS = [ExitReason.DURABLE_JOB] * 22 + [ExitReason.TRANSITION_JOB] * 12 + [ExitReason.IAE] * 8
EXITS += [ExitReason.TRAINING] * 14 + [ExitReason.BUSINESS_CREATION] * 3
EXITS += [ExitReason.REORIENTATION] * 10 + [ExitReason.MOVED] * 8 + [ExitReason.LOST_CONTACT] * 13
EXITS += [ExitReason.PERSONS_CHOICE] * 6 + [ExitReason.OTHER] * 4
PATHS = [OrientationPath.EMPLOI] * 45 + [OrientationPath.SOCIOPROFESSIONNEL] * 35
PATHS += [OrientationPath.SOCIAL] * 20
DIAGNOSTIC_DRAFT_STATES = [DiagnosticState.DRAFT] * 6 + [DiagnosticState.VALIDATED] * 2
DIAGNOSTIC_DRAFT_STATES += [DiagnosticState.CONTESTED, DiagnosticState.SIGNED]
SHARE_CHOICES = [c for c in ShareCategory.values if c != ShareCategory.SOCIAL_DETAILS]

BENEFICIARY_COLUMNS = (
    "id", "department_id", "first_name", "last_name", "birth_date", "france_travail_id",
    "rsa_paying_body", "rsa_number", "rsa_role", "rsa_rights_and_duties", "rsa_status", "phone",
    "email", "address", "postal_code", "city", "qpv_resident", "education_level", "created_at",
    "file_stage",
)  # fmt: skip
CASE_COLUMNS = (
    "id", "beneficiary_id", "pair_id", "referent_id", "state", "proposed_on", "entry_agreed_at",
    "entry_agreement_recorded_by_id", "refused_on", "started_on", "planned_end_on", "closed_on",
    "exit_reason", "last_contact_on", "last_interview_on", "last_interview_by_id",
    "last_referent_interview_on", "next_appointment_on", "orientation_path", "diagnostic_state",
    "next_action_due_on", "six_month_review_on", "six_month_review", "extended_times",
    "end_review_on", "end_review", "version", "created_at",
)  # fmt: skip
INTERVIEW_COLUMNS = (
    "id", "case_id", "author_id", "occurred_on", "channel", "three_way", "interpreter", "summary",
    "next_appointment_on", "created_at",
)  # fmt: skip
JOURNAL_COLUMNS = ("id", "hash", *HASHED_FIELDS)


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(
        day,
        datetime.time(
            8 + rng.randrange(10), rng.randrange(60), rng.randrange(60), rng.randrange(10**6)
        ),
        tzinfo=datetime.UTC,
    )


class Journal:
    """The department's chain, continued row by row as the chunks are generated."""

    def __init__(self, department_id: int) -> None:
        self.department_id = department_id
        self.seq = 0
        self.hash = GENESIS_HASH

    def row(self, pk: int, **values: Any) -> tuple[Any, ...]:
        self.seq += 1
        row = {
            "seq": self.seq,
            "prev_hash": self.hash,
            "department_id": self.department_id,
            "object_type": "",
            "object_id": "",
            "category": "",
            "recipient": "",
            "basis": JournalBasis.LEGAL.value,
            "basis_agreement_id": None,
            "ip": None,
            "request_id": "",
            **values,
        }
        self.hash = row_hash(row)
        return (pk, self.hash, *(row[name] for name in HASHED_FIELDS))


class Generator:
    def __init__(self, plan: ScalePlan, staff: Staff, seed: int, extensions: Sequence[Extension]):
        self.plan = plan
        self.staff = staff
        self.rng = random.Random(seed)  # noqa: S311 — reproducible test data  # noqa: S311 — reproducible test data, not secrets
        self.today = timezone.localdate()
        self.extensions = extensions
        self.journal = Journal(staff.department.pk)
        self.permission_ids = case_permission_ids()

    # One chunk of accompaniments: every row that belongs to them.
    def chunk(self, assignments: list[tuple[int, str]]) -> list[TableRows]:
        rng, today = self.rng, self.today
        n = len(assignments)
        first_case = reserve_ids(Case, n)
        first_person = reserve_ids(Beneficiary, n)
        beneficiaries, cases, periods, suspensions = [], [], [], []
        seeds: list[CaseSeed] = []
        interviews_by_case: list[list[Row]] = []
        for offset, (pair_index, state) in enumerate(assignments):
            pair = self.staff.pairs[pair_index]
            seed = self._case_seed(first_case + offset, first_person + offset, pair, state)
            seeds.append(seed)
            beneficiaries.append(self._beneficiary_row(seed))
        agreements = self._agreements(seeds)
        for seed in seeds:
            interviews = self._interviews(seed)
            interviews_by_case.append(interviews)
            cases.append(self._case_row(seed, interviews))
            periods.append((seed.pk, seed.pair.pk, seed.proposed_on, None, ""))
            if seed.state == CaseState.SUSPENDED:
                suspensions.append(
                    (
                        seed.pk,
                        rng.choice(SuspensionReason.values),
                        today - datetime.timedelta(days=rng.randrange(5, 60)),
                    )
                )
        flat_interviews = [row for rows in interviews_by_case for row in rows]
        first_interview = reserve_ids(Interview, len(flat_interviews))
        flat_interviews = [(first_interview + i, *row) for i, row in enumerate(flat_interviews)]
        grants = [
            row
            for seed in seeds
            for row in pair_grant_rows(seed.pk, seed.pair, self.permission_ids)
        ]
        first_grant = reserve_ids(CaseUserObjectPermission, len(grants))
        journal_rows = self._journal(seeds, interviews_by_case)
        first_period = reserve_ids(CasePairPeriod, len(periods))
        first_suspension = reserve_ids(Suspension, len(suspensions))
        batches = [
            TableRows(Beneficiary, BENEFICIARY_COLUMNS, beneficiaries),
            TableRows(Case, CASE_COLUMNS, cases),
            TableRows(
                CasePairPeriod,
                ("id", "case_id", "pair_id", "started_on", "ended_on", "reason"),
                [(first_period + i, *row) for i, row in enumerate(periods)],
            ),
            TableRows(
                Suspension,
                ("id", "case_id", "reason", "started_on"),
                [(first_suspension + i, *row) for i, row in enumerate(suspensions)],
            ),
            TableRows(
                SharingAgreement,
                (
                    "id",
                    "case_id",
                    "pair_id",
                    "categories",
                    "how_obtained",
                    "recorded_by_id",
                    "given_at",
                    "expires_on",
                ),  # fmt: skip
                agreements,
            ),
            TableRows(Interview, INTERVIEW_COLUMNS, flat_interviews),
            TableRows(
                CaseUserObjectPermission,
                ("id", "user_id", "permission_id", "content_object_id"),
                [(first_grant + i, *row) for i, row in enumerate(grants)],
            ),
            TableRows(InformationShare, JOURNAL_COLUMNS, journal_rows),
        ]
        context = ChunkContext(seeds, rng, today, reserve_ids)
        for extension in self.extensions:
            batches += extension(context)
        return batches

    def _case_seed(self, pk: int, person_pk: int, pair: PairSeed, state: str) -> CaseSeed:
        rng, today = self.rng, self.today
        days = datetime.timedelta
        started_on = closed_on = None
        path, diagnostic = "", ""
        if state == CaseState.PROPOSED:
            proposed_on = today - days(rng.randrange(0, 40))
        elif state == CaseState.REFUSED:
            proposed_on = today - days(rng.randrange(30, 1200))
        elif state == CaseState.DIAGNOSTIC:
            proposed_on = today - days(rng.randrange(15, 90))
            diagnostic = rng.choice(DIAGNOSTIC_DRAFT_STATES)
        elif state == CaseState.CLOSED:
            proposed_on = today - days(rng.randrange(400, 1200))
            started_on = proposed_on + days(rng.randrange(15, 45))
            closed_on = started_on + days(rng.randrange(180, 420))
            path, diagnostic = rng.choice(PATHS), DiagnosticState.LOCKED
        else:  # active, suspended
            proposed_on = today - days(rng.randrange(45, 360))
            started_on = proposed_on + days(rng.randrange(15, 40))
            if started_on > today:
                started_on = today
            path, diagnostic = rng.choice(PATHS), DiagnosticState.LOCKED
        referent = pair.social_worker if path == OrientationPath.SOCIAL else pair.advisor
        return CaseSeed(
            pk=pk,
            beneficiary_id=person_pk,
            pair=pair,
            state=state,
            proposed_on=proposed_on,
            started_on=started_on,
            closed_on=closed_on,
            referent=referent,
            orientation_path=path,
            diagnostic_state=diagnostic,
            education_level=rng.choice(EducationLevel.values),
        )

    def _beneficiary_row(self, seed: CaseSeed) -> Row:
        rng = self.rng
        born = self.today - datetime.timedelta(days=rng.randrange(18 * 365, 64 * 365))
        city = rng.randrange(len(CITIES))
        return (
            seed.beneficiary_id, self.staff.department.pk, rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES), born, f"{rng.randrange(10**7):07d}X",
            rng.choice(PayingBody.values), f"{rng.randrange(10**7):07d}",
            rng.choice(RsaRole.values), True, rng.choice(RsaStatus.values),
            f"06{rng.randrange(10**8):08d}", "",
            f"{rng.randrange(1, 120)} rue des Tilleuls", f"99{city}{rng.randrange(10):1d}0",
            CITIES[city], rng.random() < 0.3, seed.education_level, _at(seed.proposed_on, rng),
            FileStage.ACTIVE.value,
        )  # fmt: skip

    def _agreements(self, seeds: list[CaseSeed]) -> list[Row]:
        entered = [s for s in seeds if s.state not in (CaseState.PROPOSED, CaseState.REFUSED)]
        entered = [s for s in entered if self.rng.random() < 0.9]
        first = reserve_ids(SharingAgreement, len(entered))
        rows = []
        for offset, seed in enumerate(entered):
            seed.agreement_id = first + offset
            seed.agreement_categories = sorted(
                self.rng.sample(SHARE_CHOICES, self.rng.randrange(2, 6))
            )
            given = seed.started_on or seed.proposed_on + datetime.timedelta(days=7)
            expires = given + datetime.timedelta(days=365 + 31)
            rows.append(
                (
                    seed.agreement_id,
                    seed.pk,
                    seed.pair.pk,
                    _json_list(seed.agreement_categories),
                    self.rng.choice([str(method) for method in PROFESSIONAL_AGREEMENT_METHODS]),
                    seed.pair.social_worker.pk,
                    _at(given, self.rng),
                    expires,
                )
            )
        return rows

    def _interviews(self, seed: CaseSeed) -> list[Row]:
        """(case, author, occurred_on, channel, three_way, interpreter, summary, next, created)."""
        rng, today = self.rng, self.today
        if seed.state in (CaseState.PROPOSED, CaseState.REFUSED):
            return []
        if seed.state == CaseState.DIAGNOSTIC:
            first, count = seed.proposed_on, rng.randrange(1, 4)
            last = max(first, today - datetime.timedelta(days=rng.randrange(0, 20)))
        elif seed.state == CaseState.CLOSED:
            first, last = _day(seed.started_on), _day(seed.closed_on)
            count = max(2, round((last - first).days / 25) + rng.randrange(0, 3))
        else:
            first = _day(seed.started_on)
            # most people were seen by their référent within the month; about 15 % were not
            gap = rng.randrange(0, 28) if rng.random() < 0.85 else rng.randrange(31, 90)
            last = max(first, today - datetime.timedelta(days=gap))
            count = max(1, round((last - first).days / 25) + 1)
        step = max(1, (last - first).days // count)
        rows = []
        for index in range(count):
            day = last - datetime.timedelta(days=index * step)
            if day < first:
                day = first
            author = seed.referent if index == 0 or rng.random() < 0.7 else (
                seed.pair.social_worker if seed.referent is seed.pair.advisor else seed.pair.advisor
            )  # fmt: skip
            next_on = day + datetime.timedelta(days=rng.randrange(14, 35)) if index == 0 else None
            rows.append(
                (
                    seed.pk,
                    author.pk,
                    day,
                    rng.choice(InterviewChannel.values),
                    index == count - 1,
                    rng.random() < 0.05,
                    "",
                    next_on,
                    _at(day, rng),
                )  # fmt: skip
            )
        return rows

    def _case_row(self, seed: CaseSeed, interviews: list[Row]) -> Row:
        rng = self.rng
        last = interviews[0] if interviews else None
        referent_days = [row[2] for row in interviews if row[1] == seed.referent.pk]
        entered = seed.state not in (CaseState.PROPOSED, CaseState.REFUSED)
        agreed_at = _at(seed.proposed_on + datetime.timedelta(days=3), rng) if entered else None
        planned_end = (
            seed.started_on + datetime.timedelta(days=365) if seed.started_on is not None else None
        )
        closed = seed.state == CaseState.CLOSED
        refused = seed.state == CaseState.REFUSED
        refused_on = seed.proposed_on + datetime.timedelta(days=5) if refused else None
        six_months = (
            seed.started_on + datetime.timedelta(days=182)
            if seed.started_on and seed.started_on + datetime.timedelta(days=182) < self.today
            else None
        )
        return (
            seed.pk, seed.beneficiary_id, seed.pair.pk, seed.referent.pk, seed.state,
            seed.proposed_on, agreed_at, seed.pair.social_worker.pk if entered else None,
            refused_on,
            seed.started_on, planned_end, seed.closed_on,
            rng.choice(EXITS) if closed else "",
            last[2] if last else None, last[2] if last else None, last[1] if last else None,
            max(referent_days) if referent_days else None, last[7] if last and not closed else None,
            seed.orientation_path, seed.diagnostic_state, None, six_months, "", 0,
            seed.closed_on if closed else None, "", 1, _at(seed.proposed_on, rng),
        )  # fmt: skip

    def _journal(self, seeds: list[CaseSeed], interviews_by_case: list[list[Row]]) -> list[Row]:
        """About 20 rows per accompaniment: the grant, the accord, each view of the social notes
        (by the social worker) and of what the accord lets cross (by the advisor), prints."""
        rng = self.rng
        pending: list[dict[str, Any]] = []
        for seed, interviews in zip(seeds, interviews_by_case, strict=True):
            pair = seed.pair
            label = f"Binôme n°{pair.pk}"
            pending.append(
                self._entry(
                    seed,
                    None,
                    seed.proposed_on,
                    JournalChannel.GRANT,
                    "Accompagnement proposé : droits d'accès donnés au binôme",
                    recipient=label,
                )  # fmt: skip
            )
            if seed.agreement_id is not None:
                pending.append(
                    self._entry(
                        seed,
                        pair.social_worker,
                        seed.started_on or seed.proposed_on,
                        JournalChannel.AGREEMENT_GIVEN,
                        "Accord de partage recueilli",
                        categories=seed.agreement_categories,
                        recipient=label,
                        agreement=seed.agreement_id,
                        object_type="accord de partage",
                        object_id=str(seed.agreement_id),
                    )  # fmt: skip
                )
            for row in interviews:
                day = row[2]
                pending.append(
                    self._entry(
                        seed,
                        pair.social_worker,
                        day,
                        JournalChannel.VIEW,
                        "Consultation des notes sociales de l'accompagnement",
                        categories=["social_notes"],
                        object_type="notes sociales",
                        object_id=str(rng.randrange(10**6)),
                    )  # fmt: skip
                )
                if seed.agreement_id is not None and rng.random() < 0.55:
                    pending.append(
                        self._entry(
                            seed,
                            pair.advisor,
                            day,
                            JournalChannel.VIEW,
                            "Consultation du diagnostic partagé",
                            categories=[c for c in seed.agreement_categories if c.startswith("o")]
                            or seed.agreement_categories[:1],
                            agreement=seed.agreement_id,
                            object_type="diagnostic",
                        )  # fmt: skip
                    )
                if rng.random() < 0.2:
                    pending.append(
                        self._entry(
                            seed,
                            rng.choice((pair.advisor, pair.social_worker)),
                            day,
                            JournalChannel.PRINT,
                            "Convocation remise à la personne",
                            recipient="la personne accompagnée",
                            object_type="convocation",
                        )  # fmt: skip
                    )
        first = reserve_ids(InformationShare, len(pending))
        return [self.journal.row(first + i, **values) for i, values in enumerate(pending)]

    def _entry(
        self,
        seed: CaseSeed,
        actor: Person | None,
        day: datetime.date,
        channel: str,
        purpose: str,
        *,
        categories: Iterable[str] = (),
        recipient: str = "",
        agreement: int | None = None,
        object_type: str = "",
        object_id: str = "",
    ) -> dict[str, Any]:
        rng = self.rng
        return {
            "at": _at(day, rng),
            "actor_id": actor.pk if actor else None,
            "actor_organisation": actor.organisation if actor else "",
            "actor_job_title": actor.job_title if actor else "",
            "case_id": seed.pk,
            "beneficiary_id": seed.beneficiary_id,
            "object_type": object_type,
            "object_id": object_id,
            "category": ",".join(sorted(set(categories))),
            "recipient": recipient,
            "basis": (JournalBasis.AGREEMENT if agreement else JournalBasis.LEGAL).value,
            "basis_agreement_id": agreement,
            "purpose": purpose,
            "channel": str(channel),
            "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            if actor
            else None,
            "request_id": f"{rng.getrandbits(128):032x}" if actor else "",
        }


def _day(value: datetime.date | None) -> datetime.date:
    if value is None:
        raise ValueError("date attendue")
    return value


def _json_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


# -- the whole load -------------------------------------------------------------------------


LOADED_MODELS: tuple[type[models.Model], ...] = (
    Beneficiary,
    Case,
    CasePairPeriod,
    Suspension,
    SharingAgreement,
    Interview,
    CaseUserObjectPermission,
    InformationShare,
)

#: Written through the services (a few hundred rows), analysed with the loaded tables.
STAFF_MODELS: tuple[type[models.Model], ...] = (Department, Organisation, Professional, Pair)


def scale_department() -> Department | None:
    """The first scale department: the one the bench measures."""
    return Department.objects.filter(code=SCALE_DEPARTMENT_CODE).first()


def scale_departments() -> int:
    """How many scale departments the database holds."""
    codes = [SCALE_DEPARTMENT_CODE] + [department_code(index) for index in range(1, 100)]
    return Department.objects.filter(code__in=codes).count()


@dataclass
class SeedReport:
    people: int
    seconds: float
    rows: dict[str, int]


def seed(
    *,
    people: int,
    departments: int = 1,
    seed: int = 2026,
    extensions: Sequence[Extension] = (),
    extension_models: Sequence[type[models.Model]] = (),
) -> SeedReport:
    """Load ``departments`` departments of ``people`` people each (refuses if a scale
    department is already there). The first is « EC », the one the bench measures; the others
    (« EC2 »…) have the same shape and their own professionals, journal chain and people."""
    started = time.monotonic()
    plan = ScalePlan(people)
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    rows: dict[str, int] = {}
    # The journal's months, back to the oldest seeded day: not into its default partition.
    partitions.journal_partitions_create(
        today=today, since=today - datetime.timedelta(days=HISTORY_DAYS + 62)
    )
    tables = [m._meta.db_table for m in (*LOADED_MODELS, *extension_models)]
    with indexes_built_after(tables), journal_fork_check_off():
        for index in range(departments):
            # The first department is the same whatever the number of departments.
            rng = random.Random(seed + index)  # noqa: S311 — reproducible test data
            staff = seed_staff(plan, rng, today, index)
            assignments = assign_cases(plan, staff.pairs, rng)
            generator = Generator(plan, staff, seed + index, extensions)
            where = f"département {index + 1}/{departments} : " if departments > 1 else ""
            for start in range(0, len(assignments), CHUNK):
                for batch in generator.chunk(assignments[start : start + CHUNK]):
                    label = str(batch.model._meta.verbose_name_plural)
                    rows[label] = rows.get(label, 0) + copy_rows(batch, label)
                done = min(start + CHUNK, len(assignments))
                elapsed = time.monotonic() - started
                log(
                    f"{where}{done:>7} / {len(assignments)} accompagnements "
                    f"({100 * done // len(assignments)} %), {elapsed:.0f} s"
                )
            LedgerHead.objects.update_or_create(
                department=staff.department,
                defaults={"seq": generator.journal.seq, "hash": generator.journal.hash},
            )
    # VACUUM sets the visibility map (index-only scans) and the hint bits once, here, rather than
    # on the first reads; it cannot run inside a transaction (the tests): ANALYZE alone there.
    # The staff's tables too: without their statistics (a server without autovacuum, or before
    # its first pass) the planner believes a department has 3 pairs, and the partner API's
    # listing sorts the department's 95,000 cases on every page instead of walking the index.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in [*tables, *(m._meta.db_table for m in STAFF_MODELS)]:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
    log(f"{command} fait")
    return SeedReport(people * departments, time.monotonic() - started, rows)
