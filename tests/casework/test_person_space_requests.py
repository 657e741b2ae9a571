"""The person writes to their binôme from their space: short messages and requests to change an
appointment, each the person's own act (journal channel « person », audit under their access)."""

import datetime
from html import unescape

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import rights, services
from casework.enums import JournalChannel, PersonRequestState
from casework.journal import PERSON_LABEL, PERSON_MESSAGE
from casework.models import (
    Appointment,
    InformationShare,
    PersonMessage,
    PersonMessageKind,
    PersonRequest,
)
from casework.space import messages as person_messages
from partners.enums import Role
from tests.casework.test_person_space import EMAIL, invited_case, log_in_person
from tests.conftest import log_in
from tests.partners.factories import PairFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _appointment(case, days: int = 2) -> Appointment:  # type: ignore[no-untyped-def]
    return services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=timezone.now() + datetime.timedelta(days=days),
        place="Agence du centre",
        with_whom=case.pair.advisor,
    )


def test_message_sent_is_on_the_timeline_of_both_members_as_the_persons_act(client):
    case, access = invited_case()
    log_in_person(client)

    response = client.post(reverse("space_messages"), {"text": "Je serai en retard mardi."})

    assert (response.status_code, response["Location"]) == (302, reverse("space_messages"))
    message = PersonMessage.objects.get()
    assert (message.case, message.access, message.kind, message.text, message.appointment) == (
        case,
        access,
        PersonMessageKind.MESSAGE,
        "Je serai en retard mardi.",
        None,
    )
    for member in (case.pair.advisor, case.pair.social_worker):
        page = log_in(Client(), member).get(reverse("case_detail", args=[case.pk]))
        items = [item for item in page.context["timeline"] if item.kind.startswith("person")]
        assert [(item.kind, item.obj) for item in items] == [("person_message", message)]
        html = page.content.decode()
        assert "Je serai en retard mardi." in html
        assert "Message au binôme</strong>" in html
        assert "par la personne, depuis son espace" in html


def test_message_writes_a_person_journal_row_and_a_masked_audit_row_under_the_access(client):
    case, access = invited_case()
    log_in_person(client)

    client.post(reverse("space_messages"), {"text": "Bonjour, une question sur mon contrat."})

    message = PersonMessage.objects.get()
    row = InformationShare.objects.get(channel=JournalChannel.PERSON)
    assert (
        row.case,
        row.actor,
        row.actor_job_title,
        row.purpose,
        row.object_type,
        row.object_id,
    ) == (case, None, PERSON_LABEL, "Message envoyé au binôme", PERSON_MESSAGE, str(message.pk))
    audit = LogEntry.objects.get_for_object(message).get()
    assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")
    assert "Bonjour, une question" not in str(audit.changes)


def test_messages_page_lists_only_the_persons_own_messages_with_dates(client):
    case, access = invited_case()
    _other_case, other_access = invited_case(email="autre@exemple.fr")
    person_messages.message_send(access=other_access, text="Message d'une autre personne")
    person_messages.message_send(access=access, text="Mon premier message")
    log_in_person(client)

    response = client.get(reverse("space_messages"))

    assert [m.text for m in response.context["sent"]] == ["Mon premier message"]
    html = unescape(response.content.decode())
    assert "Mon premier message" in html
    assert "Message d'une autre personne" not in html
    assert timezone.localtime().strftime("%Y") in html


