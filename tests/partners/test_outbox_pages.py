"""« Envois en échec »: the department administrators' page, « Renvoyer », and the whole path of
a person's request whose e-mail to the DPO meets a mail server that refuses connections."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from casework.models import PersonRequest
from partners import outbox
from partners.enums import Role
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory
from tests.partners.factories import DepartmentFactory, ProfessionalFactory
from tests.partners.smtp import closed_port, smtp_mailers, smtp_server

pytestmark = pytest.mark.django_db


def failed_row(department, index: int = 0, kind: str = "email") -> OutboxMessage:  # type: ignore[no-untyped-def]
    payload = (
        {"to": [f"claire{index}@exemple.fr"], "subject": f"Binôme : rappel {index}", "body": "."}
        if kind == "email"
        else {"task": "casework.tasks.expire_delegations", "kwargs": {}}
    )
    return OutboxMessage.objects.create(
        kind=kind,
        key=f"failed:{department.pk}:{index}:{kind}",
        department=department,
        payload=payload,
        state="failed",
        attempts=outbox.MAX_ATTEMPTS,
        last_attempt_at=timezone.now(),
        last_error="ConnectionRefusedError [Errno 111] Connection refused",
    )


def admin_of(department):  # type: ignore[no-untyped-def]
    return ProfessionalFactory(role=Role.ADMIN, organisation__department=department)


@pytest.mark.parametrize("size", [3, 10])
def test_failed_list_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    for index in range(size):
        failed_row(department, index, kind="email" if index % 2 else "task")
    client = login_client(admin_of(department))

    # session, professional, its TOTP device, failed rows (count, page)
    with django_assert_num_queries(5):
        response = client.get(reverse("outbox_failed"))

    assert len(response.context["rows"]) == size


def test_failed_list_masks_recipients_and_shows_only_the_department(login_client):
    department, other = DepartmentFactory(), DepartmentFactory()
    failed_row(department, 1)
    failed_row(other, 2)
    OutboxMessage.objects.create(
        kind="email", key="pending", department=department, payload={"to": ["x@exemple.fr"]}
    )

    page = login_client(admin_of(department)).get(reverse("outbox_failed")).content.decode()

    assert "c***@exemple.fr" in page
    assert "Binôme : rappel 1" in page
    assert "claire1@" not in page
    assert ("rappel 2" in page, "x***@" in page) == (False, False)


def test_failed_list_empty_state(login_client):
    page = login_client(admin_of(DepartmentFactory())).get(reverse("outbox_failed"))

    assert "Aucun envoi en échec" in page.content.decode()


def test_resend_of_another_departments_row_is_404(login_client):
    department, other = DepartmentFactory(), DepartmentFactory()
    row = failed_row(other)
    client = login_client(admin_of(department))
    url = reverse("outbox_resend", kwargs={"pk": row.pk})

    statuses = (client.get(url).status_code, client.post(url).status_code)
    missing = client.post(reverse("outbox_resend", kwargs={"pk": row.pk + 1000})).status_code

    assert (statuses, missing) == ((404, 404), 404)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)


def test_resend_puts_the_row_back_audited_with_its_actor(login_client):
    department = DepartmentFactory()
    row, admin = failed_row(department), admin_of(department)
    client = login_client(admin)

    confirmation = client.get(reverse("outbox_resend", kwargs={"pk": row.pk}))
    response = client.post(reverse("outbox_resend", kwargs={"pk": row.pk}))
    again = client.post(reverse("outbox_resend", kwargs={"pk": row.pk}), follow=True)

    assert "Confirmer le renvoi" in confirmation.content.decode()
    assert response.status_code == 302
    assert "n&#x27;est plus en échec" in again.content.decode()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at <= timezone.now()) == ("pending", 0, True)
    entry = LogEntry.objects.get(object_pk=str(row.pk), changes_text="Renvoi d'un envoi en échec")
    assert (entry.actor, entry.content_type.model) == (admin, "outboxmessage")


def test_person_request_with_smtp_refusing_then_back(
    settings, client, login_client, django_capture_on_commit_callbacks
):
    """SMTP refusing connections: the request is saved once and the page answers; the e-mail
    waits with a backoff, ends in échec, is shown to the admin, and « Renvoyer » sends it once
    the mail server accepts."""
    port = closed_port()
    settings.MAILERS = smtp_mailers(port)
    case = CaseFactory()
    department = case.beneficiary.department
    dpo = ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)
    advisor = login_client(case.pair.advisor)

    with django_capture_on_commit_callbacks(execute=True):  # the fast path tries at once
        response = advisor.post(
            reverse("person_request_create", kwargs={"pk": case.pk}),
            {"kind": "objection", "text": "Je m'oppose", "received_on": timezone.localdate()},
        )

    row = OutboxMessage.objects.get()
    assert (response.status_code, PersonRequest.objects.count()) == (302, 1)
    assert (row.key, row.state, row.attempts, row.department) == (
        f"dpo-request:{PersonRequest.objects.get().pk}",
        "pending",
        1,
        department,
    )
    assert row.next_attempt_at - row.last_attempt_at == outbox.BACKOFF[0]
    # The mail server stays down through every attempt: « échec ».
    while row.state == "pending":
        with time_machine.travel(row.next_attempt_at):
            outbox.relay()
        row.refresh_from_db()
    admin = login_client(admin_of(department))
    page = admin.get(reverse("outbox_failed")).content.decode()
    assert f"{dpo.email[0]}***@exemple.test" in page
    assert "nouvelle demande d&#x27;une personne" in page

    admin.post(reverse("outbox_resend", kwargs={"pk": row.pk}))
    with smtp_server(port) as (_, received):
        outbox.relay()
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
            outbox.relay()

    assert [(m["To"], m["X-Binome-Key"]) for m in received] == [(dpo.email, row.key)]
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1)
