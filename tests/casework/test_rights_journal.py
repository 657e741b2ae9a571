"""The rights journal: every change of who may see what made in administration (accounts,
roles, organisations, social correspondents, binômes) and every handover is a journal row, listed
for the auditor on « Changements de droits »."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse

from casework import services as case_services
from casework.enums import CaseState, JournalChannel
from casework.models import InformationShare
from casework.rights import person_export
from partners import services
from partners.enums import PairEndReason, Role
from partners.errors import (
    InvalidPair,
    InvalidTransition,
    PairHasOpenCases,
    ProfessionalStillInPair,
)
from partners.models import Department, Professional
from partners.pagination import paginate
from tests.casework.factories import CaseFactory
from tests.partners.factories import (
    DepartmentFactory,
    OrganisationFactory,
    PairFactory,
    ProfessionalFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db

SIZES = [2, 6]


def _mark() -> int:
    return InformationShare.objects.aggregate(last=Max("pk"))["last"] or 0


def _rows_since(mark: int) -> list[tuple[str, str, str, int | None, int]]:
    """(channel, purpose, recipient, actor, department) of the rows written after ``mark``."""
    return list(
        InformationShare.objects.filter(pk__gt=mark)
        .order_by("pk")
        .values_list("channel", "purpose", "recipient", "actor_id", "department_id")
    )


@pytest.fixture
def department() -> Department:
    return DepartmentFactory(code="21")


@pytest.fixture
def admin(department: Department) -> Professional:
    return ProfessionalFactory(
        role=Role.ADMIN,
        organisation__department=department,
        organisation__name="Direction de l'insertion",
    )


def _jeanne(department: Department, **fields: object) -> Professional:
    return ProfessionalFactory(
        first_name="Jeanne",
        last_name="Martin",
        job_title="Conseillère emploi",
        organisation__department=department,
        organisation__name="Agence du centre",
        **fields,
    )


JEANNE = "Jeanne Martin, Conseillère emploi (Agence du centre)"


def test_professional_create_journals_the_account_naming_it(department, admin):
    organisation = OrganisationFactory(department=department, name="Agence du centre")
    mark = _mark()

    jeanne = services.professional_create(
        email="jeanne.martin@exemple.test",
        first_name="Jeanne",
        last_name="Martin",
        organisation=organisation,
        role=Role.ADVISOR,
        job_title="Conseillère emploi",
        acting_user=admin,
    )

    assert _rows_since(mark) == [
        (
            JournalChannel.GRANT,
            "Compte créé : Conseiller·ère France Travail",
            JEANNE,
            admin.pk,
            department.pk,
        )
    ]
    row = InformationShare.objects.get(pk__gt=mark)
    assert (row.case_id, row.object_type, row.object_id) == (
        None,
        "professionnel·le",
        str(jeanne.pk),
    )
    assert (row.actor_organisation, row.actor_job_title) == (
        "Direction de l'insertion",
        "Administrateur·rice fonctionnel·le",
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"role": Role.SUPERVISOR},
            (
                JournalChannel.GRANT,
                "Rôle changé : Conseiller·ère France Travail → Encadrant·e",
                JEANNE,
            ),
        ),
        (
            {"organisation": "other"},
            (
                JournalChannel.GRANT,
                "Organisation changée : Agence du centre → Agence du nord",
                "Jeanne Martin, Conseillère emploi (Agence du nord)",
            ),
        ),
    ],
    ids=["role", "organisation"],
)
def test_professional_update_journals_a_change_of_rights(department, admin, fields, expected):
    jeanne = _jeanne(department)
    if fields.get("organisation") == "other":
        fields = {"organisation": OrganisationFactory(department=department, name="Agence du nord")}
    mark = _mark()

    services.professional_update(professional=jeanne, fields=fields, acting_user=admin)

    assert _rows_since(mark) == [(*expected, admin.pk, department.pk)]


def test_social_correspondent_flag_is_granted_then_revoked(department, admin):
    worker = ProfessionalFactory(
        first_name="Paul",
        last_name="Durand",
        role=Role.SOCIAL_WORKER,
        organisation__department=department,
        organisation__name="MDS du centre",
    )
    paul = "Paul Durand, Travailleur·se social·e (MDS du centre)"
    mark = _mark()

    services.professional_update(
        professional=worker, fields={"is_social_correspondent": True}, acting_user=admin
    )
    services.professional_update(
        professional=worker, fields={"is_social_correspondent": False}, acting_user=admin
    )

    assert _rows_since(mark) == [
        (JournalChannel.GRANT, "Désigné·e correspondant·e social·e", paul, admin.pk, department.pk),
        (
            JournalChannel.REVOKE,
            "Qualité de correspondant·e social·e retirée",
            paul,
            admin.pk,
            department.pk,
        ),
    ]


def test_professional_update_of_details_only_journals_nothing(department, admin):
    jeanne = _jeanne(department)
    mark = _mark()

    services.professional_update(
        professional=jeanne,
        fields={"job_title": "Conseillère emploi", "role": Role.ADVISOR, "last_name": "Martin"},
        acting_user=admin,
    )

    assert _rows_since(mark) == []


def test_professional_deactivate_then_reactivate_is_journaled(department, admin):
    jeanne = _jeanne(department)
    mark = _mark()

    services.professional_deactivate(professional=jeanne, acting_user=admin)
    services.professional_update(professional=jeanne, fields={"is_active": True}, acting_user=admin)

    assert _rows_since(mark) == [
        (JournalChannel.REVOKE, "Compte désactivé", JEANNE, admin.pk, department.pk),
        (JournalChannel.GRANT, "Compte réactivé", JEANNE, admin.pk, department.pk),
    ]


def test_pair_create_and_end_name_both_members(department, admin):
    advisor = _jeanne(department)
    worker = ProfessionalFactory(
        first_name="Paul",
        last_name="Durand",
        job_title="Assistant social",
        role=Role.SOCIAL_WORKER,
        organisation__department=department,
        organisation__name="MDS du centre",
    )
    mark = _mark()

    pair = services.pair_create(advisor=advisor, social_worker=worker, acting_user=admin)
    services.pair_end(pair=pair, reason=PairEndReason.DEPARTURE, acting_user=admin)

    members = f"Binôme n°{pair.pk} : {JEANNE} ; Paul Durand, Assistant social (MDS du centre)"
    assert _rows_since(mark) == [
        (JournalChannel.GRANT, "Binôme formé", members, admin.pk, department.pk),
        (
            JournalChannel.REVOKE,
            "Binôme terminé : Départ d'un membre du binôme",
            members,
            admin.pk,
            department.pk,
        ),
    ]


def test_refused_changes_of_rights_journal_nothing(department, admin):
    case = CaseFactory(pair__department=department)
    pair = case.pair
    mark = _mark()

    with refused(InvalidTransition, services.SELF_RIGHTS_REFUSED):
        services.professional_update(
            professional=admin, fields={"role": Role.AUDITOR}, acting_user=admin
        )
    with refused(InvalidPair, services.ACTIVE_PAIR_EXISTS):
        services.pair_create(
            advisor=pair.advisor, social_worker=pair.social_worker, acting_user=admin
        )
    with refused(
        PairHasOpenCases,
        "Ce binôme suit encore 1 accompagnement(s) en cours : confiez-les d'abord à un autre "
        "binôme (changement de référent), puis terminez-le.",
    ):
        services.pair_end(pair=pair, acting_user=admin)
    with refused(
        ProfessionalStillInPair,
        f"{pair.advisor.full_name} est encore membre d'un binôme en cours : confiez d'abord ses "
        "accompagnements à un autre binôme, puis terminez le binôme.",
    ):
        services.professional_deactivate(professional=pair.advisor, acting_user=admin)

    assert _rows_since(mark) == []


def _handed_over(department: Department, admin: Professional, *, shows_names: bool):  # type: ignore[no-untyped-def]
    services.department_update(
        department=department, fields={"journal_shows_names": shows_names}, acting_user=None
    )
    case = CaseFactory(state=CaseState.ACTIVE, pair__department=department)
    new_pair = PairFactory(
        department=department,
        advisor=_jeanne(department),
        social_worker__first_name="Paul",
        social_worker__last_name="Durand",
        social_worker__job_title="Assistant social",
        social_worker__organisation__name="MDS du centre",
    )
    case_services.case_reassign(
        case=case, new_pair=new_pair, reason="Départ en retraite", acting_user=admin
    )
    return case, new_pair


NAMES = f"{JEANNE} ; Paul Durand, Assistant social (MDS du centre)"


def test_case_reassign_names_the_professionals_who_gain_access(department, admin, login_client):
    case, new_pair = _handed_over(department, admin, shows_names=False)
    previous = case.pair_periods.order_by("started_on", "pk").first().pair  # type: ignore[union-attr]

    row = InformationShare.objects.filter(case=case).order_by("-seq").first()
    assert row is not None
    assert (row.channel, row.actor_id, row.object_type, row.object_id) == (
        JournalChannel.GRANT,
        admin.pk,
        "binôme",
        str(new_pair.pk),
    )
    assert row.recipient == (
        f"Binôme n°{new_pair.pk} (Conseillère emploi, Assistant social) ; retrait : "
        f"Binôme n°{previous.pk} (conseiller·ère, travailleur·se social·e)"
        f" — nommé·es : {NAMES}"
    )
    # The journal's readers see the names: the new binôme, the administrator, the auditor.
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)
    for viewer in (new_pair.advisor, admin, auditor):
        page = login_client(viewer).get(reverse("case_journal", args=[case.pk]))
        assert NAMES in page.content.decode()


def test_case_reassign_names_stay_out_of_the_persons_copies_unless_decided(
    department, admin, login_client
):
    case, new_pair = _handed_over(department, admin, shows_names=False)

    # printed by the other member (the page's header names whoever is signed in)
    printed = login_client(new_pair.social_worker).get(
        reverse("case_journal_print", args=[case.pk])
    )
    export = person_export(beneficiary=case.beneficiary, acting_user=None)

    assert "Jeanne Martin" not in printed.content.decode()
    for text in (export.json_text, export.html_text):
        assert "Jeanne Martin" not in text
        assert f"Binôme n°{new_pair.pk} (Conseillère emploi, Assistant social)" in text


def test_case_reassign_names_reach_the_persons_export_when_the_department_decided(
    department, admin
):
    case, _new_pair = _handed_over(department, admin, shows_names=True)

    export = person_export(beneficiary=case.beneficiary, acting_user=None)

    assert NAMES in export.json_text


def test_the_chain_stays_intact_after_changes_of_rights(department, admin):
    jeanne = _jeanne(department)
    services.professional_update(
        professional=jeanne, fields={"role": Role.SUPERVISOR}, acting_user=admin
    )
    services.professional_deactivate(professional=jeanne, acting_user=admin)
    out = StringIO()

    call_command("audit_verify", stdout=out)

    count = InformationShare.objects.filter(department=department).count()
    assert f"Département 21 : {count} lignes, intact." in out.getvalue()


def test_rights_changes_page_lists_grants_and_revokes_newest_first(department, admin, login_client):
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)
    case, new_pair = _handed_over(department, admin, shows_names=False)
    other_department_admin = ProfessionalFactory(
        role=Role.ADMIN, organisation__department=DepartmentFactory(code="71")
    )
    _jeanne(other_department_admin.organisation.department)

    response = login_client(auditor).get(reverse("rights_changes"))

    rows = response.context["page"].object_list
    expected = list(
        InformationShare.objects.filter(
            department=department, channel__in=[JournalChannel.GRANT, JournalChannel.REVOKE]
        ).order_by("-at", "-seq")
    )
    assert rows == expected
    assert rows[0].purpose == (
        "Changement de binôme : droits retirés au binôme précédent, donnés au nouveau"
    )
    content = response.content.decode()
    assert NAMES in content
    assert reverse("case_journal", args=[case.pk]) in content
    assert f"{admin.full_name}, Administrateur·rice fonctionnel·le" in content
    assert {row.department_id for row in rows} == {department.pk}


def test_rights_changes_page_starts_with_the_auditors_own_account(login_client):
    """A department's first change of rights is the creation of its first account."""
    department = DepartmentFactory(code="35")
    auditor = ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)

    response = login_client(auditor).get(reverse("rights_changes"))

    assert [row.purpose for row in response.context["page"].object_list] == [
        "Compte créé : Auditeur·rice / DPO"
    ]
    assert "1 ligne(s)." in response.content.decode()


