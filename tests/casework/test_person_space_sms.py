"""The person's space by SMS: the invitation and the codes leave by the channel of the contact
the person gave, with the department's wording; the login page takes a mobile number and answers
the same whether it is known or not; the pause holds for numbers too; a code is not held by the
quiet hours, an invitation is."""

import datetime
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import (
    CaseState,
    ConsentMethod,
    JournalChannel,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from casework.messages import phones
from casework.messages import services as messages
from casework.models import InformationShare, MessageConsent, SentMessage, SpaceAccess
from casework.space import services as space_services
from casework.space import session as space_session
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory
from tests.casework.test_messages_sending import TOKEN, brevo_event, report
from tests.conftest import log_in
from tests.refusals import refused

pytestmark = pytest.mark.django_db

MOBILE = "06 12 34 56 78"
E164 = "+33612345678"
SMS_CODE = re.compile(r"Votre code pour entrer dans votre espace Binome : (\d{6})\.")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def sms_invited_case(phone: str = MOBILE):  # type: ignore[no-untyped-def]
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__first_name="Rosalie")
    department = case.pair.department
    department.sms_sender = "CD25"
    department.save()
    social_worker = case.pair.social_worker
    social_worker.first_name = "Lina"
    social_worker.save()
    access = space_services.space_invite(case=case, phone=phone, acting_user=social_worker)
    return case, access


def sms_code(number: str = E164) -> str:
    """The code, read from the last SMS queued for ``number`` (as the person reads it)."""
    row = (
        OutboxMessage.objects.filter(key__startswith="space-code:", payload__to=number)
        .order_by("-pk")
        .first()
    )
    assert row is not None
    match = SMS_CODE.search(row.payload["content"])
    assert match is not None
    return match.group(1)


def ask_code(client: Client, contact: str = MOBILE):  # type: ignore[no-untyped-def]
    return client.post(reverse("space_login"), {"contact": contact}, follow=True)


# The invitation.


@pytest.fixture(autouse=True)
def site_url(settings):  # type: ignore[no-untyped-def]
    settings.BINOME_SITE_URL = "https://binome.example.fr"


LINK = "https://binome.example.fr/mon-espace/connexion/"


def test_invitation_by_sms_reaches_the_outbox_with_the_default_wording(today):
    case, access = sms_invited_case()

    assert (access.phone, access.email, access.channel) == (E164, "", MessageChannel.SMS)
    row = OutboxMessage.objects.get(key__startswith="space-invitation:")
    organisation = case.pair.social_worker.organisation.name
    assert (row.key, row.kind, row.payload) == (
        f"space-invitation:{access.pk}:sms",
        "sms",
        {
            "to": E164,
            "sender": "CD25",
            "content": f"Bonjour, Lina ({organisation}) vous invite dans votre espace Binome pour "
            f"suivre votre accompagnement : {LINK} Ne pas répondre à ce SMS.",
        },
    )
    message = SentMessage.objects.get(case=case)
    assert (message.kind, message.channel, message.status, message.outbox_key) == (
        MessageKind.SPACE_INVITATION,
        MessageChannel.SMS,
        MessageStatus.QUEUED,
        row.key,
    )
    rows = InformationShare.objects.filter(
        case=case, channel__in=[JournalChannel.MESSAGE, JournalChannel.GRANT], actor__isnull=False
    ).order_by("pk")
    assert [(r.channel, r.purpose, r.actor_id) for r in rows] == [
        (
            JournalChannel.MESSAGE,
            "Invitation dans l'espace de la personne (SMS)",
            case.pair.social_worker.pk,
        ),
        (
            JournalChannel.GRANT,
            "Invitation de la personne dans son espace",
            case.pair.social_worker.pk,
        ),
    ]
    # The journal says the kind and the channel, never the number or the text.
    assert all(E164 not in str(r.__dict__) and "Binome" not in r.purpose for r in rows)


