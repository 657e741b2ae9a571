"""Notifications to the partner systems (webhooks): after a case's state, référent·e or path
changed, a signed POST to a receiver on 127.0.0.1, verified with Standard Webhooks' own library;
tried again after a 500 with the same id; refused for good on a 4xx; only to the department's
active systems with an address and followup:read; journaled; no person's data in the body."""

import datetime
import json
from collections.abc import Iterator

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from casework import services
from casework.enums import CaseState, JournalChannel, OrientationPath, SuspensionReason
from casework.models import InformationShare
from partners.api import services as api_services
from partners.api.models import PartnerSystem, Scope
from partners.enums import Role
from partners.errors import InvalidTransition
from partners.outbox import dispatch
from partners.outbox.models import OutboxKind, OutboxMessage, OutboxState
from tests.casework.factories import CaseFactory
from tests.partners.api import make_partner
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory
from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    fake = WebhookReceiver().start()
    yield fake
    fake.stop()


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    return CaseFactory(pair=PairFactory(), state=CaseState.ACTIVE)


@pytest.fixture
def partner(case, receiver) -> PartnerSystem:  # type: ignore[no-untyped-def]
    partner, _key = make_partner(case.pair.department, webhook_url=receiver.url)
    return partner


def webhooks() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=OutboxKind.WEBHOOK).order_by("pk"))


def suspend(case):  # type: ignore[no-untyped-def]
    return services.case_suspend(
        case=case, reason=SuspensionReason.HOSPITAL, acting_user=case.pair.advisor
    )


def verified(partner: PartnerSystem, received) -> dict:  # type: ignore[no-untyped-def]
    """The body, as the partner's receiver would accept it (Standard Webhooks' library)."""
    return Webhook(partner.webhook_secret).verify(received.body, received.headers)


def test_a_state_change_reaches_the_partner_signed_and_again_after_a_500(case, partner, receiver):
    receiver.statuses = [500]
    suspend(case)

    first = dispatch.relay()

    (row,) = webhooks()
    assert (first.sent, first.retried, row.state, row.attempts) == (0, 1, OutboxState.PENDING, 1)
    assert row.last_error == "WebhookUnavailable HTTP 500"
    with time_machine.travel(timezone.now() + dispatch.BACKOFF[0] + datetime.timedelta(seconds=5)):
        second = dispatch.relay()
        # nothing retried nor failed (it may also send the dashboards' refresh, due by then)
        assert (second.retried, second.failed) == (0, 0)
        bodies = [verified(partner, received) for received in receiver.received]
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.SENT, 2)
    assert len(receiver.received) == 2
    assert bodies[0] == bodies[1]
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert bodies[0]["type"] == "accompagnement.modifie"
    assert bodies[0]["data"]["case_id"] == case.pk
    assert bodies[0]["data"]["changes"] == ["etat"]
    assert bodies[0]["data"]["url"].endswith(f"/api/v1/cases/{case.pk}/")


def test_another_secret_does_not_verify_the_signature(case, partner, receiver):
    suspend(case)
    dispatch.relay()

    (received,) = receiver.received
    other = api_services._new_webhook_secret()
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(other).verify(received.body, received.headers)


def test_a_decision_changing_the_path_names_the_path_and_the_referent(case, partner, receiver):
    services.case_set_orientation(
        case=case, path=OrientationPath.SOCIAL, acting_user=case.pair.advisor
    )
    dispatch.relay()

    (received,) = receiver.received
    assert verified(partner, received)["data"]["changes"] == ["parcours", "referent"]


def test_a_new_case_is_notified_as_proposed(partner, receiver):
    pair = PairFactory(department=partner.department)
    CaseFactory(pair=pair, state=CaseState.PROPOSED)
    dispatch.relay()

    (received,) = receiver.received
    assert verified(partner, received)["type"] == "accompagnement.propose"


def test_a_write_that_changes_neither_state_nor_referent_nor_path_notifies_nobody(case, partner):
    services.case_set_next_action_due(
        case=case, due_on=timezone.localdate(), acting_user=case.pair.advisor
    )

    assert webhooks() == []


def test_only_the_departments_active_systems_with_an_address_and_followup_read(case, receiver):
    department = case.pair.department
    make_partner(
        department, name="sans portée", scopes=[Scope.APPOINTMENTS_WRITE], webhook_url=receiver.url
    )
    make_partner(department, name="sans adresse")
    inactive, _ = make_partner(department, name="désactivé", webhook_url=receiver.url)
    api_services.partner_system_update(partner=inactive, fields={"active": False}, acting_user=None)
    make_partner(DepartmentFactory(code="39"), name="ailleurs", webhook_url=receiver.url)
    notified, _ = make_partner(department, name="notifié", webhook_url=receiver.url)

    suspend(case)

    assert [row.payload["partner"] for row in webhooks()] == [notified.pk]


def test_each_notification_is_in_the_persons_journal(case, partner):
    suspend(case)

    (row,) = webhooks()
    share = InformationShare.objects.get(channel=JournalChannel.API, case=case)
    assert share.recipient == str(partner)
    assert share.object_id == row.payload["id"]
    assert share.purpose == "Notification à un système partenaire : état modifié"
    assert share.beneficiary_id == case.beneficiary_id


