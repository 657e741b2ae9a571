"""One administrator alone cannot open a binôme's cases to someone they let in (docs/roles.md,
« la règle des deux administrateur·rices »): an account they invited joins a binôme only by
another administrator's hand during the department's delay, and the address of an activated
account is not changed in the administration."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casework.enums import JournalChannel
from casework.models import Case, InformationShare
from casework.rights import person_export
from partners import services
from partners.enums import Role
from partners.errors import InvalidPair, InvalidTransition
from partners.models import Pair, Professional
from tests.casework.factories import CaseFactory, SocialNoteFactory
from tests.partners.factories import ProfessionalFactory
from tests.partners.test_accounts import (
    activate,
    activation_emails,
    activation_path,
    create_through_admin,
    messages_of,
    password_login,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _refusal(invited: Professional, days: int = 30) -> str:
    return (
        f"Vous avez invité {invited.full_name} le "
        f"{timezone.localdate(invited.invited_at):%d/%m/%Y} : pendant {days} jours, un binôme "
        "qui comprend ce compte est formé par un·e autre administrateur·rice du département "
        "(règle des deux administrateur·rices)."
    )


@pytest.fixture
def admins(pair):  # type: ignore[no-untyped-def]
    department = pair.department
    return (
        ProfessionalFactory(role=Role.ADMIN, organisation__department=department),
        ProfessionalFactory(role=Role.ADMIN, organisation__department=department),
    )


def _invite_social_worker(pair, admin) -> Professional:  # type: ignore[no-untyped-def]
    return services.professional_create(
        email="nouvelle.as@exemple.test",
        first_name="Inès",
        last_name="Morel",
        organisation=pair.social_worker.organisation,
        role=Role.SOCIAL_WORKER,
        acting_user=admin,
    )


def test_the_self_granting_chain_stops_at_the_pair_with_a_french_message(
    login_client, pair, admins
):
    """The chain of the issue, inside one department: the administrator creates a social worker
    at an address they read, activates the account, logs in with it, and pairs it with the
    advisor of a followed person. The pair is refused; the case stays out of reach."""
    admin, _other = admins
    case = CaseFactory(pair=pair)
    client = login_client(admin)

    create_through_admin(client, pair, Role.SOCIAL_WORKER, "mon.autre.adresse@exemple.test")
    invited = Professional.objects.get(email="mon.autre.adresse@exemple.test")
    activate(invited)
    password_login(invited)  # the administrator now holds this account
    response = client.post(
        reverse("admin:partners_pair_add"),
        {
            "advisor": pair.advisor.pk,
            "social_worker": invited.pk,
            "started_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )

    assert response.status_code == 200
    assert _refusal(invited) in response.content.decode()
    assert not Pair.objects.filter(social_worker=invited).exists()
    assert Case.objects.get(pk=case.pk).pair == pair


def test_another_administrator_forms_the_pair(pair, admins):
    admin, other = admins
    invited = _invite_social_worker(pair, admin)

    with refused(InvalidPair, _refusal(invited)):
        services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=admin)
    formed = services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=other)

    assert (formed.advisor, formed.social_worker) == (pair.advisor, invited)


def test_the_rule_lasts_the_departments_delay(pair, admins):
    admin, _other = admins
    pair.department.second_admin_days = 10
    pair.department.save()
    invited = _invite_social_worker(pair, admin)
    invited_at = invited.invited_at

    with (
        time_machine.travel(invited_at + datetime.timedelta(days=9, hours=23), tick=False),
        refused(InvalidPair, _refusal(invited, days=10)),
    ):
        services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=admin)
    with time_machine.travel(invited_at + datetime.timedelta(days=10, minutes=1), tick=False):
        formed = services.pair_create(
            advisor=pair.advisor, social_worker=invited, acting_user=admin
        )

    assert formed.social_worker == invited


def test_a_new_activation_link_restarts_the_rule_for_whoever_sent_it(pair, admins):
    """An account invited long ago by someone else: the administrator who sends it a new link
    chooses nothing about its address, but the rule applies to them for the delay."""
    admin, other = admins
    invited = _invite_social_worker(pair, other)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=60), tick=False):
        services.professional_invitation_resend(professional=invited, acting_user=admin)
        invited.refresh_from_db()

        with refused(InvalidPair, _refusal(invited)):
            services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=admin)
        assert (
            services.pair_create(
                advisor=pair.advisor, social_worker=invited, acting_user=other
            ).social_worker
            == invited
        )


def test_the_delay_cannot_be_set_below_seven_days(pair):
    pair.department.second_admin_days = 0
    with pytest.raises(ValidationError) as error:
        pair.department.full_clean()

    assert "second_admin_days" in error.value.message_dict


# --- The address of an account --------------------------------------------------------------------


ACTIVATED_EMAIL_REFUSED = (
    "L'adresse électronique d'un compte déjà activé ne se change pas dans l'administration : "
    "elle ouvre le compte. Si la personne a changé d'adresse, désactivez ce compte et "
    "créez-en un nouveau à sa nouvelle adresse."
)


def test_the_address_of_an_activated_account_is_not_changed_by_an_administrator(
    login_client, pair, admins
):
    admin, _other = admins
    member = pair.social_worker  # has a password: activated
    client = login_client(admin)

    with refused(InvalidTransition, ACTIVATED_EMAIL_REFUSED):
        services.professional_update(
            professional=member, fields={"email": "moi@exemple.test"}, acting_user=admin
        )
    page = client.get(reverse("admin:partners_professional_change", args=[member.pk]))
    posted = client.post(
        reverse("admin:partners_professional_change", args=[member.pk]),
        {
            "email": "moi@exemple.test",
            "first_name": member.first_name,
            "last_name": member.last_name,
            "organisation": member.organisation_id,
            "role": member.role,
            "job_title": member.job_title,
        },
    )

    assert "email" not in page.context["adminform"].form.fields  # shown read-only
    assert posted.status_code == 302
    assert Professional.objects.get(pk=member.pk).email == member.email


def test_a_new_address_before_activation_gets_the_link_and_the_old_one_stops(pair, admins):
    admin, other = admins
    invited = _invite_social_worker(pair, other)
    old_link = activation_path(invited)

    services.professional_update(
        professional=invited, fields={"email": "Ines.Morel@Exemple.test"}, acting_user=admin
    )

    invited.refresh_from_db()
    emails = activation_emails(invited)
    assert [email.payload["to"] for email in emails] == [
        ["nouvelle.as@exemple.test"],
        ["ines.morel@exemple.test"],
    ]
    assert activation_path(invited) != old_link
    assert invited.invited_by == admin  # the rule now applies to whoever chose the address
    with refused(InvalidPair, _refusal(invited)):
        services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=admin)


# --- Second reading (review of issue 21): the rule's other doors ----------------------------------


def _paired_email_refusal(member: Professional) -> str:
    return (
        f"{member.full_name} est membre d'un binôme en cours : l'adresse électronique de son "
        "compte, où part le lien d'activation, ne se change pas tant que ce binôme dure. "
        "Terminez-le d'abord ; un·e autre administrateur·rice formera le nouveau binôme (règle "
        "des deux administrateur·rices)."
    )


def test_the_address_of_a_paired_account_is_not_changed_before_activation(
    login_client, pair, admins
):
    """A binôme formed by another administrator with an account not yet activated: changing its
    address would send the activation link, hence the binôme's cases, secret side included, to
    whoever typed the new address, with no second administrator in the loop."""
    admin, other = admins
    invited = _invite_social_worker(pair, other)
    formed = services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=admin)
    CaseFactory(pair=formed)
    client = login_client(other)

    with refused(InvalidTransition, _paired_email_refusal(invited)):
        services.professional_update(
            professional=invited, fields={"email": "moi@exemple.test"}, acting_user=other
        )
    posted = client.post(
        reverse("admin:partners_professional_change", args=[invited.pk]),
        {
            "email": "moi@exemple.test",
            "first_name": invited.first_name,
            "last_name": invited.last_name,
            "organisation": invited.organisation_id,
            "role": invited.role,
            "job_title": invited.job_title,
        },
    )

    assert posted.status_code == 200
    assert posted.context["adminform"].form.non_field_errors() == [_paired_email_refusal(invited)]
    stored = Professional.objects.get(pk=invited.pk)
    assert (stored.email, stored.invited_by) == ("nouvelle.as@exemple.test", other)
    assert [email.payload["to"] for email in activation_emails(invited)] == [
        ["nouvelle.as@exemple.test"]
    ]


def _chain_refusal(member: Professional, links: list[tuple[Professional, Professional]]) -> str:
    said = " ; ".join(
        f"{inviter.full_name} a invité {invitee.full_name} le "
        f"{timezone.localdate(invitee.invited_at):%d/%m/%Y}"
        for inviter, invitee in links
    )
    return (
        f"Des invitations de moins de 30 jours vous relient à {member.full_name} ({said}) : "
        "un·e administrateur·rice invité·e par l'autre ne compte pas pour la seconde. Pendant ce "
        "délai, un binôme qui comprend ce compte est formé par un·e autre administrateur·rice "
        "du département (règle des deux administrateur·rices)."
    )


def _invite_admin(pair, admin, email: str = "moi.admin@exemple.test") -> Professional:  # type: ignore[no-untyped-def]
    return services.professional_create(
        email=email,
        first_name="Second",
        last_name="Compte",
        organisation=pair.social_worker.organisation,
        role=Role.ADMIN,
        acting_user=admin,
    )


def test_an_administrator_one_invited_is_not_the_second_administrator(pair, admins):
    """The administrator creates an admin account at an address they read (they are shown its
    enrolment code), then a social worker: the second account is theirs, and pairs nothing they
    invited during the delay, nor do they pair what it invited."""
    admin, other = admins
    puppet = _invite_admin(pair, admin)
    invited = _invite_social_worker(pair, admin)
    by_puppet = services.professional_create(
        email="autre.as@exemple.test",
        first_name="Léa",
        last_name="Roux",
        organisation=pair.social_worker.organisation,
        role=Role.SOCIAL_WORKER,
        acting_user=puppet,
    )

    with refused(InvalidPair, _chain_refusal(invited, [(admin, invited), (admin, puppet)])):
        services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=puppet)
    with refused(InvalidPair, _chain_refusal(by_puppet, [(puppet, by_puppet), (admin, puppet)])):
        services.pair_create(advisor=pair.advisor, social_worker=by_puppet, acting_user=admin)
    assert not Pair.objects.filter(social_worker__in=[invited, by_puppet]).exists()
    formed = services.pair_create(advisor=pair.advisor, social_worker=by_puppet, acting_user=other)
    assert formed.social_worker == by_puppet


def test_an_administrator_one_invited_counts_again_after_the_delay(pair, admins):
    admin, _other = admins
    puppet = _invite_admin(pair, admin)
    invited = _invite_social_worker(pair, admin)

    with time_machine.travel(
        invited.invited_at + datetime.timedelta(days=30, minutes=1), tick=False
    ):
        formed = services.pair_create(
            advisor=pair.advisor, social_worker=invited, acting_user=puppet
        )

    assert formed.social_worker == invited


def test_administrators_an_operator_invited_stay_two(pair):
    """The operators (superusers) create a department's first administrators: those count as two,
    although the same operator invited both."""
    operator = Professional.objects.create_superuser(
        "exploitation@exemple.test",
        "un-mot-de-passe-solide-42",
        first_name="Op",
        last_name="Ération",
    )
    first = _invite_admin(pair, operator, "premiere.admin@exemple.test")
    second = _invite_admin(pair, operator, "second.admin@exemple.test")
    invited = _invite_social_worker(pair, first)

    formed = services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=second)

    assert (formed.social_worker, second.invited_by, first.invited_by) == (
        invited,
        operator,
        operator,
    )


def _export_refusal(auditor: Professional, inviter: Professional) -> str:
    return (
        f"{inviter.full_name} vous a invité·e le "
        f"{timezone.localdate(auditor.invited_at):%d/%m/%Y} : pendant 30 jours, l'export complet "
        "des données d'une personne, notes sociales comprises, est produit par un·e autre "
        "auditeur·rice du département ou par l'exploitation (règle des deux "
        "administrateur·rices)."
    )


def test_an_auditor_account_an_administrator_invited_does_not_export_during_the_delay(
    login_client, pair, admins
):
    """The auditor's full export holds the social notes: an administrator who creates an auditor
    account at an address they read (they are shown its enrolment code) would read every
    person's secret side alone, with no binôme formed."""
    admin, _other = admins
    note = SocialNoteFactory(case=CaseFactory(pair=pair))
    person = note.case.beneficiary
    auditor = services.professional_create(
        email="dpo.bis@exemple.test",
        first_name="Daphné",
        last_name="Pons",
        organisation=pair.social_worker.organisation,
        role=Role.AUDITOR,
        acting_user=admin,
    )

    with refused(InvalidTransition, _export_refusal(auditor, admin)):
        person_export(beneficiary=person, acting_user=auditor)
    response = login_client(auditor).post(reverse("person_export", args=[person.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("person_rights", args=[person.pk])
    assert messages_of(response) == [_export_refusal(auditor, admin)]
    assert not InformationShare.objects.filter(channel=JournalChannel.EXPORT).exists()
    with time_machine.travel(
        auditor.invited_at + datetime.timedelta(days=30, minutes=1), tick=False
    ):
        export = person_export(beneficiary=person, acting_user=auditor)
    assert note.text in export.json_text


def test_a_changed_delay_of_the_rule_is_a_change_of_rights_in_the_journal(pair, admins):
    """One administrator alone may shorten the delay (7 days at least): the auditor reads it on
    « Changements de droits », like any other change of who may open what."""
    admin, _other = admins
    department = pair.department

    services.department_update(
        department=department, fields={"second_admin_days": 7}, acting_user=admin
    )
    services.department_update(
        department=department, fields={"caseload_target": 60}, acting_user=admin
    )

    rows = InformationShare.objects.filter(
        department=department, channel__in=[JournalChannel.GRANT, JournalChannel.REVOKE]
    ).filter(object_type="département")
    assert [
        (row.channel, row.actor, row.purpose, row.recipient, row.object_id) for row in rows
    ] == [
        (
            JournalChannel.GRANT,
            admin,
            "Délai de la règle des deux administrateur·rices : 30 → 7 jours",
            f"Administration fonctionnelle du département {department.code} {department.name}",
            str(department.pk),
        )
    ]


def test_a_colleagues_new_link_does_not_lift_the_rule_from_whoever_chose_the_address(pair, admins):
    """The administrator invites a social worker at an address they read and asks a colleague
    for a new link (« le lien a expiré »): the link still goes to that address, so the rule keeps
    applying to whoever chose it, not only to the colleague."""
    admin, other = admins
    invited = _invite_social_worker(pair, admin)

    with time_machine.travel(invited.invited_at + datetime.timedelta(days=2), tick=False):
        services.professional_invitation_resend(professional=invited, acting_user=other)
        invited.refresh_from_db()

        with refused(InvalidPair, _refusal(invited)):
            services.pair_create(advisor=pair.advisor, social_worker=invited, acting_user=admin)
    assert invited.invited_by == admin
    assert [email.payload["to"] for email in activation_emails(invited)] == [
        ["nouvelle.as@exemple.test"],
        ["nouvelle.as@exemple.test"],
    ]


def _correspondent_refusal(invited: Professional) -> str:
    return (
        f"Vous avez invité {invited.full_name} le "
        f"{timezone.localdate(invited.invited_at):%d/%m/%Y} : pendant 30 jours, la qualité de "
        "correspondant·e social·e est donnée à ce compte par un·e autre administrateur·rice du "
        "département (règle des deux administrateur·rices)."
    )


def test_an_account_one_invited_is_made_social_correspondent_by_another_administrator(pair, admins):
    """A social correspondent reads the one-off requests of her territory: an administrator who
    gave that quality to an account they invited would read them alone."""
    admin, other = admins
    invited = _invite_social_worker(pair, admin)

    with refused(InvalidTransition, _correspondent_refusal(invited)):
        services.professional_update(
            professional=invited, fields={"is_social_correspondent": True}, acting_user=admin
        )
    assert Professional.objects.get(pk=invited.pk).is_social_correspondent is False
    with refused(
        InvalidTransition,
        "Créez ce compte sans la qualité de correspondant·e social·e : un·e autre "
        "administrateur·rice la lui donnera (règle des deux administrateur·rices).",
    ):
        services.professional_create(
            email="correspondante@exemple.test",
            first_name="Nora",
            last_name="Blanc",
            organisation=pair.social_worker.organisation,
            role=Role.SOCIAL_WORKER,
            is_social_correspondent=True,
            acting_user=admin,
        )
    assert not Professional.objects.filter(email="correspondante@exemple.test").exists()
    updated = services.professional_update(
        professional=invited, fields={"is_social_correspondent": True}, acting_user=other
    )
    assert updated.is_social_correspondent is True


def test_the_administration_creates_no_account_with_the_correspondent_quality(
    login_client, pair, admins
):
    admin, _other = admins

    response = login_client(admin).post(
        reverse("admin:partners_professional_add"),
        {
            "email": "correspondante@exemple.test",
            "first_name": "Nora",
            "last_name": "Blanc",
            "organisation": pair.social_worker.organisation_id,
            "role": Role.SOCIAL_WORKER,
            "job_title": "",
            "is_social_correspondent": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        services.CORRESPONDENT_AT_CREATION_REFUSED
    ]
    assert not Professional.objects.filter(email="correspondante@exemple.test").exists()
