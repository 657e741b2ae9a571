"""The binôme records the person's yes to SMS or e-mail, sees the messages and their delivery on
the case, and withdraws the yes (after a confirmation): what waited in the outbox does not leave."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import AppointmentOutcome, CaseState, ConsentMethod, MessageStatus
from casework.messages import phones
from casework.models import MessageConsent, SentMessage
from tests.casework.factories import CaseFactory
from tests.conftest import log_in
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    return CaseFactory(state=CaseState.ACTIVE)


def give(client: Client, case, **data):  # type: ignore[no-untyped-def]
    return client.post(reverse("message_consent_give", args=[case.pk]), data)


def test_the_social_worker_records_the_persons_yes_to_sms(case):
    client = log_in(Client(), case.pair.social_worker)

    response = give(client, case, channel="sms", address="06 12 34 56 78", person_agreed="on")
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()

    assert response.status_code == 302
    consent = MessageConsent.objects.in_force().get()
    assert (consent.address, consent.given_how, consent.recorded_by) == (
        "+33612345678",
        ConsentMethod.INTERVIEW,
        case.pair.social_worker,
    )
    assert "<strong>SMS</strong> : 06 12 34 56 78 — accord donné le" in page


def test_a_landline_is_refused_and_the_form_keeps_what_was_typed(case):
    client = log_in(Client(), case.pair.advisor)

    response = give(client, case, channel="sms", address="03 81 25 25 25", person_agreed="on")

    assert response.status_code == 200
    assert response.context["form"].errors == {"address": [phones.LANDLINE]}
    assert 'value="03 81 25 25 25"' in response.content.decode()
    assert MessageConsent.objects.count() == 0


def test_without_the_persons_agreement_nothing_is_recorded(case):
    client = log_in(Client(), case.pair.advisor)

    response = give(client, case, channel="email", address="rosalie@exemple.fr")

    assert response.context["form"].errors == {
        "person_agreed": ["Cochez la case : l'accord de la personne est nécessaire."]
    }
    assert MessageConsent.objects.count() == 0


def test_withdrawing_asks_first_then_stops_what_waited(case, today):
    client = log_in(Client(), case.pair.advisor)
    give(client, case, channel="sms", address="06 12 34 56 78", person_agreed="on")
    tonight = timezone.make_aware(datetime.datetime.combine(today, datetime.time(22, 0)))
    with time_machine.travel(tonight):  # the convocation's SMS waits for 08:00
        services.appointment_plan(
            case=case,
            acting_user=case.pair.advisor,
            planned_at=tonight + datetime.timedelta(days=3),
            place="Agence",
            with_whom=case.pair.advisor,
        )
    url = reverse("message_consent_withdraw", args=[case.pk, "sms"])

    confirm = client.get(url)
    done = client.post(url)

    assert "Confirmer le retrait" in confirm.content.decode()
    assert done.status_code == 302
    assert MessageConsent.objects.in_force().count() == 0
    # nothing waits to leave (but the dashboards' refresh, a task naming the binôme)
    assert not outbox_messages().exists()
    message = SentMessage.objects.get()
    assert (message.status, message.status_detail) == (MessageStatus.FAILED, "accord retiré")
    page = " ".join(client.get(reverse("case_detail", args=[case.pk])).content.decode().split())
    assert ">non distribué</span> (accord retiré)" in page


@pytest.mark.parametrize(
    ("status", "said"), [(MessageStatus.DELIVERED, "remis le"), (MessageStatus.SENT, "envoyé le")]
)
def test_the_case_page_says_when_the_sms_was_delivered_or_sent(case, status, said):
    client = log_in(Client(), case.pair.advisor)
    give(client, case, channel="sms", address="06 12 34 56 78", person_agreed="on")
    services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=timezone.now() + datetime.timedelta(days=3),
        place="Agence",
        with_whom=case.pair.advisor,
    )
    message = SentMessage.objects.get()
    delivered_at = timezone.now()
    message.status, message.status_at = status, delivered_at
    message.save()

    page = " ".join(client.get(reverse("case_detail", args=[case.pk])).content.decode().split())

    assert (
        f"Convocation à un rendez-vous — SMS {said} "
        f"{timezone.localtime(delivered_at):%d/%m/%Y à %Hh%M}"
    ) in page


def _planned_in_three_days(today):  # type: ignore[no-untyped-def]
    """An active case with an appointment at the Agence du centre, in three days at 10:00."""
    case = CaseFactory(state=CaseState.ACTIVE)
    appointment = services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=3), datetime.time(10))
        ),
        place="Agence du centre",
        with_whom=case.pair.advisor,
    )
    return case, appointment


def test_an_appointment_is_moved_from_its_page_and_bad_input_keeps_what_was_typed(today):
    case, appointment = _planned_in_three_days(today)
    when = timezone.localtime(appointment.planned_at)
    client = log_in(Client(), case.pair.social_worker)
    url = reverse("appointment_change", args=[case.pk, appointment.pk])

    form = client.get(url).content.decode()
    unchanged = client.post(
        url, {"planned_at": f"{when:%Y-%m-%dT%H:%M}", "place": "Agence du centre"}
    )
    bad_date = client.post(url, {"planned_at": "demain", "place": "Salle 2"})
    moved = client.post(url, {"planned_at": f"{when:%Y-%m-%d}T15:30", "place": "Salle 2"})

    assert f'value="{when:%Y-%m-%dT%H:%M}"' in form
    assert 'value="Agence du centre"' in form
    assert "Changez la date, l&#x27;heure ou le lieu du rendez-vous." in unchanged.content.decode()
    assert 'value="Salle 2"' in bad_date.content.decode()
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.place, timezone.localtime(appointment.planned_at).hour) == ("Salle 2", 15)


def test_an_appointment_is_cancelled_only_after_confirmation(today):
    case, appointment = _planned_in_three_days(today)
    client = log_in(Client(), case.pair.advisor)
    url = reverse("appointment_cancel", args=[case.pk, appointment.pk])

    confirm = client.get(url)
    appointment.refresh_from_db()
    assert appointment.outcome == ""
    assert "Confirmer l'annulation" in confirm.content.decode()

    done = client.post(url, follow=True)

    appointment.refresh_from_db()
    assert appointment.outcome == AppointmentOutcome.CANCELLED
    page = done.content.decode()
    assert "Rendez-vous annulé. La personne est prévenue" in page
    again = client.post(url, follow=True).content.decode()
    assert "Ce rendez-vous est déjà annulé." in again
