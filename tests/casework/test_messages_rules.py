"""Messages to the person, the rules before any sending: the mobile number, the person's choice
of channels, the department's templates (placeholders, forbidden words, SMS length), quiet hours."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from casework.enums import ConsentMethod, MessageChannel, MessageKind
from casework.errors import InvalidInput
from casework.messages import phones, rules, sending, services, wording
from casework.models import MessageConsent, MessageTemplate
from partners.enums import Role
from partners.errors import InvalidTransition
from tests.casework.factories import BeneficiaryFactory
from tests.partners.factories import DepartmentFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


# The mobile number.


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("06 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("07.81.23.45.67", "+33781234567", "07 81 23 45 67"),
        ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("0033612345678", "+33612345678", "06 12 34 56 78"),
        ("+32 470 12 34 56", "+32470123456", "+32 470 12 34 56"),  # Belgium
        ("+262 692 12 34 56", "+262692123456", "+262 692 12 34 56"),  # La Réunion
    ],
)
def test_mobile_numbers_are_normalised(typed, stored, shown):
    assert phones.normalise_mobile(typed) == stored
    assert phones.display(stored) == shown


def test_a_landline_is_refused_for_sms():
    with refused(InvalidInput, phones.LANDLINE, field="phone"):
        phones.normalise_mobile("01 23 45 67 89")


@pytest.mark.parametrize("typed", ["06 12", "bonjour", "", "+33 6 12 34 56 78 90 12"])
def test_what_is_not_a_number_is_refused(typed):
    with refused(InvalidInput, phones.NOT_A_NUMBER, field="phone"):
        phones.normalise_mobile(typed)


# The person's choice of channels.


def test_consent_given_in_interview_then_withdrawn_from_the_space():
    beneficiary = BeneficiaryFactory()
    advisor = ProfessionalFactory()

    given = services.consent_give(
        beneficiary=beneficiary,
        channel=MessageChannel.SMS,
        address="06 12 34 56 78",
        acting_user=advisor,
    )
    withdrawn = services.consent_withdraw(consent=given, space_access_id=41)

    assert (given.address, given.given_how, given.recorded_by) == (
        "+33612345678",
        ConsentMethod.INTERVIEW,
        advisor,
    )
    assert (withdrawn.withdrawn_how, withdrawn.withdrawn_by) == (ConsentMethod.SPACE, None)
    assert list(MessageConsent.objects.in_force()) == []
    entries = LogEntry.objects.get_for_object(given).order_by("pk")
    assert [(e.actor, e.actor_email) for e in entries] == [
        (advisor, advisor.email),
        (None, "personne:espace n°41"),
    ]
    # The number is contact data: masked in the audit trail.
    assert "+33612345678" not in str([e.changes for e in entries])


def test_a_new_consent_replaces_the_one_in_force_and_keeps_it():
    beneficiary = BeneficiaryFactory()
    advisor = ProfessionalFactory()
    first = services.consent_give(
        beneficiary=beneficiary,
        channel=MessageChannel.EMAIL,
        address="A@Exemple.fr ",
        acting_user=advisor,
    )

    second = services.consent_give(
        beneficiary=beneficiary,
        channel=MessageChannel.EMAIL,
        address="b@exemple.fr",
        space_access_id=7,
    )

    first.refresh_from_db()
    assert (first.address, first.withdrawn_how) == ("a@exemple.fr", ConsentMethod.SPACE)
    assert list(MessageConsent.objects.in_force()) == [second]
    assert (second.given_how, second.recorded_by) == (ConsentMethod.SPACE, None)


def test_a_landline_consent_is_refused_and_nothing_is_written():
    beneficiary = BeneficiaryFactory()

    with refused(InvalidInput, phones.LANDLINE, field="address"):
        services.consent_give(
            beneficiary=beneficiary,
            channel=MessageChannel.SMS,
            address="03 81 00 00 00",
            acting_user=ProfessionalFactory(),
        )
    assert MessageConsent.objects.count() == 0


def test_withdrawing_twice_is_refused():
    consent = services.consent_give(
        beneficiary=BeneficiaryFactory(),
        channel=MessageChannel.SMS,
        address="0612345678",
        acting_user=ProfessionalFactory(),
    )
    services.consent_withdraw(consent=consent, acting_user=ProfessionalFactory())

    with refused(InvalidTransition, "Cet accord a déjà été retiré."):
        services.consent_withdraw(consent=consent, space_access_id=3)


# The department's templates.


def test_every_kind_has_a_default_on_both_channels_that_passes_its_own_checks():
    for kind in MessageKind:
        for channel in MessageChannel:
            subject, body = wording.default(kind, channel)
            wording.check(kind=kind, channel=channel, subject=subject, body=body)
            if channel == MessageChannel.SMS:  # in the GSM alphabet: 160 characters a segment
                assert wording.sms_length(wording.fill(body, wording.LONGEST)).encoding == "GSM"


def test_no_kind_of_message_is_about_an_absence_a_sanction_or_a_decision():
    assert sorted(MessageKind.values) == [
        "cancellation",
        "change",
        "convocation",
        "first_invitation",
        "new_document",
        "reminder",
        "space_code",
        "space_invitation",
    ]


def _admin(department):  # type: ignore[no-untyped-def]
    admin = ProfessionalFactory(role=Role.ADMIN)
    admin.organisation.department = department
    admin.organisation.save()
    return admin


def test_a_template_is_saved_then_used():
    department = DepartmentFactory()
    body = "RDV le {date} à {heure}, {lieu}, avec {prenom_referent}. Contact : {contact}"

    services.template_save(
        department=department,
        kind=MessageKind.REMINDER,
        channel=MessageChannel.SMS,
        subject="ignoré",
        body=body,
        acting_user=_admin(department),
    )

    assert sending.template_for(department, MessageKind.REMINDER, MessageChannel.SMS) == (
        "",
        body,
    )
    other = DepartmentFactory()
    assert sending.template_for(other, MessageKind.REMINDER, MessageChannel.SMS) == (
        wording.default(MessageKind.REMINDER, MessageChannel.SMS)
    )


def test_an_unknown_placeholder_is_refused_with_a_french_message():
    department = DepartmentFactory()

    with refused(
        InvalidInput,
        "« {motif} » n'est pas une information que ce message peut contenir. Informations "
        "possibles : {date}, {heure}, {lieu}, {prenom_referent}, {organisation}, {contact}.",
        field="body",
    ):
        services.template_save(
            department=department,
            kind=MessageKind.CONVOCATION,
            channel=MessageChannel.SMS,
            subject="",
            body="RDV le {date} pour {motif}",
            acting_user=_admin(department),
        )
    assert MessageTemplate.objects.count() == 0


def test_a_code_placeholder_is_refused_outside_the_code_message():
    with refused(
        InvalidInput,
        "« {code} » n'est pas une information que ce message peut contenir. Informations "
        "possibles : {organisation}, {lien_espace}.",
        field="body",
    ):
        wording.check(
            kind=MessageKind.NEW_DOCUMENT,
            channel=MessageChannel.SMS,
            subject="",
            body="Votre code {code}",
        )


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("Suite à votre absence du {date}, merci de rappeler.", "absence"),
        ("Attention : risque de sanction sur votre RSA.", "sanction"),
        ("Votre rendez-vous santé le {date}.", "sante"),
        ("Point sur vos dettes le {date}.", "dettes"),
    ],
)
def test_a_template_about_an_absence_a_sanction_or_the_situation_is_refused(body, word):
    with refused(
        InvalidInput,
        "Un message à la personne ne parle jamais d'absence, de sanction, de RSA ni de sa "
        f"situation (santé, dettes…) : retirez « {word} ».",
        field="body",
    ):
        wording.check(kind=MessageKind.REMINDER, channel=MessageChannel.SMS, subject="", body=body)


def test_a_misplaced_brace_is_refused():
    with refused(
        InvalidInput,
        "Une accolade n'est pas fermée : écrivez les informations comme « {date} » ; pour une "
        "accolade seule, doublez-la (« {{ »).",
        field="body",
    ):
        wording.check(
            kind=MessageKind.REMINDER, channel=MessageChannel.SMS, subject="", body="Le {date"
        )


def test_an_sms_longer_than_three_segments_is_refused():
    body = "Bonjour {prenom_referent}. " + "Texte bien trop long. " * 20

    with pytest.raises(InvalidInput) as caught:
        wording.check(kind=MessageKind.REMINDER, channel=MessageChannel.SMS, subject="", body=body)
    assert caught.value.message.startswith("Ce SMS ferait jusqu'à 4 parties (")


def test_an_email_without_subject_is_refused():
    with refused(InvalidInput, "Un e-mail a besoin d'un objet.", field="subject"):
        wording.check(
            kind=MessageKind.REMINDER, channel=MessageChannel.EMAIL, subject=" ", body="Le {date}"
        )


def test_only_the_departments_admin_writes_its_templates():
    department = DepartmentFactory()
    other_admin = _admin(DepartmentFactory())

    for user in (ProfessionalFactory(), other_admin):
        with refused(
            InvalidTransition,
            "Les modèles de messages sont tenus par l'administration fonctionnelle du département.",
        ):
            services.template_save(
                department=department,
                kind=MessageKind.REMINDER,
                channel=MessageChannel.SMS,
                subject="",
                body="Le {date}",
                acting_user=user,
            )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, wording.SmsLength(160, 1, "GSM")),
        ("a" * 161, wording.SmsLength(161, 2, "GSM")),
        ("é" * 306, wording.SmsLength(306, 2, "GSM")),  # « é » is in the GSM alphabet
        ("€" * 80, wording.SmsLength(160, 1, "GSM")),  # extension table: two units each
        ("ê" * 70, wording.SmsLength(70, 1, "Unicode")),
        ("ç" + "a" * 70, wording.SmsLength(71, 2, "Unicode")),
    ],
)
def test_sms_segments_are_counted_as_operators_do(text, expected):
    assert wording.sms_length(text) == expected


# Quiet hours (20:00 → 08:00 by default, Paris time).


def _paris(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.mark.parametrize(
    ("hour", "minute", "leaves"),
    [
        (19, 59, (0, 19, 59)),
        (20, 0, (1, 8, 0)),
        (23, 30, (1, 8, 0)),
        (0, 15, (0, 8, 0)),
        (7, 59, (0, 8, 0)),
        (8, 0, (0, 8, 0)),
        (12, 0, (0, 12, 0)),
    ],
)
def test_an_sms_due_in_quiet_hours_leaves_when_they_end(today, hour, minute, leaves):
    department = DepartmentFactory()
    days, leave_hour, leave_minute = leaves

    at = rules.send_after(
        at=_paris(today, hour, minute), channel=MessageChannel.SMS, department=department
    )

    assert at == _paris(today + datetime.timedelta(days=days), leave_hour, leave_minute)


def test_quiet_hours_hold_sms_only_and_follow_the_department(today):
    department = DepartmentFactory(
        sms_quiet_from=datetime.time(12, 0), sms_quiet_until=datetime.time(14, 0)
    )
    noon = _paris(today, 12, 30)

    assert rules.send_after(at=noon, channel=MessageChannel.EMAIL, department=department) == noon
    assert rules.send_after(at=noon, channel=MessageChannel.SMS, department=department) == _paris(
        today, 14, 0
    )
    assert rules.send_after(
        at=_paris(today, 21, 0), channel=MessageChannel.SMS, department=department
    ) == _paris(today, 21, 0)


def test_reminder_days_are_read_from_the_department():
    assert DepartmentFactory().reminder_offsets == [2, 1]
    assert DepartmentFactory(reminder_days="1,3").reminder_offsets == [3, 1]
    assert DepartmentFactory(reminder_days="").reminder_offsets == []