def test_invitation_uses_the_departments_wording(today):
    case = CaseFactory(state=CaseState.ACTIVE)
    messages.template_save(
        department=case.pair.department,
        kind=MessageKind.SPACE_INVITATION,
        channel=MessageChannel.SMS,
        subject="",
        body="Le Doubs vous ouvre votre espace : {lien_espace}",
        acting_user=None,
    )

    space_services.space_invite(case=case, phone=MOBILE, acting_user=case.pair.advisor)

    row = OutboxMessage.objects.get(key__startswith="space-invitation:")
    assert row.payload["content"] == f"Le Doubs vous ouvre votre espace : {LINK}"


def test_invitation_by_sms_is_held_by_the_quiet_hours(today):
    with time_machine.travel(_at(today, 21, 30)):
        _case, _access = sms_invited_case()

    row = OutboxMessage.objects.get(key__startswith="space-invitation:")
    assert row.next_attempt_at == _at(today + datetime.timedelta(days=1), 8)


def test_invite_view_takes_a_mobile_number_and_refuses_a_landline():
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__email="", beneficiary__phone=MOBILE)
    client = log_in(Client(), case.pair.advisor)
    url = reverse("space_invite", args=[case.pk])

    page = client.get(url)
    landline = client.post(url, {"contact": "03 81 25 25 25", "person_agreed": "on"})
    done = client.post(url, {"contact": "07 81 23 45 67", "person_agreed": "on"})

    assert page.context["form"]["contact"].value() == MOBILE
    assert landline.context["form"].errors == {"contact": [phones.LANDLINE]}
    assert done.status_code == 302
    assert SpaceAccess.objects.get().phone == "+33781234567"
    assert OutboxMessage.objects.get(key__startswith="space-invitation:").payload["to"] == (
        "+33781234567"
    )


def test_invite_refused_for_a_number_already_giving_access_to_someone_else():
    sms_invited_case()
    other = CaseFactory(state=CaseState.ACTIVE)

    with refused(
        space_services.InvalidInput,
        "Ce numéro donne déjà accès à l'espace d'une autre personne : demandez à la personne un "
        "numéro qui lui est propre.",
        field="contact",
    ):
        space_services.space_invite(
            case=other, phone="+33 6 12 34 56 78", acting_user=other.pair.advisor
        )


# The code by SMS.


def test_login_by_number_sends_the_code_by_sms_and_opens_the_space(today):
    case, access = sms_invited_case()
    client = Client()

    asked = ask_code(client, "+33 6 12 34 56 78")  # another way to write the same number
    page = asked.content.decode()
    opened = client.post(reverse("space_code"), {"code": sms_code()})

    assert "Regardez vos SMS au 06 12 34 56 78" in page
    row = OutboxMessage.objects.get(key__startswith="space-code:")
    assert (row.kind, row.payload["to"], row.payload["sender"]) == ("sms", E164, "CD25")
    assert (opened.status_code, opened["Location"]) == (302, reverse("space_home"))
    assert client.session[space_session.ACCESS_ID] == access.pk
    # One journal row for the code's message, with no professional: the person asked for it.
    code_row = InformationShare.objects.get(
        case=case, channel=JournalChannel.MESSAGE, purpose="Code de connexion à l'espace (SMS)"
    )
    assert (code_row.actor_id, code_row.object_type) == (None, "message à la personne")


def test_a_code_by_sms_is_not_held_by_the_quiet_hours(today):
    sms_invited_case()
    late = _at(today, 23, 10)

    with time_machine.travel(late, tick=False):
        space_services.code_send(contact=MOBILE)

    row = OutboxMessage.objects.get(key__startswith="space-code:")
    assert row.next_attempt_at <= late


