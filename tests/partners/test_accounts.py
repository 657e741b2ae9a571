"""Accounts nobody but the professional knows the password of: an activation link by e-mail
instead of a password set by the administrator; admin and auditor enrol their second factor only
with an enrolment code handed over out of band."""

import datetime
import logging
import re
from io import StringIO

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import services
from partners.enums import Role
from partners.errors import InvalidEnrolmentCode
from partners.models import OutboxMessage, Professional
from partners.views import ENROLMENT_THROTTLED, PENDING_TOTP_KEY
from tests.partners.factories import DepartmentFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-mot-de-passe-bien-a-moi-42"
LINK = re.compile(r"https?://[^/\s]+(/activer/[^/\s]+/[^/\s]+/)")
CODE = re.compile(r"double authentification de .+ : ([A-Z0-9]{5}-[A-Z0-9]{5}) ")
INVALID_LINK = "Ce lien d'activation n'est plus valable"


@pytest.fixture
def admin_client(login_client, pair):  # type: ignore[no-untyped-def]
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)
    return admin, login_client(admin)


def activation_emails(professional: Professional) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(key__startswith=f"activation:{professional.pk}:").order_by(
            "pk"
        )
    )


def activation_path(professional: Professional) -> str:
    """The link of the professional's last activation e-mail (its path)."""
    match = LINK.search(activation_emails(professional)[-1].payload["body"])
    assert match is not None
    return match.group(1)


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


