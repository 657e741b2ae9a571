"""The person's own space, step 1: invitation, passwordless login through the outbox, the
person's separate session, the first page."""

import datetime
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from casework import journal, services
from casework.enums import CaseState, FileStage, JournalChannel
from casework.models import InformationShare, SpaceAccess, SpaceCode
from casework.retention import set_stage
from casework.space import services as space_services
from casework.space import session as space_session
from config.settings.base import redis_cache
from partners.enums import Role
from partners.errors import InvalidTransition
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory, NoteFactory, SocialNoteFactory
from tests.conftest import log_in
from tests.partners.factories import PairFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

EMAIL = "rosalie@exemple.fr"
CODE = re.compile(r"Votre code pour entrer dans votre espace Binôme : (\d{6})")


def invited_case(email: str = EMAIL, state: str = CaseState.ACTIVE):  # type: ignore[no-untyped-def]
    case = CaseFactory(state=state, beneficiary__first_name="Rosalie")
    access = space_services.space_invite(
        case=case, email=email, acting_user=case.pair.social_worker
    )
    return case, access


def code_from_outbox(email: str = EMAIL) -> str:
    """The code, read from the last e-mail queued for ``email`` (as the person reads it)."""
    row = (
        OutboxMessage.objects.filter(key__startswith="space-code:", payload__to=[email])
        .order_by("-pk")
        .first()
    )
    assert row is not None
    match = CODE.search(row.payload["body"])
    assert match is not None
    assert match.group(1) in row.payload["subject"]
    return match.group(1)


def ask_code(client: Client, email: str = EMAIL):  # type: ignore[no-untyped-def]
    return client.post(reverse("space_login"), {"contact": email}, follow=True)


def log_in_person(client: Client, email: str = EMAIL) -> Client:
    ask_code(client, email)
    response = client.post(reverse("space_code"), {"code": code_from_outbox(email)})
    assert response.status_code == 302
    assert response["Location"] == reverse("space_home")
    return client


# Invitation and withdrawal (the binôme).


def test_invite_by_a_member_writes_the_access_the_invitation_and_a_journal_row():
    case, access = invited_case()

    assert (access.beneficiary_id, access.email, access.created_by) == (
        case.beneficiary_id,
        EMAIL,
        case.pair.social_worker,
    )
    invitation = OutboxMessage.objects.get(key=f"space-invitation:{access.pk}:email")
    assert invitation.payload["to"] == [EMAIL]
    assert reverse("space_login") in invitation.payload["body"]
    row = InformationShare.objects.get(object_type="accès à l'espace de la personne")
    assert (row.channel, row.actor, row.case_id, row.purpose) == (
        JournalChannel.GRANT,
        case.pair.social_worker,
        case.pk,
        "Invitation de la personne dans son espace",
    )


def test_invite_refused_to_a_professional_outside_the_binome():
    case = CaseFactory(state=CaseState.ACTIVE)
    outsider = PairFactory(department=case.pair.department).advisor

    with refused(InvalidTransition, "Seul le binôme de la personne l'invite dans son espace."):
        space_services.space_invite(case=case, email=EMAIL, acting_user=outsider)
    assert SpaceAccess.objects.count() == 0


def test_invite_refused_on_a_closed_case():
    case = CaseFactory(state=CaseState.CLOSED)

    with refused(
        InvalidTransition,
        "L'accompagnement est « Terminé » : la personne ne peut plus être invitée.",
    ):
        space_services.space_invite(case=case, email=EMAIL, acting_user=case.pair.advisor)


def test_invite_refused_for_an_address_already_giving_access_to_someone_else():
    invited_case()
    other = CaseFactory(state=CaseState.ACTIVE)

    with refused(
        space_services.InvalidInput,
        "Cette adresse donne déjà accès à l'espace d'une autre personne : demandez à la "
        "personne une adresse qui lui est propre.",
        field="contact",
    ):
        space_services.space_invite(case=other, email=EMAIL.upper(), acting_user=other.pair.advisor)