def test_message_over_the_daily_limit_is_refused_with_the_limit_message(client):
    _case, access = invited_case()
    for number in range(person_messages.DAILY_LIMIT):
        person_messages.message_send(access=access, text=f"Message {number}")
    log_in_person(client)

    with refused(person_messages.LimitReached, person_messages.LIMIT_REACHED):
        person_messages.message_send(access=access, text="Un de trop")
    response = client.post(reverse("space_messages"), {"text": "Un de trop"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [person_messages.LIMIT_REACHED]}
    assert PersonMessage.objects.count() == person_messages.DAILY_LIMIT


def test_message_limit_counts_the_last_24_hours_only():
    _case, access = invited_case()
    for number in range(person_messages.DAILY_LIMIT):
        person_messages.message_send(access=access, text=f"Message {number}")

    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        message = person_messages.message_send(access=access, text="Le lendemain")

    assert message.text == "Le lendemain"


def test_message_form_keeps_the_text_typed_on_error(client):
    invited_case()
    log_in_person(client)
    too_long = "a" * 1001

    response = client.post(reverse("space_messages"), {"text": too_long})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "text": ["Votre message est trop long : 1000 caractères au plus."]
    }
    assert too_long in response.content.decode()
    assert PersonMessage.objects.count() == 0


def test_message_post_without_csrf_token_is_refused():
    invited_case()
    client = log_in_person(Client())
    client.handler.enforce_csrf_checks = True  # from here on, as a browser without the token

    response = client.post(reverse("space_messages"), {"text": "Bonjour"})

    assert response.status_code == 403
    assert PersonMessage.objects.count() == 0


def test_appointment_change_request_is_shown_on_the_case_page_and_timeline(client):
    case, access = invited_case()
    appointment = _appointment(case)
    planned_at = appointment.planned_at
    log_in_person(client)
    home = client.get(reverse("space_home")).content.decode()
    assert reverse("space_appointment_change", args=[appointment.pk]) in home

    response = client.post(
        reverse("space_appointment_change", args=[appointment.pk]),
        {"reason": "Je travaille ce jour-là."},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("space_messages"))
    request = PersonMessage.objects.get()
    assert (request.kind, request.appointment, request.text, request.access) == (
        PersonMessageKind.APPOINTMENT_CHANGE,
        appointment,
        "Je travaille ce jour-là.",
        access,
    )
    appointment.refresh_from_db()
    assert appointment.planned_at == planned_at  # nothing moves by itself
    page = log_in(Client(), case.pair.advisor).get(reverse("case_detail", args=[case.pk]))
    assert [a.change_asked for a in page.context["upcoming"]] == [True]
    html = page.content.decode()
    assert "la personne demande à le changer" in html
    assert "Je travaille ce jour-là." in html
    planned, asked = timezone.localtime(planned_at), timezone.localtime(request.sent_at)
    assert (
        f"Demande de changement du rendez-vous du {planned:%d/%m/%Y à %H:%M}</strong>, "
        f"le {asked:%d/%m/%Y à %H:%M}"
    ) in html
    assert InformationShare.objects.get(channel=JournalChannel.PERSON).purpose == (
        "Demande de changement de rendez-vous"
    )


def test_appointment_change_asked_twice_is_refused():
    case, access = invited_case()
    appointment = _appointment(case)
    person_messages.appointment_change_ask(access=access, appointment=appointment, reason="Malade")

    with refused(
        person_messages.InvalidTransition,
        "Vous avez déjà demandé à changer ce rendez-vous : votre binôme va vous répondre.",
    ):
        person_messages.appointment_change_ask(
            access=access, appointment=appointment, reason="Encore"
        )


def test_appointment_of_another_case_is_a_404_and_refused_by_the_service(client):
    _case, access = invited_case()
    other_case, _other_access = invited_case(email="autre@exemple.fr")
    other_appointment = _appointment(other_case)
    log_in_person(client)

    response = client.post(
        reverse("space_appointment_change", args=[other_appointment.pk]), {"reason": "Non"}
    )

    assert response.status_code == 404
    with refused(
        person_messages.InvalidTransition,
        "Ce rendez-vous n'est plus à venir : il ne peut plus être changé.",
    ):
        person_messages.appointment_change_ask(
            access=access, appointment=other_appointment, reason="Non"
        )
    assert PersonMessage.objects.count() == 0