def totp_code(key_hex: str) -> str:
    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def create_through_admin(client: Client, pair, role: str, email: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("admin:partners_professional_add"),
        {
            "email": email,
            "first_name": "Zoé",
            "last_name": "Lambert",
            "organisation": pair.advisor.organisation_id,
            "role": role,
            "job_title": "",
            # Fields the form no longer has: ignored, never a password.
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
        follow=True,
    )


def activate(professional: Professional, password: str = NEW_PASSWORD) -> Client:
    """Follow the activation link and choose ``password``; the client, logged out."""
    client = Client()
    client.get(activation_path(professional), follow=True)
    response = client.post(
        reverse("account_activate", kwargs={"uidb64": _uid(professional), "token": "set-password"}),
        {"new_password1": password, "new_password2": password},
    )
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    return client


def _uid(professional: Professional) -> str:
    return activation_path(professional).split("/")[2]


def password_login(professional: Professional, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": professional.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


# --- The activation link ------------------------------------------------------------------------


def test_admin_creation_form_has_no_password_fields(admin_client):
    _, client = admin_client

    response = client.get(reverse("admin:partners_professional_add"))

    form = response.context["adminform"].form
    assert list(form.fields) == [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "role",
        "job_title",
        "is_social_correspondent",
    ]
    assert "Un lien d'activation est envoyé par e-mail" in response.content.decode()
    assert 'type="password"' not in response.content.decode()


def test_admin_creates_an_account_nobody_knows_the_password_of(admin_client, pair, today):
    admin, client = admin_client

    response = create_through_admin(client, pair, Role.ADVISOR, "Nouvelle.Conseillere@Exemple.test")

    created = Professional.objects.get(email="nouvelle.conseillere@exemple.test")
    (email,) = activation_emails(created)
    assert response.status_code == 200
    assert created.has_usable_password() is False
    assert created.check_password("un-mot-de-passe-solide-42") is False
    assert (created.invited_by, timezone.localdate(created.invited_at)) == (admin, today)
    assert (email.payload["to"], email.payload["subject"], email.department_id) == (
        ["nouvelle.conseillere@exemple.test"],
        "Binôme : activez votre compte",
        pair.department.pk,
    )
    assert LINK.search(email.payload["body"]) is not None
    assert messages_of(response)[0] == (
        "Un lien d'activation part par e-mail à nouvelle.conseillere@exemple.test : "
        "Zoé Lambert y choisira son mot de passe."
    )
    # An advisor has no enrolment code: nothing else is shown.
    assert not any("Code d'enrôlement" in message for message in messages_of(response))
    assert created.enrolment_code_hash == ""


def test_activation_link_sets_the_password_once_then_the_account_logs_in(admin_client, pair):
    _, client = admin_client
    create_through_admin(client, pair, Role.ADVISOR, "zoe@exemple.test")
    created = Professional.objects.get(email="zoe@exemple.test")
    path = activation_path(created)
    visitor = Client()

    opened = visitor.get(path)
    form_page = visitor.get(opened["Location"])
    weak = visitor.post(opened["Location"], {"new_password1": "Kq7#vX", "new_password2": "Kq7#vX"})
    chosen = visitor.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    again = Client().get(path)

    # The token leaves the address at once (Django's set-password step).
    assert opened["Location"] == f"/activer/{_uid(created)}/set-password/"
    assert form_page.context["validlink"] is True
    assert "Choisir mon mot de passe" in form_page.content.decode()
    assert weak.context["form"].errors == {
        "new_password2": [
            "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."
        ]
    }
    assert (chosen.status_code, chosen["Location"]) == (302, "/connexion/")
    assert again.status_code == 200
    assert again.context["validlink"] is False
    assert INVALID_LINK in again.content.decode()
    assert "Demandez un nouveau lien d'activation à l'administration" in again.content.decode()
    logged_in = password_login(created)
    assert logged_in.get(reverse("home")).status_code == 302  # to the advisor's portefeuille


def test_activation_link_expires_after_seven_days(admin_client, pair):
    _, client = admin_client
    create_through_admin(client, pair, Role.ADVISOR, "zoe@exemple.test")
    created = Professional.objects.get(email="zoe@exemple.test")

    # Eight days: Django's token clock is naive local time, a travel's is UTC (an hour apart).
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        expired = Client().get(activation_path(created))

    assert expired.status_code == 200
    assert INVALID_LINK in expired.content.decode()
    assert Professional.objects.get(pk=created.pk).has_usable_password() is False


def test_a_link_that_matches_no_account_gets_the_french_page(db):
    response = Client().get(reverse("account_activate", kwargs={"uidb64": "zz", "token": "a-b"}))

    assert response.status_code == 200
    assert INVALID_LINK in response.content.decode()


def test_activation_token_never_reaches_the_request_log(admin_client, pair, caplog):
    _, client = admin_client
    create_through_admin(client, pair, Role.ADVISOR, "zoe@exemple.test")
    created = Professional.objects.get(email="zoe@exemple.test")
    token = activation_path(created).split("/")[3]

    with caplog.at_level(logging.DEBUG):
        activate(created)

    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "/activer/<uidb64>/<token>/" in logged
    assert token not in logged


def test_new_activation_link_action_voids_the_older_link(admin_client, pair):
    admin, client = admin_client
    create_through_admin(client, pair, Role.ADVISOR, "zoe@exemple.test")
    created = Professional.objects.get(email="zoe@exemple.test")
    first_link = activation_path(created)

    response = client.post(
        reverse("admin:partners_professional_changelist"),
        {"action": "send_activation_link", "_selected_action": [created.pk]},
        follow=True,
    )

    created.refresh_from_db()
    assert len(activation_emails(created)) == 2
    assert created.invited_by == admin
    assert messages_of(response) == [
        "Un nouveau lien d'activation part par e-mail à zoe@exemple.test ; les liens "
        "précédents ne fonctionnent plus."
    ]
    assert INVALID_LINK in Client().get(first_link).content.decode()
    activate(created)
    assert password_login(created).get(reverse("my_pairs")).status_code == 200


def test_new_activation_link_refused_on_oneself_and_unseen_in_another_department(
    admin_client, pair
):
    admin, client = admin_client
    stranger = ProfessionalFactory(role=Role.ADVISOR, organisation__department=DepartmentFactory())

    own = client.post(
        reverse("admin:partners_professional_changelist"),
        {"action": "send_activation_link", "_selected_action": [admin.pk]},
        follow=True,
    )
    other = client.post(
        reverse("admin:partners_professional_changelist"),
        {"action": "send_activation_link", "_selected_action": [stranger.pk]},
        follow=True,
    )

    assert messages_of(own) == [services.SELF_INVITATION_REFUSED]
    assert activation_emails(admin) == []
    assert activation_emails(stranger) == []
    assert (
        client.get(reverse("admin:partners_professional_change", args=[stranger.pk])).status_code
        == 404
    )
    assert other.status_code == 200
    with refused(services.InvalidTransition, services.SELF_INVITATION_REFUSED):
        services.professional_invitation_resend(professional=admin, acting_user=admin)


def test_the_email_never_carries_the_enrolment_code(admin_client, pair):
    _, client = admin_client

    response = create_through_admin(client, pair, Role.AUDITOR, "audit@exemple.test")

    created = Professional.objects.get(email="audit@exemple.test")
    match = CODE.search(" ".join(messages_of(response)))
    assert match is not None
    body = activation_emails(created)[0].payload["body"]
    assert match.group(1) not in body
    assert match.group(1).replace("-", "") not in body
    assert "jamais par e-mail" in body


# --- The enrolment code of the second factor ----------------------------------------------------


def test_admin_created_by_an_admin_cannot_enrol_with_its_password_alone(admin_client, pair):
    admin, client = admin_client
    created_page = create_through_admin(client, pair, Role.ADMIN, "nouvel.admin@exemple.test")
    match = CODE.search(" ".join(messages_of(created_page)))
    assert match is not None
    code = match.group(1)
    created = Professional.objects.get(email="nouvel.admin@exemple.test")
    activate(created)
    newcomer = password_login(created)

    home = newcomer.get(reverse("home"), follow=True)
    key = newcomer.session[PENDING_TOTP_KEY]
    without_code = newcomer.post(reverse("otp_setup"), {"token": totp_code(key), "next": "/"})
    wrong_code = newcomer.post(
        reverse("otp_setup"),
        {"enrolment_code": "AAAAA-AAAAA", "token": totp_code(key), "next": "/"},
    )
    admin_site = newcomer.get("/admin/")
    assert TOTPDevice.objects.filter(user=created).count() == 0
    right = newcomer.post(
        reverse("otp_setup"),
        {"enrolment_code": code.lower().replace("-", " "), "token": totp_code(key), "next": "/"},
    )

    assert home.redirect_chain[-1][0] == "/double-authentification/?next=%2F"
    assert "Code d&#x27;enrôlement remis par l&#x27;administration" in home.content.decode()
    # Says whom to ask: the other administrators of the department.
    assert (
        "Demandez-le à l'administration fonctionnelle de votre département : "
        f"{admin.full_name}." in home.content.decode()
    )
    assert without_code.context["form"].errors == {
        "enrolment_code": [services.ENROLMENT_CODE_MISSING]
    }
    assert services.ENROLMENT_CODE_MISSING.startswith(
        "Pour activer la double authentification, saisissez le code d'enrôlement que "
        "l'administration vous a remis"
    )
    assert wrong_code.context["form"].errors == {"enrolment_code": [services.ENROLMENT_CODE_WRONG]}
    assert admin_site.status_code == 302
    assert (right.status_code, right["Location"]) == (302, "/")
    assert TOTPDevice.objects.filter(user=created, confirmed=True).count() == 1
    assert newcomer.get("/admin/").status_code == 200
    created.refresh_from_db()
    assert (created.enrolment_code_hash, created.enrolment_code_expires_at) == ("", None)


def _enrol(professional: Professional, code: str) -> TOTPDevice:
    key = "31" * 20
    return services.totp_device_enrol(
        professional=professional, key=key, token=totp_code(key), enrolment_code=code
    )


def test_enrolment_code_works_once(admin_client, pair):
    admin, _ = admin_client
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=pair.department)
    code = services.enrolment_code_issue(professional=auditor, acting_user=admin)

    _enrol(auditor, code)
    TOTPDevice.objects.filter(user=auditor).delete()  # as if the operator had removed it

    with refused(InvalidEnrolmentCode, services.ENROLMENT_CODE_WRONG):
        _enrol(auditor, code)


def test_enrolment_code_expired_is_refused(admin_client, pair):
    admin, _ = admin_client
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=pair.department)
    code = services.enrolment_code_issue(professional=auditor, acting_user=admin)

    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)),
        refused(InvalidEnrolmentCode, services.ENROLMENT_CODE_EXPIRED),
    ):
        _enrol(auditor, code)
    assert TOTPDevice.objects.filter(user=auditor).count() == 0