def test_invite_view_prefills_the_recorded_address_and_needs_the_persons_agreement():
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__email="r.martin@exemple.fr")
    client = log_in(Client(), case.pair.advisor)
    url = reverse("space_invite", args=[case.pk])

    page = client.get(url)
    refused_post = client.post(url, {"contact": "rosalie.m@exemple.fr"})
    done = client.post(url, {"contact": "rosalie.m@exemple.fr", "person_agreed": "on"})

    assert page.context["form"]["contact"].value() == "r.martin@exemple.fr"
    assert refused_post.status_code == 200
    assert refused_post.context["form"].errors == {
        "person_agreed": ["Cochez la case : l'accord de la personne est nécessaire."]
    }
    assert 'value="rosalie.m@exemple.fr"' in refused_post.content.decode()
    assert done.status_code == 302
    assert SpaceAccess.objects.get().email == "rosalie.m@exemple.fr"


@pytest.mark.parametrize("viewer", ["outsider_advisor", "supervisor", "admin"])
def test_invite_and_withdraw_views_are_404_to_others(viewer):
    case, _access = invited_case()
    others = {
        "outsider_advisor": lambda: PairFactory(department=case.pair.department).advisor,
        "supervisor": lambda: ProfessionalFactory(
            role=Role.SUPERVISOR, organisation=case.pair.advisor.organisation
        ),
        "admin": lambda: ProfessionalFactory(
            role=Role.ADMIN, organisation__department=case.pair.department
        ),
    }
    client = log_in(Client(), others[viewer]())

    statuses = [
        client.get(reverse("space_invite", args=[case.pk])).status_code,
        client.post(reverse("space_withdraw", args=[case.pk])).status_code,
    ]

    assert statuses == [404, 404]
    assert SpaceAccess.objects.active().count() == 1


def test_case_page_shows_the_access_and_the_last_visit():
    case, _access = invited_case()
    client = log_in(Client(), case.pair.advisor)

    before = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    log_in_person(Client())
    after = client.get(reverse("case_detail", args=[case.pk])).content.decode()

    assert "Elle n'est pas encore venue." in before
    assert "Retirer l'accès" in before
    assert "Dernière visite le" in after


def test_withdraw_view_confirms_then_withdraws_with_a_journal_row():
    case, access = invited_case()
    client = log_in(Client(), case.pair.advisor)
    url = reverse("space_withdraw", args=[case.pk])

    confirm = client.get(url)
    assert "Confirmer le retrait de l'accès" in confirm.content.decode()
    assert SpaceAccess.objects.active().count() == 1
    client.post(url)

    access.refresh_from_db()
    assert access.withdrawn_by == case.pair.advisor
    row = InformationShare.objects.get(channel=JournalChannel.REVOKE)
    assert (row.object_id, row.purpose) == (
        str(access.pk),
        "Retrait de l'accès de la personne à son espace",
    )


# The code.


def test_login_end_to_end_through_the_outbox():
    case, access = invited_case()
    client = Client()

    asked = ask_code(client)
    home = log_in_person(client).get(reverse("space_home"))

    assert space_session_keys(client) == {space_session.ACCESS_ID: access.pk}
    assert "un code à 6 chiffres vient" in asked.content.decode()
    assert home.status_code == 200
    assert "Bonjour Rosalie" in home.content.decode()
    assert "no-store" in home["Cache-Control"]
    access.refresh_from_db()
    assert access.last_visit_at is not None
    # Stored hashed: the code itself is nowhere in the table.
    assert code_from_outbox() not in SpaceCode.objects.get(used_at__isnull=False).code_hash
    # The visit is the person's own act in the audit trail: no professional is its actor.
    visit = LogEntry.objects.get_for_object(access).order_by("-pk").first()
    assert (visit.actor, visit.actor_email) == (None, f"personne:espace n°{access.pk}")


def space_session_keys(client: Client) -> dict[str, int]:
    session = client.session
    return {key: session[key] for key in [space_session.ACCESS_ID] if key in session}


def test_same_answer_for_an_unknown_contact():
    invited_case()
    known, unknown = Client(), Client()

    known_answer = ask_code(known)
    unknown_answer = ask_code(unknown, "personne@exemple.fr")

    def page(response) -> str:  # type: ignore[no-untyped-def]
        return (
            response.content.decode()
            .replace(EMAIL, "ADRESSE")
            .replace("personne@exemple.fr", "ADRESSE")
        )

    assert [r.redirect_chain for r in (known_answer, unknown_answer)] == [
        [(reverse("space_code"), 302)]
    ] * 2
    assert _without_tokens(page(known_answer)) == _without_tokens(page(unknown_answer))
    assert OutboxMessage.objects.filter(key__startswith="space-code:").count() == 1
    # The unknown contact's codes are all refused, with the same message as a wrong code.
    wrong = unknown.post(reverse("space_code"), {"code": "123456"})
    assert wrong.context["form"].errors == {"code": [space_services.WRONG_CODE]}


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_code_expires_after_ten_minutes():
    invited_case()
    space_services.code_send(contact=EMAIL)
    code = code_from_outbox()

    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)),
        refused(space_services.CodeRefused, space_services.WRONG_CODE) as caught,
    ):
        space_services.code_check(contact=EMAIL, code=code)
    assert caught.value.reason == "expired"


