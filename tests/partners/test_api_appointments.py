"""The partner API's ``appointments:write``: convene, move, cancel, record the outcome, idempotent
by the partner's own id; the scope, the department, French problems; journal and audit rows name
the partner; an absence sent by the API sends nothing."""

import datetime
import json

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from casework.enums import AppointmentOutcome, CaseState, JournalChannel, MessageChannel
from casework.messages import services as messages
from casework.models import Appointment, InformationShare, SentMessage
from partners.api.models import Scope
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory
from tests.partners.api import api_client, make_partner
from tests.partners.factories import DepartmentFactory, PairFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
PLACE = "Agence de Besançon, 2 rue Proudhon"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    case = CaseFactory(pair=PairFactory(), state=CaseState.ACTIVE)
    messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.EMAIL,
        address="rosalie@exemple.fr",
        acting_user=case.pair.social_worker,
    )
    return case


@pytest.fixture
def partner_and_key(case):  # type: ignore[no-untyped-def]
    return make_partner(case.pair.department, scopes=[Scope.APPOINTMENTS_WRITE])


@pytest.fixture
def client(partner_and_key):  # type: ignore[no-untyped-def]
    return api_client(partner_and_key[1])


def url(case_id: int, ref: str, action: str = "") -> str:
    return f"/api/v1/cases/{case_id}/appointments/{ref}/" + (f"{action}/" if action else "")


def put(client, case_id: int, ref: str, **data):  # type: ignore[no-untyped-def]
    return client.put(url(case_id, ref), json.dumps(data), content_type="application/json")


def post(client, case_id: int, ref: str, action: str, **data):  # type: ignore[no-untyped-def]
    return client.post(url(case_id, ref, action), data, content_type="application/json")


def api_rows(case) -> list[tuple[str, str, str, str, str]]:  # type: ignore[no-untyped-def]
    return [
        (row.purpose, row.actor_job_title, row.actor_organisation, row.object_type, row.object_id)
        for row in InformationShare.objects.filter(case=case, channel=JournalChannel.API).order_by(
            "pk"
        )
    ]


def test_an_appointment_sent_twice_with_the_same_partner_id_is_one_appointment(client, case, today):
    when = _at(today + datetime.timedelta(days=7), 14)

    first = put(client, case.pk, "rdvi-123", planned_at=when.isoformat(), place=PLACE)
    again = put(client, case.pk, "rdvi-123", planned_at=when.isoformat(), place=PLACE)

    assert (first.status_code, again.status_code) == (201, 200)
    (appointment,) = Appointment.objects.filter(case=case)
    assert first.json() == again.json()
    assert first.json()["id"] == appointment.pk
    assert (appointment.planned_at, appointment.place, appointment.partner_ref) == (
        when,
        PLACE,
        "rdvi-123",
    )
    # With the case's référent·e, convened by no professional; one convocation only.
    assert (appointment.with_whom, appointment.convened_by) == (case.referent, None)
    assert OutboxMessage.objects.filter(key__startswith="convocation:").count() == 1


def test_a_new_date_for_a_known_id_moves_the_appointment_and_tells_the_person(client, case, today):
    when = _at(today + datetime.timedelta(days=7), 14)
    put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)
    later = when + datetime.timedelta(days=2)

    response = put(client, case.pk, "rdvi-1", planned_at=later.isoformat(), place=PLACE)

    assert response.status_code == 200
    (appointment,) = Appointment.objects.filter(case=case)
    assert appointment.planned_at == later
    assert OutboxMessage.objects.filter(key__startswith="change:").count() == 1


def test_cancel_then_cancel_again(client, case, today):
    when = _at(today + datetime.timedelta(days=7), 14)
    put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)

    first = post(client, case.pk, "rdvi-1", "cancel")
    again = post(client, case.pk, "rdvi-1", "cancel")

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["cancelled"] is True
    assert Appointment.objects.get(case=case).outcome == AppointmentOutcome.CANCELLED
    assert OutboxMessage.objects.filter(key__startswith="cancellation:").count() == 1


def test_an_unexcused_absence_by_api_is_recorded_and_sends_nothing(client, case, today):
    when = _at(today + datetime.timedelta(days=1), 10)
    put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)
    before = (list(OutboxMessage.objects.values_list("key")), SentMessage.objects.count())

    with time_machine.travel(when + datetime.timedelta(hours=3)):
        response = post(client, case.pk, "rdvi-1", "outcome", outcome="unexcused")

    assert response.status_code == 200
    assert "outcome" not in response.json()  # an absence never leaves Binôme
    appointment = Appointment.objects.get(case=case)
    assert (appointment.outcome, appointment.outcome_recorded_by) == ("unexcused", None)
    assert (list(OutboxMessage.objects.values_list("key")), SentMessage.objects.count()) == before