def test_an_older_code_stops_working_when_a_new_one_is_issued(admin_client, pair):
    admin, _ = admin_client
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=pair.department)
    older = services.enrolment_code_issue(professional=auditor, acting_user=admin)
    newer = services.enrolment_code_issue(professional=auditor, acting_user=admin)

    with refused(InvalidEnrolmentCode, services.ENROLMENT_CODE_WRONG):
        _enrol(auditor, older)
    assert _enrol(auditor, newer).confirmed is True


def test_wrong_enrolment_codes_are_throttled(admin_client, pair, settings):
    admin, _ = admin_client
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=pair.department)
    code = services.enrolment_code_issue(professional=auditor, acting_user=admin)
    client = password_login(auditor, "mot-de-passe-de-test")
    client.get(reverse("otp_setup"))
    key = client.session[PENDING_TOTP_KEY]

    for _ in range(settings.BINOME_LOGIN_MAX_FAILURES_PER_ACCOUNT):
        client.post(reverse("otp_setup"), {"enrolment_code": "AAAAA-AAAAA", "token": "123456"})
    locked = client.post(reverse("otp_setup"), {"enrolment_code": code, "token": totp_code(key)})

    assert locked.context["form"].non_field_errors() == [
        ENROLMENT_THROTTLED.format(minutes=settings.BINOME_LOGIN_LOCKOUT_SECONDS // 60)
    ]
    assert TOTPDevice.objects.filter(user=auditor).count() == 0


def test_other_roles_keep_enrolling_on_their_own(db):
    advisor = ProfessionalFactory(role=Role.ADVISOR)
    key = "32" * 20

    device = services.totp_device_enrol(professional=advisor, key=key, token=totp_code(key))

    assert device.confirmed is True


def test_allow_reenrolment_action_removes_devices_and_issues_a_code(
    admin_client, pair, login_client
):
    admin, client = admin_client
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=pair.department)
    login_client(auditor)  # gives the auditor a device
    assert TOTPDevice.objects.filter(user=auditor).count() == 1

    response = client.post(
        reverse("admin:partners_professional_changelist"),
        {"action": "allow_second_factor_reenrolment", "_selected_action": [auditor.pk]},
        follow=True,
    )

    match = CODE.search(" ".join(messages_of(response)))
    assert match is not None
    assert TOTPDevice.objects.filter(user=auditor).count() == 0
    auditor.refresh_from_db()
    assert auditor.second_factor_reset_at is not None
    assert _enrol(auditor, match.group(1)).confirmed is True