def test_code_works_once():
    invited_case()
    space_services.code_send(contact=EMAIL)
    code = code_from_outbox()
    space_services.code_check(contact=EMAIL, code=code)

    with refused(space_services.CodeRefused, space_services.WRONG_CODE) as caught:
        space_services.code_check(contact=EMAIL, code=code)
    assert caught.value.reason == "used"


def test_a_new_code_replaces_the_previous_one():
    invited_case()
    first = space_services.code_send(contact=EMAIL)
    second = space_services.code_send(contact=EMAIL)
    assert first is not None and second is not None and first != second  # 1 in a million

    with refused(space_services.CodeRefused, space_services.WRONG_CODE) as caught:
        space_services.code_check(contact=EMAIL, code=first)
    assert caught.value.reason == "wrong"
    assert space_services.code_check(contact=EMAIL, code=second).email == EMAIL


@pytest.mark.parametrize("email", [EMAIL, "inconnue@exemple.fr"])
def test_five_wrong_codes_then_a_pause_even_with_the_right_code(email):
    invited_case()
    right = space_services.code_send(contact=email) or "000000"
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(space_services.MAX_CODE_FAILURES):
        with refused(space_services.CodeRefused, space_services.WRONG_CODE):
            space_services.code_check(contact=email, code=wrong)

    with refused(
        space_services.CodeRefused,
        "Trop d'essais de code. Pour votre sécurité, attendez 15 minutes puis demandez un "
        "nouveau code.",
    ) as caught:
        space_services.code_check(contact=email, code=right)
    assert caught.value.reason == "paused"
    # No new code during the pause: asking again sends nothing.
    assert space_services.code_send(contact=email) is None
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert space_services.code_send(contact=email) == (
            None if email != EMAIL else code_from_outbox()
        )


# The person's session.


def test_withdrawal_ends_the_session_at_the_next_request():
    case, access = invited_case()
    client = log_in_person(Client())
    assert client.get(reverse("space_home")).status_code == 200

    space_services.space_withdraw(access=access, acting_user=case.pair.advisor)
    response = client.get(reverse("space_home"), follow=True)

    assert response.redirect_chain == [(reverse("space_login"), 302)]
    assert (
        "Votre accès à votre espace a été retiré par les professionnel·les qui vous accompagnent."
        in response.content.decode()
    )
    assert space_session_keys(client) == {}


def test_idle_timeout_of_fifteen_minutes():
    invited_case()
    client = log_in_person(Client())

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = client.get(reverse("space_home"), follow=True)

    assert response.redirect_chain == [(reverse("space_login"), 302)]
    assert "après 15 minutes sans activité" in response.content.decode()


def test_a_persons_session_is_refused_on_professional_pages():
    case, _access = invited_case()
    client = log_in_person(Client())

    responses = [
        client.get(reverse(name, kwargs=kwargs))
        for name, kwargs in (("caseload", {}), ("case_detail", {"pk": case.pk}))
    ]

    assert [(r.status_code, r["Location"].split("?")[0]) for r in responses] == [
        (302, reverse("login"))
    ] * 2


def test_a_professionals_session_is_refused_on_the_space():
    case, _access = invited_case()
    client = log_in(Client(), case.pair.social_worker)

    response = client.get(reverse("space_home"))

    assert (response.status_code, response["Location"]) == (302, reverse("space_login"))


def test_a_person_logging_in_ends_a_professional_session_in_the_same_browser():
    case, _access = invited_case()
    client = log_in(Client(), case.pair.social_worker)

    log_in_person(client)

    assert client.get(reverse("caseload")).status_code == 302
    assert client.get(reverse("space_home")).status_code == 200


def test_a_professional_logging_in_drops_the_persons_identity():
    case, _access = invited_case()
    client = log_in_person(Client())

    client.force_login(case.pair.advisor)

    assert space_session_keys(client) == {}


