"""Messages to the person, in a real browser, from the department's wording to the provider's
delivery report (issue 23).

The department's administrator rewrites the convocation SMS (the preview counts its segments); the
référent records Rosalie's yes to SMS and e-mail on her case and plans an appointment five days
ahead; the outbox is relayed by the project's own relay to the fake Brevo SMS and e-mail APIs on
127.0.0.1: the SMS carries the department's wording, the e-mail the convocation; Brevo's delivery
report, posted to the live server's webhook with the shared secret, shows « SMS remis le … » on
the case; two days before, at 10:00 when the beat task runs, the reminders task run twice sends
one reminder; Rosalie withdraws her yes to SMS (confirmation page): the next convocation leaves
by e-mail only; an unexcused absence recorded after the appointment sends nothing of any kind
(both fake providers and the outbox). Every page visited is checked with axe-core.
"""

import datetime
import json
import urllib.request
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from casework.demo import DEMO_PERSON_EMAIL
from casework.enums import JournalChannel, MessageStatus
from casework.models import Appointment, Case, InformationShare, SentMessage
from casework.tasks import send_appointment_reminders
from config.settings.base import BREVO_EMAIL_BACKEND
from partners.demo import DEMO_DEPARTMENT_CODE
from partners.models import OutboxMessage, Professional
from partners.outbox import dispatch
from partners.outbox.models import OutboxState
from tests.browser.accessibility import Audit
from tests.browser.demo import ADMIN, log_in, narrow_pages, open_menu_group, second_factor
from tests.fake_brevo import API_KEY, FakeBrevo
from tests.outbox import outbox_messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEBHOOK_TOKEN = "secret-des-rapports-de-remise"
#: The department's convocation SMS (GSM alphabet only: « é » and « à » are in it).
WORDING = (
    "Bonjour, le Département vous attend le {date} à {heure}, {lieu}, avec {prenom_referent} "
    "({organisation}). Pour changer de date : {contact}. Merci de ne pas répondre à ce SMS."
)
MOBILE, MOBILE_E164, MOBILE_BREVO = "06 12 34 56 78", "+33612345678", "33612345678"
ADDRESS = "rosalie.sms@exemple.fr"
PLACE = "Maison des solidarités, 4 rue Battant"
OTHER_PLACE = "Agence France Travail, 2 rue Proudhon"
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]  # fmt: skip


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _said(when: datetime.datetime) -> str:
    """The date as a message says it (« mercredi 9 décembre »)."""
    return f"{DAYS[when.weekday()]} {when.day} {MONTHS[when.month - 1]}"


@pytest.fixture
def brevo(demo, settings) -> Iterator[FakeBrevo]:  # type: ignore[no-untyped-def]
    """The fake Brevo SMS and e-mail APIs; the relay's SMS gateway and mailer pointed at them, the
    webhook's shared secret set. The demo's own backlog (the space invitation) leaves first,
    through the console backends: the fakes see the journey's messages only."""
    dispatch.relay_all()
    fake = FakeBrevo().start()
    settings.BINOME_SMS_BACKEND, settings.BREVO_API_URL = "brevo", fake.url
    settings.BREVO_API_KEY, settings.BINOME_SMS_TIMEOUT = API_KEY, 2
    settings.MAILERS = {
        "default": {
            "BACKEND": BREVO_EMAIL_BACKEND,
            "OPTIONS": {"api_key": API_KEY, "api_url": fake.url},
        }
    }
    settings.BREVO_WEBHOOK_TOKEN = WEBHOOK_TOKEN
    yield fake
    fake.stop()


def _rosalie_case() -> Case:
    return Case.objects.select_related(
        "referent__organisation", "pair__department", "beneficiary"
    ).get(space_accesses__email=DEMO_PERSON_EMAIL)


def _delivery_report(url: str, tag: str, at: datetime.datetime) -> dict:  # type: ignore[type-arg]
    """What Brevo's transactional SMS webhook posts (bearer-token authentication)."""
    body = {
        "id": 7, "to": MOBILE_BREVO, "sms_count": 1, "credits_used": 0.7,
        "messageId": 1511882900176221, "msg_status": "delivered",
        "date": f"{at:%Y-%m-%d %H:%M:%S}", "type": "sms", "status": "OK", "error_code": 0,
        "tag": tag, "description": "", "ts_event": int(at.timestamp()),
    }  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 — the live server, on 127.0.0.1
        f"{url}{reverse('brevo_sms_report')}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {WEBHOOK_TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def _plan(page: Page, url: str, case: Case, when: datetime.datetime, place: str) -> Appointment:
    page.goto(f"{url}/accompagnements/{case.pk}/rendez-vous/")
    page.get_by_label("Date et heure").fill(f"{timezone.localtime(when):%Y-%m-%dT%H:%M}")
    page.get_by_label("Lieu").fill(place)
    page.get_by_label("Avec").select_option(str(case.referent_id))
    page.get_by_role("button", name="Planifier le rendez-vous").click()
    expect(
        page.get_by_text(f"Rendez-vous planifié le {timezone.localtime(when):%d/%m/%Y à %H:%M}.")
    ).to_be_visible()
    return Appointment.objects.get(case=case, planned_at=when)