def test_allow_reenrolment_refused_on_oneself(admin_client):
    admin, client = admin_client
    assert TOTPDevice.objects.filter(user=admin).count() == 1

    response = client.post(
        reverse("admin:partners_professional_changelist"),
        {"action": "allow_second_factor_reenrolment", "_selected_action": [admin.pk]},
        follow=True,
    )

    assert messages_of(response) == [services.SELF_ENROLMENT_REFUSED]
    assert TOTPDevice.objects.filter(user=admin).count() == 1
    admin.refresh_from_db()
    assert admin.enrolment_code_hash == ""


def test_a_role_becoming_auditor_gets_an_enrolment_code(admin_client, pair):
    admin, client = admin_client
    idle = ProfessionalFactory(role=Role.SUPERVISOR, organisation__department=pair.department)

    updated = services.professional_update(
        professional=idle, fields={"role": Role.AUDITOR}, acting_user=admin
    )

    assert updated.issued_enrolment_code is not None
    assert _enrol(Professional.objects.get(pk=idle.pk), updated.issued_enrolment_code).confirmed


def test_enrolment_code_command_for_the_first_administrator(db):
    first = ProfessionalFactory(role=Role.ADMIN)
    out = StringIO()

    call_command("enrolment_code", first.email.upper(), stdout=out)

    match = re.search(r" : ([A-Z0-9]{5}-[A-Z0-9]{5})\n", out.getvalue())
    assert match is not None
    assert _enrol(first, match.group(1)).confirmed is True


def test_enrolment_code_command_refuses_other_roles(db):
    advisor = ProfessionalFactory(role=Role.ADVISOR)

    with refused(
        CommandError,
        f"{advisor.full_name} (Conseiller·ère France Travail) active seul·e sa double "
        "authentification : aucun code d'enrôlement n'est nécessaire.",
    ):
        call_command("enrolment_code", advisor.email, stdout=StringIO())
