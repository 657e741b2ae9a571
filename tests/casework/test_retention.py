"""The life of the file, with the clock moved: notice, archive, disposal only with the visa."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from casework import retention, services
from casework.enums import CaseState, FileStage
from casework.models import Beneficiary, Case, InformationShare, Interview, SpaceAccess
from casework.services._base import save
from orientation.supervision import dashboard
from partners.enums import Role
from partners.errors import InvalidTransition
from partners.models import Professional
from tests.casework.factories import CaseFactory, SocialRequestFactory
from tests.casework.rights_factories import complete_file
from tests.conftest import log_in
from tests.partners.factories import ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Days:
    """The life of a file closed today, with the department's default durations."""

    closed_on: datetime.date  # today, when the test data is written
    notice_on: datetime.date  # + 2 years (the default active duration)
    archive_on: datetime.date  # + 30 days (the default notice delay)
    disposal_on: datetime.date  # + 5 years (the default archive duration)


@pytest.fixture
def days(today: datetime.date) -> Days:
    notice_on = today + relativedelta(years=2)
    archive_on = notice_on + datetime.timedelta(days=30)
    return Days(today, notice_on, archive_on, archive_on + relativedelta(years=5))


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(3, 0)), tick=False)


def closed_case(days: Days, **kwargs) -> Case:
    with at(days.closed_on):
        return CaseFactory(state=CaseState.CLOSED, **kwargs)


def run(day: datetime.date, capture) -> retention.RetentionReport:
    with at(day), capture(execute=True):
        return retention.retention_run()


def stage(case: Case) -> str:
    return Beneficiary.objects.get(pk=case.beneficiary_id).file_stage


def auditor_of(case: Case):
    return ProfessionalFactory(
        role=Role.AUDITOR, organisation__department=case.beneficiary.department
    )