def test_rights_changes_page_empty_state(rf):
    """Nothing journaled yet (a department whose accounts predate the rights journal)."""
    auditor = ProfessionalFactory(role=Role.AUDITOR)
    request = rf.get(reverse("rights_changes"))
    request.user = auditor
    page = paginate(request, InformationShare.objects.none())

    content = render_to_string("casework/rights_changes.html", {"page": page}, request)

    assert "Aucun changement de droits n'est inscrit au journal de votre département." in content


def test_rights_changes_page_is_the_auditors_only(department, admin, login_client):
    """The administrator, who makes the changes, gets the same 404 as any refusal."""
    response = login_client(admin).get(reverse("rights_changes"))

    assert response.status_code == 404


@pytest.mark.parametrize("size", SIZES)
def test_rights_changes_queries_constant(size, login_client, django_assert_num_queries):
    department = DepartmentFactory(code="21")
    admins = [
        ProfessionalFactory(role=Role.ADMIN, organisation__department=department) for _ in "ab"
    ]
    for index in range(size):  # each: two accounts and a binôme formed by an admin, a case
        pair = services.pair_create(
            advisor=ProfessionalFactory(organisation__department=department),
            social_worker=ProfessionalFactory(
                role=Role.SOCIAL_WORKER, organisation__department=department
            ),
            acting_user=admins[index % 2],
        )
        CaseFactory(pair=pair)
    client = login_client(
        ProfessionalFactory(role=Role.AUDITOR, organisation__department=department)
    )

    # session, professional, its TOTP device, count, page with actors
    with django_assert_num_queries(5):
        response = client.get(reverse("rights_changes"))

    assert len(response.context["page"].object_list) == 4 * size + 3  # and three accounts
