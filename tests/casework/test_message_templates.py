"""The administrator's wording of the messages to the person: every kind on each channel listed
with its length in SMS segments, a preview that saves nothing, the checks at save (in French,
keeping what was typed), and the next message written from the department's wording."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import CaseState, MessageChannel, MessageKind
from casework.messages import services as messages
from casework.models import MessageTemplate
from partners.enums import Role
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory
from tests.conftest import log_in
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

EDIT = reverse("message_template_edit", args=["convocation", "sms"])


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    return CaseFactory(state=CaseState.ACTIVE)


@pytest.fixture
def admin_client(case) -> Client:  # type: ignore[no-untyped-def]
    administrator = ProfessionalFactory(
        role=Role.ADMIN, organisation__department=case.pair.department
    )
    return log_in(Client(), administrator)


def test_every_message_is_listed_with_its_wording_and_length(admin_client):
    page = admin_client.get(reverse("message_templates"))

    rows = page.context["rows"]
    assert len(rows) == len(MessageKind) * len(MessageChannel)
    code = next(row for row in rows if (row.kind, row.channel) == ("space_code", "sms"))
    assert (code.own, code.sms.segments, code.sms.encoding) == (False, 1, "GSM")
    assert "texte par défaut" in page.content.decode()


def test_the_preview_fills_the_text_and_counts_segments_without_saving(admin_client):
    body = "Bonjour, rendez-vous le {date} à {heure}, {lieu}. Contact : {contact}. Ça marche ?"

    page = admin_client.post(EDIT, {"body": body, "action": "preview"})

    preview = page.context["preview"]
    assert preview.body == (
        "Bonjour, rendez-vous le mercredi 30 septembre à 14h30, Agence France Travail, 12 "
        "avenue de la République. Contact : 03 81 00 00 00. Ça marche ?"
    )
    # « à » and « Ç » are in the SMS alphabet, « République » too: one GSM segment.
    assert (preview.sms.segments, preview.sms.encoding) == (1, "GSM")
    assert "1 SMS" in page.content.decode()
    assert MessageTemplate.objects.count() == 0


def test_a_unicode_character_is_counted_as_such_in_the_preview(admin_client):
    body = "Rendez-vous le {date} à {heure}, {lieu}, avec {prenom_referent} – à bientôt, "
    body += "n'hésitez pas à prévenir : {contact}. Ne pas répondre à ce SMS, merci ê."

    preview = admin_client.post(EDIT, {"body": body, "action": "preview"}).context["preview"]

    assert (preview.sms.encoding, preview.sms.segments) == ("Unicode", 4)


def test_an_unknown_placeholder_is_refused_at_save_and_the_text_is_kept(admin_client):
    body = "Bonjour {nom}, rendez-vous le {date}."

    page = admin_client.post(EDIT, {"body": body, "action": "save"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "« {nom} » n&#x27;est pas une information que ce message peut contenir." in text
    assert "Bonjour {nom}, rendez-vous le {date}." in text
    assert MessageTemplate.objects.count() == 0


def test_a_forbidden_word_is_refused_even_in_the_preview(admin_client):
    page = admin_client.post(
        EDIT, {"body": "Rendez-vous le {date}, sinon sanction.", "action": "preview"}
    )

    assert "retirez « sanction »" in page.content.decode()


def test_the_saved_wording_writes_the_next_convocation(admin_client, case, today):
    body = "RDV le {date} a {heure} avec {prenom_referent}, {lieu}. Infos : {contact}"
    saved = admin_client.post(EDIT, {"body": body, "action": "save"})
    messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.SMS,
        address="06 12 34 56 78",
        acting_user=case.pair.social_worker,
    )

    services.appointment_plan(
        case=case,
        acting_user=case.pair.advisor,
        planned_at=timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=4), datetime.time(11))
        ),
        place="Agence du centre",
        with_whom=case.pair.advisor,
    )

    assert saved.status_code == 302
    sms = OutboxMessage.objects.get(kind="sms")
    assert sms.payload["content"].startswith("RDV le ")
    assert sms.payload["content"].endswith(f"Agence du centre. Infos : {case.pair.advisor.email}")
    listed = admin_client.get(reverse("message_templates")).context["rows"]
    assert [row.own for row in listed if row.kind == "convocation"] == [True, False]


def test_the_default_text_is_offered_back(admin_client, case):
    messages.template_save(
        department=case.pair.department,
        kind="convocation",
        channel="sms",
        subject="",
        body="Rendez-vous le {date}.",
        acting_user=None,
    )

    edited = admin_client.get(EDIT).context["form"].initial["body"]
    default = admin_client.get(f"{EDIT}?defaut=1").context["form"].initial["body"]

    assert edited == "Rendez-vous le {date}."
    assert default.startswith("Bonjour, vous avez rendez-vous le {date} à {heure}")


def test_an_unknown_kind_of_message_is_404(admin_client):
    assert (
        admin_client.get(reverse("message_template_edit", args=["sanction", "sms"])).status_code
        == 404
    )
    assert (
        admin_client.get(reverse("message_template_edit", args=["reminder", "fax"])).status_code
        == 404
    )


@pytest.mark.parametrize("own", [0, 8])
def test_the_list_queries_constant(own, admin_client, case, django_assert_num_queries):
    for kind in list(MessageKind)[:own]:
        messages.template_save(
            department=case.pair.department,
            kind=kind,
            channel="email",
            subject="Message",
            body="Bonjour.",
            acting_user=None,
        )

    # session, professional, their organisation and department, the department's templates
    with django_assert_num_queries(4):
        admin_client.get(reverse("message_templates"))