def test_an_outcome_before_the_day_is_a_french_problem_naming_the_field(client, case, today):
    when = _at(today + datetime.timedelta(days=3), 10)
    put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)

    response = post(client, case.pk, "rdvi-1", "outcome", outcome="held")

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert response.json()["errors"] == {"outcome": ["Ce rendez-vous n'a pas encore eu lieu."]}


def test_journal_and_audit_rows_name_the_partner(client, case, partner_and_key, today):
    partner = partner_and_key[0]
    when = _at(today + datetime.timedelta(days=7), 14)

    put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)
    put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)
    post(client, case.pk, "rdvi-1", "cancel")

    appointment = Appointment.objects.get(case=case)
    suffix = " par un système partenaire (appointments:write)"
    assert api_rows(case) == [
        (f"{what}{suffix}", "rdv-insertion", "ANCT", "rendez-vous", str(appointment.pk))
        for what in (
            "Rendez-vous planifié",
            "Rendez-vous envoyé à nouveau, inchangé,",
            "Rendez-vous annulé",
        )
    ]
    audit = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Appointment), object_pk=str(appointment.pk)
    ).order_by("pk")
    assert [(entry.action, entry.actor, entry.actor_email) for entry in audit] == [
        (LogEntry.Action.CREATE, None, f"partenaire:rdv-insertion n°{partner.pk}"),
        (LogEntry.Action.UPDATE, None, f"partenaire:rdv-insertion n°{partner.pk}"),
    ]


def test_without_the_scope_the_answer_is_403_portee_absente(case, today):
    _, key = make_partner(case.pair.department, name="lecteur", scopes=[Scope.FOLLOWUP_READ])
    when = _at(today + datetime.timedelta(days=7), 14)

    response = put(api_client(key), case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)

    assert (response.status_code, response["Content-Type"]) == (403, PROBLEM)
    assert response.json()["code"] == "portee-absente"
    assert not Appointment.objects.exists()


def test_another_departments_case_is_the_same_404_as_a_missing_one(client, today):
    other_pair = PairFactory(department=DepartmentFactory())
    elsewhere = CaseFactory(pair=other_pair, state=CaseState.ACTIVE)
    when = _at(today + datetime.timedelta(days=7), 14).isoformat()

    other = put(client, elsewhere.pk, "rdvi-1", planned_at=when, place=PLACE)
    missing = put(client, elsewhere.pk + 1000, "rdvi-1", planned_at=when, place=PLACE)
    unknown_ref = post(client, elsewhere.pk, "rdvi-1", "cancel")

    assert [r.status_code for r in (other, missing, unknown_ref)] == [404, 404, 404]
    assert other.json()["code"] == missing.json()["code"] == "introuvable"
    assert other.json()["detail"] == missing.json()["detail"]
    assert not Appointment.objects.exists()


def test_an_unknown_id_to_cancel_is_404(client, case):
    response = post(client, case.pk, "jamais-vu", "cancel")

    assert (response.status_code, response.json()["code"]) == (404, "introuvable")


def test_a_bad_payload_is_a_french_problem_with_the_field_names(client, case, today):
    response = put(client, case.pk, "rdvi-1", planned_at="demain", place="")

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    body = response.json()
    assert body["code"] == "donnees-invalides"
    assert set(body["errors"]) == {"planned_at", "place"}
    assert "Ce champ ne peut être vide." in body["errors"]["place"]
    assert not Appointment.objects.exists()


def test_a_past_date_is_refused_by_the_service_with_its_field(client, case, today):
    past = _at(today - datetime.timedelta(days=1), 10).isoformat()

    response = put(client, case.pk, "rdvi-1", planned_at=past, place=PLACE)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "planned_at": ["Un rendez-vous se planifie pour aujourd'hui ou plus tard."]
    }


def test_moving_a_cancelled_appointment_is_a_409(client, case, today):
    when = _at(today + datetime.timedelta(days=7), 14)
    put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place=PLACE)
    post(client, case.pk, "rdvi-1", "cancel")

    response = put(client, case.pk, "rdvi-1", planned_at=when.isoformat(), place="Ailleurs")

    assert (response.status_code, response.json()["code"]) == (409, "pas-possible")
    assert response.json()["detail"] == "Ce rendez-vous est déjà annulé."


def test_the_same_id_on_another_case_is_refused(client, case, today):
    other = CaseFactory(pair=case.pair, state=CaseState.ACTIVE)
    when = _at(today + datetime.timedelta(days=7), 14).isoformat()
    put(client, case.pk, "rdvi-1", planned_at=when, place=PLACE)

    response = put(client, other.pk, "rdvi-1", planned_at=when, place=PLACE)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["partner_ref"]
    assert Appointment.objects.count() == 1


def test_options_describes_nothing(client, case):
    response = client.options(url(case.pk, "rdvi-1"))

    assert (response.status_code, response.json()["code"]) == (405, "methode-non-permise")