def test_unknown_number_gets_the_same_page_and_nothing_is_sent():
    sms_invited_case()
    before = OutboxMessage.objects.count()
    known, unknown = Client(), Client()

    known_answer = ask_code(known, MOBILE)
    unknown_answer = ask_code(unknown, "07 98 76 54 32")

    def page(response) -> str:  # type: ignore[no-untyped-def]
        html = response.content.decode().replace("06 12 34 56 78", "NUMÉRO")
        html = html.replace("07 98 76 54 32", "NUMÉRO")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert [r.redirect_chain for r in (known_answer, unknown_answer)] == [
        [(reverse("space_code"), 302)]
    ] * 2
    assert page(known_answer) == page(unknown_answer)
    assert OutboxMessage.objects.count() == before + 1  # the known number's code only
    assert OutboxMessage.objects.filter(payload__to="+33798765432").count() == 0


def test_login_page_refuses_what_is_neither_an_address_nor_a_mobile_number():
    response = Client().post(reverse("space_login"), {"contact": "03 81 25 25 25"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"contact": [phones.LANDLINE]}
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize("number", [MOBILE, "07 98 76 54 32"])
def test_five_wrong_codes_then_a_pause_holds_for_a_number(number):
    sms_invited_case()
    right = space_services.code_send(contact=number) or "000000"
    wrong = "111111" if right != "111111" else "222222"
    for attempt in range(space_services.MAX_CODE_FAILURES):
        # The same number written two ways counts as one contact.
        written = number if attempt % 2 else "+33" + number.replace(" ", "")[1:]
        with refused(space_services.CodeRefused, space_services.WRONG_CODE):
            space_services.code_check(contact=written, code=wrong)

    with refused(
        space_services.CodeRefused,
        "Trop d'essais de code. Pour votre sécurité, attendez 15 minutes puis demandez un "
        "nouveau code.",
    ) as caught:
        space_services.code_check(contact=number, code=right)
    assert caught.value.reason == "paused"
    sent = OutboxMessage.objects.filter(key__startswith="space-code:").count()
    assert space_services.code_send(contact=number) is None
    assert OutboxMessage.objects.filter(key__startswith="space-code:").count() == sent


# The person's choice of channels, from their space.


def log_in_by_sms(number: str = MOBILE) -> Client:
    client = Client()
    ask_code(client, number)
    opened = client.post(reverse("space_code"), {"code": sms_code()})
    assert opened["Location"] == reverse("space_home")
    return client


def plan(case, today):  # type: ignore[no-untyped-def]
    return services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=_at(today + datetime.timedelta(days=7), 14, 30),
        place="Agence de Besançon",
        with_whom=case.pair.advisor,
    )


def convocations() -> list[tuple[str, object]]:
    return [
        (row.kind, row.payload["to"])
        for row in OutboxMessage.objects.filter(key__startswith="convocation:").order_by("key")
    ]


def test_home_links_to_the_choice_of_channels():
    sms_invited_case()

    home = log_in_by_sms().get(reverse("space_home")).content.decode()

    assert f'href="{reverse("space_channels")}"' in home


def test_person_says_yes_to_sms_from_their_space_then_a_convocation_follows(today):
    case, access = sms_invited_case()
    client = log_in_by_sms()

    form = client.get(reverse("space_channel_give", args=["sms"]))
    given = client.post(reverse("space_channel_give", args=["sms"]), {"address": "07 81 23 45 67"})
    page = client.get(reverse("space_channels")).content.decode()
    plan(case, today)

    assert form.context["form"]["address"].value() == MOBILE  # the invitation's number
    assert (given.status_code, given["Location"]) == (302, reverse("space_channels"))
    consent = MessageConsent.objects.get()
    assert (consent.channel, consent.address, consent.given_how, consent.recorded_by) == (
        MessageChannel.SMS,
        "+33781234567",
        ConsentMethod.SPACE,
        None,
    )
    assert "<strong>07 81 23 45 67</strong>" in page
    act = InformationShare.objects.get(case=case, channel=JournalChannel.PERSON)
    assert (act.actor_id, act.purpose, act.object_id) == (
        None,
        "Accord pour recevoir ses rendez-vous par SMS, donné par la personne",
        str(consent.pk),
    )
    assert "+33781234567" not in str(act.__dict__)
    # Audited as the person's own act.
    entry = LogEntry.objects.get_for_object(consent).get()
    assert (entry.actor, entry.actor_email) == (None, f"personne:espace n°{access.pk}")
    assert convocations() == [("sms", "+33781234567")]


