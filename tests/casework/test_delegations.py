"""Remplacements: rights of a colleague, until an end date, journaled at grant, use and expiry."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework import access, permissions, services, tasks
from casework.enums import CaseState, JournalChannel
from casework.errors import InvalidInput
from casework.models import Case, CaseUserObjectPermission, Delegation, InformationShare
from partners import services as partner_services
from partners.enums import Role
from partners.errors import InvalidPair, InvalidTransition
from partners.models import Professional
from tests.casework.factories import CaseFactory, SocialNoteFactory
from tests.partners.factories import DepartmentFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)


def _colleague(professional, **kwargs):
    return ProfessionalFactory(
        role=kwargs.pop("role", professional.role),
        organisation__department=professional.organisation.department,
        **kwargs,
    )


def _give(replaced, delegate, days=7, **kwargs):
    return services.delegation_give(
        replaced=replaced,
        delegate=delegate,
        starts_on=kwargs.pop("starts_on", TODAY),
        ends_on=kwargs.pop("ends_on", TODAY + datetime.timedelta(days=days)),
        reason=kwargs.pop("reason", "Congés"),
        acting_user=kwargs.pop("acting_user", replaced),
        **kwargs,
    )


def test_delegation_gives_the_replaced_rights_and_journals_each_case():
    case = CaseFactory(state=CaseState.ACTIVE)
    other = CaseFactory(pair=case.pair, state=CaseState.ACTIVE)
    social_worker = case.pair.social_worker
    delegate = _colleague(social_worker)

    delegation = _give(social_worker, delegate)

    assert delegation.all_cases is True
    assert set(delegation.cases.values_list("pk", flat=True)) == {case.pk, other.pk}
    assert set(Case.objects.visible_to(delegate).values_list("pk", flat=True)) == {
        case.pk,
        other.pk,
    }
    assert permissions.can_read_social_notes(delegate, case) is True
    rows = InformationShare.objects.filter(object_type="remplacement").order_by("seq")
    assert [(r.case_id, r.channel, r.object_id) for r in rows] == [
        (case.pk, JournalChannel.GRANT, str(delegation.pk)),
        (other.pk, JournalChannel.GRANT, str(delegation.pk)),
    ]


def test_delegation_on_chosen_cases_only():
    case = CaseFactory(state=CaseState.ACTIVE)
    other = CaseFactory(pair=case.pair, state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)

    _give(case.pair.advisor, delegate, cases=[other])

    assert list(Case.objects.visible_to(delegate).values_list("pk", flat=True)) == [other.pk]


def test_advisor_delegate_never_reads_social_notes():
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)

    _give(case.pair.advisor, delegate)

    assert permissions.can_change_case(delegate, case) is True
    assert permissions.can_read_social_notes(delegate, case) is False


def test_delegation_is_ignored_after_its_end_date_before_the_nightly_task(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    note = SocialNoteFactory(case=case)
    delegate = _colleague(case.pair.social_worker)
    _give(case.pair.social_worker, delegate, days=2)
    url = reverse("case_detail", args=[case.pk])
    assert login_client(delegate).get(url).status_code == 200

    # Paris, 4 June 2026 at 00:01: the day after the end date.
    with time_machine.travel(datetime.datetime(2026, 6, 3, 22, 1, tzinfo=datetime.UTC)):
        response = login_client(delegate).get(url)
        visible = list(Case.objects.visible_to(delegate))
        can_read = permissions.can_read_social_notes(delegate, case)

    assert response.status_code == 404
    assert note.text.split(", ")[-1] not in response.content.decode()
    assert visible == []
    assert can_read is False
    # The rows are still there: only the nightly task removes them.
    assert CaseUserObjectPermission.objects.filter(user=delegate).count() == 3


def test_delegation_to_come_grants_nothing_yet():
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)

    _give(case.pair.advisor, delegate, starts_on=TODAY + datetime.timedelta(days=3))

    assert list(Case.objects.visible_to(delegate)) == []


def test_nightly_task_removes_expired_grants_and_journals_it():
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)
    delegation = _give(case.pair.advisor, delegate, days=2)

    with time_machine.travel(datetime.datetime(2026, 6, 3, 22, 15, tzinfo=datetime.UTC)):
        expired_ids = tasks.expire_delegations()
        again = services.delegations_expire()

    assert expired_ids == [delegation.pk]
    assert again == []
    assert CaseUserObjectPermission.objects.filter(user=delegate).count() == 0
    assert permissions.case_grants(case) == permissions.pair_grants(case.pair)
    delegation.refresh_from_db()
    assert delegation.expired_at is not None
    revoke = InformationShare.objects.filter(channel=JournalChannel.REVOKE).get()
    assert (revoke.case_id, revoke.actor_id, revoke.object_id) == (
        case.pk,
        None,
        str(delegation.pk),
    )
    assert revoke.purpose == "Fin du remplacement le 03/06/2026 : droits retirés"


def test_delegation_revoke_removes_grants_at_once():
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)
    delegation = _give(case.pair.advisor, delegate)

    services.delegation_revoke(delegation=delegation, acting_user=case.pair.advisor)

    assert list(Case.objects.visible_to(delegate)) == []
    with refused(InvalidTransition, "Ce remplacement est déjà terminé."):
        services.delegation_revoke(delegation=delegation, acting_user=case.pair.advisor)


def test_handover_takes_the_case_out_of_the_delegation():
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)
    _give(case.pair.advisor, delegate)
    new_pair_advisor = _colleague(case.pair.advisor)
    from tests.partners.factories import PairFactory

    new_pair = PairFactory(department=case.pair.department, advisor=new_pair_advisor)

    services.case_reassign(case=case, new_pair=new_pair, reason="Départ", acting_user=None)

    assert list(Case.objects.visible_to(delegate)) == []
    assert permissions.case_grants(case) == permissions.pair_grants(new_pair)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"ends_on": TODAY - datetime.timedelta(days=1)},
            "ends_on",
            "La fin du remplacement ne peut précéder son début.",
        ),
        (
            {
                "starts_on": TODAY - datetime.timedelta(days=2),
                "ends_on": TODAY + datetime.timedelta(days=2),
            },
            "starts_on",
            "Un remplacement commence aujourd'hui ou plus tard.",
        ),
        ({"reason": "  "}, "reason", "Indiquez le motif du remplacement (congé, formation…)."),
        (
            {"ends_on": TODAY + datetime.timedelta(days=200)},
            "ends_on",
            "Un remplacement dure six mois au plus ; au-delà, confiez les accompagnements à un "
            "autre binôme (changement de référent).",
        ),
    ],
)
def test_delegation_refuses_bad_dates_and_reason(change, field, message):
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)

    with pytest.raises(InvalidInput) as refused:
        _give(case.pair.advisor, delegate, **change)

    assert (refused.value.field, refused.value.message) == (field, message)
    assert Delegation.objects.count() == 0


def test_delegation_refuses_oneself_other_role_other_department_and_inactive():
    case = CaseFactory(state=CaseState.ACTIVE)
    advisor = case.pair.advisor
    refusals = {}
    for label, delegate in (
        ("soi", advisor),
        ("métier", _colleague(advisor, role=Role.SOCIAL_WORKER)),
        (
            "département",
            ProfessionalFactory(role=Role.ADVISOR, organisation__department=DepartmentFactory()),
        ),
        ("inactif", _colleague(advisor, is_active=False)),
    ):
        with pytest.raises(InvalidInput) as refused:
            _give(advisor, delegate)
        refusals[label] = refused.value.message

    assert refusals == {
        "soi": "Une personne ne peut pas se remplacer elle-même.",
        "métier": "Un·e conseiller·ère est remplacé·e par un·e conseiller·ère, un·e "
        "travailleur·se social·e par un·e travailleur·se social·e (les notes sociales ne vont "
        "qu'aux travailleur·ses sociaux·ales).",
        "département": "La personne remplacée et son remplaçant·e relèvent de départements "
        "différents.",
        "inactif": "Ce compte est désactivé : choisissez un·e autre remplaçant·e.",
    }
    assert Delegation.objects.count() == 0


def _delegation_refusal(invited: Professional, days: int = 30) -> str:
    return (
        f"Vous avez invité {invited.full_name} le "
        f"{timezone.localdate(invited.invited_at):%d/%m/%Y} : pendant {days} jours, un "
        "remplacement confié à ce compte est organisé par un·e autre administrateur·rice du "
        "département (règle des deux administrateur·rices)."
    )


def test_an_administrator_gives_no_remplacement_to_an_account_they_invited():
    """The two-administrators rule holds for remplacements too: an administrator invites a social
    worker at an address they read, then makes her the remplaçante of the case's social worker;
    the secret notes would be theirs, with no binôme formed."""
    case = CaseFactory(state=CaseState.ACTIVE)
    SocialNoteFactory(case=case)
    social_worker = case.pair.social_worker
    department = social_worker.organisation.department
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    other_admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    invited = partner_services.professional_create(
        email="moi.aussi@exemple.test",
        first_name="Inès",
        last_name="Morel",
        organisation=social_worker.organisation,
        role=Role.SOCIAL_WORKER,
        acting_user=admin,
    )

    with refused(InvalidPair, _delegation_refusal(invited)):
        _give(social_worker, invited, acting_user=admin)
    assert not Delegation.objects.exists()
    assert permissions.can_read_social_notes(invited, case) is False
    delegation = _give(social_worker, invited, acting_user=other_admin)
    assert permissions.can_read_social_notes(invited, case) is True
    assert delegation.created_by == other_admin


def test_delegation_refuses_an_organiser_without_authority():
    case = CaseFactory(state=CaseState.ACTIVE)
    stranger = _colleague(case.pair.advisor)

    with refused(
        InvalidTransition,
        "Un remplacement est organisé par la personne remplacée, son encadrement "
        "ou l'administration fonctionnelle de son département.",
    ):
        _give(case.pair.advisor, _colleague(case.pair.advisor), acting_user=stranger)


def test_delegation_refuses_a_second_one_on_the_same_cases():
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)
    _give(case.pair.advisor, delegate)

    with pytest.raises(InvalidInput) as refused:
        _give(
            case.pair.advisor,
            delegate,
            starts_on=TODAY + datetime.timedelta(days=3),
            ends_on=TODAY + datetime.timedelta(days=20),
        )

    assert refused.value.field == "delegate"


def test_each_case_page_view_by_a_delegate_is_journaled(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)
    delegation = _give(case.pair.advisor, delegate)
    before = InformationShare.objects.count()

    response = login_client(delegate).get(reverse("case_detail", args=[case.pk]))
    login_client(case.pair.advisor).get(reverse("case_detail", args=[case.pk]))

    assert response.status_code == 200
    rows = list(InformationShare.objects.order_by("seq")[before:])
    assert [(r.actor_id, r.channel, r.purpose, r.object_id) for r in rows] == [
        (
            delegate.pk,
            JournalChannel.VIEW,
            "Consultation de l'accompagnement en remplacement",
            str(delegation.pk),
        )
    ]


def test_the_remplacement_in_use_is_known_for_each_viewer_of_the_same_case():
    case = CaseFactory(state=CaseState.ACTIVE)
    delegate = _colleague(case.pair.advisor)
    delegation = _give(case.pair.advisor, delegate)
    read = Case.objects.get(pk=case.pk)

    # asked before anything else, then after whether each follows the case
    assert access.remplacement_in_use(delegate, read) == delegation.pk
    assert access.remplacement_in_use(case.pair.advisor, read) is None
    assert access.may_follow_case(delegate, read) is True
    assert access.remplacement_in_use(delegate, read) == delegation.pk
    assert access.may_follow_case(case.pair.advisor, read) is True
    assert access.remplacement_in_use(case.pair.advisor, read) is None


def test_delegation_page_gives_a_remplacement_with_french_errors(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    advisor = case.pair.advisor
    delegate = _colleague(advisor)
    client = login_client(advisor)
    data = {
        "replaced": advisor.pk,
        "delegate": delegate.pk,
        "starts_on": "2026-06-10",
        "ends_on": "2026-06-05",
        "reason": "Congés",
    }

    refused = client.post(reverse("delegations"), data)
    data["ends_on"] = "2026-06-20"
    accepted = client.post(reverse("delegations"), data)

    assert refused.status_code == 200
    assert "La fin du remplacement ne peut précéder son début." in refused.content.decode()
    assert accepted.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.replaced, delegation.delegate, delegation.ends_on) == (
        advisor,
        delegate,
        datetime.date(2026, 6, 20),
    )


@pytest.mark.parametrize("size", [2, 6])
def test_delegations_page_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory()
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    for _ in range(size):  # each remplacement on its own binôme's case
        case = CaseFactory(pair__department=department, state=CaseState.ACTIVE)
        _give(case.pair.advisor, _colleague(case.pair.advisor), acting_user=admin)
    client = login_client(admin)

    # session, professional, its TOTP device, the people to replace, the delegates, the
    # remplacements
    with django_assert_num_queries(6):
        response = client.get(reverse("delegations"))

    assert len(response.context["delegations"]) == size
