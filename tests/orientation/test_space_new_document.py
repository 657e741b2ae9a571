"""« Nouveau document »: when a document appears in the person's space (a diagnostic signed, an
orientation decision recorded, a contrat signed), one message on each channel the person said
yes to, queued in the event's transaction; none without an access to the space in force; never
twice for one document."""

import datetime

import pytest
from django.db import transaction

from casework.enums import CaseState, JournalChannel, MessageChannel, MessageKind
from casework.messages import sending
from casework.messages import services as messages
from casework.models import InformationShare, SentMessage
from casework.space import services as space_services
from orientation import services
from orientation.enums import ContractKind
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory
from tests.orientation.factories import lock, make_diagnostic

pytestmark = pytest.mark.django_db

LINK = "https://binome.example.fr/mon-espace/documents/"


@pytest.fixture(autouse=True)
def site_url(settings):  # type: ignore[no-untyped-def]
    settings.BINOME_SITE_URL = "https://binome.example.fr"


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    case = CaseFactory(state=CaseState.ACTIVE)
    messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.SMS,
        address="06 12 34 56 78",
        acting_user=case.pair.advisor,
    )
    return case


def invite(case) -> None:  # type: ignore[no-untyped-def]
    space_services.space_invite(
        case=case, email="rosalie@exemple.fr", acting_user=case.pair.social_worker
    )


def decide(case, today):  # type: ignore[no-untyped-def]
    return services.decision_record(
        case=case,
        acting_user=case.pair.advisor,
        path="socioprofessionnel",
        decided_on=today,
        reasons="Selon les critères nationaux.",
    )


def new_document_rows() -> list[tuple[str, str, object]]:
    return [
        (row.key, row.kind, row.payload.get("content") or row.payload.get("body"))
        for row in OutboxMessage.objects.filter(key__startswith="new-document:").order_by("key")
    ]


def test_a_decision_recorded_queues_one_new_document_message(case, today):
    invite(case)

    decision = decide(case, today)

    assert new_document_rows() == [
        (
            f"new-document:decision:{decision.pk}:sms",
            "sms",
            f"Bonjour, un nouveau document est disponible dans votre espace Binome : {LINK} Ne "
            "pas répondre à ce SMS.",
        )
    ]
    sent = SentMessage.objects.get(kind=MessageKind.NEW_DOCUMENT)
    assert (sent.case_id, sent.channel) == (case.pk, MessageChannel.SMS)
    row = InformationShare.objects.get(case=case, object_id=str(sent.pk))
    assert (row.channel, row.purpose, row.actor_id) == (
        JournalChannel.MESSAGE,
        "Nouveau document dans l'espace (SMS)",
        case.pair.advisor.pk,
    )


def test_no_new_document_message_without_an_access_to_the_space(case, today):
    decide(case, today)

    assert new_document_rows() == []
    assert SentMessage.objects.filter(kind=MessageKind.NEW_DOCUMENT).count() == 0


def test_no_new_document_message_after_the_access_is_withdrawn(case, today):
    invite(case)
    space_services.space_withdraw(
        access=case.beneficiary.space_accesses.get(), acting_user=case.pair.advisor
    )

    decide(case, today)

    assert new_document_rows() == []


def test_a_document_is_announced_once(case, today):
    invite(case)
    decision = decide(case, today)

    with transaction.atomic():
        again = sending.new_document(
            case=case, document=f"decision:{decision.pk}", acting_user=case.pair.advisor
        )

    assert again == []
    assert len(new_document_rows()) == 1
    assert SentMessage.objects.filter(kind=MessageKind.NEW_DOCUMENT).count() == 1


def test_the_signed_diagnostic_is_announced_when_locked_not_at_the_first_signature(case):
    invite(case)
    diagnostic = make_diagnostic(case)
    services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=case.pair.social_worker, validated=True
    )
    services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.social_worker)
    assert new_document_rows() == []

    services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor)

    assert [key for key, _, _ in new_document_rows()] == [
        f"new-document:diagnostic:{diagnostic.pk}:sms"
    ]


def test_the_contrat_is_announced_when_signed_and_again_only_for_a_new_signature(case, today):
    invite(case)
    lock(make_diagnostic(case))
    OutboxMessage.objects.filter(key__startswith="new-document:").delete()

    def contract(signed_on):  # type: ignore[no-untyped-def]
        return services.plan_set_contract(
            case=case,
            acting_user=case.pair.advisor,
            kind=ContractKind.CONTRAT_ENGAGEMENT,
            reference="CE-42",
            signed_on=signed_on,
        )

    plan = contract(None)
    assert new_document_rows() == []
    contract(today - datetime.timedelta(days=1))
    contract(today - datetime.timedelta(days=1))  # the reference corrected: not a new document
    contract(today)  # signed again

    assert [key for key, _, _ in new_document_rows()] == [
        f"new-document:plan:{plan.pk}:{today - datetime.timedelta(days=1):%Y%m%d}:sms",
        f"new-document:plan:{plan.pk}:{today:%Y%m%d}:sms",
    ]