def _relay() -> None:
    """The relay, as beat runs it every minute. Under eager Celery the commit's kick has already
    relayed (partners.outbox.enqueue.kick): either way, no message is left waiting or failed (the
    dashboards' refresh waits for the end of its window: tests/outbox.py)."""
    dispatch.relay_all()
    assert list(outbox_messages().exclude(state=OutboxState.SENT).values_list("key")) == []


def test_messages_to_the_person_from_wording_to_delivery(
    brevo: FakeBrevo, new_page: Callable[[], Page], browser: Browser, live_server
):
    url = live_server.url
    audit = Audit()
    today = timezone.localdate()
    case = _rosalie_case()
    referent: Professional = case.referent
    assert referent.organisation is not None
    department = case.pair.department
    assert department.code == DEMO_DEPARTMENT_CODE
    # The demo's own messages (the space invitation) came before the journey.
    journal_before = InformationShare.objects.order_by("-pk").values_list("pk", flat=True)[0]

    # 1. The department's administrator rewrites the convocation SMS; the preview counts it.
    admin = new_page()
    log_in(admin, url, ADMIN)
    second_factor(admin, ADMIN)
    open_menu_group(admin, "Messages")
    admin.get_by_role("link", name="Messages à la personne").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Messages à la personne")
    audit.check(admin, "messages à la personne (administration)")
    admin.get_by_role("link", name="Modifier « Convocation à un rendez-vous » par SMS").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        "Convocation à un rendez-vous par SMS"
    )
    audit.check(admin, "texte d'un message")
    admin.get_by_label("Texte").fill(WORDING)
    admin.get_by_role("button", name="Prévisualiser").click()
    expect(admin.get_by_text("2 SMS — 256 caractères, alphabet GSM.")).to_be_visible()
    audit.check(admin, "aperçu d'un message")
    admin.get_by_role("button", name="Enregistrer").click()
    expect(
        admin.get_by_text(
            "Message « Convocation à un rendez-vous » par SMS enregistré : les prochains envois "
            "l'utilisent."
        )
    ).to_be_visible()
    sms_row = (
        admin.get_by_role("row")
        .filter(has_text="Convocation à un rendez-vous")
        .filter(has=admin.get_by_role("cell", name="SMS", exact=True))
    )
    expect(sms_row).to_contain_text("texte du département")
    expect(sms_row).to_contain_text("jusqu'à 2 SMS")

    # 2. The référent records Rosalie's yes to SMS and e-mail, then plans an appointment.
    page = new_page()
    log_in(page, url, referent.email)
    case_url = f"{url}/accompagnements/{case.pk}/"
    page.goto(case_url)
    block = page.locator("section", has=page.get_by_role("heading", name="Messages à la personne"))
    expect(block).to_contain_text("La personne n'a pas donné son accord")
    audit.check(page, "accompagnement")
    for channel, radio, address, said in (
        ("SMS", "id_channel_0", MOBILE, "SMS"),
        ("e-mail", "id_channel_1", ADDRESS, "e-mail"),
    ):
        block.get_by_role("link", name="Messages par SMS ou e-mail : enregistrer son choix").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Messages à Rosalie")
        audit.check(page, f"accord pour les messages ({channel})")
        page.locator(f"label[for={radio}]").click()
        page.get_by_label("Numéro de portable ou adresse électronique").fill(address)
        page.locator("label[for=id_person_agreed]").click()
        page.get_by_role("button", name="Enregistrer l'accord").click()
        expect(
            page.get_by_text(
                f"Accord enregistré : la personne recevra ses convocations et rappels par {said}."
            )
        ).to_be_visible()
    expect(block).to_contain_text(f"SMS : {MOBILE}")
    expect(block).to_contain_text(f"e-mail : {ADDRESS}")

    planned_at = _at(today + datetime.timedelta(days=5), 14, 30)
    first = _plan(page, url, case, planned_at, PLACE)
    audit.check(page, "rendez-vous")

    # 3. The relay hands them to the providers: the SMS in the department's words.
    _relay()
    values = {
        "date": _said(planned_at),
        "heure": "14h30",
        "lieu": PLACE,
        "prenom_referent": referent.first_name,
        "organisation": referent.organisation.name,
        "contact": referent.email,
    }
    (sms,) = brevo.sent
    assert (sms["recipient"], sms["sender"], sms["tag"], sms["content"]) == (
        MOBILE_BREVO,
        department.sms_sender,
        f"convocation:{first.pk}:sms",
        WORDING.format(**values),
    )
    (email,) = brevo.emails
    assert ([to["email"] for to in email["to"]], email["subject"]) == (
        [ADDRESS],
        f"Votre rendez-vous le {values['date']} à 14h30",
    )
    assert PLACE in email["textContent"]

    # 4. Brevo's delivery report comes back to the webhook: the case says « SMS remis le … ».
    delivered_at = timezone.now().replace(microsecond=0)
    assert _delivery_report(url, sms["tag"], delivered_at) == {"status": "delivered"}
    page.goto(case_url)
    expect(block).to_contain_text(
        f"Convocation à un rendez-vous — SMS remis le "
        f"{timezone.localtime(delivered_at):%d/%m/%Y à %Hh%M}"
    )
    assert SentMessage.objects.get(outbox_key=sms["tag"]).status == MessageStatus.DELIVERED

    # 5. Two days before, at 10:00 when the beat task runs: run twice, one reminder leaves.
    with time_machine.travel(_at(today + datetime.timedelta(days=3), 10), tick=True):
        queued = [send_appointment_reminders.delay().get() for _ in range(2)]
        _relay()
    assert [run[DEMO_DEPARTMENT_CODE] for run in queued] == [2, 0]
    reminder = f"reminder:{first.pk}:{planned_at:%Y%m%d}:2:sms"
    assert [sent["tag"] for sent in brevo.sent] == [sms["tag"], reminder]
    assert brevo.sent[1]["content"].startswith(f"Rappel : rendez-vous le {values['date']} à 14h30")
    assert brevo.emails[1]["subject"] == f"Rappel : votre rendez-vous le {values['date']} à 14h30"

    # 6. Rosalie no longer wants SMS: the référent withdraws it, after the confirmation page.
    page.goto(case_url)
    block.locator("li", has_text=f"SMS : {MOBILE}").get_by_role("link", name="Retirer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plus de SMS pour Rosalie")
    audit.check(page, "retrait de l'accord pour les SMS")
    page.get_by_role("button", name="Confirmer le retrait").click()
    expect(page.get_by_text("Accord retiré : plus aucun message ne part par SMS.")).to_be_visible()
    expect(block).not_to_contain_text(f"SMS : {MOBILE}")
    second_at = _at(today + datetime.timedelta(days=9), 9, 15)
    second = _plan(page, url, case, second_at, OTHER_PLACE)
    _relay()
    assert len(brevo.sent) == 2  # nothing more by SMS
    assert [mail["subject"] for mail in brevo.emails[2:]] == [
        f"Votre rendez-vous le {_said(second_at)} à 9h15"
    ]
    assert not OutboxMessage.objects.filter(key=f"convocation:{second.pk}:sms").exists()

    # 7. The day after the first appointment, Rosalie did not come: the absence sends nothing.
    with time_machine.travel(_at(today + datetime.timedelta(days=6), 10), tick=True):
        log_in(page, url, referent.email)
        page.goto(f"{url}/accompagnements/{case.pk}/rendez-vous/")
        audit.check(page, "rendez-vous passé")
        before = (outbox_messages().count(), SentMessage.objects.count())
        row = page.get_by_role("row").filter(
            has_text=f"{timezone.localtime(planned_at):%d/%m/%Y %H:%M}"
        )
        row.get_by_label("Issue").select_option(label="Absence non excusée")
        row.get_by_role("button", name="Enregistrer l'issue").click()
        expect(page.get_by_text("Issue du rendez-vous enregistrée.")).to_be_visible()
        expect(row).to_contain_text("Absence non excusée")
        _relay()
        after = (outbox_messages().count(), SentMessage.objects.count())
    assert after == before
    assert (len(brevo.sent), len(brevo.emails)) == (2, 3)
    # One journal row per message that left (its kind and channel), none for the absence.
    assert sorted(
        InformationShare.objects.filter(
            case=case, channel=JournalChannel.MESSAGE, pk__gt=journal_before
        ).values_list("purpose", flat=True)
    ) == [
        "Convocation à un rendez-vous (SMS)",
        "Convocation à un rendez-vous (e-mail)",
        "Convocation à un rendez-vous (e-mail)",
        "Rappel d'un rendez-vous (SMS)",
        "Rappel d'un rendez-vous (e-mail)",
    ]

    narrow = narrow_pages(
        browser, page, [case_url, f"{url}/accompagnements/{case.pk}/messages/accord/"], audit
    )
    assert audit.problems == [], audit.report()
    assert narrow == [], "\n".join(narrow)