# The first page.


def test_home_shows_the_binome_and_appointments_and_no_secret(today):
    case, _access = invited_case()
    pair = case.pair
    pair.advisor.job_title = "Conseillère accompagnement global"
    pair.advisor.save()
    social = SocialNoteFactory(case=case, author=pair.social_worker)
    note = NoteFactory(case=case, author=pair.advisor)
    services.appointment_plan(
        case=case,
        acting_user=pair.advisor,
        planned_at=timezone.now() + datetime.timedelta(days=3),
        place="Agence du centre, 3 rue des Lilas",
        with_whom=pair.advisor,
    )
    client = log_in_person(Client())

    page = client.get(reverse("space_home")).content.decode()

    assert pair.advisor.full_name in page
    assert pair.social_worker.full_name in page
    assert "Conseillère accompagnement global" in page
    assert pair.advisor.organisation.name in page
    for member in (pair.advisor, pair.social_worker):
        assert f'<a href="mailto:{member.email}">{member.email}</a>' in page
    assert "Agence du centre, 3 rue des Lilas" in page
    assert "Votre accompagnement est en cours." in page
    assert social.text not in page
    assert "SECRET-" not in page
    assert note.text not in page
    for word in ("bénéficiaire", "frein"):
        assert word not in page.lower()


def test_home_of_an_archived_file_says_whom_to_contact(today):
    case, _access = invited_case()
    SocialNoteFactory(case=case, author=case.pair.social_worker)
    client = log_in_person(Client())
    set_stage(case.beneficiary_id, file_stage=FileStage.ARCHIVED, archived_on=today)

    page = client.get(reverse("space_home")).content.decode()

    assert "Votre dossier est archivé" in page
    assert case.pair.department.name in page
    assert case.pair.advisor.full_name not in page


@pytest.mark.parametrize("size", [2, 6])
def test_home_queries_constant(size, django_assert_num_queries):
    case, _access = invited_case()
    members = [case.pair.advisor, case.pair.social_worker]  # two organisations
    for index in range(size):
        with_whom = members[index % 2]
        services.appointment_plan(
            case=case,
            acting_user=case.pair.advisor,
            planned_at=timezone.now() + datetime.timedelta(days=index + 1),
            place=f"Lieu {index}",
            with_whom=with_whom,
        )
        services.breach_report(case=case, acting_user=case.referent, reason=f"Motif {index}")
    client = log_in_person(Client())

    # session, access (with person, case, pair, department), case with the binôme and their
    # organisations, appointments with whom and their organisation, signalements
    with django_assert_num_queries(5):
        response = client.get(reverse("space_home"))

    assert len(response.context["appointments"]) == size
    assert len(response.context["breach_reports"]) == size


def test_code_check_fails_open_when_the_cache_is_unreachable():
    invited_case()
    right = space_services.code_send(contact=EMAIL)
    assert right is not None
    wrong = "111111" if right != "111111" else "222222"

    with override_settings(CACHES={"default": redis_cache("redis://127.0.0.1:1/0")}):
        for _ in range(space_services.MAX_CODE_FAILURES):
            with refused(space_services.CodeRefused, space_services.WRONG_CODE):
                space_services.code_check(contact=EMAIL, code=wrong)
        # The code itself died after 5 wrong tries, counted on its row.
        with refused(space_services.CodeRefused, space_services.WRONG_CODE) as caught:
            space_services.code_check(contact=EMAIL, code=right)
    assert caught.value.reason == "wrong"
    assert SpaceCode.objects.get().failures == space_services.MAX_CODE_FAILURES


def test_person_act_is_on_the_case_timeline_as_the_persons_own():
    case, access = invited_case()
    row = journal.record_person_act(
        case=case, purpose="Message envoyé au binôme", object_type="message", object_id="1"
    )

    page = log_in(Client(), case.pair.advisor).get(reverse("case_detail", args=[case.pk]))

    assert (row.channel, row.actor, row.actor_job_title) == (
        JournalChannel.PERSON,
        None,
        "La personne accompagnée",
    )
    assert (
        "<strong>Message envoyé au binôme</strong>, le "
        f"{timezone.localtime(row.at):%d/%m/%Y à %H:%M} — "
        "<em>par la personne, depuis son espace</em>"
    ) in page.content.decode()