def test_notice_to_the_last_referent_at_the_active_duration(
    django_capture_on_commit_callbacks, days
):
    case = closed_case(days)

    before = run(days.notice_on - datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert (before.notices, stage(case)) == ([], FileStage.ACTIVE)

    report = run(days.notice_on, django_capture_on_commit_callbacks)

    assert (report.notices, stage(case)) == ([case.beneficiary_id], FileStage.NOTICE)
    assert [message.to for message in mail.outbox] == [[case.referent.email]]
    assert f"archive intermédiaire le {days.archive_on:%d/%m/%Y}" in mail.outbox[0].body
    assert case.beneficiary.last_name not in mail.outbox[0].body
    again = run(days.notice_on, django_capture_on_commit_callbacks)
    assert (again.notices, len(mail.outbox)) == ([], 1)


def test_a_last_contact_on_29_february_is_noticed_once_on_28_february(
    django_capture_on_commit_callbacks,
):
    # 29 February 2028 + 2 years is 28 February 2030 for the schedule; the run that cancels
    # notices must agree, or each night would cancel the notice and send it again.
    case = closed_case(Days(datetime.date(2028, 2, 29), *[datetime.date(2030, 2, 28)] * 3))

    first = run(datetime.date(2030, 2, 28), django_capture_on_commit_callbacks)
    again = run(datetime.date(2030, 2, 28), django_capture_on_commit_callbacks)

    assert (first.notices, again.notices, again.notices_cancelled) == (
        [case.beneficiary_id],
        [],
        [],
    )
    assert (stage(case), len(mail.outbox)) == (FileStage.NOTICE, 1)


@pytest.mark.parametrize(
    ("today", "years", "latest"),
    [
        (datetime.date(2030, 2, 28), 2, datetime.date(2028, 2, 29)),
        (datetime.date(2030, 3, 1), 2, datetime.date(2028, 3, 1)),
        (datetime.date(2028, 2, 29), 2, datetime.date(2026, 2, 28)),
        (datetime.date(2031, 6, 15), 5, datetime.date(2026, 6, 15)),
    ],
)
def test_latest_start_is_the_inverse_of_the_schedule(today, years, latest):
    assert retention.latest_start(today, years) == latest
    assert latest + relativedelta(years=years) <= today
    assert latest + datetime.timedelta(days=1) + relativedelta(years=years) > today


def test_archive_after_the_notice_delay_then_only_the_auditor_opens_it(
    django_capture_on_commit_callbacks,
    days,
):
    case = closed_case(days)
    auditor = auditor_of(case)
    run(days.notice_on, django_capture_on_commit_callbacks)
    assert (
        run(
            days.archive_on - datetime.timedelta(days=1), django_capture_on_commit_callbacks
        ).archived
        == []
    )

    report = run(days.archive_on, django_capture_on_commit_callbacks)

    assert (report.archived, stage(case)) == ([case.beneficiary_id], FileStage.ARCHIVED)
    for member in (case.pair.advisor, case.pair.social_worker):
        assert list(Case.objects.visible_to(member)) == []
        client = Client()
        client.force_login(member)
        assert client.get(reverse("case_detail", kwargs={"pk": case.pk})).status_code == 404
    assert list(Case.objects.visible_to(auditor)) == [case]
    client = Client()
    log_in(client, auditor)
    response = client.get(reverse("person_rights", kwargs={"pk": case.beneficiary_id}))
    assert response.status_code == 200
    assert "Archive intermédiaire" in response.content.decode()
    assert InformationShare.objects.filter(request_id=response["X-Request-ID"]).count() == 1


def test_nothing_moves_while_an_accompaniment_is_open(django_capture_on_commit_callbacks, days):
    with at(days.closed_on):
        case = CaseFactory(state=CaseState.ACTIVE)

    for day in (
        days.notice_on,
        days.archive_on,
        days.disposal_on,
        days.disposal_on + datetime.timedelta(days=3650),
    ):
        report = run(day, django_capture_on_commit_callbacks)
        assert (report.notices, report.archived, stage(case)) == ([], [], FileStage.ACTIVE)


def test_a_new_accompaniment_cancels_the_notice(django_capture_on_commit_callbacks, days):
    case = closed_case(days)
    run(days.notice_on, django_capture_on_commit_callbacks)
    with at(days.notice_on + datetime.timedelta(days=3)):
        services.case_propose(
            beneficiary=case.beneficiary,
            pair=case.pair,
            proposed_on=days.notice_on + datetime.timedelta(days=3),
            acting_user=case.pair.advisor,
        )

    report = run(days.archive_on, django_capture_on_commit_callbacks)

    assert (report.notices_cancelled, report.archived) == ([case.beneficiary_id], [])
    assert stage(case) == FileStage.ACTIVE


def test_dry_run_lists_who_moves_when_and_writes_nothing(days):
    first = closed_case(days)
    second = closed_case(days, pair__department=first.pair.department)
    out = _command_output("retention", "--dry-run", "--days", "30", day=days.notice_on)

    assert (
        f"Personne n°{first.beneficiary_id} : avis au référent le {days.notice_on:%d/%m/%Y}" in out
    )
    assert (
        f"Personne n°{second.beneficiary_id} : avis au référent le {days.notice_on:%d/%m/%Y}" in out
    )
    assert "2 dossier(s) changeront d'étape" in out
    assert {stage(first), stage(second)} == {FileStage.ACTIVE}


def _command_output(*args: str, day: datetime.date) -> str:
    import io

    out = io.StringIO()
    with at(day):
        call_command(*args, stdout=out)
    return out.getvalue()


def _texts_in_every_table() -> str:
    """Every value of every column of every table, as text (auditlog and journal included)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            for column in columns:
                name = connection.ops.quote_name(column.name)
                table_name = connection.ops.quote_name(table)
                # Names from the database's own catalogue, quoted: no input reaches this SQL.
                sql = f"SELECT CAST({name} AS TEXT) FROM {table_name}"  # noqa: S608
                cursor.execute(sql)
                chunks.extend(str(value) for (value,) in cursor.fetchall() if value is not None)
    return "\n".join(chunks)


def test_disposal_only_with_the_visa_then_nothing_of_the_person_remains(
    django_capture_on_commit_callbacks,
    days,
):
    file = complete_file()
    case = file.case
    services.case_record_end_review(
        case=case, summary="Bilan QZXbilanQZX", acting_user=case.referent
    )
    file.tokens.append("QZXbilanQZX")
    # The person's contact in the invitation to their space, and their FranceConnect identity.
    access = SpaceAccess.objects.get(beneficiary=case.beneficiary)
    access.franceconnect_sub = "QZXfranceconnectQZX"
    save(access, case.pair.social_worker)
    file.tokens += [access.email, "QZXfranceconnectQZX"]
    with at(days.closed_on):
        services.case_close(case=case, exit_reason="durable_job", acting_user=case.referent)
    supervisor = ProfessionalFactory(
        role=Role.SUPERVISOR, organisation=case.pair.advisor.organisation
    )
    auditor = auditor_of(case)
    birth_date = case.beneficiary.birth_date.isoformat()
    assert all(token in _texts_in_every_table() for token in file.tokens)
    run(days.notice_on, django_capture_on_commit_callbacks)
    run(days.archive_on, django_capture_on_commit_callbacks)

    # The archive duration is over, but without the Archives' visa nothing is disposed of.
    waiting = run(days.disposal_on, django_capture_on_commit_callbacks)
    assert (waiting.waiting_for_visa, waiting.disposed) == ([case.beneficiary_id], [])
    assert stage(case) == FileStage.ARCHIVED
    with at(days.disposal_on):
        assert list(retention.disposal_candidates(case.beneficiary.department)) == [
            case.beneficiary
        ]
        with refused(InvalidTransition, "Seul·e le ou la DPO enregistre un visa d'élimination."):
            retention.disposal_approval_record(
                department=case.beneficiary.department,
                acting_user=case.pair.advisor,
                visa_reference="AD99-2033-17",
                approved_on=days.disposal_on,
                beneficiary_ids=[case.beneficiary_id],
            )
        retention.disposal_approval_record(
            department=case.beneficiary.department,
            acting_user=auditor,
            visa_reference="AD99-2033-17",
            approved_on=days.disposal_on,
            beneficiary_ids=[case.beneficiary_id],
        )
    counts = (Beneficiary.objects.count(), Case.objects.count(), Interview.objects.count())
    figures = dashboard(supervisor, today=days.disposal_on)

    report = run(days.disposal_on, django_capture_on_commit_callbacks)

    assert (report.disposed, stage(case)) == ([case.beneficiary_id], FileStage.DISPOSED)
    everything = _texts_in_every_table()
    assert [token for token in file.tokens if token in everything] == []
    assert birth_date not in everything
    assert (Beneficiary.objects.count(), Case.objects.count(), Interview.objects.count()) == counts
    assert dashboard(supervisor, today=days.disposal_on) == figures
    verified = _command_output("audit_verify", day=days.disposal_on)
    assert "intact" in verified
    assert run(days.disposal_on, django_capture_on_commit_callbacks).disposed == []
    # The access to the space ended with the file, in the name of whoever recorded the visa.
    access.refresh_from_db()
    assert (access.is_active, access.withdrawn_by) == (False, auditor)


def test_a_one_off_request_counts_as_a_contact_and_an_open_one_holds_the_file(
    django_capture_on_commit_callbacks,
    days,
):
    case = closed_case(days)
    with at(days.notice_on - datetime.timedelta(days=10)):
        request = SocialRequestFactory(requester=case.pair.advisor, beneficiary=case.beneficiary)

    assert run(days.notice_on, django_capture_on_commit_callbacks).notices == []  # still open
    correspondent = Professional.objects.get(
        organisation=request.territory, is_social_correspondent=True
    )
    with at(days.notice_on + datetime.timedelta(days=1)):
        services.social_request_answer(
            social_request=request, acting_user=correspondent, answer="Réponse"
        )
        services.social_request_close(social_request=request, acting_user=case.pair.advisor)
    # Closed now, but asked ten days before the two years were up: that was a contact.
    assert (
        run(days.notice_on + datetime.timedelta(days=2), django_capture_on_commit_callbacks).notices
        == []
    )

    asked_on = days.notice_on - datetime.timedelta(days=10)
    two_years_after_the_request = asked_on + relativedelta(years=2)
    assert (
        run(
            two_years_after_the_request - datetime.timedelta(days=1),
            django_capture_on_commit_callbacks,
        ).notices
        == []
    )
    report = run(two_years_after_the_request, django_capture_on_commit_callbacks)
    assert report.notices == [case.beneficiary_id]
