"""seed_scale: a large department loaded by COPY, whose journal verifies and whose grants work."""

import random
from collections import Counter
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from casework import scale
from casework.enums import OPEN_STATES, AppointmentOutcome, CaseState
from casework.models import (
    Appointment,
    Beneficiary,
    Case,
    CaseUserObjectPermission,
    InformationShare,
    Interview,
    SharingAgreement,
)
from orientation.models import ActionPlan, Diagnostic, OrientationDecision
from partners.models import Department, Pair, Professional

PEOPLE = 1000


def _audit_verify() -> int:
    try:
        call_command("audit_verify", stdout=StringIO())
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _one_journal_partition(cursor) -> str:
    """The journal itself when it is not partitioned (SQLite never gets here)."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid "
        "WHERE h.inhparent = 'casework_informationshare'::regclass ORDER BY 1 DESC LIMIT 1"
    )
    row = cursor.fetchone()
    return row[0] if row else "casework_informationshare"


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_loads_a_department_whose_journal_verifies():
    call_command("seed_scale", people=PEOPLE, stdout=StringIO())

    department = scale.scale_department()
    assert department is not None
    assert _audit_verify() == 0
    cases = Case.objects.filter(pair__department=department)
    states = Counter(cases.values_list("state", flat=True))
    assert Beneficiary.objects.filter(department=department).count() == PEOPLE
    assert sum(states.values()) == PEOPLE
    assert sum(states[state] for state in OPEN_STATES) == PEOPLE * 30 // 100
    assert states[CaseState.REFUSED] == PEOPLE * 5 // 100
    # the proportions of a large department: ~10 interviews and ~20 journal rows per person
    assert 8 * PEOPLE <= Interview.objects.count() <= 12 * PEOPLE
    assert 16 * PEOPLE <= InformationShare.objects.count() <= 24 * PEOPLE
    assert CaseUserObjectPermission.objects.count() == 5 * PEOPLE
    entered = PEOPLE - states[CaseState.PROPOSED] - states[CaseState.REFUSED]
    assert 0.8 * entered <= SharingAgreement.objects.count() <= entered
    assert Diagnostic.objects.count() == cases.exclude(diagnostic_state="").count()
    assert OrientationDecision.objects.count() == cases.exclude(orientation_path="").count()
    # what the supervisors' delays measure after the decision: a first appointment held with the
    # référent·e, then the contrat d'engagement, each after the step before
    held = Appointment.objects.filter(outcome=AppointmentOutcome.HELD).select_related("case")
    assert 0.5 * OrientationDecision.objects.count() <= held.count()
    decided = dict(OrientationDecision.objects.values_list("case_id", "decided_on"))
    first_held = {}
    for appointment in held:
        assert appointment.with_whom_id == appointment.case.referent_id
        assert timezone.localdate(appointment.planned_at) > decided[appointment.case_id]
        first_held[appointment.case_id] = timezone.localdate(appointment.planned_at)
    plans = ActionPlan.objects.all()
    assert 0.5 * len(first_held) <= plans.count() <= len(first_held)
    assert all(plan.contract_signed_on >= first_held[plan.case_id] for plan in plans)
    # the indexes dropped for the load are back, valid, on every partition of the journal
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass",
            [_one_journal_partition(cursor)],
        )
        # the table's seven (its key, four (x, at), the rights' changes, the agreement's foreign
        # key: migration 0035) and the month's two unique ones of the chain
        assert cursor.fetchone()[0] == 9


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_writes_one_audit_row_per_batch():
    before = LogEntry.objects.filter(object_pk="*").count()

    call_command("seed_scale", people=PEOPLE, stdout=StringIO())

    batches = LogEntry.objects.filter(object_pk="*", changes_text__startswith="seed_scale")
    assert LogEntry.objects.filter(object_pk="*").count() - before == batches.count()
    per_table = Counter(batches.values_list("content_type__model", flat=True))
    # professionals and pairs once; each table of accompaniments once per chunk
    assert (per_table["professional"], per_table["pair"], per_table["case"]) == (1, 1, 1)
    assert per_table["informationshare"] == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_seeded_advisor_sees_exactly_the_cases_of_their_pair():
    call_command("seed_scale", people=PEOPLE, stdout=StringIO())
    pair = Pair.objects.filter(department=scale.scale_department()).order_by("pk").first()
    assert pair is not None

    visible = Case.objects.visible_to(pair.advisor)

    assert set(visible.values_list("pk", flat=True)) == set(
        Case.objects.filter(pair=pair).values_list("pk", flat=True)
    )
    assert visible.open().count() == scale.ScalePlan(PEOPLE).bench_open_cases
    assert set(Case.objects.visible_to(pair.social_worker)) == set(visible)


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_refuses_a_second_load():
    call_command("seed_scale", people=100, stdout=StringIO())
    with pytest.raises(CommandError, match="déjà le département d'essai"):
        call_command("seed_scale", people=100, stdout=StringIO())


@pytest.mark.django_db
def test_seed_scale_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="il faut PostgreSQL"):
        call_command("seed_scale", people=100, stdout=StringIO())


class _Pair:
    def __init__(self, territory: int) -> None:
        self.territory = territory


def test_default_plan_spreads_open_cases_over_organisations():
    """At the default scale no organisation holds more than 15 % of the open accompaniments,
    a territory holds half of them (15,000) and the bench's binôme 250."""
    plan = scale.ScalePlan(scale.DEFAULT_PEOPLE)
    pairs = [_Pair(territory) for territory in (0, 1) for _ in range(plan.pairs_per_territory)]
    assignments = scale.assign_cases(plan, pairs, random.Random(1))  # type: ignore[arg-type]
    open_cases = [pair for pair, state in assignments if state in OPEN_STATES]
    per_pair = Counter(open_cases)
    # pair n of a territory sits in leaf organisation n % leaves (see seed_staff)
    per_leaf = Counter(
        (pairs[index].territory, (index % plan.pairs_per_territory) % plan.leaves_per_territory)
        for index in open_cases
    )

    assert (len(pairs), len(open_cases)) == (250, 30_000)
    assert per_pair[0] == 250
    assert sum(n for (territory, _), n in per_leaf.items() if territory == 0) == 15_000
    assert max(per_leaf.values()) <= 0.15 * len(open_cases)
    assert Counter(state for _, state in assignments)[CaseState.CLOSED] == 65_000


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_loads_several_departments_each_whole_and_apart():
    """``--departments 3``: three departments of the same shape, each with its own people,
    professionals and journal chain; a professional sees only the cases of their department."""
    call_command("seed_scale", people=200, departments=3, stdout=StringIO())

    departments = list(Department.objects.filter(code__startswith="EC").order_by("code"))
    assert [department.code for department in departments] == ["EC", "EC2", "EC3"]
    assert scale.scale_departments() == 3
    for department in departments:
        assert Beneficiary.objects.filter(department=department).count() == 200
        assert InformationShare.objects.filter(department=department).exists()
    assert _audit_verify() == 0  # every department's chain, from its genesis
    emails = list(Professional.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails))
    advisor = Pair.objects.filter(department=departments[2]).order_by("pk").first().advisor
    assert set(
        Case.objects.visible_to(advisor).values_list("pair__department__code", flat=True)
    ) == {"EC3"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_refuses_a_number_of_departments_out_of_range():
    with pytest.raises(CommandError, match="Entre 1 et 20 départements"):
        call_command("seed_scale", people=100, departments=0, stdout=StringIO())
    assert scale.scale_department() is None