def test_person_withdraws_their_yes_after_a_confirmation_then_no_convocation(today):
    case, access = sms_invited_case()
    messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.EMAIL,
        address="rosalie@exemple.fr",
        acting_user=case.pair.advisor,
    )
    client = log_in_by_sms()
    url = reverse("space_channel_withdraw", args=["email"])

    confirm = client.get(url)
    assert MessageConsent.objects.in_force().count() == 1  # the page alone changes nothing
    withdrawn = client.post(url)
    plan(case, today)

    assert "Oui, je ne veux plus de messages par e-mail" in confirm.content.decode()
    assert "rosalie@exemple.fr" in confirm.content.decode()
    assert (withdrawn.status_code, withdrawn["Location"]) == (302, reverse("space_channels"))
    consent = MessageConsent.objects.get()
    assert (consent.withdrawn_how, consent.withdrawn_by) == (ConsentMethod.SPACE, None)
    assert consent.withdrawn_at is not None
    assert list(
        InformationShare.objects.filter(case=case, channel=JournalChannel.PERSON).values_list(
            "purpose", flat=True
        )
    ) == ["Accord pour recevoir ses rendez-vous par e-mail, retiré par la personne"]
    assert convocations() == []


def test_withdrawing_a_channel_without_a_yes_is_a_404_like_an_unknown_channel():
    sms_invited_case()
    client = log_in_by_sms()

    assert client.get(reverse("space_channel_withdraw", args=["sms"])).status_code == 404
    assert client.post(reverse("space_channel_withdraw", args=["sms"])).status_code == 404
    assert client.get(reverse("space_channel_give", args=["fax"])).status_code == 404


def test_a_landline_is_refused_in_french_from_the_space():
    sms_invited_case()
    client = log_in_by_sms()

    refused_post = client.post(
        reverse("space_channel_give", args=["sms"]), {"address": "03 81 25 25 25"}
    )

    assert refused_post.context["form"].errors == {"address": [phones.LANDLINE]}
    assert MessageConsent.objects.count() == 0


def test_an_undelivered_code_flags_only_a_yes_for_that_same_number(settings):
    """A space code that did not reach the invitation's number says nothing of the number the
    person gave for their convocations; one sent to that number does flag it."""
    settings.BREVO_WEBHOOK_TOKEN = TOKEN
    case, _access = sms_invited_case()  # invited at 06 12 34 56 78
    other = messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.SMS,
        address="07 98 76 54 32",
        acting_user=case.pair.social_worker,
    )
    space_services.code_send(contact=E164)
    code = SentMessage.objects.get(kind=MessageKind.SPACE_CODE)

    report(Client(), brevo_event(code.outbox_key, "hard_bounce", 1_800_000_000))

    other.refresh_from_db()
    assert (SentMessage.objects.get(pk=code.pk).status, other.undeliverable_at) == (
        MessageStatus.FAILED,
        None,
    )
    # The person's yes moves to the invitation's number: the next undelivered code flags it.
    messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.SMS,
        address=MOBILE,
        acting_user=case.pair.social_worker,
    )
    space_services.code_send(contact=E164)
    second = SentMessage.objects.filter(kind=MessageKind.SPACE_CODE).latest("pk")
    report(Client(), brevo_event(second.outbox_key, "hard_bounce", 1_800_000_001))
    flagged = MessageConsent.objects.get(withdrawn_at__isnull=True, channel=MessageChannel.SMS)
    assert (flagged.address, flagged.undeliverable_at is not None) == (E164, True)