def test_a_change_rolled_back_sends_nothing(case, partner, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        suspend(case)
        raise RuntimeError("la suite de l'écriture échoue")

    dispatch.relay()

    assert webhooks() == []
    assert receiver.received == []


def test_a_4xx_fails_at_once_and_is_shown_to_the_administrators(case, partner, receiver):
    receiver.statuses = [410]
    suspend(case)

    report = dispatch.relay()

    (row,) = webhooks()
    assert (report.failed, row.state, row.last_error) == (
        1,
        OutboxState.FAILED,
        "WebhookRefused HTTP 410",
    )
    assert list(OutboxMessage.objects.failed_of(case.pair.department_id)) == [row]


def test_a_receiver_down_holds_its_other_notifications_for_this_run(case, partner, receiver):
    receiver.statuses = [503]
    suspend(case)
    services.case_resume(case=case, acting_user=case.pair.advisor)

    report = dispatch.relay()

    assert (report.sent, report.retried) == (0, 2)
    assert len(receiver.received) == 1  # the second was not even tried


def test_an_unreachable_receiver_is_tried_later(case, partner, receiver):
    receiver.stop()
    suspend(case)

    report = dispatch.relay()

    (row,) = webhooks()
    assert (report.retried, row.state) == (1, OutboxState.PENDING)
    assert row.last_error.startswith("WebhookUnavailable ConnectionError")


def test_a_system_deactivated_before_the_send_gets_nothing(case, partner, receiver):
    suspend(case)
    api_services.partner_system_update(partner=partner, fields={"active": False}, acting_user=None)

    report = dispatch.relay()

    (row,) = webhooks()
    assert (report.failed, row.state) == (1, OutboxState.FAILED)
    assert receiver.received == []


def test_the_body_names_no_one(case, partner, receiver):
    suspend(case)
    dispatch.relay()

    (received,) = receiver.received
    text = received.body.decode()
    person = case.beneficiary
    for value in (
        person.last_name,
        person.first_name,
        case.pair.advisor.last_name,
        case.pair.social_worker.last_name,
    ):
        assert value not in text
    assert set(json.loads(text)) == {"type", "timestamp", "data"}
    assert set(json.loads(text)["data"]) == {"case_id", "changes", "url"}


def test_an_address_must_be_https_unless_the_settings_allow_http(case, settings):
    settings.BINOME_WEBHOOK_ALLOW_HTTP = False

    with pytest.raises(InvalidTransition, match="doit commencer par https://"):
        make_partner(case.pair.department, webhook_url="http://partenaire.example/notifications")
    partner, _ = make_partner(case.pair.department, webhook_url="https://partenaire.example/n")
    assert partner.webhook_secret.startswith("whsec_")


def test_a_renewed_secret_signs_the_next_notifications_and_is_never_audited(
    case, partner, receiver
):
    old = partner.webhook_secret
    new = api_services.partner_webhook_secret_renew(partner=partner, acting_user=None)
    suspend(case)
    dispatch.relay()

    (received,) = receiver.received
    assert new != old
    Webhook(new).verify(received.body, received.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(received.body, received.headers)
    audit = " ".join(str(entry.changes) for entry in LogEntry.objects.all())
    assert old not in audit
    assert new not in audit
    assert InformationShare.objects.filter(
        purpose__contains="Secret de signature des notifications renouvelé"
    ).exists()


def test_a_refused_notification_is_listed_for_the_administrators_without_its_body(
    case, partner, receiver, login_client
):
    receiver.statuses = [404]
    suspend(case)
    dispatch.relay()
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=case.pair.department)

    response = login_client(admin).get(reverse("outbox_failed"))

    page = response.content.decode()
    assert str(partner) in page
    assert f"Notification accompagnement.modifie (accompagnement n°{case.pk})" in page
    assert "WebhookRefused HTTP 404" in page
    assert '"changes"' not in page


def _system_form(department, **fields):  # type: ignore[no-untyped-def]
    return {
        "department": department.pk,
        "name": "rdv-insertion",
        "organisation": "ANCT",
        "scopes": [Scope.FOLLOWUP_READ],
        "requests_per_minute": 60,
        "active": "on",
        **fields,
    }


def test_the_admin_sets_an_address_and_sees_the_secret_once(case, login_client):
    department = case.pair.department
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    client = login_client(admin)

    response = client.post(
        reverse("admin:partners_partnersystem_add"),
        _system_form(department, webhook_url="https://partenaire.example/notifications"),
        follow=True,
    )

    partner = PartnerSystem.objects.get(department=department)
    assert partner.webhook_secret in response.content.decode()
    again = client.get(reverse("admin:partners_partnersystem_change", args=[partner.pk]))
    assert partner.webhook_secret not in again.content.decode()
    grant = InformationShare.objects.get(
        object_id=str(partner.pk), object_type="système partenaire"
    )
    assert grant.purpose.endswith("notifications à https://partenaire.example/notifications")


def test_the_admin_form_refuses_plain_http_in_french_and_keeps_what_was_typed(
    case, login_client, settings
):
    settings.BINOME_WEBHOOK_ALLOW_HTTP = False
    department = case.pair.department
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)

    response = login_client(admin).post(
        reverse("admin:partners_partnersystem_add"),
        _system_form(department, webhook_url="http://partenaire.example/notifications"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "L&#x27;adresse des notifications doit commencer par https://." in page
    assert 'value="http://partenaire.example/notifications"' in page
    assert not PartnerSystem.objects.exists()