@pytest.mark.parametrize("size", [1, 3])
def test_messages_page_queries_constant(size, client, django_assert_num_queries):
    case, access = invited_case()
    other_pair = PairFactory(department=case.pair.department)
    case = services.case_reassign(case=case, new_pair=other_pair, reason="Départ", acting_user=None)
    for number in range(size):
        person_messages.message_send(access=access, text=f"Message {number}")
        person_messages.appointment_change_ask(
            access=access, appointment=_appointment(case, days=number + 1), reason="Empêchée"
        )
    log_in_person(client)

    # session, access (with its case and person), messages with their appointments
    with django_assert_num_queries(3):
        response = client.get(reverse("space_messages"))

    assert len(response.context["sent"]) == 2 * size
    assert EMAIL not in response.content.decode()


# Requests about the person's data, to the DPO.


def test_rectification_from_the_space_reaches_the_dpo_as_a_space_request(client):
    case, access = invited_case()
    dpo = ProfessionalFactory(role=Role.AUDITOR, organisation__department=case.pair.department)
    log_in_person(client)

    response = client.post(
        reverse("space_data_requests"),
        {"kind": "rectification", "text": "Mon adresse est fausse : 3 rue des Lilas."},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("space_data_requests"))
    request = PersonRequest.objects.get()
    assert (
        request.kind,
        request.state,
        request.beneficiary,
        request.case,
        request.recorded_by,
        request.from_space,
        request.received_on,
    ) == (
        "rectification",
        PersonRequestState.OPEN,
        case.beneficiary,
        case,
        None,
        access,
        timezone.localdate(),
    )
    dpo_page = log_in(Client(), dpo).get(reverse("person_requests"))
    html = dpo_page.content.decode()
    assert "Mon adresse est fausse" in html
    assert "reçue depuis l'espace de la personne" in html
    row = InformationShare.objects.get(channel=JournalChannel.PERSON)
    assert (row.actor, row.purpose, row.object_id) == (
        None,
        "Demande au ou à la DPO : droit de rectification",
        str(request.pk),
    )
    audit = LogEntry.objects.get_for_object(request).get()
    assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")


def test_full_copy_asked_without_words_is_an_access_request_and_the_answer_shows(client):
    case, access = invited_case()
    dpo = ProfessionalFactory(role=Role.AUDITOR, organisation__department=case.pair.department)
    log_in_person(client)

    client.post(reverse("space_data_requests"), {"kind": "access", "text": ""})
    request = PersonRequest.objects.get()
    assert (request.kind, request.text) == ("access", rights.FULL_COPY_TEXT)
    assert (
        "En cours : vous recevrez une réponse."
        in client.get(reverse("space_data_requests")).content.decode()
    )

    rights.person_request_answer(
        person_request=request, acting_user=dpo, answer="Votre copie vous est envoyée par courrier."
    )
    page = client.get(reverse("space_data_requests"))

    assert [(r.pk, r.state) for r in page.context["requests"]] == [
        (request.pk, PersonRequestState.ANSWERED)
    ]
    assert "Votre copie vous est envoyée par courrier." in page.content.decode()


def test_rectification_without_words_is_refused_and_keeps_the_choice(client):
    invited_case()
    log_in_person(client)

    response = client.post(reverse("space_data_requests"), {"kind": "objection", "text": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "text": ["Écrivez ce que vous demandez, avec vos mots."]
    }
    assert '<option value="objection" selected>' in response.content.decode()
    assert PersonRequest.objects.count() == 0


def test_data_requests_over_the_daily_limit_are_refused_with_the_limit_message():
    _case, access = invited_case()
    for _ in range(person_messages.DAILY_LIMIT):
        rights.person_request_from_space(access=access, kind="access", text="")

    with refused(person_messages.LimitReached, person_messages.LIMIT_REACHED):
        rights.person_request_from_space(access=access, kind="objection", text="Encore une")
    assert PersonRequest.objects.count() == person_messages.DAILY_LIMIT
